"""A grid worker handles a case on the phone, in Debian's Chromium (Playwright)."""

import pytest

from firegrid.hazards import reports
from firegrid.hazards.choices import CaseStatus, Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def test_grid_worker_confirms_and_orders_on_the_phone(live_server, live_world, phone_page, tmp_path):
    case = reports.report(
        description="便利店后门被货物堵住",
        category=HazardCategory.objects.get(code="evacuation"),
        place=live_world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
        reporter_name="王举报",
        reporter_phone="13912345678",
    )
    page = phone_page
    log_in(page, live_server.url, "grid_worker_a")
    page.goto(f"{live_server.url}/hazards/")
    assert_fits_phone(page)
    link = page.locator(f"tr.case-row[data-code='{case.tracking_code}'] a.hz-code")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/hazards/{case.pk}/")
    assert "便利店后门被货物堵住" in page.content()
    assert "13912345678" not in page.content()  # a grid worker never sees the reporter
    assert_fits_phone(page)

    page.locator("#step-confirm > summary").click()
    page.fill("#step-confirm textarea[name=confirm-note]", "现场核实属实")
    with page.expect_navigation():
        page.click("#step-confirm button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.locator("#step-order > summary").click()
    assert page.locator("#step-order input[name=order-deadline]").input_value()  # the default deadline
    page.fill("#step-order input[name=order-responsible_party]", "张老板")
    with page.expect_navigation():
        page.click("#step-order button[type=submit]")
    page.wait_for_load_state("networkidle")

    timeline = page.locator("#timeline")
    assert timeline.locator("li[data-kind=confirmed]").count() == 1
    assert timeline.locator("li[data-kind=ordered]").count() == 1
    assert "现场核实属实" in timeline.inner_text()
    assert page.locator("#notice-link").count() == 1
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "hazard-ordered.png"), full_page=True)
    assert (tmp_path / "hazard-ordered.png").stat().st_size > 0

    for name, path in (("list", "/hazards/?state=open&severity=general"), ("new", "/hazards/new/")):
        page.goto(f"{live_server.url}{path}")
        assert_fits_phone(page)
        page.screenshot(path=str(tmp_path / f"hazard-{name}.png"), full_page=True)

    # the database only once the browser is idle: the live server shares SQLite's connection
    case = HazardCase.objects.get(pk=case.pk)
    assert case.status == CaseStatus.ORDERED and case.responsible_party == "张老板"
    assert list(case.events.values_list("kind", flat=True)) == ["reported", "confirmed", "ordered"]
