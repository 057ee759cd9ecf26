"""The command view's figures in Django's cache (DASHBOARD_CACHE_SECONDS): served again to the same
scope for up to that long, fresh at once after the user's own writes and a bulk write of places, never
another scope's; on the local-memory cache and on a real redis-server (where every process shares the
entries and the versions). Off by default: computed every time."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from firegrid.core import audit
from firegrid.core.roles import Role
from firegrid.dashboard import cache as figures_cache
from firegrid.dashboard import kpis
from firegrid.dashboard.scope import chosen_region
from firegrid.hazards import actions, reports, tally
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.models import OrgUnit
from firegrid.org.testing import PERSONAS as ALL_PERSONAS
from firegrid.places.actions import save_place
from firegrid.places.cache import VERSION_KEY as PLACES_VERSION_KEY
from firegrid.places.models import Place

PERSONAS = [p for p in ALL_PERSONAS if p != "nobody"]  # nobody has no dashboard


@pytest.fixture(params=["locmem", "redis"])
def dashboard_cache(request, settings, tmp_path):
    """The cache on for 30 s, in this process's memory or in a private redis-server (yields its URL)."""
    url = None
    if request.param == "redis":
        from firegrid.ops.testing import RedisServer, redis_or_skip

        redis_or_skip()
        server = RedisServer(tmp_path).start()
        request.addfinalizer(server.stop)
        url = server.url
        settings.CACHES = {"default": redis_settings(url)}
    else:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dash"}
        }
    cache.clear()
    settings.DASHBOARD_CACHE_SECONDS = 30
    yield url
    cache.clear()


def redis_settings(url):
    return {
        "BACKEND": "firegrid.core.cache.TolerantRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "firegrid-test",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def report(place, source=Source.PUBLIC):
    return reports.report(
        description="通道堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=place,
        source=source,
        channel=Channel.WEB,
    )


@pytest.fixture
def cases(world):
    return [report(world.shop_a), report(world.hotel_b), report(world.shop_s2), report(world.school_a)]


def figures(api_client, user, **params):
    """The API's figures, less the time they were counted (checked to be there)."""
    api_client.force_authenticate(user)
    r = api_client.get("/api/v1/dashboard/", params)
    assert r.status_code == 200, r.content
    data = dict(r.data)
    assert datetime.datetime.fromisoformat(data.pop("as_of")).tzinfo is not None
    return data


def close_behind_the_cache(case):
    """A write the cache is not told of (update() sends no signal): shows whether figures came from
    the cache."""
    HazardCase.objects.filter(pk=case.pk).update(status="closed")
    tally.rebuild()  # the case tally is counted again (it sends no signal either)


def test_off_by_default_the_figures_are_computed_every_time(world, cases, api_client, settings):
    from firegrid import settings as project_settings

    assert project_settings.DASHBOARD_CACHE_SECONDS == 0 and kpis.cache_seconds() == 0
    assert figures(api_client, world.street_officer)["hazards"]["open"] == 3
    close_behind_the_cache(cases[0])
    assert figures(api_client, world.street_officer)["hazards"]["open"] == 2


def test_served_again_then_fresh_after_your_own_write(world, cases, api_client, dashboard_cache):
    officer = world.street_officer
    assert figures(api_client, officer)["hazards"]["open"] == 3
    close_behind_the_cache(cases[0])
    assert figures(api_client, officer)["hazards"]["open"] == 3  # from the cache
    # the officer's own hazard transition (a service function: the case by update(), an event row by
    # save()), as a request of theirs makes it (the audit actor)
    with audit.acting_as(officer, "page"):
        actions.confirm(cases[1], actor=officer, severity="major")
    fresh = figures(api_client, officer)["hazards"]
    assert (fresh["open"], fresh["major_open"]) == (2, 1)
    # a place written through its service function (the places' data version: anyone's)
    assert figures(api_client, officer)["places"]["total"] == 4
    world.mall_a.status = "closed"
    save_place(world.mall_a)
    assert figures(api_client, officer)["places"]["total"] == 3


def test_one_scope_shares_its_entry_until_a_user_writes(world, cases, api_client, dashboard_cache):
    """Two people with the same grants share the stored figures; the one who writes gets them counted
    again, and the entry counted then is shared again (the other had not written)."""
    from firegrid.org.testing import make_user

    officer = world.street_officer
    colleague = make_user(
        "officer_two", org_unit=officer.org_unit, roles=[(Role.STREET_OFFICER, world.street)]
    )
    assert kpis._cache_key(colleague, world.street, None) == kpis._cache_key(officer, world.street, None)
    assert figures(api_client, officer)["hazards"]["open"] == 3
    close_behind_the_cache(cases[0])
    assert figures(api_client, colleague)["hazards"]["open"] == 3  # the officer's entry
    with audit.acting_as(colleague, "page"):
        actions.confirm(cases[1], actor=colleague, severity="major")
    assert figures(api_client, colleague)["hazards"]["open"] == 2  # counted again for the writer
    assert figures(api_client, officer)["hazards"]["open"] == 2  # who finds the new entry


@pytest.mark.parametrize(
    "stored", [("old stamp", {"hazards": {}}), ("x",), "not a tuple", None], ids=["two", "one", "str", "none"]
)
def test_what_another_release_stored_is_a_miss(world, cases, api_client, dashboard_cache, stored):
    admin = world.district_admin
    key = kpis._cache_key(admin, world.district, None)
    cache.set(key, stored, 30)
    cache.set(figures_cache.wrote_key(admin.pk), "3f2a9c0d", 30)  # not a time
    assert figures(api_client, admin)["hazards"]["open"] == 4
    cache.delete(figures_cache.wrote_key(admin.pk))
    close_behind_the_cache(cases[0])
    assert figures(api_client, admin)["hazards"]["open"] == 4  # the entry stored just now is served


def test_others_writes_show_when_the_entry_expires(world, cases, api_client, dashboard_cache, settings):
    settings.DASHBOARD_CACHE_SECONDS = 1
    officer, worker = world.street_officer, world.grid_worker_a
    assert figures(api_client, officer)["hazards"]["open"] == 3
    with audit.acting_as(worker, "page"):  # someone else's write …
        actions.confirm(cases[0], actor=officer, severity="major")
    report(world.mall_a)  # … and a public report (no signed-in user)
    assert figures(api_client, officer)["hazards"]["major_open"] == 0  # still the stored figures
    assert figures(api_client, worker)["hazards"]["major_open"] == 1  # the writer's own are fresh
    time.sleep(1.2)
    again = figures(api_client, officer)["hazards"]
    assert (again["major_open"], again["open"]) == (1, 4)


def test_the_page_says_when_the_figures_were_counted(world, cases, client, dashboard_cache, settings):
    client.force_login(world.street_officer)
    first = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Figures as of " in first and "other people's within 30 seconds" in first
    stamp = first.split("Figures as of ")[1][:8]
    assert datetime.datetime.strptime(stamp, "%H:%M:%S")
    settings.DASHBOARD_CACHE_SECONDS = 0
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "数据截至" in page and "其他人" not in page


def test_a_place_bulk_write_makes_the_figures_fresh(world, cases, api_client, dashboard_cache):
    assert figures(api_client, world.district_admin)["places"]["total"] == 5
    Place.objects.filter(pk=world.shop_s2.pk).update(status="closed")  # PlaceQuerySet bumps the version
    assert figures(api_client, world.district_admin)["places"]["total"] == 4


def test_another_scope_never_gets_this_scopes_figures(world, cases, api_client, dashboard_cache):
    """Every persona asks for the district's and then their own figures with the cache filled by the
    others: each answer equals that persona's figures computed without the cache."""
    actions.confirm(cases[0], actor=world.street_officer, severity="major")
    for _round in range(2):  # the second round is served from the cache
        for username in PERSONAS:
            user = getattr(world, username)
            region, _homes = chosen_region(user)
            direct = kpis._dashboard(user, region)
            assert figures(api_client, user) == direct, username
    street = figures(api_client, world.street_officer)["hazards"]["open"]
    other_street = figures(api_client, world.street2_officer)["hazards"]["open"]
    assert (street, other_street) == (3, 1)
    # the same region asked by two scopes: the grid worker of grid B may not, the officer of its
    # street may, and gets their own figures, not a cached copy of someone else's
    assert figures(api_client, world.street_officer, region=world.grid_b.code)["hazards"]["open"] == 1
    api_client.force_authenticate(world.grid_worker_a)
    assert api_client.get("/api/v1/dashboard/", {"region": world.grid_b.code}).status_code == 403


def test_the_redis_entries_and_version_are_shared_by_every_process(world, cases, api_client, dashboard_cache):
    """With Redis another process (here: another client of the same server) finds the entry this
    process stored, and the user's write in another process makes this one's next figures fresh."""
    if dashboard_cache is None:
        pytest.skip("local memory is per process")
    from django.core.cache import caches

    admin = world.district_admin
    other_process = caches.create_connection("default")  # its own client and connections
    assert other_process is not caches["default"]
    assert figures(api_client, admin)["hazards"]["open"] == 4
    key = kpis._cache_key(admin, world.district, None)
    stamp, data, at = other_process.get(key)
    assert data["hazards"]["open"] == 4 and stamp[0] == other_process.get(PLACES_VERSION_KEY)
    close_behind_the_cache(cases[0])
    assert figures(api_client, admin)["hazards"]["open"] == 4  # from the cache
    # what the receiver in another process does on the admin's write there
    other_process.set(figures_cache.wrote_key(admin.pk), at.timestamp() + 0.001, 60)
    assert figures(api_client, admin)["hazards"]["open"] == 3


def test_with_redis_down_the_figures_are_computed(world, cases, api_client, settings, tmp_path):
    from firegrid.ops.testing import RedisServer, redis_or_skip

    redis_or_skip()
    server = RedisServer(tmp_path)  # never started: nothing listens on its port
    settings.CACHES = {"default": redis_settings(server.url)}
    settings.DASHBOARD_CACHE_SECONDS = 30
    assert figures(api_client, world.street_officer)["hazards"]["open"] == 3
    close_behind_the_cache(cases[0])
    assert figures(api_client, world.street_officer)["hazards"]["open"] == 2


def break_the_organisation_behind_the_cache():
    """Every unit closed with update() (no signal): the organisation's figures change, unseen."""
    OrgUnit.objects.update(is_active=False)


def test_the_organisations_figures_outlive_hazard_writes(world, cases, api_client, dashboard_cache):
    first = figures(api_client, world.district_admin)["organisation"]
    break_the_organisation_behind_the_cache()
    changed = kpis.org_figures(world.district, timezone.localdate())
    assert changed != first  # the change shows when counted directly
    # the admin's own hazard transition makes the dashboard be computed again, but not the
    # organisation's part
    with audit.acting_as(world.district_admin, "page"):
        actions.confirm(cases[1], actor=world.street_officer, severity="major")
    again = figures(api_client, world.district_admin)
    assert again["hazards"]["major_open"] == 1  # fresh
    assert again["organisation"] == first  # kept
    # the admin's write to the organisation through save() makes it fresh
    unit = OrgUnit.objects.first()
    with audit.acting_as(world.district_admin, "admin"):
        unit.save()
    assert figures(api_client, world.district_admin)["organisation"] == changed


def test_the_organisations_figures_are_per_region_and_day(world, cases, api_client, dashboard_cache):
    district = figures(api_client, world.district_admin)["organisation"]
    street = figures(api_client, world.street_officer)["organisation"]
    assert district == kpis.org_figures(world.district, timezone.localdate())
    assert street == kpis.org_figures(world.street, timezone.localdate())
    assert district["streets"] == 2 and street["streets"] == 1
    today = timezone.localdate()
    key_today = kpis.cached_org_figures(world.street, today, 30)
    tomorrow = today + datetime.timedelta(days=1)
    break_the_organisation_behind_the_cache()
    assert kpis.cached_org_figures(world.street, today, 30) == key_today  # from the cache
    assert kpis.cached_org_figures(world.street, tomorrow, 30) == kpis.org_figures(world.street, tomorrow)


def test_a_login_does_not_make_the_organisations_figures_stale(world, cases, api_client, dashboard_cache):
    first = figures(api_client, world.district_admin)["organisation"]
    break_the_organisation_behind_the_cache()
    world.street_officer.last_login = timezone.now()
    world.street_officer.save(update_fields=["last_login"])
    close_behind_the_cache(cases[0])
    report(world.mall_a)  # the dashboard's own version moves on
    assert figures(api_client, world.district_admin)["organisation"] == first
