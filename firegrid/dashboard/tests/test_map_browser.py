"""The map on a phone, in Debian's Chromium (Playwright): grids drawn, layers toggled, popups."""

import pytest

from firegrid.hazards import reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCategory
from firegrid.org.models import Region
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings):
    settings.AXES_ENABLED = False
    settings.MAP_TILE_URL = ""  # no tiles: the grid boundaries are the base
    return build_world()


def test_the_map_on_a_phone(live_server, live_world, phone_page, tmp_path):
    case = reports.report(
        description="路边违规停车堵塞消防通道",
        category=HazardCategory.objects.get(code="evacuation"),
        lat=28.065,
        lng=106.035,  # in grid A, away from the places
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    grids_in_scope = Region.objects.restrict(live_world.street_officer).grids().count()
    assert grids_in_scope == 2

    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#fg-map[data-loaded-grids]")
    assert page.locator(".leaflet-overlay-pane svg path").count() >= grids_in_scope
    assert page.locator(".leaflet-overlay-pane path.fg-grid").count() == grids_in_scope
    assert page.locator(".leaflet-tile-pane img").count() == 0  # no tile layer without a URL
    assert page.locator("#map-legend").inner_text().strip()
    box = page.locator("#fg-map").bounding_box()
    assert box["height"] >= 300 and box["width"] <= 390
    assert_fits_phone(page)

    hazards = page.locator(".leaflet-overlay-pane path.fg-hazards")
    toggle = page.locator("#map-layers input[data-layer=hazards]")
    hazards.first.wait_for()
    toggle.uncheck()
    assert hazards.count() == 0
    toggle.check()
    hazards.first.wait_for()
    assert hazards.count() == 1

    hazards.first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert case.tracking_code in popup.inner_text()
    assert popup.locator(f"a[href='/hazards/{case.pk}/']").count() == 1
    page.wait_for_timeout(400)  # the popup fades in and pans the map
    page.screenshot(path=str(tmp_path / "map-popup.png"))

    # a grid's popup links to its command view
    page.locator("#map-layers input[data-layer=hazards]").uncheck()
    page.locator("#map-layers input[data-layer=places]").uncheck()
    page.locator(".leaflet-overlay-pane path.fg-grid").first.click()
    grid_popup = page.locator(".leaflet-popup-content", has=page.locator("a[href^='/dashboard/?region=']"))
    grid_popup.wait_for()
    assert grid_popup.locator("a[href^='/dashboard/?region=T50101']").count() == 1

    # another KPI recolours the grids in place
    page.select_option("#map-kpi", "places")
    page.wait_for_function("document.getElementById('map-legend').textContent.length > 0")
    page.wait_for_url("**kpi=places**")
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "map-phone.png"), full_page=True)
    assert (tmp_path / "map-phone.png").stat().st_size > 0
