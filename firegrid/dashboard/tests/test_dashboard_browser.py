"""The command view in Debian's Chromium: each persona, numbers that match the API, the chart, the
language switch, a phone screen."""

import json

import pytest

from firegrid.hazards import actions, reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCategory
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser

PERSONAS = ["district_admin", "street_officer", "grid_worker_a", "police_officer", "dept_staff", "unit_owner"]


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    world = build_world()
    category = HazardCategory.objects.get(code="evacuation")
    for place in (world.shop_a, world.hotel_b, world.school_a, world.shop_s2):
        case = reports.report(description="通道堵塞", category=category, place=place, source=Source.PUBLIC,
                              channel=Channel.WEB)
    actions.confirm(case, actor=world.district_admin, severity="major")
    return world


def api_figures(page, base):
    """The same figures through the API, with the logged-in browser session."""
    response = page.request.get(f"{base}/api/v1/dashboard/")
    assert response.ok, response.status
    return json.loads(response.text())


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_figures_that_match_the_api(live_server, live_world, phone_page, persona, tmp_path):
    page = phone_page
    log_in(page, live_server.url, persona)
    page.goto(f"{live_server.url}/dashboard/")
    figures = api_figures(page, live_server.url)
    shown = page.locator("[data-kpi=hazards_open] .kpi-value").inner_text().strip()
    assert shown == str(figures["hazards"]["open"])
    places = page.locator("[data-kpi=places] .kpi-value").inner_text().strip()
    assert places == str(figures["places"]["total"])
    page.wait_for_selector("#trend-chart[data-drawn='1']", timeout=10_000)
    assert page.locator("#trend-chart canvas").count() >= 1  # ECharts drew on its canvas
    painted = page.evaluate(
        "() => { const c = document.querySelector('#trend-chart canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 3; i < d.length; i += 4) if (d[i]) return true; return false; }"
    )
    assert painted
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / f"dashboard-{persona}.png"), full_page=True)


def test_scopes_differ_and_the_language_switches(live_server, live_world, phone_page):
    page = phone_page
    log_in(page, live_server.url, "grid_worker_a")
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "指挥" in page.locator("h1").inner_text()  # the Chinese title
    grid = api_figures(page, live_server.url)
    assert grid["region"]["code"] == live_world.grid_a.code and grid["hazards"]["open"] == 2
    page.click("label.nav-toggle-label")  # on a phone the language switch sits in the menu
    with page.expect_navigation():
        page.click("form.lang-form button[value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Command view" in page.locator("h1").inner_text()
    assert_fits_phone(page)
