"""The map's layers: grids coloured by KPIs, open hazards and devices, all scoped to the user."""

import datetime
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid.dashboard import map_layers, map_views
from firegrid.hazards import actions, reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.iot.models import Device
from firegrid.iot.pipeline import ingest
from firegrid.iot.testing import make_device, message
from firegrid.org.choices import RegionLevel
from firegrid.org.testing import make_region
from firegrid.places.models import Place


@pytest.fixture
def cases(world):
    category = HazardCategory.objects.get(code="evacuation")

    def report(place, **kw):
        return reports.report(
            description="通道堵塞",
            category=category,
            place=place,
            source=Source.PUBLIC,
            channel=Channel.WEB,
            **kw,
        )

    open_a = report(world.shop_a)
    major_a = report(world.mall_a)
    actions.confirm(major_a, actor=world.street_officer, severity="major")
    closed_a = report(world.school_a)
    actions.reject(closed_a, actor=world.street_officer, reason="重复")
    late_b = report(world.hotel_b)
    HazardCase.objects.filter(pk=late_b.pk).update(step_due=timezone.now() - datetime.timedelta(days=1))
    s2 = report(world.shop_s2)
    return {"open_a": open_a, "major_a": major_a, "closed_a": closed_a, "late_b": late_b, "s2": s2}


@pytest.fixture
def devices(world):
    alarmed, key = make_device("smoke_detector", place=world.shop_a)
    ingest([(alarmed.ident, message(key, events=["smoke"]))])
    offline, _key = make_device("electrical_monitor", place=world.hotel_b)
    Device.objects.filter(pk=offline.pk).update(status="offline")
    other, _key = make_device("smoke_detector", place=world.shop_s2)
    return {"alarmed": alarmed, "offline": offline, "other": other}


def get(api_client, user, url, **params):
    api_client.force_authenticate(user)
    return api_client.get(url, params)


def grids(api_client, user, **params):
    r = get(api_client, user, "/api/v1/map/grids/", **params)
    assert r.status_code == 200, r.content
    return r.data


def values(data):
    return {f["properties"]["code"]: f["properties"]["value"] for f in data["features"]}


def test_grid_values_per_kpi(world, cases, devices, api_client):
    Place.objects.filter(pk=world.shop_a.pk).update(last_inspected_on=timezone.localdate())
    a, b, s2 = world.grid_a.code, world.grid_b.code, world.grid_s2.code
    expected = {
        "open_hazards": {a: 2, b: 1, s2: 1},
        "overdue_hazards": {a: 0, b: 1, s2: 0},
        "places": {a: 3, b: 1, s2: 1},
        "coverage_pct": {a: 33.3, b: 0.0, s2: 0.0},
        "active_alarms": {a: 1, b: 0, s2: 0},
        "offline_devices": {a: 0, b: 1, s2: 0},
    }
    for kpi, want in expected.items():
        data = grids(api_client, world.district_admin, kpi=kpi)
        assert values(data) == want, kpi
        assert data["kpi"]["name"] == kpi and data["truncated"] is False
        assert data["region"]["code"] == world.district.code
    data = grids(api_client, world.district_admin)  # the default KPI
    assert data["kpi"]["name"] == "open_hazards"
    feature = next(f for f in data["features"] if f["properties"]["code"] == a)
    assert feature["geometry"]["type"] == "Polygon"
    props = feature["properties"]
    assert props["name"] == world.grid_a.name and props["bucket"] == 2
    assert props["colour"] == map_layers.PALETTE[2]
    assert {row["label"] for row in data["legend"]} >= {"0", "1", "2"}


def test_grids_without_places_have_no_coverage(world, api_client):
    Place.objects.filter(region=world.grid_b).update(status="closed")
    data = grids(api_client, world.district_admin, kpi="coverage_pct")
    assert values(data)[world.grid_b.code] is None
    grid_b = next(f for f in data["features"] if f["properties"]["code"] == world.grid_b.code)
    assert grid_b["properties"]["bucket"] is None and grid_b["properties"]["colour"] == map_layers.NO_DATA
    assert any(row["bucket"] is None for row in data["legend"])


def test_grids_are_scoped(world, cases, api_client):
    assert values(grids(api_client, world.grid_worker_a)) == {world.grid_a.code: 2}
    assert values(grids(api_client, world.grid_worker_b)) == {world.grid_b.code: 1}
    assert values(grids(api_client, world.street2_officer)) == {world.grid_s2.code: 1}
    street = grids(api_client, world.street_officer)
    assert values(street) == {world.grid_a.code: 2, world.grid_b.code: 1}
    assert values(grids(api_client, world.street_officer, region=world.grid_b.code)) == {world.grid_b.code: 1}
    # the police station sees the grids of its area, counting only the places it supervises
    assert values(grids(api_client, world.police_officer)) == {world.grid_a.code: 0, world.grid_b.code: 1}
    assert grids(api_client, world.nobody)["features"] == []
    for user, code in (
        (world.grid_worker_a, world.grid_b.code),
        (world.grid_worker_a, world.district.code),
        (world.street2_officer, world.street.code),
        (world.street_officer, world.grid_s2.code),
        (world.street_officer, "NO-SUCH"),
    ):
        assert get(api_client, user, "/api/v1/map/grids/", region=code).status_code == 403, (user, code)


def test_grids_bad_kpi_is_a_400_naming_it(world, api_client):
    r = get(api_client, world.district_admin, "/api/v1/map/grids/", kpi="nonsense")
    assert r.status_code == 400 and "kpi" in r.data


def test_grid_values_take_a_fixed_number_of_queries(world, cases, api_client):
    api_client.force_authenticate(world.district_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get("/api/v1/map/grids/", {"kpi": "coverage_pct"}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the user's grants are cached after the first request
    before = count()
    assert before <= 4
    for i in range(5):
        make_region(
            f"T50101{i + 3:02d}",
            f"网格{i}",
            RegionLevel.GRID,
            world.community,
            (106.0, 28.1 + i * 0.01, 0.01),
        )
    assert count() == before + 1  # the new grids' boundaries, read once for all of them
    assert count() == before  # then kept, prepared, until a boundary changes
    assert len(grids(api_client, world.district_admin)["features"]) == 8


def test_a_changed_boundary_is_not_served_from_the_prepared_ones(world, api_client):
    def geometry():
        features = grids(api_client, world.district_admin)["features"]
        return next(f["geometry"] for f in features if f["id"] == world.grid_a.pk)

    first = geometry()
    square = [[106.0, 28.0], [106.001, 28.0], [106.001, 28.001], [106.0, 28.001], [106.0, 28.0]]
    type(world.grid_a).objects.filter(pk=world.grid_a.pk).update(
        boundary={"type": "Polygon", "coordinates": [square]}
    )
    assert geometry() == {"type": "Polygon", "coordinates": [square]} != first


def test_large_boundaries_are_simplified_and_grids_capped(world, api_client, monkeypatch):
    n = 400  # a near-circle: far more vertices than the map needs
    ring = [
        [106.05 + 0.04 * math.cos(2 * math.pi * i / n), 28.15 + 0.04 * math.sin(2 * math.pi * i / n)]
        for i in range(n)
    ]
    ring.append(ring[0])
    from firegrid.org.models import Region

    big = Region(
        code="T5010199",
        name="大网格",
        level=RegionLevel.GRID,
        parent=world.community,
        boundary={"type": "Polygon", "coordinates": [ring]},
    )
    big.full_clean()
    big.save()
    data = grids(api_client, world.district_admin)
    shape = next(f for f in data["features"] if f["properties"]["code"] == "T5010199")["geometry"]
    assert 4 < len(shape["coordinates"][0]) < n
    monkeypatch.setattr(map_views, "GRID_LIMIT", 2)
    data = grids(api_client, world.district_admin)
    assert data["truncated"] is True and len(data["features"]) == 2


def hazards(api_client, user, **params):
    r = get(api_client, user, "/api/v1/map/hazards/", **params)
    assert r.status_code == 200, r.content
    return {f["properties"]["tracking_code"]: f for f in r.data["features"]}, r.data


def test_hazards_layer(world, cases, api_client):
    found, data = hazards(api_client, world.district_admin)
    assert data["type"] == "FeatureCollection" and data["truncated"] is False
    codes = {c.tracking_code for key, c in cases.items() if key != "closed_a"}
    assert set(found) == codes  # the rejected case is not open
    late = found[cases["late_b"].tracking_code]
    assert late["properties"]["overdue"] is True and late["properties"]["status"] == "reported"
    assert late["properties"]["url"] == f"/hazards/{cases['late_b'].pk}/"
    assert late["geometry"]["coordinates"] == [world.hotel_b.lng, world.hotel_b.lat]
    major = found[cases["major_a"].tracking_code]["properties"]
    assert major["severity"] == "major" and major["overdue"] is False and major["category"]
    assert major["level"] == "street"  # a major hazard goes to the street
    # bbox: grid A only
    found, _data = hazards(api_client, world.district_admin, bbox="106.0,28.0,106.1,28.1")
    assert set(found) == {cases["open_a"].tracking_code, cases["major_a"].tracking_code}


def test_hazards_layer_is_scoped(world, cases, api_client):
    assert set(hazards(api_client, world.grid_worker_a)[0]) == {
        cases["open_a"].tracking_code,
        cases["major_a"].tracking_code,
    }
    assert set(hazards(api_client, world.grid_worker_b)[0]) == {cases["late_b"].tracking_code}
    assert set(hazards(api_client, world.street2_officer)[0]) == {cases["s2"].tracking_code}
    assert set(hazards(api_client, world.police_officer)[0]) == {cases["late_b"].tracking_code}
    assert hazards(api_client, world.nobody)[0] == {}
    # a bbox over someone else's area shows nothing more
    assert hazards(api_client, world.grid_worker_a, bbox="106.5,28.0,107.0,28.5")[0] == {}


def test_hazards_without_a_location_are_left_out(world, cases, api_client):
    HazardCase.objects.filter(pk=cases["open_a"].pk).update(lat=None, lng=None)
    assert cases["open_a"].tracking_code not in hazards(api_client, world.district_admin)[0]


def devices_layer(api_client, user, **params):
    r = get(api_client, user, "/api/v1/map/devices/", **params)
    assert r.status_code == 200, r.content
    return {f["properties"]["ident"]: f["properties"] for f in r.data["features"]}, r.data


def test_devices_layer(world, devices, api_client):
    found, data = devices_layer(api_client, world.district_admin)
    assert set(found) == {d.ident for d in devices.values()} and data["truncated"] is False
    alarmed = found[devices["alarmed"].ident]
    assert (alarmed["status"], alarmed["alarm"], alarmed["state"]) == ("online", "fire", "alarm")
    offline = found[devices["offline"].ident]
    assert (offline["alarm"], offline["state"]) == (None, "offline")
    assert found[devices["other"].ident]["state"] == "unknown"
    if offline["url"] is not None:  # the device page exists once the IoT pages are in
        assert offline["url"] == f"/iot/devices/{devices['offline'].pk}/"
    found, _data = devices_layer(api_client, world.district_admin, bbox="106.1,28.0,106.2,28.1")
    assert set(found) == {devices["offline"].ident}


def test_devices_layer_is_scoped(world, devices, api_client):
    assert set(devices_layer(api_client, world.grid_worker_a)[0]) == {devices["alarmed"].ident}
    assert set(devices_layer(api_client, world.street_officer)[0]) == {
        devices["alarmed"].ident,
        devices["offline"].ident,
    }
    assert set(devices_layer(api_client, world.street2_officer)[0]) == {devices["other"].ident}
    assert devices_layer(api_client, world.nobody)[0] == {}
    Device.objects.filter(pk=devices["alarmed"].pk).update(is_active=False)
    assert devices_layer(api_client, world.grid_worker_a)[0] == {}


@pytest.mark.parametrize("url", ["/api/v1/map/hazards/", "/api/v1/map/devices/"])
@pytest.mark.parametrize(
    "bbox",
    ["", "abc", "1,2,3", "106.1,28,106.0,28.1", "106,28.1,106.1,28", "200,0,201,1", "0,-91,1,0", "nan,0,1,1"],
)
def test_bad_bbox_is_a_400_naming_it(world, api_client, url, bbox):
    r = get(api_client, world.district_admin, url, bbox=bbox)
    assert r.status_code == 400 and "bbox" in r.data, (bbox, r.content)


def test_point_layers_are_capped(world, cases, devices, api_client, monkeypatch):
    monkeypatch.setattr(map_views, "POINT_LIMIT", 2)
    found, data = hazards(api_client, world.district_admin)
    assert data["truncated"] is True and len(found) == 2
    found, data = devices_layer(api_client, world.district_admin)
    assert data["truncated"] is True and len(found) == 2
    found, data = hazards(api_client, world.grid_worker_a)
    assert data["truncated"] is False and len(found) == 2


def test_anonymous_gets_no_layer(world, api_client):
    for url in ("/api/v1/map/grids/", "/api/v1/map/hazards/", "/api/v1/map/devices/"):
        assert api_client.get(url).status_code in (401, 403)


def test_the_registry_feeds_the_page_and_takes_new_layers(world):
    names = [layer["name"] for layer in map_layers.page_layers()]
    assert names[:4] == ["grids", "places", "hazards", "devices"]
    # the facilities layer is registered ahead of its app: drawn once its endpoint exists
    assert ("facilities" in names) == (map_layers.url_or_none("facility-geojson") is not None)
    places = next(layer for layer in map_layers.page_layers() if layer["name"] == "places")
    assert places["url"] == "/api/v1/places/geojson/" and places["link"] == "/places/{id}/"
    extra = map_layers.register(map_layers.Layer("extra", "Extra", "api-map-hazards", default_on=False))
    try:
        assert "extra" in [layer["name"] for layer in map_layers.page_layers()]
    finally:
        del map_layers.LAYERS[extra.name]


def test_the_page(world, client, settings):
    assert client.get("/map/").status_code == 302
    client.force_login(world.street_officer)
    r = client.get("/map/")
    page = r.content.decode()
    assert r.status_code == 200
    assert 'id="fg-map"' in page and 'id="map-config"' in page and "dashboard/map.js" in page
    assert 'data-layer="hazards"' in page and 'data-layer="grids"' in page
    assert 'href="/map/"' in page  # the nav link
    config = r.context["map_config"]
    assert config["region"] == world.street.code and config["tile_url"] == ""
    assert config["bounds"] == [[28.0, 106.0], [28.5, 106.5]]
    assert world.community.name in page  # a region below to go to
    assert client.get(f"/map/?region={world.street2.code}").status_code == 403
    r = client.get(f"/map/?region={world.grid_b.code}&kpi=coverage_pct")
    assert r.status_code == 200 and r.context["kpi"].name == "coverage_pct"
    assert r.context["parent"] == world.community
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert client.get("/map/").context["map_config"]["tile_url"] == settings.MAP_TILE_URL
    client.force_login(world.grid_worker_a)
    r = client.get("/map/")
    assert r.context["map_config"]["region"] == world.grid_a.code and r.context["parent"] is None


def test_the_page_fits_a_region_without_a_boundary_to_its_grids(world, client):
    from firegrid.org.models import Region

    Region.objects.filter(pk=world.community.pk).update(
        min_lat=None, min_lng=None, max_lat=None, max_lng=None
    )
    client.force_login(world.street_officer)
    r = client.get(f"/map/?region={world.community.code}")
    (south, west), (north, east) = r.context["map_config"]["bounds"]
    assert (south, west, north, east) == pytest.approx((28.0, 106.0, 28.1, 106.2))


def test_the_map_index_lists_the_open_statuses():
    import importlib

    from firegrid.hazards.choices import OPEN_STATUSES

    migration = importlib.import_module("firegrid.hazards.migrations.0007_map_open_cases_index")
    assert set(migration.OPEN) == {str(s) for s in OPEN_STATUSES}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_a_street_hazard_layer_reads_the_map_index_only(world, cases):
    """The layer's query must stay one the partial covering index answers (its WHERE implies the
    index's: open statuses, located) and read no column the index lacks (an index-only scan).

    At test scale every plan costs about the same (runs differed), so the other indexes that could
    find the street's open cases are dropped inside the test's transaction (rolled back after it)
    and 4,000 closed cases make the primary key's walk dear: the index is then chosen if it can
    answer the query at all."""
    closed = []
    for i in range(4000):
        clone = HazardCase.objects.get(pk=cases["open_a"].pk)
        clone.pk, clone.finding_id, clone.tracking_code, clone.status = None, None, f"IDX{i:06d}", "closed"
        closed.append(clone)
    HazardCase.objects.bulk_create(closed, batch_size=1000)
    with CaptureQueriesContext(connection) as ctx:
        map_views.hazards_collection(world.street_officer, (106.0, 28.0, 106.5, 28.5))
    query = max(ctx.captured_queries, key=lambda q: len(q["sql"]))["sql"]
    assert "hazards_hazardcase" in query
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = 'hazards_hazardcase'::regclass AND i.relname <> 'hazard_open_map_idx'"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        )
        others = [row[0] for row in cursor.fetchall()]
        assert "hazard_open_region_idx" in others
        for name in others:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ANALYZE hazards_hazardcase")
        for method in ("seqscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute("EXPLAIN " + query)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using hazard_open_map_idx" in plan, plan
