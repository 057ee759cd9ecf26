"""Responsibility trace-back after a fire: a place with inspections and a hazard case that went overdue."""

import datetime

import pytest
from django.utils import timezone

from firegrid.hazards import actions as hazard_actions
from firegrid.hazards.choices import EventKind, Level
from firegrid.hazards.escalation import sweep_overdue
from firegrid.hazards.models import HazardCase
from firegrid.inspections import actions as inspection_actions
from firegrid.inspections.choices import AnswerResult, InspectionKind
from firegrid.tasks import catalogue, traceback
from firegrid.tasks.models import FireIncident
from firegrid.tasks.tests.conftest import make_task


@pytest.fixture
def burnt(world):
    """The shop in grid A: inspected twice (a patrol, then a supervisory inspection with a failed item);
    the finding is ordered rectified, its deadline passes in the grid, the sweep flags it and hands it to
    the street; then the shop burns."""
    w = world
    officer = w.street_officer
    inspection_actions.submit_inspection(
        inspection_actions.start_inspection(
            w.shop_a, InspectionKind.PATROL, [w.grid_worker_a], actor=w.grid_worker_a
        ),
        actor=w.grid_worker_a,
    )
    inspection = inspection_actions.start_inspection(
        w.shop_a, InspectionKind.SUPERVISORY, [officer], actor=officer
    )
    checklist = inspection.checklists.first()
    code = checklist.document["sections"][0]["items"][0]["code"]
    inspection_actions.record_answer(
        inspection,
        checklist=checklist.code,
        item_code=code,
        result=AnswerResult.FAIL,
        note="疏散通道堵塞",
        actor=officer,
    )
    inspection_actions.submit_inspection(inspection, actor=officer)
    case = HazardCase.objects.get(finding__inspection=inspection)
    assert case.level == Level.GRID
    hazard_actions.order(
        case, actor=w.grid_worker_a, deadline=timezone.localdate() + datetime.timedelta(days=2)
    )
    HazardCase.objects.filter(pk=case.pk).update(step_due=timezone.now() - datetime.timedelta(hours=1))
    assert sweep_overdue()["overdue"] == 1
    w.case = HazardCase.objects.get(pk=case.pk)
    w.inspection = inspection
    year = timezone.localdate().year
    w.named = make_task(w, title="便利店通道整治")
    w.named.places.set([w.shop_a])
    w.street_task = make_task(w, title="街道年度排查", lead=w.committee)
    w.other_street_task = make_task(w, region=w.street2, lead=w.station2, title="文龙街道任务")
    catalogue.schedule_duties(year)
    w.fire = FireIncident.objects.create(
        occurred_at=timezone.now(),
        place=w.shop_a,
        region=w.shop_a.region,
        cause="electrical",
        deaths=1,
        injuries=2,
        loss_yuan=50000,
        recorded_by=w.district_admin,
    )
    return w


def test_the_report_holds_grade_inspections_hazards_overdue_holders_tasks_and_duties(burnt):
    w = burnt
    data = traceback.build(w.district_admin, w.shop_a, incident=w.fire)
    assert data["place"] == w.shop_a and data["street"] == w.street
    assert [g.cause for g in data["grades"]] == ["created"]
    assert [i.kind for i in data["inspections"]] == ["patrol", "supervisory"]
    assert list(data["inspections"][1].inspectors.all()) == [w.street_officer]
    (row,) = data["cases"]
    assert row["case"] == w.case and row["open_at_fire"]
    (overdue,) = row["overdue"]
    # the step was late while the grid held it: the grid worker of grid A held it that day
    assert overdue["step"] == "ordered" and overdue["level"] == Level.GRID
    assert overdue["holders"] == ["grid_worker_a"]
    kinds = [(t["event"].kind, t["level"]) for t in row["timeline"]]
    assert (EventKind.ORDERED, Level.GRID) in kinds and (EventKind.ESCALATED, Level.GRID) in kinds
    assert kinds[-1] == (EventKind.REMINDER, Level.STREET)  # after the escalation the street holds it
    titles = {t["task"].title: t for t in data["tasks"]}
    assert titles["便利店通道整治"]["names_place"] and not titles["街道年度排查"]["names_place"]
    assert "文龙街道任务" not in titles
    assert {d["duty"].unit for d in data["duties"]} == {w.committee, w.station}
    assert data["summary"]["overdue_steps"] == 1 and data["summary"]["open_cases"] == 1


def test_the_page_and_pdf_for_those_who_may_see_the_fire(burnt, client):
    w = burnt
    client.force_login(w.street_officer)
    page = client.get(f"/tasks/incidents/{w.fire.pk}/traceback/")
    assert page.status_code == 200
    html = page.content.decode()
    assert w.case.tracking_code in html and "grid_worker_a" in html and "便利店通道整治" in html
    assert 'id="tb-overdue-count">1<' in html and "names this place" in html
    pdf = client.get(f"/tasks/incidents/{w.fire.pk}/traceback.pdf")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF-")
    )
    for user in (w.street2_officer, w.grid_worker_b, w.nobody):
        client.force_login(user)
        assert client.get(f"/tasks/incidents/{w.fire.pk}/traceback/").status_code == 404
        assert client.get(f"/tasks/incidents/{w.fire.pk}/traceback.pdf").status_code == 404


def test_the_api_summary(burnt, api_client):
    w = burnt
    api_client.force_authenticate(w.district_admin)
    data = api_client.get(f"/api/v1/tasks/incidents/{w.fire.pk}/traceback/").json()
    assert data["summary"]["overdue_steps"] == 1
    assert (
        data["overdue"][0]["holders"] == ["grid_worker_a"]
        and data["overdue"][0]["case"] == w.case.tracking_code
    )
