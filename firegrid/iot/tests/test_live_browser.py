"""A street officer watches the live view on a phone: a fire alarm sent by a gateway appears without a
reload (htmx polling), fits the phone, and can be acknowledged there (Debian's Chromium, Playwright)."""

import json
import uuid

import pytest
from django.utils import timezone

from firegrid.iot.choices import AlarmStatus
from firegrid.iot.models import Alarm
from firegrid.iot.testing import make_device
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings):
    settings.AXES_ENABLED = False
    return build_world()


def test_a_fire_alarm_appears_on_the_phone_without_a_reload(live_server, live_world, phone_page, tmp_path):
    device, key = make_device(
        "smoke_detector", place=live_world.shop_a, ident="smoke-live", location="二楼走廊"
    )
    other, other_key = make_device("smoke_detector", place=live_world.shop_s2, ident="smoke-other-street")
    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/iot/")
    assert page.locator("#live-alarms li[data-alarm]").count() == 0
    assert page.locator("#live-devices tr[data-device='smoke-live']").count() == 1
    page.evaluate("window.__notReloaded = true")

    def telemetry(ident, with_key):
        body = {
            "messages": [
                {
                    "device": ident,
                    "id": uuid.uuid4().hex,
                    "ts": timezone.now().isoformat(),
                    "key": with_key,
                    "events": ["smoke"],
                }
            ]
        }
        # through the live server's own thread, like a gateway would (no cookie or CSRF needed)
        response = page.request.post(
            f"{live_server.url}/api/v1/iot/telemetry",
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        assert response.status == 200, response.text()
        assert response.json()["accepted"] == 1

    telemetry("smoke-other-street", other_key)  # another street's alarm: never shown here
    telemetry("smoke-live", key)
    alarm_row = page.locator("#live-alarms li[data-kind=fire]")
    alarm_row.wait_for(timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True  # swapped in by htmx, no page load
    assert page.locator("#live-alarms li[data-alarm]").count() == 1
    assert "smoke-live" in alarm_row.inner_text() and "桥河便利店" in alarm_row.inner_text()
    page.locator("#live-devices tr[data-device='smoke-live'] .badge-green").wait_for(timeout=10_000)
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "iot-live-fire.png"), full_page=True)
    assert (tmp_path / "iot-live-fire.png").stat().st_size > 0

    with page.expect_navigation():
        alarm_row.locator("form[action$='/acknowledge/'] button").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith("/iot")
    assert page.locator("#live-alarms li[data-kind=fire] form[action$='/acknowledge/']").count() == 0
    assert_fits_phone(page)

    page.goto(f"{live_server.url}/iot/devices/")
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "iot-devices.png"), full_page=True)

    # the database only once the browser is idle: the live server shares SQLite's connection
    alarm = Alarm.objects.get(device=device)
    assert alarm.kind == "fire" and alarm.status == AlarmStatus.ACKNOWLEDGED
    assert alarm.acknowledged_by == live_world.street_officer
