"""The Content-Security-Policy does not break the pages: every main page, as a district admin and as
the public, in Debian's Chromium (Playwright), with no `securitypolicyviolation` event, no console
error about the policy and no uncaught script error. The scripted parts run too: the command view's
chart, the map's layers and a popup, the progress bars, the geolocation buttons,
the start form's fields by kind, the year select that submits itself and the submit confirmation."""

import datetime

import pytest
from django.core.cache import cache

from firegrid.hazards import reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCategory
from firegrid.inspections import actions as inspection_actions
from firegrid.org.models import Qualification
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import log_in
from firegrid.tasks.tests.conftest import make_task

pytestmark = pytest.mark.browser

# Runs in every new document before the page's own scripts (Playwright injects it through the
# DevTools protocol, which the page's policy does not govern).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAP_TILE_URL = ""
    cache.clear()
    inspection_actions.sync_shipped_checklists()  # a transactional flush removes the shipped lists
    w = build_world()
    w.district_admin.is_staff = w.district_admin.is_superuser = True
    w.district_admin.save()
    today = datetime.date.today()
    Qualification.objects.create(  # trained: the admin may make a patrol inspection
        user=w.district_admin,
        kind="training",
        certificate_no="T-admin",
        passed_on=today - datetime.timedelta(days=30),
        expires_on=today + datetime.timedelta(days=700),
    )
    category = HazardCategory.objects.get(code="evacuation")
    w.case = reports.report(
        description="安全出口被货物堵住",
        category=category,
        place=w.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    w.task = make_task(w, title="老旧小区消防设施改造", progress_pct=40)
    return w


class Watcher:
    """Collects what the browser says about the policy on one page."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.errors = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def visit(self, base, path, then=None):
        response = self.page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        self.page.wait_for_load_state("networkidle")
        if then:
            then(self.page)
            self.page.wait_for_load_state("networkidle")
        self.check(path)

    def check(self, path):
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], f"{path}: {violations}"
        assert self.console == [], self.console
        assert self.errors == [], self.errors


def chart_drawn(page):
    page.wait_for_selector("#trend-chart[data-drawn='1']", timeout=10_000)
    assert page.locator("#trend-chart canvas").count() >= 1


def open_map_popup(page):
    page.wait_for_selector("#fg-map[data-loaded-grids]", timeout=10_000)
    page.locator("#map-layers input[data-layer=hazards]").uncheck()
    page.locator("#map-layers input[data-layer=places]").uncheck()
    page.locator(".leaflet-overlay-pane path.fg-grid").first.click()
    page.locator(".leaflet-popup-content").wait_for()


def bar_follows_data(page):
    bar = page.locator(".tk-bar > span[data-pct='40']").first
    ratio = bar.evaluate(
        "el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width"
    )
    assert 0.35 < ratio < 0.45, ratio


def start_form_switches_fields(page):
    campaign = page.locator("[data-kind=campaign]")
    assert campaign.is_hidden()  # a patrol needs no campaign
    page.locator("input[name=kind][value=campaign]").check()
    assert campaign.is_visible()


def geolocate_fills_the_fields(page):
    page.locator("#use-location").click()
    page.wait_for_function("document.getElementById('id_lat').value !== ''")
    assert page.locator("#id_lat").input_value() == "28.050000"


def year_select_submits(page):
    with page.expect_navigation():
        page.locator("select[name=year]").select_option(index=1)
    assert "year=" in page.url


def confirm_is_asked(page):
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#submit button[type=submit]").click()
    page.wait_for_timeout(200)
    assert asked and "/form/" in page.url  # asked, and dismissing it keeps the form


@pytest.fixture
def staff_page(chromium):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": 28.05, "longitude": 106.05},
        permissions=["geolocation"],
    )
    yield context.new_page()
    context.close()


def test_the_pages_work_under_the_policy_for_a_district_admin(live_server, live_world, staff_page):
    w = live_world
    page = staff_page
    watch = Watcher(page)
    base = live_server.url
    log_in(page, base, "district_admin")
    watch.check("/accounts/login/")
    inspection = inspection_actions.start_inspection(
        w.shop_a, "patrol", [w.district_admin], actor=w.district_admin
    )
    pages = [
        ("/", None),
        ("/dashboard/", chart_drawn),
        ("/map/", open_map_popup),
        ("/reports/", year_select_submits),
        ("/places/", None),
        (f"/places/{w.shop_a.pk}/", None),
        (f"/places/{w.shop_a.pk}/edit/", None),
        (f"/places/{w.shop_a.pk}/inspect/", start_form_switches_fields),
        (f"/inspections/{inspection.pk}/form/", confirm_is_asked),
        ("/hazards/", None),
        (f"/hazards/{w.case.pk}/", None),
        ("/iot/", None),
        ("/iot/devices/new/", geolocate_fills_the_fields),
        ("/iot/gb26875/decode/", None),
        ("/facilities/", None),
        ("/facilities/new/", None),
        ("/tasks/", bar_follows_data),
        (f"/tasks/{w.task.pk}/", bar_follows_data),
        ("/outreach/", None),
        ("/outreach/visits/new/", None),
        ("/field/", None),
        ("/regions/", None),
        ("/admin/", None),
        (f"/admin/org/user/{w.grid_worker_a.pk}/change/", None),
        (f"/admin/org/orgunit/{w.station.pk}/change/", None),  # with an inline of members
        ("/admin/hazards/hazardcase/", None),  # a change list with filters
        (f"/admin/hazards/hazardcase/{w.case.pk}/change/", None),
    ]
    for path, then in pages:
        watch.visit(base, path, then)


def test_the_api_docs_load_under_their_relaxed_policy(live_server, live_world, staff_page):
    page = staff_page
    watch = Watcher(page)
    log_in(page, live_server.url, "district_admin")
    watch.visit(live_server.url, "/api/v1/docs/", lambda p: p.wait_for_selector(".swagger-ui .info"))


def test_the_public_pages_work_under_the_policy(live_server, live_world, phone_page):
    w = live_world
    page = phone_page
    watch = Watcher(page)
    base = live_server.url
    for path in [
        "/accounts/login/",
        "/report/",
        f"/report/?place={w.shop_a.code}",
        f"/track/{w.case.tracking_code}/",
        f"/q/{w.shop_a.code}/",
        "/survey/",
        "/survey/results/",
        "/public/draws/",
    ]:
        watch.visit(base, path)
