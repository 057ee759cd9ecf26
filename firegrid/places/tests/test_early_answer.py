"""Early answers of the place list cache (places.cache.early_answer): a token this process has seen is
answered from Redis before DRF authenticates it — without one query — and only while nothing its
scope is made of has changed: a role, the token, the user, the day."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token

from firegrid.core.roles import Role
from firegrid.org.models import RoleAssignment
from firegrid.org.testing import make_user
from firegrid.places.models import Place
from firegrid.places.tests.test_list_cache import names, rename_behind_the_cache

LIST = "/api/v1/places/?limit=50&kind=shop"
LAYER = "/api/v1/places/geojson/?kind=shop"


@pytest.fixture
def on_redis(shared_cache, settings):
    settings.PLACE_LIST_CACHE_SECONDS = 30
    return shared_cache


def token_client(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return token


@pytest.mark.parametrize("url", [LIST, LAYER])
def test_a_seen_token_is_answered_without_a_query(
    world, api_client, on_redis, url, django_assert_num_queries
):
    token_client(api_client, world.street_officer)
    first = api_client.get(url)
    assert first.status_code == 200 and names(first) == {"桥河便利店"}
    with django_assert_num_queries(0):
        again = api_client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == "application/json"


def test_another_token_with_another_scope_gets_its_own_page(world, api_client, on_redis):
    token_client(api_client, world.street_officer)
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    token_client(api_client, world.street2_officer)
    assert names(api_client.get(LIST)) == {"沙溪超市"}
    assert names(api_client.get(LIST)) == {"沙溪超市"}


def test_a_role_taken_away_is_seen_at_once(world, api_client, on_redis):
    token_client(api_client, world.street_officer)
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    assert names(api_client.get(LIST)) == {"桥河便利店"}  # remembered and answered early
    RoleAssignment.objects.filter(user=world.street_officer).delete()
    assert names(api_client.get(LIST)) == set()


def test_a_role_moved_to_another_street_is_seen_at_once(world, api_client, on_redis):
    user = make_user("moving_officer", roles=[(Role.STREET_OFFICER, world.street)])
    token_client(api_client, user)
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    assignment = RoleAssignment.objects.get(user=user, role=Role.STREET_OFFICER)
    assignment.region = world.street2
    assignment.save()
    assert names(api_client.get(LIST)) == {"沙溪超市"}


def test_a_revoked_token_and_a_deactivated_user_are_refused(world, api_client, on_redis):
    token = token_client(api_client, world.street_officer)
    assert api_client.get(LIST).status_code == 200
    assert api_client.get(LIST).status_code == 200
    token.delete()
    assert api_client.get(LIST).status_code == 401
    token_client(api_client, world.street_officer)
    assert api_client.get(LIST).status_code == 200
    assert api_client.get(LIST).status_code == 200
    world.street_officer.is_active = False
    world.street_officer.save()
    assert api_client.get(LIST).status_code == 401


def test_a_login_does_not_forget_the_scopes(world, api_client, on_redis, django_assert_num_queries):
    token_client(api_client, world.street_officer)
    api_client.get(LIST)
    world.district_admin.last_login = timezone.now()
    world.district_admin.save(update_fields=["last_login"])  # what every login does
    with django_assert_num_queries(0):
        assert names(api_client.get(LIST)) == {"桥河便利店"}


def test_a_role_that_ended_yesterday_is_not_remembered_today(world, api_client, on_redis, monkeypatch):
    today = timezone.localdate()
    user = make_user("officer_until_today", roles=[(Role.STREET_OFFICER, world.street)])
    RoleAssignment.objects.filter(user=user).update(ends_on=today)  # behind the signals: as the calendar does
    token_client(api_client, user)
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    assert names(api_client.get(LIST)) == {"桥河便利店"}
    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert names(api_client.get(LIST)) == set()


def test_a_data_write_still_makes_the_next_answer_fresh(world, api_client, on_redis):
    token_client(api_client, world.street_officer)
    api_client.get(LIST)
    place = Place.objects.get(pk=world.shop_a.pk)
    place.name = "新名便利店"
    place.save()
    assert names(api_client.get(LIST)) == {"新名便利店"}


def test_the_browsable_api_and_other_formats_go_the_ordinary_way(world, api_client, on_redis):
    token_client(api_client, world.street_officer)
    api_client.get(LIST)
    rename_behind_the_cache(world.shop_a, "改名便利店")
    assert "改名便利店" in api_client.get(LIST, HTTP_ACCEPT="text/html").content.decode()
    assert api_client.get(LIST, HTTP_ACCEPT="application/xml").status_code == 406
    assert names(api_client.get(LIST)) == {"桥河便利店"}  # the stored JSON page, as before


def test_no_early_answer_without_a_shared_cache(world, api_client, settings, django_assert_max_num_queries):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "early"}
    }
    cache.clear()
    settings.PLACE_LIST_CACHE_SECONDS = 30
    token_client(api_client, world.street_officer)
    api_client.get(LIST)
    api_client.get(LIST)
    RoleAssignment.objects.filter(user=world.street_officer).delete()
    # the local cache still has the page, but the request is authenticated and scoped first
    assert names(api_client.get(LIST)) == set()


VOLATILE = {"X-Request-ID"}  # the one header each response gets anew


def headers(response):
    return {k: v for k, v in response.items() if k not in VOLATILE}


@pytest.mark.parametrize("url", [LIST, LAYER])
def test_an_early_answer_is_the_ordinary_response_headers_and_all(world, api_client, on_redis, url):
    """Answered ahead of the security, CSP, locale and DRF layers, the page still carries what they add."""
    token_client(api_client, world.street_officer)
    ordinary = api_client.get(url)
    early = api_client.get(url)
    assert not hasattr(early.wsgi_request, "session")  # answered before SessionMiddleware
    assert early.content == ordinary.content
    assert headers(early) == headers(ordinary)
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Vary"):
        assert early[name], name
    assert "Accept" in early["Vary"]


def test_each_language_gets_its_own_headers(world, api_client, on_redis, django_assert_num_queries):
    token_client(api_client, world.street_officer)
    chinese = api_client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = api_client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert (chinese["Content-Language"], english["Content-Language"]) == ("zh-hans", "en")
    with django_assert_num_queries(0):
        assert api_client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
        assert api_client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans")["Content-Language"] == "zh-hans"


def test_early_answers_are_counted_under_their_view(world, api_client, on_redis):
    from firegrid.ops.metrics import REQUESTS

    token_client(api_client, world.street_officer)
    counter = REQUESTS.labels("place-list", "GET", "2xx")
    before = counter._value.get()
    api_client.get(LIST)
    api_client.get(LIST)  # early
    assert counter._value.get() - before == 2


def test_a_response_that_sets_a_cookie_is_not_stored_with_its_headers(world, rf, on_redis):
    from django.http import HttpResponse

    from firegrid.places.cache import EarlyAnswerMiddleware

    def view(request):
        response = HttpResponse(b"{}", content_type="application/json")
        response.set_cookie("sessionid", "someone")
        response.firegrid_page = ("firegrid:places:page:test-cookie", "v1", 30)
        return response

    EarlyAnswerMiddleware(view)(rf.get("/elsewhere/"))
    assert cache.get("firegrid:places:page:test-cookie") is None


def test_a_route_not_answered_early_is_still_served_from_the_cache(world, api_client, on_redis):
    token_client(api_client, world.street_officer)
    url = "/api/v1/places.json?limit=50&kind=shop"  # the router's format suffix: DRF's path only
    assert names(api_client.get(url)) == {"桥河便利店"}
    rename_behind_the_cache(world.shop_a, "改名便利店")
    again = api_client.get(url)
    assert names(again) == {"桥河便利店"}  # the stored page
    assert hasattr(again.wsgi_request, "session")  # through the middleware, not early
