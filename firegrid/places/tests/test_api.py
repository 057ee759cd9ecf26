import datetime

import pytest

from firegrid.core.models import AuditEvent
from firegrid.org.testing import PERSONAS
from firegrid.places.actions import read_rules_file
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent

STREET1 = {"district_admin", "street_officer"}
VISIBLE = {
    "shop_a": STREET1 | {"grid_worker_a", "unit_owner"},
    "hotel_b": STREET1 | {"grid_worker_b", "police_officer"},  # police see what they supervise
    "mall_a": STREET1 | {"grid_worker_a"},
    "school_a": STREET1 | {"grid_worker_a", "dept_staff"},  # the education department sees schools
    "shop_s2": {"district_admin", "street2_officer"},
}


def list_ids(client, query=""):
    ids, url = set(), f"/api/v1/places/?limit=500{query}"
    while url:
        page = client.get(url).json()
        ids.update(r["id"] for r in page["results"])
        url = page["next"]
    return ids


@pytest.mark.parametrize("persona", PERSONAS)
def test_place_matrix(world, api_client, persona):
    api_client.force_authenticate(getattr(world, persona))
    listed = list_ids(api_client)
    layer = {f["id"] for f in api_client.get("/api/v1/places/geojson/").json()["features"]}
    for name, allowed in VISIBLE.items():
        place = getattr(world, name)
        expected = persona in allowed
        assert (place.pk in listed) == expected, (persona, name)
        assert (place.pk in layer) == expected, (persona, name, "map layer")
        status = api_client.get(f"/api/v1/places/{place.pk}/").status_code
        assert status == (200 if expected else 404), (persona, name)


def test_anonymous_gets_nothing(world, api_client):
    assert api_client.get("/api/v1/places/").status_code == 401
    assert api_client.get("/api/v1/places/geojson/").status_code == 401


def test_grade_is_derived_and_explained(world, api_client):
    api_client.force_authenticate(world.street_officer)
    mall = api_client.get(f"/api/v1/places/{world.mall_a.pk}/").json()
    assert mall["is_key_unit"] and mall["authority"] == "detachment" and mall["risk_level"] == "high"
    assert {"key-mall-1000", "seed-large-mall"} <= {r["id"] for r in mall["grade_reasons"]}
    assert "large_mall" in mall["flags"]
    assert mall["region"] == world.grid_a.code and mall["sector"] == "commerce"
    hotel = api_client.get(f"/api/v1/places/{world.hotel_b.pk}/").json()
    assert hotel["authority"] == "police_station" and not hotel["is_key_unit"]


def test_create_locates_the_grid_and_grades(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/places/",
        {
            "name": "桥河民宿",
            "kind": "self_built_house",
            "address": "桥河村3组",
            "lat": 28.06,
            "lng": 106.06,
            "self_built_uses": ["homestay"],
            "occupants": 15,
            "credit_code": "91350100M000100Y43",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region"] == world.grid_a.code and body["risk_level"] == "high"
    place = Place.objects.get(pk=body["id"])
    assert {"key_control", "licence_check"} <= set(place.flag_list)
    assert place.grade_events.get().cause == "created"
    assert AuditEvent.objects.filter(
        content_type__model="place", object_id=str(place.pk), action="create"
    ).exists()


def test_attribute_change_regrades_with_history(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.patch(f"/api/v1/places/{world.hotel_b.pk}/", {"rooms": 60}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_key_unit"] and response.json()["authority"] == "detachment"
    grades = api_client.get(f"/api/v1/places/{world.hotel_b.pk}/grades/").json()
    assert grades[0]["cause"] == "attributes"
    assert grades[0]["old"]["authority"] == "police_station" and grades[0]["new"]["authority"] == "detachment"
    assert "key-hotel-50-rooms" in grades[0]["new"]["rules"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"lat": 40.0, "lng": 116.4}, "lat"),  # Beijing: outside the district
        ({"building_area": -5}, "building_area"),
        ({"kind": "spaceport"}, "kind"),
        ({"credit_code": "91350100M000100Y44"}, "credit_code"),
        ({"self_built_uses": ["casino"]}, "self_built_uses"),
        ({"lat": "north"}, "lat"),
        ({"built_year": 3000}, "built_year"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, api_client, payload, field):
    api_client.force_authenticate(world.street_officer)
    data = {"name": "新店", "kind": "shop", "address": "桥河路1号", "lat": 28.05, "lng": 106.05} | payload
    before = Place.objects.count()
    response = api_client.post("/api/v1/places/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Place.objects.count() == before


def test_cannot_create_in_another_street_or_as_a_reader(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/places/",
        {"name": "x", "kind": "shop", "address": "沙溪路", "lat": 28.05, "lng": 106.55},
        format="json",
    )
    assert response.status_code == 400 and "lat" in response.json()
    api_client.force_authenticate(world.grid_worker_a)
    response = api_client.patch(f"/api/v1/places/{world.shop_a.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 404


def test_unit_owner_edits_own_place_only(world, api_client):
    api_client.force_authenticate(world.unit_owner)
    response = api_client.patch(
        f"/api/v1/places/{world.shop_a.pk}/", {"public_commitment": "我承诺：自知、自查、自改"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (
        api_client.patch(f"/api/v1/places/{world.mall_a.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )


def test_filters_search_and_cursor_pagination(world, api_client):
    api_client.force_authenticate(world.district_admin)
    assert list_ids(api_client, "&kind=shop") == {world.shop_a.pk, world.shop_s2.pk}
    assert list_ids(api_client, "&is_key_unit=true") == {world.mall_a.pk}
    assert list_ids(api_client, "&flag=large_mall") == {world.mall_a.pk}
    assert list_ids(api_client, f"&within={world.street2.code}") == {world.shop_s2.pk}
    assert list_ids(api_client, "&authority=police_station") == {world.hotel_b.pk}
    assert list_ids(api_client, "&search=商场") == {world.mall_a.pk}
    assert list_ids(api_client, f"&search={world.school_a.code}") == {world.school_a.pk}
    assert world.shop_a.pk in list_ids(api_client, "&due=true")
    page = api_client.get("/api/v1/places/?limit=2").json()
    assert len(page["results"]) == 2 and "cursor=" in page["next"]
    assert len(list_ids(api_client)) == 5
    bad = api_client.get("/api/v1/places/?risk_level=purple")
    assert bad.status_code == 400 and "risk_level" in bad.json()


def test_geojson_bbox(world, api_client):
    api_client.force_authenticate(world.district_admin)
    inside = api_client.get("/api/v1/places/geojson/?bbox=106.0,28.0,106.1,28.1").json()
    assert {f["id"] for f in inside["features"]} == {world.shop_a.pk, world.mall_a.pk, world.school_a.pk}
    feature = inside["features"][0]
    assert feature["geometry"]["type"] == "Point" and "responsible_phone" not in feature["properties"]
    bad = api_client.get("/api/v1/places/geojson/?bbox=nonsense")
    assert bad.status_code == 400 and "bbox" in bad.json()


def test_new_rule_version_regrades_every_place(world, api_client):
    document = read_rules_file()
    document["version"] = "qijiang-2026.2"
    rule = next(r for r in document["rules"] if r["id"] == "key-hotel-50-rooms")
    rule["when"]["all"][1]["gte"] = 10
    api_client.force_authenticate(world.street_officer)
    assert (
        api_client.post("/api/v1/grading-rulesets/", {"document": document}, format="json").status_code == 403
    )
    api_client.force_authenticate(world.district_admin)
    response = api_client.post("/api/v1/grading-rulesets/", {"document": document}, format="json")
    assert response.status_code == 201, response.content
    world.hotel_b.refresh_from_db()
    assert world.hotel_b.is_key_unit and world.hotel_b.ruleset.version == "qijiang-2026.2"
    event = PlaceGradeEvent.objects.filter(place=world.hotel_b).first()
    assert event.cause == "rules" and event.ruleset.version == "qijiang-2026.2"
    assert GradingRuleSet.objects.get(is_active=True).version == "qijiang-2026.2"
    assert Place.objects.filter(ruleset__version="qijiang-2026.1").count() == 0


def test_bad_rule_version_changes_nothing(world, api_client):
    document = read_rules_file()
    document["version"] = "broken"
    document["rules"][0]["then"]["risk_level"] = "apocalyptic"
    api_client.force_authenticate(world.district_admin)
    response = api_client.post("/api/v1/grading-rulesets/", {"document": document}, format="json")
    assert response.status_code == 400 and "document" in response.json()
    assert not GradingRuleSet.objects.filter(version="broken").exists()
    assert GradingRuleSet.objects.get(is_active=True).version == "qijiang-2026.1"


def test_list_rows_are_summaries_and_the_detail_has_everything(world, api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from firegrid.places.api.serializers import LIST_FIELDS

    api_client.force_authenticate(world.district_admin)
    with CaptureQueriesContext(connection) as queries:
        rows = api_client.get("/api/v1/places/?limit=50").json()["results"]
    assert len(rows) == 5
    assert len(queries) <= 3, [q["sql"] for q in queries]  # no query per row for a deferred column
    mall = next(r for r in rows if r["id"] == world.mall_a.pk)
    assert list(mall) == LIST_FIELDS
    assert "grade_reasons" not in mall and "ruleset" not in mall and "public_commitment" not in mall
    assert mall["region"] == world.grid_a.code and mall["region_name"] == world.grid_a.name
    assert mall["is_key_unit"] and "large_mall" in mall["flags"]
    detail = api_client.get(f"/api/v1/places/{world.mall_a.pk}/").json()
    assert detail["grade_reasons"] and detail["ruleset"] == "qijiang-2026.1"
    assert {k: detail[k] for k in LIST_FIELDS} == mall


def test_list_row_equals_the_generic_representation(world):
    """The list builds its rows from values() by hand; DRF's own walk over the list serializer's
    declared fields on the model instance agrees."""
    from firegrid.places.actions import mark_inspected
    from firegrid.places.api.serializers import PlaceListSerializer, list_row, list_values

    mark_inspected(world.shop_a, datetime.date(2026, 3, 4), "passed")
    rows = {row["id"]: list_row(row) for row in list_values(Place.objects.all())}
    places = list(Place.objects.select_related("region"))
    assert len(rows) == len(places) > 3
    for place in places:
        assert rows[place.pk] == PlaceListSerializer(place).data, place
