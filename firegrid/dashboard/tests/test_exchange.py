"""JSON exchange of the registries: round trip, all-or-nothing import with named problems, scope, dry run."""

import copy
import io
import json

import pytest
from django.utils import translation

from firegrid.dashboard.exchange import FORMAT, VERSION, export_registry, import_registry
from firegrid.org.models import FireManager, OrgMember, OrgUnit, Region, ResidentialArea
from firegrid.places.models import Place

VALID_CREDIT_CODE = "91500110MA5U7B3X4G"


def _counts():
    return (
        Region.objects.count(),
        OrgUnit.objects.count(),
        OrgMember.objects.count(),
        ResidentialArea.objects.count(),
        FireManager.objects.count(),
        Place.objects.count(),
    )


def _snapshot(world):
    return json.loads(json.dumps(export_registry(world.district_admin, world.district)))


def _strip(data):
    data = copy.deepcopy(data)
    data.pop("exported_at")
    return data


def test_export_format(world):
    data = _snapshot(world)
    assert (
        data["format"] == FORMAT
        and data["version"] == VERSION
        and data["scope"]["region"] == world.district.code
    )
    assert {r["code"] for r in data["regions"]} >= {world.street.code, world.grid_a.code}
    place = next(p for p in data["places"] if p["code"] == world.shop_a.code)
    assert place["region"] == world.grid_a.code and "id" not in place and "pk" not in place
    unit = next(u for u in data["org_units"] if u["name"] == world.police.name)
    assert unit["covered_regions"] == [world.street.code]
    area = next(a for a in data["residential_areas"] if a["name"] == "桥河小区")
    assert area["fire_manager"]["name"] == "张管理员"


def test_round_trip_restores_modified_and_deleted_records(world):
    before = _snapshot(world)
    # modify and delete
    Place.objects.filter(pk=world.shop_a.pk).update(name="改名", building_area=999)
    world.hotel_b.delete()
    FireManager.objects.filter(pk=world.manager_a.pk).update(phone="000")
    OrgMember.objects.filter(pk=world.group_member.pk).delete()
    OrgUnit.objects.filter(pk=world.team.pk).update(phone="123")
    Region.objects.filter(pk=world.grid_b.pk).update(population=5)
    result = import_registry(before, world.district_admin)
    assert result.ok, result.as_dict()
    assert result.counts["places"]["created"] == 1 and result.counts["places"]["updated"] == 1
    assert result.counts["regions"]["updated"] == 1
    after = _snapshot(world)
    assert _strip(after) == _strip(before)
    again = import_registry(after, world.district_admin)
    assert all(c["created"] == c["updated"] == 0 for c in again.counts.values())


def test_import_into_an_empty_street(world):
    """Export street 2, delete its places, areas and units, import: the same data comes back."""
    data = json.loads(json.dumps(export_registry(world.street2_officer, world.street2)))
    assert {r["code"] for r in data["regions"]} == {
        world.street2.code,
        world.community_s2.code,
        world.grid_s2.code,
    }
    Place.objects.filter(region__path__startswith=world.street2.path).delete()
    ResidentialArea.objects.filter(region__path__startswith=world.street2.path).delete()
    OrgUnit.objects.filter(region__path__startswith=world.street2.path).delete()
    result = import_registry(data, world.street2_officer)
    assert result.ok, result.as_dict()
    again = json.loads(json.dumps(export_registry(world.street2_officer, world.street2)))
    assert _strip(again) == _strip(data)
    assert Place.objects.get(code=world.shop_s2.code).risk_level == world.shop_s2.risk_level


def test_problems_name_record_and_field_and_nothing_is_written(world):
    data = _snapshot(world)
    before = _counts()
    shop = next(i for i, p in enumerate(data["places"]) if p["code"] == world.shop_a.code)
    data["places"][shop]["credit_code"] = "12345"
    data["places"][shop]["name"] = "新名字"
    data["regions"].append({"code": "T5010199", "name": "新网格", "level": "grid", "parent": "NOPE"})
    data["residential_areas"].append({"region": "NOWHERE", "name": "X", "kind": "compound"})
    data["places"].append(
        {
            "code": "ZZZZ2222ZZZZ",
            "name": "新店",
            "kind": "shop",
            "status": "active",
            "address": "某路1号",
            "lat": 28.05,
            "lng": "106.05",
        }
    )
    result = import_registry(data, world.district_admin)
    assert not result.ok
    found = {(e.record, e.field) for e in result.errors}
    assert (f"places[{shop}]", "credit_code") in found
    assert (f"regions[{len(data['regions']) - 1}]", "parent") in found
    assert (f"residential_areas[{len(data['residential_areas']) - 1}]", "region") in found
    assert (f"places[{len(data['places']) - 1}]", "lng") in found
    credit = next(e for e in result.errors if e.field == "credit_code")
    assert credit.key == world.shop_a.code and "18" in credit.message
    assert _counts() == before
    world.shop_a.refresh_from_db()
    assert world.shop_a.name == "桥河便利店"  # the valid change of the same file was not written either


def test_records_outside_the_importers_scope(world):
    data = _snapshot(world)
    before = _counts()
    result = import_registry(data, world.street2_officer, dry_run=True)
    assert not result.ok
    keys = {e.key for e in result.errors}
    assert world.street.code in keys and world.shop_a.code in keys
    assert world.shop_s2.code not in keys  # their own street is fine
    moved = _snapshot(world)
    s2 = next(p for p in moved["places"] if p["code"] == world.shop_s2.code)
    s2["lat"], s2["lng"] = world.shop_a.lat, world.shop_a.lng + 0.001
    mine = {**moved, "regions": [], "org_units": [], "residential_areas": [], "places": [s2]}
    with translation.override("en"):
        result = import_registry(mine, world.street2_officer)
    assert [(e.record, e.field) for e in result.errors] == [("places[0]", "lat")]
    assert "outside your jurisdiction" in result.errors[0].message
    assert _counts() == before


def test_dry_run_writes_nothing(world):
    data = _snapshot(world)
    world.hotel_b.delete()
    data["places"][0]["name"] = "改"
    before = _counts()
    result = import_registry(data, world.district_admin, dry_run=True)
    assert result.ok and result.dry_run and not result.written
    assert result.counts["places"]["created"] == 1
    assert _counts() == before and not Place.objects.filter(name="改").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ([], ""),
        ({"format": "other", "version": 1}, "format"),
        ({"format": FORMAT, "version": 2}, "version"),
        ({"format": FORMAT, "version": 1, "places": {}}, "places"),
    ],
)
def test_bad_envelopes(world, data, field):
    result = import_registry(data, world.district_admin)
    assert [e.field for e in result.errors] == [field]


def test_pages_and_api(world, client, api_client):
    client.force_login(world.street2_officer)
    r = client.get("/reports/exchange/export.json")
    data = json.loads(r.content)
    text = r.content.decode()
    assert world.street2.code in text and world.street.code not in text and world.shop_a.code not in text
    assert client.get("/reports/exchange/export.json", {"region": world.street.code}).status_code == 403
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "registry.json"
    r = client.post("/reports/exchange/import/", {"file": upload, "dry_run": "on"})
    assert r.status_code == 200 and b"import-ok" in r.content
    data["places"][0]["credit_code"] = "bad"
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "registry.json"
    r = client.post("/reports/exchange/import/", {"file": upload})
    assert r.status_code == 400 and b"places[0]" in r.content and b"credit_code" in r.content
    for persona in (world.grid_worker_a, world.police_officer, world.nobody):
        client.force_login(persona)
        assert client.get("/reports/exchange/export.json").status_code == 403
        assert client.get("/reports/exchange/import/").status_code == 403
    api_client.force_authenticate(world.district_admin)
    r = api_client.get("/api/v1/exchange/export/", {"region": world.street2.code})
    assert r.status_code == 200 and r.data["scope"]["region"] == world.street2.code
    body = json.loads(json.dumps(r.data))
    r = api_client.post("/api/v1/exchange/import/?dry_run=1", body, format="json")
    assert r.status_code == 200 and r.data["dry_run"] and r.data["counts"]["places"]["unchanged"] == 1
    body["places"][0]["credit_code"] = VALID_CREDIT_CODE[:-1] + "0"
    r = api_client.post("/api/v1/exchange/import/", body, format="json")
    assert r.status_code == 400 and r.data["errors"][0]["field"] == "credit_code"
    api_client.force_authenticate(world.grid_worker_a)
    assert api_client.post("/api/v1/exchange/import/", body, format="json").status_code == 403
