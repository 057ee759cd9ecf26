"""Steps on existing hazard cases recorded offline (`fieldapp.case_steps`): downloaded with today's
list, synced exactly once through /field/api/sync/, refused per item as a conflict that names who moved
the case when it moved on meanwhile, and never a 500."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from firegrid.fieldapp.models import SyncRecord
from firegrid.fieldapp.tests.conftest import SYNC, TODAY, jpeg, send
from firegrid.hazards import actions, reports
from firegrid.hazards.choices import CaseStatus, Channel, EventKind, Level, Source
from firegrid.hazards.models import Attachment, AttachmentKind, HazardCase, HazardCategory, HazardEvent
from firegrid.org.models import RoleAssignment


@pytest.fixture
def ordered(world, media):
    """A public report at the shop of grid A, confirmed and ordered by the street: the grid holds it."""
    case = reports.report(
        description="安全出口被货物堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
        reporter_name="王五",
        reporter_phone="13900000000",
    )
    actions.confirm(case, actor=world.street_officer)
    actions.order(case, actor=world.street_officer)
    case.refresh_from_db()
    return case


def step(case, name, *, status=None, note="", photos=(), client_id=None, **extra):
    return {
        "id": str(client_id or uuid.uuid4()),
        "kind": "case_step",
        "case": case.pk,
        "step": name,
        "status": status or case.status,
        "version": case.version,
        "note": note,
        "photos": list(photos),
        **extra,
    }


def writes():
    return HazardEvent.objects.count(), Attachment.objects.count(), SyncRecord.objects.count()


def test_today_lists_the_open_cases_of_the_workers_grid_with_their_steps(client, world, ordered):
    other = reports.report(
        description="旅馆走道堆放杂物",
        category=HazardCategory.objects.get(code="evacuation"),
        place=world.hotel_b,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    client.force_login(world.grid_worker_a)
    data = client.get(TODAY).json()
    by_id = {c["id"]: c for c in data["cases"]}
    assert ordered.pk in by_id and other.pk not in by_id  # grid B's case is not theirs
    entry = by_id[ordered.pk]
    assert entry["tracking_code"] == ordered.tracking_code and entry["status"] == "ordered"
    assert {"start", "rectified", "reinspect", "close", "comment"} <= set(entry["steps"])
    assert data["case_steps"]["rectified"]["from"] == ["ordered", "rectifying"]
    assert data["case_steps"]["rectified"]["to"] == "rectified" and data["case_steps"]["rectified"]["photos"]
    assert data["case_statuses"]["closed"]
    body = json.dumps(data, ensure_ascii=False)
    assert "王五" not in body and "13900000000" not in body  # reporters stay hidden from grid workers


def test_a_rectification_with_a_photo_is_applied_once_even_when_replayed(client, world, ordered):
    client.force_login(world.grid_worker_a)
    item = step(ordered, "rectified", note="货物已清走，出口畅通", photos=["photo-0"])
    first = send(client, item, {"photo-0": jpeg()})
    assert first.status_code == 200, first.content
    answer = first.json()
    assert answer["status"] == "applied" and answer["case_status"] == "rectified"
    assert answer["tracking_code"] == ordered.tracking_code and answer["id"] == item["id"]
    ordered.refresh_from_db()
    assert ordered.status == CaseStatus.RECTIFIED
    event = HazardEvent.objects.get(case=ordered, kind=EventKind.RECTIFIED)
    assert event.actor == world.grid_worker_a and event.note == "货物已清走，出口畅通"
    evidence = Attachment.objects.get(case=ordered, event=event)
    assert evidence.kind == AttachmentKind.EVIDENCE and evidence.uploaded_by == world.grid_worker_a
    assert SyncRecord.objects.get().case == ordered
    before = writes()

    replay = send(client, item, {"photo-0": jpeg()})  # the answer was lost: the phone sends again
    assert replay.status_code == 200 and replay.json() == answer | {"replayed": True}
    assert writes() == before


def test_steps_queued_in_a_row_offline_apply_in_order(client, world, ordered):
    client.force_login(world.grid_worker_a)
    rectified = step(ordered, "rectified", note="已整改")
    failed = step(ordered, "reinspect", status="rectified", passed=False, note="后门仍被堵")
    again = step(ordered, "rectified", status="rectifying", note="后门也已清理")
    passed = step(ordered, "reinspect", status="rectified", passed=True)
    close = step(ordered, "close", status="reinspected")
    for item in (rectified, failed, again, passed, close):
        response = send(client, item)
        assert response.status_code == 200, response.content
    ordered.refresh_from_db()
    assert ordered.status == CaseStatus.CLOSED and ordered.close_reason == "fixed"
    kinds = list(ordered.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-5:] == ["rectified", "reinspected_fail", "rectified", "reinspected_pass", "closed"]


def test_a_note_goes_on_the_timeline_whatever_the_status(client, world, ordered):
    client.force_login(world.grid_worker_a)
    item = step(ordered, "comment", status=None, note="已电话提醒店主", photos=["p"])
    response = send(client, item, {"p": jpeg()})
    assert response.status_code == 200, response.content
    event = HazardEvent.objects.get(case=ordered, kind=EventKind.COMMENT)
    assert event.note == "已电话提醒店主" and not event.is_public  # staff notes are internal
    assert event.attachments.count() == 1


def test_a_case_closed_meanwhile_is_a_conflict_naming_who_closed_it(client, world, ordered):
    client.force_login(world.grid_worker_a)
    item = step(ordered, "rectified", note="已整改", photos=["photo-0"])  # recorded offline
    officer = world.street_officer
    actions.rectified(ordered, actor=officer, note="街道已督促整改")
    actions.reinspect(ordered, actor=officer, passed=True)
    actions.close(ordered, actor=officer)
    before = writes()

    response = send(client, item, {"photo-0": jpeg()})
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["code"] == "case_closed" and body["id"] == item["id"]
    assert (
        ordered.tracking_code in body["message"] and "closed meanwhile by street_officer" in body["message"]
    )
    assert "was not recorded" in body["message"]
    assert writes() == before  # nothing written, no id claimed

    replay = send(client, item, {"photo-0": jpeg()})  # "try again": still the same conflict, still nothing
    assert replay.status_code == 409 and replay.json()["code"] == "case_closed"
    assert writes() == before
    # the worker sends the note as a comment instead: that is taken
    note = step(ordered, "comment", status=None, note=item["note"])
    assert send(client, note).status_code == 200
    assert HazardEvent.objects.filter(case=ordered, kind=EventKind.RECTIFIED).count() == 1


def test_a_case_moved_on_to_another_status_is_a_conflict_with_both_statuses(client, world, ordered):
    client.force_login(world.grid_worker_a)
    item = step(ordered, "start")
    actions.rectified(ordered, actor=world.unit_owner, note="店主已整改")
    response = send(client, item)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "case_moved"
    assert (
        "Rectified, awaiting re-inspection" in body["message"] and "Rectification ordered" in body["message"]
    )
    ordered.refresh_from_db()
    assert ordered.status == CaseStatus.RECTIFIED and not SyncRecord.objects.exists()


def test_a_case_out_of_the_workers_grids_is_a_clear_per_item_error(client, world, ordered):
    client.force_login(world.grid_worker_a)
    item = step(ordered, "rectified", note="已整改")
    RoleAssignment.objects.filter(user=world.grid_worker_a).update(region=world.grid_b)  # moved to grid B
    before = writes()
    response = send(client, item)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["code"] == "case_out_of_scope"
    assert ordered.tracking_code in body["message"] and "no longer in your grids" in body["message"]
    assert writes() == before
    ordered.refresh_from_db()
    assert ordered.status == CaseStatus.ORDERED


def test_a_case_taken_up_by_the_street_refuses_the_grid_workers_step(client, world, ordered):
    HazardCase.objects.filter(pk=ordered.pk).update(level=Level.STREET)  # escalated meanwhile
    client.force_login(world.grid_worker_a)
    response = send(client, step(ordered, "rectified", note="已整改"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_allowed" and ordered.tracking_code in body["message"]
    assert not SyncRecord.objects.exists()
    # the phone's list no longer offers the step either; a note still goes
    entry = next(c for c in client.get(TODAY).json()["cases"] if c["id"] == ordered.pk)
    assert "rectified" not in entry["steps"] and "comment" in entry["steps"]


def test_bad_case_steps_are_bad_requests_naming_what_is_wrong(client, world, ordered):
    client.force_login(world.grid_worker_a)
    response = send(client, step(ordered, "rectified", note=""))  # evidence note is required
    assert response.status_code == 400 and "Say what was done" in response.json()["message"]
    response = send(client, step(ordered, "reinspect", status="rectified"))  # passed missing
    assert response.status_code == 400 and "re-inspection passed" in response.json()["message"]
    assert send(client, step(ordered, "escalate")).status_code == 400
    assert send(client, step(ordered, "start", status="nonsense")).status_code == 400
    assert send(client, step(ordered, "rectified", note="x") | {"case": "1"}).status_code == 400
    assert send(client, step(ordered, "start", photos=["p"]), {"p": jpeg()}).status_code == 400
    missing = send(client, step(ordered, "rectified", note="已整改", photos=["photo-0"]))
    assert missing.status_code == 400 and "did not arrive" in missing.json()["message"]
    bad = send(
        client,
        step(ordered, "rectified", note="已整改", photos=["photo-0"]),
        {"photo-0": SimpleUploadedFile("p.jpg", b"MZ not a photo")},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "photo_invalid"
    assert "not a JPEG, PNG or WebP image" in bad.json()["message"]
    gone = send(client, step(ordered, "start") | {"case": 987654})
    assert gone.status_code == 409 and gone.json()["code"] == "case_gone"
    ordered.refresh_from_db()
    assert ordered.status == CaseStatus.ORDERED and not SyncRecord.objects.exists()


def test_a_replayed_step_by_another_user_is_refused(client, world, ordered):
    client.force_login(world.grid_worker_a)
    item = step(ordered, "start")
    assert send(client, item).status_code == 200
    client.force_login(world.street_officer)
    response = client.post(SYNC, {"item": json.dumps(item)})
    assert response.status_code == 409 and response.json()["code"] == "id_in_use"
    assert HazardEvent.objects.filter(case=ordered, kind=EventKind.STARTED).count() == 1
