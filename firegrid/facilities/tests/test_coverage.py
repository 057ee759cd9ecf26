"""Coverage: places and grids with no WORKING water source within the distance."""

import pytest

from firegrid.facilities import actions, coverage
from firegrid.facilities.choices import FacilityKind
from firegrid.facilities.tests.conftest import make_facility, north_of

pytestmark = pytest.mark.django_db


def gap_names(user, distance=None, **kwargs):
    return {g.place.name for g in coverage.place_gaps(user, distance, **kwargs)}


def test_the_haversine_helper_matches_the_test_geometry():
    assert coverage.haversine_m(28.05, 106.05, north_of(28.05, 140), 106.05) == pytest.approx(140, abs=0.01)


@pytest.mark.parametrize(("metres", "covered"), [(140, True), (160, False)])
def test_a_place_near_or_far_from_the_only_working_hydrant(world, metres, covered):
    shop = world.shop_a  # 28.05, 106.05 in grid A
    make_facility("唯一消火栓", FacilityKind.HYDRANT, north_of(shop.lat, metres), shop.lng)
    assert (shop.name not in gap_names(world.district_admin)) is covered


def test_a_damaged_hydrant_does_not_count(world):
    shop = world.shop_a
    hydrant = make_facility("消火栓", FacilityKind.HYDRANT, north_of(shop.lat, 50), shop.lng)
    assert shop.name not in gap_names(world.district_admin)
    actions.record_check(hydrant, actor=world.grid_worker_a, status_after="damaged")
    assert shop.name in gap_names(world.district_admin)
    planned = make_facility(
        "规划消火栓", FacilityKind.HYDRANT, north_of(shop.lat, 20), shop.lng, status="planned"
    )
    assert planned.status == "planned" and shop.name in gap_names(world.district_admin)


def test_the_distance_is_a_setting_and_a_parameter(world, settings):
    shop = world.shop_a
    make_facility("消火栓", FacilityKind.HYDRANT, north_of(shop.lat, 200), shop.lng)
    assert shop.name in gap_names(world.district_admin)  # default 150 m
    settings.FACILITY_COVERAGE_METRES = 250
    assert shop.name not in gap_names(world.district_admin)
    assert shop.name in gap_names(world.district_admin, 199)


def test_a_pool_counts_unless_only_hydrants_are_asked_for(world):
    shop = world.shop_a
    make_facility("水池", FacilityKind.POOL, north_of(shop.lat, 100), shop.lng, volume_m3=300)
    assert shop.name not in gap_names(world.district_admin)
    assert shop.name in gap_names(world.district_admin, kinds=(FacilityKind.HYDRANT,))


def test_a_source_across_the_grid_edge_covers_the_place(world):
    # a place in grid A near its eastern edge, a hydrant just over the edge in grid B
    from firegrid.org.testing import make_place

    place = make_place("边界商店", "shop", 28.05, 106.0995)
    make_facility("对面消火栓", FacilityKind.HYDRANT, 28.05, 106.1005)
    assert place.name not in gap_names(world.grid_worker_a)


def test_grids_without_a_source(world):
    shop = world.shop_a
    make_facility("消火栓", FacilityKind.HYDRANT, north_of(shop.lat, 10), shop.lng)
    grids = {g.grid.code: g for g in coverage.grid_gaps(world.district_admin)}
    assert grids["T5010101"].has_source  # the hydrant lies in grid A
    assert not grids["T5010102"].has_source and not grids["T5020101"].has_source


def test_scoped_lists_pages_and_layers(world, client, api_client):
    assert gap_names(world.grid_worker_a) == {"桥河便利店", "古南商场", "桥河小学"}
    assert gap_names(world.street2_officer) == {"沙溪超市"}
    assert gap_names(world.police_officer) == set() and gap_names(world.nobody) == set()
    assert coverage.grid_gaps(world.nobody) == []

    client.force_login(world.grid_worker_a)
    page = client.get("/facilities/coverage/?distance=150").content.decode()
    assert "桥河便利店" in page and "沙溪超市" not in page
    assert client.get("/facilities/coverage/?distance=-3").status_code == 200  # a message, not a 500

    api_client.force_authenticate(world.grid_worker_a)
    data = api_client.get("/api/v1/facilities/coverage/?distance=150").json()
    assert {p["name"] for p in data["places"]} == {"桥河便利店", "古南商场", "桥河小学"}
    layer = api_client.get("/api/v1/facilities/coverage/geojson/?what=places").json()
    assert layer["type"] == "FeatureCollection"
    assert {f["properties"]["name"] for f in layer["features"]} == {"桥河便利店", "古南商场", "桥河小学"}
    grids = api_client.get("/api/v1/facilities/coverage/geojson/?what=grids").json()
    assert [f["properties"]["code"] for f in grids["features"]] == ["T5010101"]
    assert api_client.get("/api/v1/facilities/coverage/?distance=abc").status_code == 400
    api_client.force_authenticate(world.nobody)
    assert api_client.get("/api/v1/facilities/coverage/").json()["places"] == []
