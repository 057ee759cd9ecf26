"""Bad input from the issue: each a clear 400 or form error, and nothing written."""

import copy
import datetime

from firegrid.tasks import catalogue, scoring
from firegrid.tasks.models import Evidence, KeyTask, Milestone, ProgressReport, ScoreScheme
from firegrid.tasks.tests.conftest import pdf, png


def api_as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_a_deadline_before_the_start_is_refused_by_the_api(tasks, api_client):
    w = tasks
    before = KeyTask.objects.count()
    response = api_as(api_client, w.street_officer).post(
        "/api/v1/tasks/",
        {
            "year": 2026,
            "title": "高层建筑排查",
            "content": "排查辖区高层建筑",
            "region": w.street.code,
            "lead_unit": w.station.pk,
            "starts_on": "2026-06-01",
            "due_on": "2026-05-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "before the task's start" in response.json()["due_on"][0]
    assert KeyTask.objects.count() == before


def test_a_deadline_before_the_start_is_a_form_error(tasks, client):
    w = tasks
    client.force_login(w.street_officer)
    before = KeyTask.objects.count()
    response = client.post(
        "/tasks/new/",
        {
            "year": "2026",
            "title": "高层建筑排查",
            "content": "排查",
            "region": w.street.pk,
            "lead_unit": w.station.pk,
            "starts_on": "2026-06-01",
            "due_on": "2026-05-01",
        },
    )
    assert response.status_code == 200
    assert "is before the task" in response.content.decode()
    assert KeyTask.objects.count() == before
    # editing an existing task to end before it starts is refused the same way
    response = client.post(
        f"/tasks/{w.task.pk}/edit/",
        {
            "year": w.task.year,
            "title": w.task.title,
            "content": w.task.content,
            "region": w.street.pk,
            "lead_unit": w.station.pk,
            "starts_on": "2026-06-01",
            "due_on": "2026-01-31",
        },
    )
    assert "is before the task" in response.content.decode()
    w.task.refresh_from_db()
    assert w.task.due_on.month == 12


def test_a_milestone_outside_the_task_is_refused(tasks, api_client):
    w = tasks
    response = api_as(api_client, w.street_officer).post(
        f"/api/v1/tasks/{w.task.pk}/milestones/",
        {"title": "中期", "due_on": f"{w.task.year + 1}-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "between the task's start" in response.json()["due_on"][0]
    assert not Milestone.objects.exists()


def test_a_progress_report_on_a_task_of_another_unit_is_refused(tasks, api_client):
    w = tasks
    # the department's staff cannot even name a street's task
    response = api_as(api_client, w.dept_staff).post(
        "/api/v1/tasks/reports/", {"task": w.task.pk, "percent": 50, "note": "已完成一半"}, format="json"
    )
    assert response.status_code == 400 and "jurisdiction" in response.json()["task"][0]
    # the police officer sees the task the police station shares, but not the station's: reporting for the
    # police station on the work station's task names the unit and the task's own units
    police_visible = api_as(api_client, w.police_officer).get(f"/api/v1/tasks/{w.task_police.pk}/")
    assert police_visible.status_code == 200
    response = api_client.post(
        "/api/v1/tasks/reports/", {"task": w.task.pk, "percent": 50, "note": "已完成一半"}, format="json"
    )
    assert response.status_code == 400
    # the street officer (of the work station) reporting for the department on their street's task
    response = api_as(api_client, w.street_officer).post(
        "/api/v1/tasks/reports/",
        {"task": w.task.pk, "unit": w.department.pk, "percent": 50, "note": "已完成一半"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["unit"][0]
    assert "区教委 is not responsible" in message and "古南街道消防工作站" in message
    # street 2's officer reporting on street 1's task
    response = api_as(api_client, w.street2_officer).post(
        "/api/v1/tasks/reports/", {"task": w.task.pk, "percent": 10, "note": "x"}, format="json"
    )
    assert response.status_code == 400 and "task" in response.json()
    assert not ProgressReport.objects.exists()
    w.task.refresh_from_db()
    assert w.task.progress_pct == 0


def test_a_page_report_for_a_unit_outside_the_task_is_a_form_error(tasks, client):
    w = tasks
    client.force_login(w.street_officer)
    response = client.post(
        f"/tasks/{w.task.pk}/report/",
        {"unit": w.department.pk, "percent": "30", "note": "进展", "evidence": [png()]},
    )
    assert response.status_code == 400
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    # street 2's officer gets no page for street 1's task at all
    client.force_login(w.street2_officer)
    assert (
        client.post(
            f"/tasks/{w.task.pk}/report/", {"unit": w.station2.pk, "percent": "1", "note": "x"}
        ).status_code
        == 404
    )


def test_evidence_that_is_neither_image_nor_pdf_writes_nothing(tasks, client):
    w = tasks
    client.force_login(w.street_officer)
    fake = pdf("virus.pdf")
    fake.file.seek(0)
    fake.file.write(b"MZ\x90\x00 not a pdf at all")
    fake.file.seek(0)
    response = client.post(
        f"/tasks/{w.task.pk}/report/",
        {"unit": w.station.pk, "percent": "30", "note": "进展", "evidence": [fake]},
    )
    assert response.status_code == 400 and "neither a PDF nor" in response.content.decode()
    truncated = pdf("cut.pdf")
    truncated.file.truncate(20)
    response = client.post(
        f"/tasks/{w.task.pk}/report/",
        {"unit": w.station.pk, "percent": "30", "note": "进展", "evidence": [truncated]},
    )
    assert response.status_code == 400 and "not a complete PDF" in response.content.decode()
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def _scheme_doc(**changes):
    doc = copy.deepcopy(catalogue.read(catalogue.SCHEME_FILE))
    doc["version"] = "test-bad"
    doc.update(changes)
    return doc


def test_weights_that_do_not_add_up_are_refused(world, api_client, client):
    doc = _scheme_doc()
    doc["street"][0]["weight"] = 20  # 25 → 20: the street items now add up to 95
    before = list(ScoreScheme.objects.values_list("version", "is_active"))
    try:
        scoring.check_scheme(doc)
    except scoring.SchemeError as exc:
        assert str(exc) == "The weights of the street/town items add up to 95, not 100."
    else:
        raise AssertionError("accepted")
    response = api_as(api_client, world.district_admin).post(
        "/api/v1/tasks/schemes/", {"document": doc}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["document"] == ["The weights of the street/town items add up to 95, not 100."]
    client.force_login(world.district_admin)
    import json

    response = client.post("/tasks/schemes/new/", {"document": json.dumps(doc)})
    assert response.status_code == 400 and "add up to 95, not 100" in response.content.decode()
    unit_doc = _scheme_doc()
    unit_doc["unit"][1]["weight"] = 40
    response = api_client.post("/api/v1/tasks/schemes/", {"document": unit_doc}, format="json")
    assert response.json()["document"] == ["The weights of the unit items add up to 110, not 100."]
    wrong_metric = _scheme_doc()
    wrong_metric["unit"][0]["metric"] = "inspection_coverage"
    response = api_client.post("/api/v1/tasks/schemes/", {"document": wrong_metric}, format="json")
    assert response.status_code == 400 and "metric must be one of" in response.json()["document"][0]
    assert list(ScoreScheme.objects.values_list("version", "is_active")) == before
    # a street officer may not store a scheme at all
    response = api_as(api_client, world.street_officer).post(
        "/api/v1/tasks/schemes/", {"document": _scheme_doc()}, format="json"
    )
    assert response.status_code == 403


def test_a_good_scheme_becomes_the_active_version(world, api_client):
    doc = _scheme_doc(version="test-good")
    doc["street"][0]["weight"], doc["street"][1]["weight"] = 30, 15
    response = api_as(api_client, world.district_admin).post(
        "/api/v1/tasks/schemes/", {"document": doc}, format="json"
    )
    assert response.status_code == 201, response.content
    assert ScoreScheme.active().version == "test-good"
    assert ScoreScheme.objects.filter(is_active=True).count() == 1


def test_a_fire_in_the_future_or_outside_the_district_is_refused(world, api_client):
    future = (datetime.datetime.now() + datetime.timedelta(days=2)).isoformat()
    response = api_as(api_client, world.street_officer).post(
        "/api/v1/tasks/incidents/",
        {"occurred_at": future, "place": world.shop_a.pk, "cause": "electrical"},
        format="json",
    )
    assert response.status_code == 400 and "occurred_at" in response.json()
    response = api_client.post(
        "/api/v1/tasks/incidents/",
        {"occurred_at": "2026-01-05T10:00:00+08:00", "lat": 10, "lng": 10, "cause": "electrical"},
        format="json",
    )
    assert response.status_code == 400
    # a street officer cannot record a fire in the other street
    response = api_client.post(
        "/api/v1/tasks/incidents/",
        {"occurred_at": "2026-01-05T10:00:00+08:00", "place": world.shop_s2.pk, "cause": "electrical"},
        format="json",
    )
    assert response.status_code == 400
    from firegrid.tasks.models import FireIncident

    assert not FireIncident.objects.exists()
