"""Scores computed on hand-built data, every point explained; visibility and the xlsx export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from firegrid.hazards import actions as hazard_actions
from firegrid.hazards import reports
from firegrid.hazards.actions import record_event
from firegrid.hazards.choices import Channel, EventKind, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.inspections.models import Inspection
from firegrid.tasks import catalogue, scoring
from firegrid.tasks.choices import TaskStatus
from firegrid.tasks.models import Duty, ScoreScheme
from firegrid.tasks.tests.conftest import make_task

YEAR = datetime.date.today().year - 1  # a finished year: every deadline of it has passed


def d(month, day):
    return datetime.date(YEAR, month, day)


@pytest.fixture
def scored(world):
    w = world
    # inspections: 2 of the street's 4 active places had an enforcement inspection in YEAR (a patrol and
    # an inspection of the year before do not count; the other street's place does not count)
    for place, kind, day in (
        (w.shop_a, "supervisory", d(5, 1)),
        (w.mall_a, "campaign", d(9, 1)),
        (w.school_a, "patrol", d(9, 2)),
        (w.hotel_b, "supervisory", datetime.date(YEAR - 1, 9, 2)),
        (w.shop_s2, "supervisory", d(3, 3)),
    ):
        Inspection.objects.create(place=place, kind=kind, status="submitted", inspected_on=day)
    # hazard cases reported in YEAR in the street: 4; one rejected (settled), one went overdue
    category = HazardCategory.objects.get(code="evacuation")
    cases = [
        reports.report(
            description=f"隐患{n}", category=category, place=place, source=Source.PUBLIC, channel=Channel.WEB
        )
        for n, place in enumerate([w.shop_a, w.shop_a, w.mall_a, w.school_a, w.shop_s2])
    ]
    hazard_actions.reject(cases[0], actor=w.street_officer, reason="不属于火灾隐患")
    record_event(cases[1], EventKind.OVERDUE, label="System", data={"step": "reported"})
    HazardCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        created_at=timezone.make_aware(datetime.datetime(YEAR, 3, 1, 9))
    )
    # key tasks of the street due in YEAR: on time, late, still open; a cancelled one does not count
    make_task(w, year=YEAR, title="按期完成", due_on=d(6, 30), status=TaskStatus.DONE, completed_on=d(6, 1))
    make_task(w, year=YEAR, title="逾期完成", due_on=d(6, 30), status=TaskStatus.DONE, completed_on=d(7, 15))
    make_task(w, year=YEAR, title="逾期未完成", due_on=d(9, 30))
    make_task(w, year=YEAR, title="已取消", due_on=d(9, 30), status=TaskStatus.CANCELLED)
    make_task(w, year=YEAR, title="另一街道", region=w.street2, lead=w.station2, due_on=d(9, 30))
    # recurring duties: the committee's 3 and the station's 6; 3 done on time, 1 late
    catalogue.schedule_duties(YEAR)
    duty = Duty.objects.get
    for kind, unit, period, done in (
        ("regular_report", w.station, 1, d(6, 20)),
        ("regular_report", w.station, 2, datetime.date(YEAR + 1, 1, 10)),
        ("risk_assessment", w.station, 1, d(4, 1)),
        ("regular_study", w.committee, 1, d(5, 5)),
    ):
        row = duty(kind=kind, unit=unit, period=period, year=YEAR)
        row.done_on = done
        row.save()
    return w


def item(card, code):
    return next(i for i in card.items if i.code == code)


def test_a_street_score_with_every_point_explained(scored):
    w = scored
    card = scoring.street_card(ScoreScheme.active(), w.street, YEAR)
    coverage = item(card, "coverage")
    assert (coverage.earned, coverage.counted, coverage.points) == (2, 4, Decimal("12.50"))
    assert coverage.explanation == (
        f"2 of 4 active places had an enforcement inspection in {YEAR}. 12.5 of 25 points."
    )
    closure = item(card, "closure")
    assert (closure.earned, closure.counted, closure.points) == (1, 4, Decimal("5.00"))
    assert "1 of 4 hazard cases reported" in closure.explanation
    overdue = item(card, "overdue")
    assert (overdue.earned, overdue.counted, overdue.points) == (3, 4, Decimal("11.25"))
    assert "1 of 4 hazard cases reported in" in overdue.explanation and "went overdue" in overdue.explanation
    tasks = item(card, "tasks")
    assert (tasks.earned, tasks.counted, tasks.points) == (1, 3, Decimal("6.67"))
    assert tasks.explanation.startswith(f"1 of 3 key tasks due by {YEAR}-12-31 were done on time.")
    duties = item(card, "duties")
    assert (duties.earned, duties.counted, duties.points) == (3, 9, Decimal("1.67"))
    org = item(card, "organisation")
    # committee ✓, station with 2 officers ✗ (one), team ✓, 2 qualified staff ✗, groups 1/2, managers 1/2
    assert [value for _label, value in org.details] == [
        "100.00%",
        "0.00%",
        "100.00%",
        "0.00%",
        "50.00%",
        "50.00%",
    ]
    assert org.points == Decimal("7.50") and "mean of 6 organisation checks" in org.explanation
    assert card.total == Decimal("44.59") and card.maximum == Decimal("100")
    assert sum(i.weight for i in card.items) == card.maximum


def test_a_unit_score_and_an_empty_street(scored):
    w = scored
    scheme = ScoreScheme.active()
    station = scoring.unit_card(scheme, w.station, YEAR)
    assert (item(station, "tasks").earned, item(station, "tasks").counted) == (1, 3)
    assert (item(station, "duties").earned, item(station, "duties").counted) == (2, 6)
    assert station.total == Decimal("23.33") + Decimal("10.00")
    # nothing to count: full marks, and it says so
    empty = scoring.street_card(scheme, w.street2, YEAR - 1)
    assert item(empty, "closure").points == Decimal("20.00")
    assert "No hazard cases reported" in item(empty, "closure").explanation


def test_who_sees_which_scores_and_the_xlsx(scored, client, api_client):
    w = scored
    api_client.force_authenticate(w.street_officer)
    data = api_client.get(f"/api/v1/tasks/scores/?year={YEAR}").json()
    assert [c["code"] for c in data["streets"]] == [w.street.code]
    assert data["streets"][0]["total"] == 44.59
    assert {c["name"] for c in data["units"]} == {w.committee.name, w.station.name}
    api_client.force_authenticate(w.district_admin)
    data = api_client.get(f"/api/v1/tasks/scores/?year={YEAR}").json()
    assert [c["code"] for c in data["streets"]] == [w.street.code, w.street2.code]
    api_client.force_authenticate(w.dept_staff)
    data = api_client.get(f"/api/v1/tasks/scores/?year={YEAR}").json()
    assert data["streets"] == [] and [c["name"] for c in data["units"]] == [w.department.name]
    api_client.force_authenticate(w.grid_worker_a)
    data = api_client.get(f"/api/v1/tasks/scores/?year={YEAR}").json()
    assert data["streets"] == [] and data["units"] == []
    client.force_login(w.street_officer)
    page = client.get(f"/tasks/scores/?year={YEAR}").content.decode()
    assert "2 of 4 active places had an enforcement inspection" in page and "44.59" in page
    response = client.get(f"/tasks/scores/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary, items = book.worksheets
    assert [row[2] for row in summary.iter_rows(min_row=3, values_only=True)] == [
        w.street.name,
        w.committee.name,
        w.station.name,
    ]
    rows = list(items.iter_rows(min_row=2, values_only=True))
    coverage = next(r for r in rows if r[1] == w.street.name and r[3] == "inspection_coverage")
    assert coverage[4:9] == (25, 4, 2, 0.5, 12.5)
    assert "2 of 4 active places" in coverage[9]
    assert all(r[1] != w.street2.name for r in rows)
