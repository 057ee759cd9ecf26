"""The place pages in Debian's Chromium (Playwright), on a phone-sized screen."""

import pytest

from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings):
    settings.AXES_ENABLED = False
    return build_world()  # restores the rule set that transactional flushes remove


def test_street_officer_filters_places_and_reads_why_a_place_is_graded(live_server, live_world, phone_page):
    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/places/")
    assert_fits_phone(page)
    assert "沙溪超市" not in page.content()  # the other street
    page.click("details.filter-panel > summary")
    page.select_option("select[name=kind]", "mall_market")
    page.click("details.filter-panel button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "kind=mall_market" in page.url
    rows = page.locator("table.place-table tbody tr")
    assert rows.count() == 1
    assert "古南商场" in rows.first.inner_text()
    assert_fits_phone(page)
    rows.first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/places/{live_world.mall_a.pk}/")
    reasons = page.locator("ol.reasons li")
    assert reasons.count() >= 2
    assert "key-mall-1000" in page.locator("ol.reasons").inner_text()
    assert page.locator(".code-box img").evaluate("img => img.naturalWidth") > 0  # the QR loads
    assert_fits_phone(page)
    page.goto(f"{live_server.url}/places/rules/")
    assert page.locator("table.rule-table tbody tr").count() > 20
    assert_fits_phone(page)


def test_public_code_page_fits_a_phone_without_login(live_server, live_world, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/q/{live_world.shop_a.code}/")
    assert "桥河便利店" in page.content()
    assert page.locator("a[href='tel:96119']").count() >= 1
    assert_fits_phone(page)
