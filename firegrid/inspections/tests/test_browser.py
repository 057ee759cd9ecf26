"""The phone form in Debian's Chromium (Playwright), on a phone-sized screen."""

import io
import os

import pytest
from PIL import Image

from firegrid.inspections.actions import sync_shipped_checklists
from firegrid.inspections.models import Answer, HazardRecord, Inspection
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser
SCREENSHOT_DIR = os.environ.get("FIREGRID_SCREENSHOTS")  # set to keep screenshots for a look


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    sync_shipped_checklists()  # a transactional flush removes the lists the migration loaded
    return build_world()


def small_png(path):
    Image.new("RGB", (12, 9), (180, 40, 40)).save(path, format="PNG")
    return path


def shot(page, name, full=False):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=full)


def test_grid_worker_patrols_a_shop_on_the_phone(live_server, live_world, phone_page, tmp_path):
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())  # "submit the inspection?"
    log_in(page, live_server.url, "grid_worker_a")
    shop = live_world.shop_a  # 桥河便利店
    page.goto(f"{live_server.url}/places/{shop.pk}/inspect/")
    assert "桥河便利店" in page.content()
    assert page.locator("input[name=kind][value=patrol]").is_checked()
    assert_fits_phone(page)
    page.click("#start-form button[type=submit]")
    page.wait_for_url("**/form/")
    inspection_pk = int(page.url.rstrip("/").split("/")[-2])
    assert_fits_phone(page)
    shot(page, "phone-form-top")

    item = page.locator("form.item#item-general-EV-02")
    details = item.locator(".fail-details")
    assert not details.is_visible()
    item.locator("label.tap-fail").click()
    assert details.is_visible()  # the note, photo and elements open on a fail
    item.locator(".item-status .saved").wait_for()
    item.locator("textarea[name=note]").fill("后门被货物堵住")
    item.locator("input[name=photo]").set_input_files(small_png(tmp_path / "door.png"))
    item.locator(".item-status img.photo-thumb").wait_for()
    assert "✓" in item.locator(".item-status").inner_text()
    page.wait_for_function(
        "() => document.querySelector('#answered-count').textContent.trim().startsWith('1')"
    )
    item.scroll_into_view_if_needed()
    shot(page, "phone-form-failed-item")
    assert_fits_phone(page)
    page.locator("form.item#item-general-EV-03 label.tap-pass").click()
    page.locator("#item-general-EV-03 .item-status .saved").wait_for()

    page.click("#submit button[type=submit]")
    page.wait_for_url(f"**/inspections/{inspection_pk}/")
    page.wait_for_load_state("networkidle")
    assert_fits_phone(page)
    shot(page, "phone-detail", full=True)
    proposal = page.locator("#proposal").inner_text()
    assert "7.3.3" in proposal and "5.3.3d" in proposal
    assert "后门被货物堵住" in page.content()
    assert page.locator("img.photo-thumb").evaluate("img => img.naturalWidth") > 0
    page.wait_for_load_state("networkidle")
    # the database only once the browser is idle: the live server shares SQLite's connection
    inspection = Inspection.objects.get(place=shop)
    assert inspection.pk == inspection_pk
    assert inspection.status == "submitted" and inspection.outcome == "hazards"
    answer = Answer.objects.get(inspection=inspection, item_code="EV-02")
    assert answer.result == "fail" and answer.photo and answer.elements == ["7.3.3"]
    assert answer.note == "后门被货物堵住"
    assert HazardRecord.objects.filter(inspection=inspection).count() == 1
