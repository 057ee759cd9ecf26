"""Escalation paths: major to the street, grid to street by hand, the whistle and check-in, supervision."""

import pytest
from django.core import mail

from firegrid.hazards import actions, escalation
from firegrid.hazards.choices import EventKind, Level
from firegrid.hazards.models import HazardCase, Reminder
from firegrid.org.choices import UnitKind
from firegrid.org.models import OrgUnit


def post(api_client, user, case, step, data=None):
    api_client.force_authenticate(user)
    return api_client.post(f"/api/v1/hazards/{case.pk}/{step}/", data or {}, format="json")


@pytest.fixture
def emails(world):
    for user in (world.street_officer, world.dept_staff, world.district_admin, world.grid_worker_a):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


def test_a_major_hazard_goes_to_the_street(world, make_case, api_client):
    case = make_case()
    r = post(api_client, world.grid_worker_a, case, "confirm", {"severity": "major"})
    assert r.status_code == 403 and "severity" in r.data  # the grid cannot declare it major
    r = post(api_client, world.street_officer, case, "confirm", {"severity": "major"})
    assert r.status_code == 200 and r.data["level"] == "street" and r.data["severity"] == "major"
    r = post(api_client, world.grid_worker_a, case, "order")
    assert r.status_code == 403  # "一般隐患不出网格" only covers general hazards
    assert post(api_client, world.street_officer, case, "order").status_code == 200


def test_the_grid_hands_a_case_up_to_the_street(
    world, make_case, api_client, emails, django_capture_on_commit_callbacks
):
    case = make_case()
    r = post(api_client, world.grid_worker_a, case, "escalate", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.data
    with django_capture_on_commit_callbacks(execute=True):
        r = post(api_client, world.grid_worker_a, case, "escalate", {"reason": "业主拒不整改"})
    assert r.status_code == 200 and r.data["level"] == "street"
    event = case.events.get(kind=EventKind.ESCALATED)
    assert event.data == {"from_level": "grid", "to_level": "street"}
    assert [m.to for m in mail.outbox] == [["street_officer@example.org"]]
    assert post(api_client, world.grid_worker_a, case, "confirm").status_code == 403  # now the street's


def test_whistle_check_in_and_the_department_at_work(
    world, make_case, api_client, emails, django_capture_on_commit_callbacks
):
    case = make_case(place=world.school_a)
    assert case.sector == "education"
    actions.confirm(case, actor=world.street_officer, severity="major")
    api_client.force_authenticate(world.dept_staff)
    assert api_client.get(f"/api/v1/hazards/{case.pk}/").status_code == 200  # sector: they can look
    assert post(api_client, world.dept_staff, case, "check-in").status_code == 409  # not called in
    assert (
        post(
            api_client,
            world.grid_worker_a,
            case,
            "whistle",
            {"department": world.department.pk, "reason": "x"},
        ).status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            api_client,
            world.street_officer,
            case,
            "whistle",
            {"department": world.department.pk, "reason": "校舍隐患需教委督促"},
        )
    assert r.status_code == 200, r.content
    assert (
        r.data["level"] == "department"
        and r.data["checkin_due"]
        and r.data["department"] == world.department.pk
    )
    assert ["dept_staff@example.org"] in [m.to for m in mail.outbox]
    assert post(api_client, world.dept_staff, case, "order").status_code == 403  # check in first
    assert (
        post(
            api_client,
            world.street_officer,
            case,
            "whistle",
            {"department": world.department.pk, "reason": "again"},
        ).status_code
        == 409
    )
    r = post(api_client, world.dept_staff, case, "check-in", {"note": "已报到"})
    assert r.status_code == 200 and r.data["checked_in_at"]
    assert case.events.get(kind=EventKind.CHECKED_IN).data["late"] is False
    assert post(api_client, world.dept_staff, case, "order").status_code == 200
    assert post(api_client, world.dept_staff, case, "check-in").status_code == 409


def test_whistle_to_a_department_of_another_sector_is_refused(world, make_case, api_client):
    case = make_case(place=world.school_a)
    health = OrgUnit.objects.create(
        kind=UnitKind.DEPARTMENT, name="区卫健委", region=world.district, sectors=["health"]
    )
    r = post(api_client, world.street_officer, case, "whistle", {"department": health.pk, "reason": "x"})
    assert r.status_code == 400 and "department" in r.data
    r = post(
        api_client, world.street_officer, case, "whistle", {"department": world.police.pk, "reason": "x"}
    )
    assert r.status_code == 400 and "department" in r.data


def test_department_staff_see_their_sector_and_their_calls_only(world, make_case, api_client):
    case = make_case()  # a shop: market regulation, not the education department's
    api_client.force_authenticate(world.dept_staff)
    assert api_client.get(f"/api/v1/hazards/{case.pk}/").status_code == 404
    market = OrgUnit.objects.create(
        kind=UnitKind.DEPARTMENT, name="区市场监管局", region=world.district, sectors=["market_regulation"]
    )
    escalation.whistle(case, actor=world.district_admin, reason="x", department=market)
    assert api_client.get(f"/api/v1/hazards/{case.pk}/").status_code == 404  # another department's call
    school_case = make_case(place=world.school_a)
    ids = [row["id"] for row in api_client.get("/api/v1/hazards/").data["results"]]
    assert ids == [school_case.pk]


def test_district_supervision_has_its_own_deadline(world, make_case, api_client, emails):
    case = make_case()
    r = post(api_client, world.street_officer, case, "supervise", {"reason": "x"})
    assert r.status_code == 403
    r = post(
        api_client,
        world.district_admin,
        case,
        "supervise",
        {"reason": "限期整改到位", "due": "2020-01-01T00:00:00Z"},
    )
    assert r.status_code == 400 and "due" in r.data
    r = post(api_client, world.district_admin, case, "supervise", {"reason": "限期整改到位"})
    assert r.status_code == 200 and r.data["supervised_at"] and r.data["supervision_due"]
    assert Reminder.objects.filter(case=case, event__kind=EventKind.SUPERVISED).exists()


def test_escalation_stops_at_the_district(world, make_case):
    case = make_case()
    escalation.escalate(case, actor=world.grid_worker_a, reason="a")
    escalation.escalate(case, actor=world.street_officer, reason="b")
    case.refresh_from_db()
    assert case.level == Level.DISTRICT
    with pytest.raises(actions.Conflict):
        escalation.escalate(case, actor=world.district_admin, reason="c")
    assert HazardCase.objects.get(pk=case.pk).level == Level.DISTRICT
