"""Progress with evidence, milestones, duties, supervision and warning interviews with follow-up, review."""

import datetime

from firegrid.tasks import actions
from firegrid.tasks.choices import ReviewState, SupervisionStatus, TaskStatus
from firegrid.tasks.models import Duty, Evidence, KeyTask, TaskReview
from firegrid.tasks.review import review
from firegrid.tasks.tests.conftest import make_task, pdf, png


def test_a_unit_reports_progress_with_photo_and_pdf_evidence(tasks, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = tasks
    milestone = actions.add_milestone(w.task, actor=w.street_officer, title="完成摸底", due_on=w.task.due_on)
    client.force_login(w.street_officer)
    response = client.post(
        f"/tasks/{w.task.pk}/report/",
        {
            "unit": w.station.pk,
            "percent": "60",
            "note": "完成12个小区改造",
            "milestone": milestone.pk,
            "evidence": [png(), pdf()],
        },
    )
    assert response.status_code == 302
    report = w.task.reports.get()
    assert report.unit == w.station and report.percent == 60 and report.reported_by == w.street_officer
    kinds = sorted(report.evidence.values_list("kind", "content_type"))
    assert kinds == [("image", "image/png"), ("pdf", "application/pdf")]
    w.task.refresh_from_db()
    milestone.refresh_from_db()
    assert w.task.progress_pct == 60 and milestone.done_on == datetime.date.today()
    page = client.get(f"/tasks/{w.task.pk}/").content.decode()
    assert "完成12个小区改造" in page and "minutes.pdf" in page
    evidence = Evidence.objects.get(kind="pdf")
    download = client.get(f"/tasks/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    # evidence is not for everyone
    client.force_login(w.street2_officer)
    assert client.get(f"/tasks/evidence/{evidence.pk}/").status_code == 404


def test_the_committee_reports_through_the_street_officer_and_completes_the_task(tasks, api_client):
    w = tasks
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(
        "/api/v1/tasks/reports/",
        {"task": w.task.pk, "unit": w.committee.pk, "percent": 90, "note": "已全部完成", "completes": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    task = KeyTask.objects.get(pk=w.task.pk)
    assert task.status == TaskStatus.DONE and task.completed_on == datetime.date.today()
    assert task.progress_pct == 100 and task.state() == ReviewState.DONE
    again = api_client.post(
        "/api/v1/tasks/reports/", {"task": w.task.pk, "percent": 100, "note": "再报"}, format="json"
    )
    assert again.status_code == 400 and "no more reports" in again.json()["task"][0]


def test_the_department_reports_on_its_own_task(tasks, api_client):
    w = tasks
    api_client.force_authenticate(w.dept_staff)
    response = api_client.post(
        "/api/v1/tasks/reports/",
        {"task": w.task_dept.pk, "percent": 30, "note": "已排查87家机构"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["unit"] == w.department.pk


def test_review_shows_on_track_late_and_done(tasks, client):
    w = tasks
    today = datetime.date.today()
    year = today.year
    late = (
        make_task(
            w,
            title="逾期任务",
            starts_on=datetime.date(year, 1, 1),
            due_on=today - datetime.timedelta(days=1),
        )
        if today.day > 1 or today.month > 1
        else None
    )
    soon = (
        make_task(
            w,
            title="临期任务",
            starts_on=datetime.date(year, 1, 1),
            due_on=today + datetime.timedelta(days=3),
        )
        if today.month < 12 or today.day < 28
        else None
    )
    done = make_task(w, title="已完成任务", status=TaskStatus.DONE, completed_on=datetime.date(year, 1, 1))
    data = review(w.street_officer, w.street, year, today)
    states = {r.task.title: r.state for r in data["rows"]}
    assert states["已完成任务"] == ReviewState.DONE
    if late:
        assert states["逾期任务"] == ReviewState.LATE
    if soon:
        assert states["临期任务"] == ReviewState.DUE_SOON
    assert "沙溪社区微型消防站建设" not in states  # street 2's task is not in street 1's review
    assert data["counts"][ReviewState.DONE] == 1
    client.force_login(w.street_officer)
    page = client.get(f"/tasks/review/?region={w.street.code}&year={year}")
    assert page.status_code == 200 and "已完成任务" in page.content.decode()
    response = client.post(f"/tasks/review/?region={w.street.code}&year={year}", {"summary": "一季度盘点"})
    assert response.status_code == 302
    record = TaskReview.objects.get()
    assert record.counts[ReviewState.DONE] == 1 and any(r["id"] == done.pk for r in record.rows)


def test_a_duty_is_recorded_done_with_evidence(loaded, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = loaded
    duty = Duty.objects.filter(unit=w.department, kind="key_group_training").get()
    client.force_login(w.dept_staff)
    response = client.post(
        f"/tasks/duties/{duty.pk}/",
        {
            "done_on": datetime.date.today().isoformat(),
            "record": "培训校长120人",
            "evidence": [pdf("sign-in.pdf")],
        },
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.done_on == datetime.date.today() and duty.done_by == w.dept_staff
    assert duty.evidence.get().name == "sign-in.pdf"
    # the committee's duties are not the department's to record
    study = Duty.objects.filter(unit=w.committee).first()
    assert client.post(f"/tasks/duties/{study.pk}/", {"record": "x"}).status_code == 404
    unit_page = client.get(f"/tasks/units/{w.department.pk}/").content.decode()
    assert "培训" in unit_page and "管行业必须管安全" in unit_page


def test_supervision_and_warning_interview_with_follow_up(tasks, api_client, client):
    w = tasks
    api_client.force_authenticate(w.district_admin)
    response = api_client.post(
        "/api/v1/tasks/supervisions/",
        {
            "kind": "warning_interview",
            "unit": w.station.pk,
            "task": w.task.pk,
            "attendees": "站长",
            "reason": "任务推进缓慢",
            "requirements": "十日内整改",
            "respond_by": "2099-01-10",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    sup_id = response.json()["id"]
    # the district may not close before the unit responds; the unit responds
    assert api_client.post(f"/api/v1/tasks/supervisions/{sup_id}/close/", {"text": "核实"}).status_code == 400
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(f"/api/v1/tasks/supervisions/{sup_id}/respond/", {"text": "已整改完毕"})
    assert response.status_code == 200 and response.json()["status"] == SupervisionStatus.RESPONDED
    # the station cannot close its own supervision
    assert (
        api_client.post(f"/api/v1/tasks/supervisions/{sup_id}/close/", {"text": "自己核实"}).status_code
        == 400
    )
    api_client.force_authenticate(w.district_admin)
    response = api_client.post(f"/api/v1/tasks/supervisions/{sup_id}/close/", {"text": "现场核实整改到位"})
    assert response.status_code == 200 and response.json()["status"] == SupervisionStatus.CLOSED
    client.force_login(w.street_officer)
    page = client.get(f"/tasks/supervision/{sup_id}/").content.decode()
    assert "现场核实整改到位" in page and "已整改完毕" in page
    # a street officer may not interview the department (outside the street)
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(
        "/api/v1/tasks/supervisions/",
        {
            "kind": "supervision",
            "unit": w.department.pk,
            "reason": "r",
            "requirements": "q",
            "respond_by": "2099-01-10",
        },
        format="json",
    )
    assert response.status_code == 400 and "outside your jurisdiction" in response.json()["unit"][0]
