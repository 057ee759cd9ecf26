"""A grid worker checks a hydrant on the phone, in Debian's Chromium (Playwright)."""

import pytest

from firegrid.facilities.choices import FacilityKind
from firegrid.facilities.tests.conftest import jpeg_bytes, make_facility
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world()
    w.hydrant = make_facility("桥河一号消火栓", FacilityKind.HYDRANT, 28.03, 106.03, pipe_diameter_mm=150)
    return w


def test_grid_worker_surveys_a_hydrant_on_the_phone(live_server, live_world, phone_page, tmp_path):
    page = phone_page
    log_in(page, live_server.url, "grid_worker_a")
    page.goto(f"{live_server.url}/facilities/")
    assert_fits_phone(page)
    with page.expect_navigation():
        page.locator(f"tr.facility-row[data-code='{live_world.hydrant.code}'] a").click()
    assert_fits_phone(page)
    with page.expect_navigation():
        page.click("#survey-link")
    assert page.url.endswith(f"/facilities/{live_world.hydrant.pk}/survey/")
    assert_fits_phone(page)
    page.check("input[name=status_after][value=damaged]")
    page.fill("input[name=pressure_mpa]", "0.05")
    page.select_option("select[name=access]", "obstructed")
    page.fill("textarea[name=damage]", "栓口漏水，闷盖缺失")
    photo = tmp_path / "hydrant.jpg"
    photo.write_bytes(jpeg_bytes())
    page.set_input_files("input[name=photo]", str(photo))
    page.screenshot(path=str(tmp_path / "survey.png"), full_page=True)
    with page.expect_navigation():
        page.click("#survey-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/facilities/{live_world.hydrant.pk}/")
    checks = page.locator("#checks li")
    assert checks.count() == 1
    assert "栓口漏水" in checks.first.inner_text()
    assert page.locator("#checks a.fac-code").count() == 1  # the hazard case the fault opened
    assert_fits_phone(page)
    for path in (
        "/facilities/coverage/",
        "/facilities/compliance/",
        "/facilities/plans/",
        "/facilities/ledger/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_fits_phone(page)

    # the database only once the browser is idle: the live server shares SQLite's connection
    live_world.hydrant.refresh_from_db()
    assert live_world.hydrant.status == "damaged"
    check = live_world.hydrant.checks.get()
    assert check.hazard_case.source == "patrol" and check.hazard_case.category.code == "public_water"
    assert check.photo
