"""Category suggestion for a public report without a place code (/report/suggest/): the nearest
registered place lends its kind; public data only; bad coordinates are a 400 naming the field."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from firegrid.hazards.models import HazardCategory
from firegrid.org.testing import make_place
from firegrid.places.choices import PlaceStatus
from firegrid.places.models import Place

pytestmark = pytest.mark.django_db

SUGGEST = reverse("portal-suggest")
NEAR_SHOP = {"lat": "28.05009", "lng": "106.05"}  # ~10 m north of the shop of grid A


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


def test_the_nearest_place_suggests_the_categories_of_its_kind(client, world):
    response = client.get(SUGGEST, NEAR_SHOP)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert [c["code"] for c in data["categories"]] == ["living_in_workplace"]  # a shop
    assert data["categories"][0]["name"] == HazardCategory.objects.get(code="living_in_workplace").name_en
    assert data["place"] == {"name": world.shop_a.name}
    # the nearest one wins: a restaurant 5 m from the point (the shop is 10 m away)
    make_place("桥河饭店", "restaurant", 28.050085, 106.05003)
    data = client.get(SUGGEST, NEAR_SHOP).json()
    assert data["place"] == {"name": "桥河饭店"} and "evacuation" in [c["code"] for c in data["categories"]]


def test_the_answer_holds_nothing_private(client, world):
    shop = world.shop_a
    Place.objects.filter(pk=shop.pk).update(
        responsible_person="李老板", responsible_phone="13811112222", manager_phone="13933334444"
    )
    management = HazardCategory.objects.get(code="management")  # not offered to the public
    management.place_kinds = ["shop"]
    management.save()
    response = client.get(SUGGEST, NEAR_SHOP)
    data = response.json()
    assert set(data) == {"radius_m", "categories", "place"}
    assert set(data["place"]) == {"name"} and all(set(c) == {"code", "name"} for c in data["categories"])
    assert "management" not in [c["code"] for c in data["categories"]]
    body = response.content.decode()
    for private in (
        shop.code,
        "李老板",
        "13811112222",
        "13933334444",
        shop.address,
        world.unit_owner.username,
        str(shop.lat),
        shop.region.name,
    ):
        assert private not in body, private


def test_homes_lend_their_kind_but_not_their_name(client, world):
    make_place("张家自建房", "self_built_house", 28.09, 106.19)
    data = client.get(SUGGEST, {"lat": "28.09005", "lng": "106.19"}).json()
    assert "e_bike" in [c["code"] for c in data["categories"]]
    assert data["place"] is None and "张家" not in json.dumps(data, ensure_ascii=False)


def test_no_suggestion_far_from_places_or_from_a_closed_place(client, world, settings):
    assert client.get(SUGGEST, {"lat": "28.4", "lng": "106.4"}).json() == {
        "radius_m": settings.DUPLICATE_RADIUS_METRES,
        "categories": [],
        "place": None,
    }
    settings.DUPLICATE_RADIUS_METRES = 5  # the shop is 10 m away
    assert client.get(SUGGEST, NEAR_SHOP).json()["categories"] == []
    settings.DUPLICATE_RADIUS_METRES = 50
    Place.objects.filter(pk=world.shop_a.pk).update(status=PlaceStatus.CLOSED)
    assert client.get(SUGGEST, NEAR_SHOP).json()["categories"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lng": "106.05"}, "lat"),
        ({"lat": "28.05"}, "lng"),
        ({"lat": "north", "lng": "106.05"}, "lat"),
        ({"lat": "28.05", "lng": "1e400"}, "lng"),
        ({"lat": "91", "lng": "106.05"}, "lat"),
        ({"lat": "28.05", "lng": "-180.5"}, "lng"),
        ({"lat": "nan", "lng": "106.05"}, "lat"),
    ],
)
def test_bad_coordinates_are_a_400_naming_the_field(client, world, params, field):
    response = client.get(SUGGEST, params)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and field in body["error"]


def test_the_endpoint_is_rate_limited_per_address(client, world, settings):
    settings.PUBLIC_REPORTS_PER_HOUR = 1  # 30 lookups an hour
    for _ in range(30):
        assert client.get(SUGGEST, NEAR_SHOP).status_code == 200
    response = client.get(SUGGEST, NEAR_SHOP)
    assert response.status_code == 429 and response.json()["error"]
    assert client.post(SUGGEST, NEAR_SHOP).status_code == 405


def test_the_form_without_a_place_code_asks_for_a_suggestion(client, world):
    page = client.get(reverse("portal-report")).content.decode()
    assert f'data-suggest-url="{SUGGEST}"' in page and 'id="category-suggestion"' in page
    with_code = client.get(reverse("portal-report"), {"place": world.shop_a.code}).content.decode()
    assert "data-suggest-url" not in with_code  # the place's kind is known already
