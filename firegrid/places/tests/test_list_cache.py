"""The per-scope cache of the place list and map layer (PLACE_LIST_CACHE_SECONDS): off by default,
never serves one jurisdiction's page to another, and any write to a place makes the next answer fresh.
Run on the local-memory cache and on a real redis-server."""

import pytest
from django.core.cache import cache

from firegrid.core.roles import Role
from firegrid.org.testing import make_place, make_user
from firegrid.places.actions import mark_inspected, save_place
from firegrid.places.models import Place

LIST = "/api/v1/places/?limit=50&kind=shop"
LAYER = "/api/v1/places/geojson/?kind=shop"


@pytest.fixture(params=["locmem", "redis"])
def place_cache(request, settings):
    """The cache on for 30 s, in this process's memory or in a private redis-server."""
    if request.param == "redis":
        request.getfixturevalue("shared_cache")
    else:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "places"}
        }
        cache.clear()
    settings.PLACE_LIST_CACHE_SECONDS = 30
    return request.param


def get(api_client, user, url=LIST):
    api_client.force_authenticate(user)
    response = api_client.get(url)
    assert response.status_code == 200, response.content
    return response


def names(response):
    data = response.json()
    rows = data.get("results") or [f["properties"] for f in data.get("features", [])]
    return {r["name"] for r in rows}


def rename_behind_the_cache(place, name):
    """A write the cache is not told of (the base manager sends nothing): shows whether a page came
    from the cache."""
    Place._base_manager.filter(pk=place.pk).update(name=name)


def test_cache_is_off_by_default(world, api_client, settings):
    from firegrid import settings as project_settings

    assert project_settings.PLACE_LIST_CACHE_SECONDS == 0
    assert settings.PLACE_LIST_CACHE_SECONDS == 0
    assert names(get(api_client, world.street_officer)) == {"桥河便利店"}
    rename_behind_the_cache(world.shop_a, "改名便利店")
    assert names(get(api_client, world.street_officer)) == {"改名便利店"}
    assert names(get(api_client, world.street_officer, LAYER)) == {"改名便利店"}


@pytest.mark.parametrize("url", [LIST, LAYER])
def test_a_page_is_served_again_from_the_cache(world, api_client, place_cache, url):
    first = get(api_client, world.street_officer, url)
    rename_behind_the_cache(world.shop_a, "改名便利店")
    again = get(api_client, world.street_officer, url)
    assert again.content == first.content and names(again) == {"桥河便利店"}
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    # another query is another page
    assert "改名便利店" in names(get(api_client, world.street_officer, url + "&limit=49"))


@pytest.mark.parametrize("url", [LIST, LAYER])
def test_another_scope_never_gets_the_page(world, api_client, place_cache, url):
    officer = get(api_client, world.street_officer, url)
    other = get(api_client, world.street2_officer, url)
    assert names(officer) == {"桥河便利店"} and names(other) == {"沙溪超市"}
    assert officer.content != other.content
    # in the other order, from a warm cache, each still gets their own
    assert get(api_client, world.street_officer, url).content == officer.content
    assert names(get(api_client, world.grid_worker_b, url)) == set()  # grid B has no shop
    assert names(get(api_client, world.district_admin, url)) == {"桥河便利店", "沙溪超市"}


def test_unit_owners_with_the_same_grants_get_their_own_pages(world, api_client, place_cache):
    other_owner = make_user("unit_owner_2", roles=[(Role.UNIT_OWNER, None)])
    make_place("沙溪烟酒店", "shop", 28.06, 106.56, owners=[other_owner])
    assert names(get(api_client, world.unit_owner)) == {"桥河便利店"}
    assert names(get(api_client, other_owner)) == {"沙溪烟酒店"}


def test_a_place_edit_makes_the_next_answer_fresh(world, api_client, place_cache):
    get(api_client, world.street_officer)
    get(api_client, world.street_officer, LAYER)
    api_client.force_authenticate(world.street_officer)
    response = api_client.patch(f"/api/v1/places/{world.shop_a.pk}/", {"name": "新名便利店"}, format="json")
    assert response.status_code == 200, response.content
    assert names(get(api_client, world.street_officer)) == {"新名便利店"}
    assert names(get(api_client, world.street_officer, LAYER)) == {"新名便利店"}


def test_every_write_path_makes_the_answer_fresh(world, api_client, place_cache):
    renames = iter(range(100))

    def fresh_after(write):
        before = get(api_client, world.street_officer).content
        name = f"便利店{next(renames)}"
        rename_behind_the_cache(world.shop_a, name)
        assert get(api_client, world.street_officer).content == before  # still the cached page
        write()
        after = get(api_client, world.street_officer)
        assert after.content != before and names(after) == {name}, write

    fresh_after(lambda: mark_inspected(Place.objects.get(pk=world.shop_a.pk), world.shop_a.created_at.date()))
    fresh_after(lambda: Place.objects.filter(pk=world.hotel_b.pk).update(rooms=13))
    fresh_after(lambda: Place.objects.bulk_update([Place.objects.get(pk=world.hotel_b.pk)], ["rooms"]))
    fresh_after(lambda: world.shop_a.owners.add(world.nobody))
    fresh_after(lambda: make_place("另一家", "hotel", 28.05, 106.15))
    fresh_after(lambda: Place.objects.filter(name="另一家").delete())
    fresh_after(lambda: world.grid_a.save())  # a region's name and code are on the rows


def test_a_place_moved_away_leaves_the_cached_list(world, api_client, place_cache):
    assert names(get(api_client, world.street_officer)) == {"桥河便利店"}
    assert names(get(api_client, world.street2_officer)) == {"沙溪超市"}
    place = Place.objects.get(pk=world.shop_a.pk)
    place.lat, place.lng = 28.05, 106.55
    save_place(place, actor=world.district_admin)
    assert names(get(api_client, world.street_officer)) == set()
    assert names(get(api_client, world.street2_officer)) == {"桥河便利店", "沙溪超市"}


def test_errors_and_the_browsable_api_are_not_cached(world, api_client, place_cache):
    api_client.force_authenticate(world.street_officer)
    assert api_client.get(LIST + "&risk_level=purple").status_code == 400
    html = api_client.get(LIST, HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and "桥河便利店" in html.content.decode()
    rename_behind_the_cache(world.shop_a, "改名便利店")
    assert "改名便利店" in api_client.get(LIST, HTTP_ACCEPT="text/html").content.decode()
    assert api_client.get("/api/v1/places/").status_code == 200


def test_redis_down_serves_fresh_pages(world, api_client, settings, tmp_path):
    from firegrid.ops.testing import RedisServer, redis_or_skip

    redis_or_skip()
    server = RedisServer(tmp_path).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "firegrid.core.cache.TolerantRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.PLACE_LIST_CACHE_SECONDS = 30
    server.stop()
    assert names(get(api_client, world.street_officer)) == {"桥河便利店"}
    rename_behind_the_cache(world.shop_a, "改名便利店")
    assert names(get(api_client, world.street_officer)) == {"改名便利店"}
