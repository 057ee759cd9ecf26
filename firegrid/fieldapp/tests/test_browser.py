"""The field app and the reporter loop in Debian's Chromium (Playwright): a patrol done offline with
a photo survives a reload and syncs exactly once when the network returns; a duplicate suggestion on
the report form; a reporter reopens a closed case."""

import io
import os

import pytest
from PIL import Image

from firegrid.fieldapp.models import SyncRecord
from firegrid.hazards import actions, reports
from firegrid.hazards.choices import CaseStatus, Channel, Source
from firegrid.hazards.followers import CaseFollower
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.inspections.models import Inspection
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser
SCREENSHOT_DIR = os.environ.get("FIREGRID_SCREENSHOTS")  # set to keep screenshots for a look


def shot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def camera_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (180, 60, 40)).save(buffer, format="JPEG", quality=95)
    return {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


REPLAY = """async (id) => {
  const entry = await FieldStore.get("queue", id);
  const body = new FormData();
  body.append("item", JSON.stringify(entry.item));
  const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
  const response = await fetch("/field/api/sync/", {method: "POST", body, headers: {"X-CSRFToken": token}});
  return [response.status, await response.json()];
}"""


def test_offline_patrol_with_a_photo_survives_a_reload_and_syncs_once(live_server, live_world, phone_page):
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url
    log_in(page, base, "grid_worker_a")
    page.goto(f"{base}/field/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker, which keeps the page for offline use
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    shop = live_world.shop_a
    page.wait_for_selector(f"#place-list li[data-place='{shop.pk}']")
    assert_fits_phone(page)

    page.context.set_offline(True)
    page.wait_for_selector("#net-status.badge-orange")
    page.click(f"#place-list li[data-place='{shop.pk}'] button")
    page.wait_for_selector(".field-visit")
    first = page.locator(".field-item").nth(0)
    first.locator("input[value=fail]").check()
    first.locator("textarea").fill("安全出口被货物堵塞")
    first.locator("input[type=file]").set_input_files(camera_jpeg())
    page.wait_for_function("() => document.querySelector('.photo-status').textContent.includes('KB')")
    size_kb = int("".join(ch for ch in first.locator(".photo-status").inner_text() if ch.isdigit()))
    assert size_kb < 500  # resized on the phone (the camera file is larger)
    page.locator(".field-item").nth(1).locator("input[value=pass]").check()
    assert_fits_phone(page)

    page.reload()  # offline: the page comes from the worker, the draft from IndexedDB
    page.wait_for_selector(".field-visit")
    first = page.locator(".field-item").nth(0)
    assert first.locator("input[value=fail]").is_checked()
    assert first.locator("textarea").input_value() == "安全出口被货物堵塞"
    assert "KB" in first.locator(".photo-status").inner_text()

    page.click("#finish")
    page.wait_for_selector("#queue-count[data-waiting='1']")
    draft_id = page.locator(".queue-item").first.get_attribute("data-id")
    assert Inspection.objects.count() == 0  # nothing reached the server yet

    page.context.set_offline(False)  # the online event sends the queue
    page.evaluate("FieldApp.syncAll()")  # and "send now" at the same time
    page.wait_for_selector(".queue-item[data-state='sent']", timeout=15000)
    page.wait_for_selector("#queue-count[data-waiting='0']")
    status, answer = page.evaluate(REPLAY, draft_id)  # the same sync once more
    assert status == 200 and answer["replayed"] is True
    page.wait_for_load_state("networkidle")

    assert Inspection.objects.count() == 1 and SyncRecord.objects.count() == 1
    inspection = Inspection.objects.get()
    assert inspection.place == shop and inspection.kind == "patrol"
    assert HazardCase.objects.filter(finding__inspection=inspection).count() == 1
    assert inspection.answers.get(result="fail").photo.name


def test_duplicate_suggestion_and_me_too_on_the_report_form(live_server, live_world, phone_page):
    category = HazardCategory.objects.get(code="evacuation")
    case = reports.report(
        description="便利店后门被货物堵住",
        category=category,
        place=live_world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    page = phone_page
    page.goto(f"{live_server.url}/report/?place={live_world.shop_a.code}")
    assert page.locator("#report-form .field-photos").count() == 1
    page.locator(f"input[name=category][value={category.code}]").check()
    suggestion = page.locator(f"#nearby li.nearby-case[data-id='{case.pk}']")
    suggestion.wait_for()
    assert "便利店后门被货物堵住" in suggestion.inner_text()
    assert_fits_phone(page)
    page.fill("input[name=reporter_phone]", "13700001234")
    with page.expect_navigation():
        suggestion.locator("button.me-too").click()
    assert page.url.endswith(f"/track/{case.tracking_code}/")
    page.wait_for_load_state("networkidle")
    assert HazardCase.objects.count() == 1
    assert CaseFollower.objects.get(case=case).phone == "13700001234"


def test_reporter_reopens_a_closed_case(live_server, live_world, phone_page):
    case = reports.report(
        description="楼道电动车充电",
        category=HazardCategory.objects.get(code="evacuation"),
        place=live_world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    officer = live_world.street_officer
    actions.confirm(case, actor=officer)
    actions.order(case, actor=officer)
    actions.rectified(case, actor=officer, note="已清理")
    actions.reinspect(case, actor=officer, passed=True)
    actions.close(case, actor=officer)
    page = phone_page
    page.goto(f"{live_server.url}/track/{case.tracking_code}/")
    assert_fits_phone(page)
    page.fill("#not-fixed textarea[name=note]", "晚上又在楼道充电")
    with page.expect_navigation():
        page.click("#not-fixed button[type=submit]")
    page.wait_for_selector("#timeline li[data-kind='not_fixed']")
    assert page.locator("#not-fixed").count() == 0
    assert_fits_phone(page)
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED


def ordered_case(world):
    """A public report at the shop of grid A, confirmed and ordered by the street: grid A holds it."""
    case = reports.report(
        description="安全出口被货物堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    actions.confirm(case, actor=world.street_officer)
    actions.order(case, actor=world.street_officer)
    return case


def open_field_app_offline_ready(page, base, username):
    log_in(page, base, username)
    page.goto(f"{base}/field/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def record_rectification_offline(page, case, note):
    """Offline: the rectified step on the case, with a note and a camera photo, saved to the queue."""
    page.context.set_offline(True)
    page.wait_for_selector("#net-status.badge-orange")
    page.click(f"#case-list li[data-case='{case.pk}'] button[data-step=rectified]")
    page.wait_for_selector(".field-step[data-step=rectified]")
    page.fill("#step-note", note)
    page.locator("#step-photo").set_input_files(camera_jpeg())
    page.wait_for_selector("#step-photos li img")
    assert_fits_phone(page)
    shot(page, "field-case-step")
    page.click("#step-save")
    page.wait_for_selector("#queue-count[data-waiting='1']")
    # the phone expects the case to be rectified now: the next step it offers is the re-inspection
    entry = f"#case-list li[data-case='{case.pk}'][data-status=rectified]"
    page.wait_for_selector(f"{entry} button[data-step=reinspect]")


def test_offline_rectification_on_a_case_closed_meanwhile_is_shown_as_a_conflict(
    live_server, live_world, phone_page
):
    case = ordered_case(live_world)
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())
    open_field_app_offline_ready(page, live_server.url, "grid_worker_a")
    page.wait_for_selector(f"#case-list li[data-case='{case.pk}'][data-status=ordered]")
    record_rectification_offline(page, case, "货物已清走，出口畅通")
    # and, still offline, the re-inspection the phone now offers
    page.click(f"#case-list li[data-case='{case.pk}'] button[data-step=reinspect]")
    page.check(".field-step input[name=passed][value=yes]")
    page.click("#step-save")
    page.wait_for_selector("#queue-count[data-waiting='2']")

    officer = live_world.street_officer  # meanwhile the street finishes the case
    actions.rectified(case, actor=officer, note="街道已督促整改")
    actions.reinspect(case, actor=officer, passed=True)
    actions.close(case, actor=officer)

    page.context.set_offline(False)
    page.evaluate("FieldApp.syncAll()")
    page.wait_for_selector("#conflict-list li[data-state=conflict] >> nth=1", timeout=15000)
    assert page.locator("#conflict-list li[data-code=case_closed]").count() == 2
    conflict = page.locator("#conflict-list li", has_text="货物已清走，出口畅通")
    text = conflict.inner_text()
    assert case.tracking_code in text and "street_officer" in text  # who closed it
    photo = conflict.locator(".conflict-photos img")  # the photo taken stays in front of the worker
    assert photo.count() == 1
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert page.locator("#queue-count").get_attribute("data-waiting") == "0"
    assert_fits_phone(page)
    shot(page, "field-conflict")

    page.reload()  # never silently dropped: still there after a reload
    page.wait_for_selector("#conflict-list li[data-code=case_closed] >> nth=1")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.events.filter(kind="rectified").count() == 1  # the street's, not the worker's
    assert not SyncRecord.objects.exists() and not case.attachments.exists()

    reinspection = page.locator("#conflict-list li").filter(has_not_text="货物已清走，出口畅通")
    assert reinspection.locator(".send-as-note").count() == 0  # nothing written to send
    reinspection.locator(".dismiss").click()  # read, dismissed
    page.wait_for_function("() => document.querySelectorAll('#conflict-list li').length === 1")
    conflict.locator(".send-as-note").click()  # the rectification note goes on the case as a note
    page.wait_for_selector("#conflict-list", state="detached", timeout=15000)
    page.wait_for_selector("#queue-count[data-waiting='0']")
    page.wait_for_load_state("networkidle")
    note = case.events.get(kind="comment")
    assert note.actor == live_world.grid_worker_a and note.note == "货物已清走，出口畅通"
    assert note.attachments.count() == 1 and SyncRecord.objects.count() == 1
    assert page.evaluate("FieldStore.all('queue').then(q => q.map(e => e.state))") == ["sent"]


def test_offline_rectification_survives_a_reload_and_syncs_exactly_once(live_server, live_world, phone_page):
    case = ordered_case(live_world)
    page = phone_page
    open_field_app_offline_ready(page, live_server.url, "grid_worker_a")
    page.wait_for_selector(f"#case-list li[data-case='{case.pk}']")
    record_rectification_offline(page, case, "已清理后门杂物")
    step_id = page.evaluate("FieldStore.all('queue').then(q => q[0].id)")
    assert case.events.filter(kind="rectified").count() == 0  # nothing reached the server yet

    page.reload()  # offline: the page from the worker, the queued step from IndexedDB
    page.wait_for_selector("#queue-count[data-waiting='1']")

    page.context.set_offline(False)
    page.evaluate("FieldApp.syncAll()")
    page.wait_for_selector(f".queue-item[data-id='{step_id}'][data-state='sent']", timeout=15000)
    page.wait_for_selector("#queue-count[data-waiting='0']")
    status, answer = page.evaluate(REPLAY, step_id)  # the same sync once more
    assert status == 200 and answer["replayed"] is True and answer["case_status"] == "rectified"
    page.wait_for_load_state("networkidle")
    assert not page.locator("#conflict-list").count()

    case.refresh_from_db()
    assert case.status == CaseStatus.RECTIFIED
    event = case.events.get(kind="rectified")
    assert event.actor == live_world.grid_worker_a and event.note == "已清理后门杂物"
    evidence = case.attachments.get()
    assert evidence.event == event and max(evidence.width, evidence.height) == 1600  # shrunk on the phone
    assert SyncRecord.objects.get().case == case
