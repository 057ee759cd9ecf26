"""The command view's figures: right numbers, scoped to the user, linked to their lists."""

import datetime

import pytest
from django.utils import timezone

from firegrid.hazards import actions, reports, tally
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.iot.pipeline import ingest
from firegrid.iot.testing import make_device, message


@pytest.fixture
def cases(world):
    category = HazardCategory.objects.get(code="evacuation")

    def report(place, **kw):
        return reports.report(
            description="通道堵塞",
            category=category,
            place=place,
            source=kw.pop("source", Source.PUBLIC),
            channel=Channel.WEB,
            **kw,
        )

    open_a = report(world.shop_a)
    major_a = report(world.mall_a)
    actions.confirm(major_a, actor=world.street_officer, severity="major")
    closed_a = report(world.shop_a, source=Source.PATROL)
    for step in ("confirm", "order"):
        getattr(actions, step)(closed_a, actor=world.grid_worker_a)
    actions.rectified(closed_a, actor=world.grid_worker_a, note="ok")
    actions.reinspect(closed_a, actor=world.grid_worker_a, passed=True)
    actions.close(closed_a, actor=world.grid_worker_a)
    HazardCase.objects.filter(pk=closed_a.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    late_b = report(world.hotel_b)
    HazardCase.objects.filter(pk=late_b.pk).update(step_due=timezone.now() - datetime.timedelta(days=1))
    other_street = report(world.shop_s2)
    tally.rebuild()  # the two update()s above bypass the case tally
    return {"open_a": open_a, "major_a": major_a, "closed_a": closed_a, "late_b": late_b, "s2": other_street}


def figures(api_client, user, **params):
    api_client.force_authenticate(user)
    r = api_client.get("/api/v1/dashboard/", params)
    assert r.status_code == 200, r.content
    return r.data


def test_district_figures(world, cases, api_client):
    data = figures(api_client, world.district_admin)
    h = data["hazards"]
    assert data["region"]["code"] == world.district.code
    assert (h["open"], h["major_open"], h["overdue"]) == (4, 1, 1)
    assert h["reported_this_year"] == 5 and h["closed_this_year"] == 1 and h["public_this_year"] == 4
    assert h["closure_rate_pct"] == 20.0
    assert h["median_days_to_close"] == pytest.approx(4.0, abs=0.1)
    assert data["places"]["total"] == 5
    assert data["organisation"]["streets"] == 2
    assert sum(data["trends"]["hazards_reported"]) == 5 and sum(data["trends"]["hazards_closed"]) == 1
    assert len(data["trends"]["months"]) == 12


def test_a_grid_worker_sees_their_grid_only(world, cases, api_client):
    data = figures(api_client, world.grid_worker_a)
    assert data["region"]["code"] == world.grid_a.code
    assert data["hazards"]["open"] == 2  # open_a and major_a; not grid B, not the other street
    assert data["places"]["total"] == 3
    api_client.force_authenticate(world.grid_worker_a)
    assert api_client.get("/api/v1/dashboard/", {"region": world.grid_b.code}).status_code == 403
    assert api_client.get("/api/v1/dashboard/", {"region": world.district.code}).status_code == 403


def test_a_street_officer_drills_down_inside_their_street(world, cases, api_client):
    street = figures(api_client, world.street_officer)
    assert street["region"]["code"] == world.street.code and street["hazards"]["open"] == 3
    grid_b = figures(api_client, world.street_officer, region=world.grid_b.code)
    assert grid_b["hazards"]["open"] == 1 and grid_b["hazards"]["overdue"] == 1
    api_client.force_authenticate(world.street_officer)
    assert api_client.get("/api/v1/dashboard/", {"region": world.street2.code}).status_code == 403


def test_police_figures_count_only_the_places_they_supervise(world, cases, api_client):
    data = figures(api_client, world.police_officer)
    assert data["hazards"]["open"] == 1  # the hotel
    assert data["places"]["total"] == 1


def test_devices_and_alarms(world, api_client):
    device, key = make_device("smoke_detector", place=world.shop_a)
    make_device("smoke_detector", place=world.shop_s2)
    ingest([(device.ident, message(key, events=["smoke"]))])
    data = figures(api_client, world.street_officer)
    d = data["devices"]
    assert (d["total"], d["online"], d["unknown"], d["online_rate_pct"]) == (1, 1, 0, 100.0)
    assert d["active_alarms"] == {"fire": 1, "fault": 0, "warning": 0}
    assert sum(data["trends"]["alarms"]) == 1
    assert figures(api_client, world.district_admin)["devices"]["total"] == 2


def test_nobody_and_anonymous_get_nothing(world, api_client, client):
    api_client.force_authenticate(world.nobody)
    r = api_client.get("/api/v1/dashboard/")
    assert r.status_code == 200 and r.data["hazards"]["open"] == 0 and r.data["places"]["total"] == 0
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/dashboard/").status_code in (401, 403)
    assert client.get("/dashboard/").status_code == 302


def test_the_page_shows_the_figures_with_links(world, cases, client):
    client.force_login(world.street_officer)
    r = client.get("/dashboard/")
    page = r.content.decode()
    assert r.status_code == 200
    assert f"/hazards/?region={world.street.code}&amp;state=open" in page
    assert 'data-kpi="hazards_open"' in page and ">3</a>" in page
    assert world.community.name in page  # drill-down to the region below
    assert client.get(f"/dashboard/?region={world.street2.code}").status_code == 403


def test_overdue_counted_beside_the_open_cases_agrees_with_the_queryset(world, cases):
    from firegrid.dashboard.kpis import late_q

    now = timezone.now() + datetime.timedelta(days=40)  # every deadline passed for some cases
    for when in (timezone.now(), now):
        late = HazardCase.objects.open().filter(late_q(when))
        assert late.count() == HazardCase.objects.overdue(when).count()


def test_the_partial_index_lists_the_open_statuses():
    import importlib

    from firegrid.hazards.choices import OPEN_STATUSES

    migration = importlib.import_module("firegrid.hazards.migrations.0006_dashboard_indexes")
    assert set(migration.OPEN) == {str(s) for s in OPEN_STATUSES}


def test_the_cache_is_off_by_default_and_keyed_by_grants(world, cases, api_client, settings):
    from firegrid.dashboard import kpis

    assert kpis.cache_seconds() == 0
    street = world.street
    officer = kpis._cache_key(world.street_officer, street, None)
    assert officer != kpis._cache_key(world.district_admin, street, None)
    assert officer != kpis._cache_key(world.street_officer, world.grid_a, None)
    settings.DASHBOARD_CACHE_SECONDS = 30
    try:
        before = figures(api_client, world.grid_worker_a)
        HazardCase.objects.filter(pk=cases["open_a"].pk).update(status="closed")
        tally.rebuild()  # what update() bypasses (the cache is not told of either)
        assert figures(api_client, world.grid_worker_a)["hazards"] == before["hazards"]  # served again
        assert figures(api_client, world.street_officer)["hazards"]["open"] == 2  # another scope: fresh
    finally:
        from django.core.cache import cache

        cache.clear()
