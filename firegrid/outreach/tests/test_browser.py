"""A grid worker records a door-knocking visit on the phone, in Debian's Chromium (Playwright)."""

import pytest

from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in
from firegrid.outreach.tests.conftest import make_household

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world()
    w.home = make_household(w.grid_a, "王奶奶", helper=w.grid_worker_a)
    return w


def test_grid_worker_records_a_visit_on_the_phone(live_server, live_world, phone_page, tmp_path):
    page = phone_page
    log_in(page, live_server.url, "grid_worker_a")
    page.goto(f"{live_server.url}/outreach/households/")
    assert_fits_phone(page)
    with page.expect_navigation():
        page.locator(f"tr.household-row[data-id='{live_world.home.pk}'] a").click()
    with page.expect_navigation():
        page.click("#visit-link")
    assert_fits_phone(page)
    page.check("input[name=outcome][value=completed]")
    page.check("input[name=alarms_present][value=no]")
    page.fill("input[name=alarms_installed]", "1")
    page.check("input[name=hazards][value=wiring]")
    page.check("input[name=referrals][value=electrical_repair]")
    page.check("input[name=follow_up_needed]")
    page.fill("textarea[name=notes]", "插线板老化，已提醒更换")
    page.screenshot(path=str(tmp_path / "visit.png"), full_page=True)
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/outreach/households/{live_world.home.pk}/")
    assert page.locator("#visits li").count() == 1
    assert page.locator("#visits a.case-code").count() == 1
    assert_fits_phone(page)
    for path in ("/outreach/", "/outreach/training/", "/outreach/publicity/", "/survey/"):
        page.goto(f"{live_server.url}{path}")
        assert_fits_phone(page)

    visit = live_world.home.visits.get()
    assert visit.hazards == ["wiring"] and visit.hazard_cases.get().source == "patrol"
