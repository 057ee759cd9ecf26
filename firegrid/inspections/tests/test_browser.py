"""The phone form in Debian's Chromium (Playwright), on a phone-sized screen."""

import datetime
import os

import pytest
from django.utils import timezone
from PIL import Image

from firegrid.core.roles import Role
from firegrid.inspections import actions, campaign_actions, draw_actions, plan_actions
from firegrid.inspections.models import Answer, HazardRecord, Inspection
from firegrid.org.testing import build_world, make_user
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser
SCREENSHOT_DIR = os.environ.get("FIREGRID_SCREENSHOTS")  # set to keep screenshots for a look


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    actions.sync_shipped_checklists()  # a transactional flush removes the lists the migration loaded
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
    # one request at a time: the live server shares one SQLite connection between its threads
    note = item.locator("textarea[name=note]")
    with page.expect_response(lambda r: r.url.endswith("/form/answer/")):
        note.fill("后门被货物堵住")  # saved after a pause in typing
    with page.expect_response(lambda r: r.url.endswith("/form/answer/")):
        note.blur()  # and again when the note loses focus
    item.locator("input[name=photo]").set_input_files(small_png(tmp_path / "door.png"))
    thumb = item.locator(".item-status img.photo-thumb")
    thumb.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
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


def test_a_photo_chosen_while_the_note_is_saving_is_not_lost(live_server, live_world, phone_page, tmp_path):
    """On a slow network the worker picks the photo while the note's save is still on its way: the
    photo is sent after it (htmx queues the form's next request) and must not be cleared when the
    note's answer comes back."""
    page = phone_page
    log_in(page, live_server.url, "grid_worker_a")
    shop = live_world.shop_a
    page.goto(f"{live_server.url}/places/{shop.pk}/inspect/")
    page.click("#start-form button[type=submit]")
    page.wait_for_url("**/form/")
    item = page.locator("form.item#item-general-EV-02")
    item.locator("label.tap-fail").click()
    item.locator(".item-status .saved").wait_for()

    held = []  # the note's request, kept back until the photo is chosen

    def hold_first(route):
        if held or route.request.method != "POST":
            route.continue_()
        else:
            held.append(route)

    page.route("**/form/answer/", hold_first)
    item.locator("textarea[name=note]").fill("灭火器压力不足")
    item.locator("textarea[name=note]").blur()
    while not held:
        page.wait_for_timeout(50)
    item.locator("input[name=photo]").set_input_files(small_png(tmp_path / "gauge.png"))
    with page.expect_response(lambda r: r.url.endswith("/form/answer/") and r.request.post_data_buffer
                              and b"gauge.png" in r.request.post_data_buffer):
        held[0].continue_()
    item.locator(".item-status img.photo-thumb").wait_for()
    page.wait_for_load_state("networkidle")
    answer = Answer.objects.get(inspection__place=shop, item_code="EV-02")
    assert answer.photo and answer.note == "灭火器压力不足"


def test_planning_pages_fit_the_phone(live_server, live_world, phone_page):
    w = live_world
    for i in range(3):
        make_user(f"insp{i}", org_unit=w.station, roles=[(Role.INSPECTOR, w.street)], qualified=True)
    today = timezone.localdate()
    plan, _created = plan_actions.generate_plan(today.year, w.street, actor=w.street_officer)
    campaign = campaign_actions.launch_campaign(
        name="高层建筑除险清患", kind="high_rise", region=w.street, filters={"kind": ["shop", "mall_market"]},
        checklists=["high_rise"], starts_on=today, deadline=today + datetime.timedelta(days=30),
        actor=w.street_officer,
    )
    draw = draw_actions.announce_draw(
        title="双随机抽查", region=w.street, params={"filters": {}, "sample_size": 2}, actor=w.street_officer
    )
    draw_actions.run_draw(draw, actor=w.street_officer)
    inspection = actions.start_inspection(w.mall_a, "supervisory", [w.street_officer], actor=w.street_officer)
    actions.record_answer(
        inspection, checklist="general", item_code="EV-01", result="fail", elements=["6.5", "7.3.3"],
        actor=w.street_officer,
    )
    actions.submit_inspection(inspection, actor=w.street_officer)

    page = phone_page
    log_in(page, live_server.url, "street_officer")
    pages = {
        "list": "/inspections/",
        "start": f"/places/{w.mall_a.pk}/inspect/",
        "detail": f"/inspections/{inspection.pk}/",
        "plans": "/inspections/plans/",
        "plan": f"/inspections/plans/{plan.pk}/?month={today.month}",
        "coverage": "/inspections/coverage/",
        "campaigns": "/inspections/campaigns/",
        "campaign-new": "/inspections/campaigns/new/",
        "campaign": f"/inspections/campaigns/{campaign.pk}/",
        "draws": "/inspections/draws/",
        "draw-new": "/inspections/draws/new/",
        "draw": f"/inspections/draws/{draw.pk}/",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert_fits_phone(page)
        shot(page, f"page-{name}", full=True)
