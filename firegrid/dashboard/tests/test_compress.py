"""The command view's JSON API is gzipped for clients that accept it; HTML (DRF's browsable API,
which carries a CSRF token) never is."""

import gzip
import json

import pytest

LAYERS = [
    "/api/v1/map/grids/?kpi=open_hazards",
    "/api/v1/map/hazards/",
    "/api/v1/map/devices/",
    "/api/v1/dashboard/",
    "/api/v1/facilities/geojson/",
    "/api/v1/facilities/coverage/geojson/",
]


@pytest.fixture
def located_cases(world):
    from firegrid.hazards import reports
    from firegrid.hazards.choices import Channel, Source
    from firegrid.hazards.models import HazardCategory

    category = HazardCategory.objects.get(code="evacuation")
    for place in (world.shop_a, world.mall_a, world.hotel_b, world.shop_s2):
        reports.report(
            description="通道堵塞", category=category, place=place, source=Source.PUBLIC, channel=Channel.WEB
        )


def add_facilities(world):
    from firegrid.facilities.actions import save_facility
    from firegrid.facilities.choices import FacilityKind
    from firegrid.facilities.models import Facility

    for n, (lat, lng) in enumerate([(28.05, 106.05), (28.06, 106.06), (28.05, 106.15), (28.05, 106.55)]):
        save_facility(Facility(name=f"消火栓{n}", kind=FacilityKind.HYDRANT, lat=lat, lng=lng))


@pytest.mark.parametrize("url", LAYERS)
def test_json_is_gzipped_when_accepted(world, located_cases, api_client, url):
    from firegrid.iot.testing import make_device

    make_device("smoke_detector", place=world.shop_a)
    make_device("smoke_detector", place=world.hotel_b)
    add_facilities(world)
    api_client.force_authenticate(world.district_admin)
    plain = api_client.get(url)
    assert plain.status_code == 200
    assert not plain.has_header("Content-Encoding")
    zipped = api_client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert zipped["Content-Type"].startswith("application/json")
    assert json.loads(gzip.decompress(zipped.content)) == json.loads(plain.content)
    if "grids" in url or "hazards" in url:  # big enough to be worth it: a real saving
        assert len(zipped.content) < len(plain.content)


def test_errors_are_json_and_may_be_gzipped_too(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.get("/api/v1/map/grids/?kpi=nonsense", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 400
    body = gzip.decompress(response.content) if response.has_header("Content-Encoding") else response.content
    assert "kpi" in json.loads(body)


def test_the_browsable_api_is_never_gzipped(world, api_client):
    """BREACH: the browsable API's HTML carries the CSRF token next to reflected query text."""
    api_client.force_authenticate(world.district_admin)
    response = api_client.get(
        "/api/v1/map/grids/?kpi=open_hazards", HTTP_ACCEPT="text/html", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not response.has_header("Content-Encoding")
    assert b"csrfToken" in response.content  # the secret BREACH would go after
