"""The sync endpoint at the API level: exactly once, conflicts answered per item, bad photos refused
with a clear message, and nothing half-written."""

import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from firegrid.fieldapp.models import SyncRecord
from firegrid.fieldapp.tests.conftest import SYNC, TODAY, jpeg, patrol_item, send
from firegrid.hazards.models import HazardCase
from firegrid.inspections.models import Answer, Inspection, InspectionPlan, PlanItem
from firegrid.org.models import RoleAssignment


def totals():
    return Inspection.objects.count(), HazardCase.objects.count(), Answer.objects.count()


def test_today_lists_the_grid_workers_places_with_their_checklists(client, world):
    client.force_login(world.grid_worker_a)
    data = client.get(TODAY).json()
    names = {p["name"] for p in data["places"]}
    assert world.shop_a.name in names and world.hotel_b.name not in names  # grid B is not theirs
    assert [g["name"] for g in data["grids"]] == [world.grid_a.name]
    for place in data["places"]:
        assert place["checklists"] and all(key in data["checklists"] for key in place["checklists"])


def test_today_and_sync_need_a_login(client, world):
    assert client.get(TODAY).status_code == 401
    response = client.post(SYNC, {"item": "{}"})
    assert response.status_code == 401 and response.json()["code"] == "login_required"


def test_a_patrol_syncs_once_and_opens_its_case_even_when_replayed(client, world, media):
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a)
    first = send(client, item, {"photo-0": jpeg()})
    assert first.status_code == 200, first.content
    answer = first.json()
    assert answer["status"] == "applied" and len(answer["cases"]) == 1
    inspection = Inspection.objects.get(pk=answer["inspection"])
    assert inspection.kind == "patrol" and inspection.status == "submitted"
    assert inspection.answers.get(result="fail").photo.name  # the photo is stored with the answer
    case = HazardCase.objects.get(tracking_code=answer["cases"][0]["tracking_code"])
    assert case.source == "patrol" and case.place == world.shop_a
    before = totals()

    replay = send(client, item, {"photo-0": jpeg()})  # the answer was lost: the phone sends again
    assert replay.status_code == 200
    assert replay.json() | {"replayed": True} == answer | {"replayed": True}
    assert totals() == before and SyncRecord.objects.count() == 1


def test_a_replay_by_another_user_is_refused(client, world, media):
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a, fail=0)
    assert send(client, item).status_code == 200
    client.force_login(world.grid_worker_b)
    response = send(client, item)
    assert response.status_code == 409 and response.json()["code"] == "id_in_use"


def test_a_sync_after_the_grid_changed_is_a_conflict_and_writes_nothing(client, world, media):
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a)  # downloaded while still in grid A
    RoleAssignment.objects.filter(user=world.grid_worker_a).update(region=world.grid_b)  # moved to grid B
    before = totals()
    response = send(client, item, {"photo-0": jpeg()})
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["code"] == "place_out_of_scope"
    assert world.shop_a.name in body["message"] and "no longer in your grids" in body["message"]
    assert body["id"] == item["id"]
    assert totals() == before and not SyncRecord.objects.exists()
    # once the worker is back in grid A the same item goes through: nothing was lost
    RoleAssignment.objects.filter(user=world.grid_worker_a).update(region=world.grid_a)
    assert send(client, item, {"photo-0": jpeg()}).status_code == 200
    assert Inspection.objects.count() == before[0] + 1


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_message(client, world, media):
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a)
    before = totals()
    response = send(client, item, {"photo-0": SimpleUploadedFile("p.jpg", b"MZ\x90\x00 not a photo")})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected" and body["code"] == "photo_invalid"
    assert (
        "not a JPEG, PNG or WebP image" in body["message"]
        and item["answers"][0]["item_code"] in body["message"]
    )
    assert totals() == before and not SyncRecord.objects.exists()


def test_a_photo_too_large_is_refused_and_a_resend_without_it_works(client, world, media, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a)
    big = jpeg(size=(800, 600))
    assert big.size > 2048
    before = totals()
    response = send(client, item, {"photo-0": big})
    assert response.status_code == 400 and response.json()["code"] == "photo_invalid"
    assert "larger than" in response.json()["message"]
    assert totals() == before
    del item["answers"][0]["photo"]  # the user removes the photo and sends again, same id
    assert send(client, item).status_code == 200
    assert Inspection.objects.count() == before[0] + 1


def test_a_missing_photo_and_broken_items_are_bad_requests(client, world, media):
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a)
    assert send(client, item).json()["code"] == "invalid"  # photo-0 named but not sent
    assert client.post(SYNC, {"item": "not json"}).status_code == 400
    assert send(client, {"id": "nope"}).status_code == 400
    assert send(client, item | {"answers": [{"result": "maybe"}]}).status_code == 400
    assert not Inspection.objects.exists()


def test_a_changed_checklist_is_a_conflict(client, world, media):
    client.force_login(world.grid_worker_a)
    item = patrol_item(client, world.shop_a, photo=False)
    for answer in item["answers"]:
        answer["version"] = "0.0-old"
    response = send(client, item)
    assert response.status_code == 409 and response.json()["code"] == "checklist_changed"
    assert not Inspection.objects.exists()


def test_a_planned_visit_done_meanwhile_is_a_conflict(client, world, media):
    today = timezone.localdate()
    plan = InspectionPlan.objects.create(year=today.year, region=world.street)
    item = PlanItem.objects.create(
        plan=plan, place=world.mall_a, month=today.month, inspector=world.street_officer
    )
    client.force_login(world.street_officer)
    data = client.get(TODAY).json()
    entry = next(p for p in data["places"] if p["plan_item"] == item.pk)
    assert entry["visit_kind"] == "supervisory"
    checklist = data["checklists"][entry["checklists"][0]]
    code = checklist["sections"][0]["items"][0]["code"]
    payload = {
        "id": "6f1c1a8e-2d7b-4c61-9a51-3b0d1c2e9f10",
        "kind": "supervisory",
        "place": world.mall_a.pk,
        "plan_item": item.pk,
        "answers": [
            {
                "checklist": checklist["code"],
                "version": checklist["version"],
                "item_code": code,
                "result": "pass",
            }
        ],
    }
    other = Inspection.objects.create(place=world.mall_a, kind="supervisory", inspected_on=today)
    PlanItem.objects.filter(pk=item.pk).update(done=other)
    response = send(client, payload)
    assert response.status_code == 409 and response.json()["code"] == "plan_done"
    PlanItem.objects.filter(pk=item.pk).update(done=None)
    ok = send(client, payload)
    assert ok.status_code == 200, ok.content
    assert PlanItem.objects.get(pk=item.pk).done_id == ok.json()["inspection"]


def test_service_worker_and_manifest_are_served_from_the_root(client, world):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "FIELD_CONFIG" in body and "/static/fieldapp/field.js" in body
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_the_field_page_has_no_inline_script(client, world):
    client.force_login(world.grid_worker_a)
    html = client.get("/field/").content.decode()
    assert 'id="field-strings"' in html and 'type="application/json"' in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
