"""Real pages in Debian's Chromium (Playwright), on a phone-sized screen."""

import pytest

from firegrid.org.testing import PASSWORD, build_world

pytestmark = pytest.mark.browser

PERSONAS = ["district_admin", "street_officer", "grid_worker_a", "police_officer", "dept_staff"]


@pytest.fixture
def live_world(transactional_db, settings):
    settings.AXES_ENABLED = False
    return build_world()


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def expand(page, region):
    # click the disclosure marker, not the region's link inside the summary
    summary = page.locator(f"[hx-get='/regions/{region.pk}/children/'] > summary").first
    summary.click(position={"x": 4, "y": 8})


def assert_fits_phone(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_logs_in_and_sees_their_scope(live_server, live_world, phone_page, persona):
    page = phone_page
    log_in(page, live_server.url, persona)
    assert page.url.rstrip("/") == live_server.url.rstrip("/"), page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert persona in page.content()
    assert_fits_phone(page)
    page.goto(f"{live_server.url}/regions/")
    body = page.content()
    if persona == "grid_worker_a":
        assert "桥河一网格" in body and "桥河二网格" not in body and "文龙街道" not in body
    if persona == "street_officer":
        assert "古南街道" in body and "文龙街道" not in body
    assert_fits_phone(page)


def test_grid_worker_b_object_is_a_404_in_the_browser(live_server, live_world, phone_page):
    log_in(phone_page, live_server.url, "grid_worker_a")
    response = phone_page.goto(f"{live_server.url}/org/areas/{live_world.area_b.pk}/")
    assert response.status == 404
    response = phone_page.goto(f"{live_server.url}/org/areas/{live_world.area_a.pk}/")
    assert response.status == 200


def test_region_tree_expands_with_htmx_and_language_switches(live_server, live_world, phone_page):
    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/regions/")
    assert "桥河一网格" not in page.content()  # grids load lazily
    expand(page, live_world.street)
    page.wait_for_selector("text=桥河社区")
    expand(page, live_world.community)
    page.wait_for_selector("text=桥河一网格")
    page.click("label.nav-toggle-label")  # the menu is folded on a phone
    page.locator("form.lang-form button[value=en]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Regions" in page.content()


def test_compliance_table_and_card_pdf(live_server, live_world, phone_page):
    page = phone_page
    log_in(page, live_server.url, "district_admin")
    page.goto(f"{live_server.url}/compliance/")
    assert "古南街道" in page.content() and "文龙街道" in page.content()
    assert_fits_phone(page)
    response = page.request.get(f"{live_server.url}/org/areas/{live_world.area_a.pk}/card.pdf")
    assert response.status == 200 and response.body()[:4] == b"%PDF"
