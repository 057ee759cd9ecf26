"""The closed loop through the API: each step, each refusal with its reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from firegrid.hazards import actions
from firegrid.hazards.choices import CaseStatus, CloseReason, EventKind
from firegrid.hazards.models import Attachment, HazardCase, HazardEvent
from firegrid.hazards.tests.conftest import png


def post(api_client, user, case, step, data=None, fmt="json"):
    api_client.force_authenticate(user)
    return api_client.post(f"/api/v1/hazards/{case.pk}/{step}/", data or {}, format=fmt)


def test_whole_loop_of_a_general_hazard_stays_in_the_grid(world, make_case, api_client):
    case = make_case(reporter_name="张三", reporter_phone="13900000000")
    gw, owner = world.grid_worker_a, world.unit_owner
    assert post(api_client, gw, case, "confirm", {"note": "现场核实"}).status_code == 200
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    r = post(api_client, gw, case, "order", {"deadline": deadline.isoformat()})
    assert r.status_code == 200, r.content
    assert (
        r.data["status"] == "ordered"
        and r.data["notice_number"]
        and r.data["deadline"] == deadline.isoformat()
    )
    assert r.data["responsible_party"]  # taken from the place
    assert post(api_client, owner, case, "start", {"note": "已开始清理"}).status_code == 200
    r = post(api_client, owner, case, "rectified", {"note": "杂物已清除", "files": [png()]}, fmt="multipart")
    assert r.status_code == 200, r.content
    assert Attachment.objects.filter(case=case, kind="evidence").count() == 1
    assert post(api_client, gw, case, "reinspect", {"passed": True, "note": "复查合格"}).status_code == 200
    r = post(api_client, gw, case, "close")
    assert r.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.close_reason == CloseReason.FIXED and case.closed_at
    assert case.level == "grid"  # never left the grid
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["reported", "confirmed", "ordered", "started", "rectified", "reinspected_pass", "closed"]
    assert [e.actor for e in case.events.all()][1:] == [gw, gw, owner, owner, gw, gw]
    api_client.force_authenticate(gw)
    timeline = api_client.get(f"/api/v1/hazards/{case.pk}/timeline/").data["results"]
    assert [e["kind"] for e in timeline] == kinds
    assert timeline[4]["attachments"]  # the evidence hangs on its event


def test_failed_reinspection_goes_back_to_rectifying_with_a_new_deadline(world, make_case, api_client):
    case = make_case()
    gw = world.grid_worker_a
    for step, data in (("confirm", {}), ("order", {}), ("rectified", {"note": "修好了"})):
        assert post(api_client, gw, case, step, data).status_code == 200
    new = timezone.localdate() + datetime.timedelta(days=3)
    r = post(
        api_client, gw, case, "reinspect", {"passed": False, "note": "仍然堵塞", "deadline": new.isoformat()}
    )
    assert r.status_code == 200 and r.data["status"] == "rectifying" and r.data["deadline"] == new.isoformat()
    r = post(api_client, gw, case, "reinspect", {"passed": False})
    assert r.status_code == 409  # not rectified again yet
    r = post(api_client, gw, case, "rectified", {"note": "再次整改"})
    assert r.status_code == 200
    assert post(api_client, gw, case, "reinspect", {"passed": True}).status_code == 200
    assert post(api_client, gw, case, "close").data["status"] == "closed"


def test_failed_reinspection_needs_a_note(world, make_case):
    case = make_case()
    gw = world.grid_worker_a
    actions.confirm(case, actor=gw)
    actions.order(case, actor=gw)
    actions.rectified(case, actor=gw, note="ok")
    with pytest.raises(ValidationError) as exc:
        actions.reinspect(case, actor=gw, passed=False, note="")
    assert "note" in exc.value.message_dict


def test_reject_needs_a_reason_and_closes_honestly(world, make_case, api_client):
    case = make_case()
    r = post(api_client, world.grid_worker_a, case, "reject", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.data
    r = post(api_client, world.grid_worker_a, case, "reject", {"reason": "现场无此情况"})
    assert r.status_code == 200 and r.data["status"] == "rejected" and r.data["close_reason"] == "not_hazard"


def test_reject_as_duplicate_names_the_original(world, make_case, api_client):
    first, second = make_case(), make_case()
    r = post(
        api_client, world.grid_worker_a, second, "reject", {"reason": "重复", "close_reason": "duplicate"}
    )
    assert r.status_code == 400 and "duplicate_of" in r.data
    r = post(
        api_client,
        world.grid_worker_a,
        second,
        "reject",
        {"reason": "重复", "close_reason": "duplicate", "duplicate_of": first.tracking_code},
    )
    assert r.status_code == 200
    second.refresh_from_db()
    assert second.duplicate_of == first and second.close_reason == CloseReason.DUPLICATE


# ---- steps from the wrong status: 409 with the reason ----

WRONG_STATUS = [
    ("order", {}),
    ("start", {}),
    ("rectified", {"note": "x"}),
    ("reinspect", {"passed": True}),
    ("close", {}),
]


@pytest.mark.parametrize(("step", "data"), WRONG_STATUS)
def test_each_step_from_a_reported_case_is_refused_with_409(world, make_case, api_client, step, data):
    case = make_case()
    r = post(api_client, world.street_officer, case, step, data)
    assert r.status_code == 409, (step, r.content)
    assert "Reported" in r.data["detail"]
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.events.count() == 1


@pytest.mark.parametrize(
    ("step", "data"),
    [("confirm", {}), ("reject", {"reason": "x"}), ("start", {}), ("order", {}), ("close", {})],
)
def test_nothing_moves_a_closed_case(world, make_case, step, data, api_client):
    case = make_case()
    gw = world.grid_worker_a
    actions.confirm(case, actor=gw)
    actions.order(case, actor=gw)
    actions.rectified(case, actor=gw, note="ok")
    actions.reinspect(case, actor=gw, passed=True)
    actions.close(case, actor=gw)
    assert post(api_client, gw, case, step, data).status_code == 409


# ---- steps by the wrong person: 403 with the reason, or 404 outside their jurisdiction ----


def test_unit_owner_may_rectify_but_not_confirm_or_close(world, make_case, api_client):
    case = make_case()
    r = post(api_client, world.unit_owner, case, "confirm")
    assert r.status_code == 403 and "actor" in r.data
    actions.confirm(case, actor=world.grid_worker_a)
    actions.order(case, actor=world.grid_worker_a)
    assert post(api_client, world.unit_owner, case, "rectified", {"note": "已整改"}).status_code == 200
    assert post(api_client, world.unit_owner, case, "reinspect", {"passed": True}).status_code == 403


def test_other_grid_and_other_street_cannot_reach_the_case(world, make_case, api_client):
    case = make_case()
    for user in (world.grid_worker_b, world.street2_officer, world.nobody):
        assert post(api_client, user, case, "confirm").status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED


def test_police_only_act_on_places_they_supervise(world, make_case, api_client):
    shop_case = make_case()  # a shop: the street supervises it
    hotel_case = make_case(place=world.hotel_b)  # police-supervised
    assert post(api_client, world.police_officer, shop_case, "confirm").status_code == 404
    assert post(api_client, world.police_officer, hotel_case, "confirm").status_code == 200


def test_stale_version_is_a_conflict(world, make_case, api_client):
    case = make_case()
    seen = case.version
    actions.comment(case, actor=world.grid_worker_a, note="只是备注")  # comments do not bump the version
    actions.confirm(case, actor=world.street_officer)
    r = post(api_client, world.grid_worker_a, case, "reject", {"reason": "x", "version": seen})
    assert r.status_code == 409 and "version" in r.data


def test_order_deadline_in_the_past_is_refused(world, make_case, api_client):
    case = make_case()
    actions.confirm(case, actor=world.grid_worker_a)
    r = post(api_client, world.grid_worker_a, case, "order", {"deadline": "2020-01-01"})
    assert r.status_code == 400 and "deadline" in r.data


def test_default_deadline_depends_on_severity(world, make_case, settings):
    settings.HAZARD_DEADLINE_DAYS = {**settings.HAZARD_DEADLINE_DAYS, "general": 7, "major": 30}
    general, major = make_case(), make_case()
    actions.confirm(general, actor=world.street_officer)
    actions.confirm(major, actor=world.street_officer, severity="major")
    actions.order(general, actor=world.street_officer)
    actions.order(major, actor=world.street_officer)
    general.refresh_from_db()
    major.refresh_from_db()
    today = timezone.localdate()
    assert general.deadline == today + datetime.timedelta(days=7)
    assert major.deadline == today + datetime.timedelta(days=30)


def test_timeline_events_cannot_be_changed_or_deleted(world, make_case):
    case = make_case()
    event = case.events.get()
    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert HazardEvent.objects.get(pk=event.pk).note == ""


def test_comment_is_internal_unless_public(world, make_case, api_client):
    case = make_case()
    r = post(api_client, world.grid_worker_a, case, "comment", {"note": "已电话联系业主"})
    assert r.status_code == 200
    comment = case.events.get(kind=EventKind.COMMENT)
    assert comment.is_public is False and comment.actor == world.grid_worker_a
    assert post(api_client, world.grid_worker_b, case, "comment", {"note": "x"}).status_code == 404


def test_case_version_rises_with_each_step(world, make_case):
    case = make_case()
    actions.confirm(case, actor=world.grid_worker_a)
    actions.order(case, actor=world.grid_worker_a)
    assert HazardCase.objects.get(pk=case.pk).version == 3


def test_notices_are_numbered_per_street_and_year(world, make_case):
    year = timezone.localdate().year
    numbers = []
    for place in (world.shop_a, world.hotel_b, world.shop_s2):
        case = make_case(place=place)
        actions.confirm(case, actor=world.district_admin)
        actions.order(case, actor=world.district_admin)
        case.refresh_from_db()
        numbers.append(case.notice_number)
    assert numbers == [f"T501-{year}-0001", f"T501-{year}-0002", f"T502-{year}-0001"]
