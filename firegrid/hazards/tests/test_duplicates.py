"""Near-duplicate suggestions while reporting: distance, category, open only, and what each side sees."""

from firegrid.hazards import reporter_actions
from firegrid.hazards.duplicates import distance_m, nearby_open_cases
from firegrid.hazards.models import HazardCase, HazardCategory

NEARBY = "/report/nearby/"
STAFF_NEARBY = "/hazards/nearby/"
LAT, LNG = 28.05, 106.05  # in grid A


def at(make_case, metres_north=0, **kwargs):
    return make_case(lat=LAT + metres_north / 111_320, lng=LNG, **kwargs)


def test_distance_is_haversine():
    assert round(distance_m(28.05, 106.05, 28.05 + 50 / 111_320, 106.05)) == 50


def test_open_cases_of_the_category_within_the_radius_nearest_first(world, make_case, settings):
    settings.DUPLICATE_RADIUS_METRES = 50
    near = at(make_case, 10, reporter_name="甲")
    nearer = at(make_case, 3)
    at(make_case, 80)  # too far
    at(make_case, 5, category=HazardCategory.objects.get(code="electrical"))  # another category
    closed = at(make_case, 1)
    HazardCase.objects.filter(pk=closed.pk).update(status="closed", close_reason="fixed")
    found = nearby_open_cases(HazardCase.objects.all(), lat=LAT, lng=LNG, category=near.category)
    assert [case.pk for case, _m in found] == [nearer.pk, near.pk]
    settings.DUPLICATE_RADIUS_METRES = 100
    assert len(nearby_open_cases(HazardCase.objects.all(), lat=LAT, lng=LNG, category=near.category)) == 3


def test_public_endpoint_returns_only_public_fields_of_published_cases(client, world, make_case):
    case = at(make_case, 5, reporter_name="王举报", reporter_phone="13912345678", address="后门")
    hidden = at(make_case, 4)
    HazardCase.objects.filter(pk=hidden.pk).update(is_public=False)
    response = client.get(NEARBY, {"lat": LAT, "lng": LNG, "category": case.category.code})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["radius_m"] == 50
    assert [c["id"] for c in data["cases"]] == [case.pk]
    assert set(data["cases"][0]) == {
        "id",
        "category",
        "status",
        "status_class",
        "description",
        "reported_on",
        "distance_m",
    }
    body = response.content.decode()
    assert "13912345678" not in body and "王举报" not in body and case.tracking_code not in body


def test_public_endpoint_by_place_code_suggests_categories_for_the_place_kind(client, world, make_case):
    case = make_case()  # at the shop
    data = client.get(NEARBY, {"place": world.shop_a.code, "category": case.category.code}).json()
    assert [c["id"] for c in data["cases"]] == [case.pk]
    expected = {c.code for c in HazardCategory.objects.filter(public=True) if "shop" in c.place_kinds}
    assert expected and {c["code"] for c in data["suggested_categories"]} == expected


def test_public_endpoint_refuses_missing_location(client, world):
    assert client.get(NEARBY, {"category": "evacuation"}).status_code == 400
    assert client.get(NEARBY, {"lat": "x", "lng": "1", "category": "evacuation"}).status_code == 400


def test_staff_endpoint_is_scoped_and_links_the_case(client, world, make_case):
    case = at(make_case, 5)
    client.force_login(world.grid_worker_a)
    data = client.get(STAFF_NEARBY, {"lat": LAT, "lng": LNG, "category": case.category.pk}).json()
    assert data["cases"][0]["tracking_code"] == case.tracking_code
    assert data["cases"][0]["url"] == f"/hazards/{case.pk}/"
    client.force_login(world.grid_worker_b)  # grid A is not theirs
    assert (
        client.get(STAFF_NEARBY, {"lat": LAT, "lng": LNG, "category": case.category.pk}).json()["cases"] == []
    )
    client.logout()
    assert client.get(STAFF_NEARBY, {"lat": LAT, "lng": LNG}).status_code == 302


def test_a_merged_duplicate_is_not_suggested(world, make_case):
    original = at(make_case, 2)
    duplicate = at(make_case, 3)
    reporter_actions.merge(duplicate, into=original, actor=world.street_officer)
    found = nearby_open_cases(HazardCase.objects.all(), lat=LAT, lng=LNG, category=original.category)
    assert [case.pk for case, _m in found] == [original.pk]


def test_the_report_forms_load_the_suggestion_script(client, world):
    html = client.get("/report/").content.decode()
    assert 'data-nearby-url="/report/nearby/"' in html and 'id="report-strings"' in html
    assert html.index('name="photos"') < html.index('name="category"')  # photo first
    client.force_login(world.street_officer)
    html = client.get("/hazards/new/").content.decode()
    assert 'data-nearby-url="/hazards/nearby/"' in html and "<script>" not in html
