"""Staff pages of the IoT app: the live view and its htmx parts (scoped), alarm steps, devices."""

import pytest

from firegrid.iot.choices import AlarmStatus
from firegrid.iot.models import Alarm, Device
from firegrid.iot.pipeline import ingest
from firegrid.iot.testing import make_device, message


def send(device, key, **kwargs):
    return ingest([(device.ident, message(key, **kwargs))])[0]


@pytest.fixture
def alarms(world):
    """A fire alarm at shop A (grid A), a fault at hotel B (grid B), a fire alarm in the other street."""
    out = {}
    for name, event in (("shop_a", "smoke"), ("hotel_b", "fault"), ("shop_s2", "smoke")):
        device, key = make_device("smoke_detector", place=getattr(world, name), ident=f"smoke-{name}")
        send(device, key, events=[event])
        out[name] = Alarm.objects.get(device=device)
    return out


def test_the_live_view_shows_fire_first_and_polls_its_parts(client, world, alarms):
    client.force_login(world.street_officer)
    response = client.get("/iot/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-get="/iot/live/alarms/"' in body and 'hx-trigger="every 5s"' in body
    assert 'hx-get="/iot/live/devices/"' in body
    first, second, other = (f'data-alarm="{alarms[n].pk}"' for n in ("shop_a", "hotel_b", "shop_s2"))
    assert body.index(first) < body.index(second) and other not in body  # fire first, scoped
    assert "smoke-shop_a" in body and "smoke-shop_s2" not in body
    assert f"/iot/alarms/{alarms['shop_a'].pk}/acknowledge/" in body
    assert 'href="/iot/"' in body  # the nav link


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("grid_worker_a", {"shop_a"}),
        ("grid_worker_b", {"hotel_b"}),
        ("street2_officer", {"shop_s2"}),
        ("dept_staff", set()),
        ("nobody", set()),
    ],
)
def test_the_live_parts_are_scoped(client, world, alarms, persona, seen):
    client.force_login(getattr(world, persona))
    part = client.get("/iot/live/alarms/", headers={"HX-Request": "true"})
    assert part.status_code == 200
    body = part.content.decode()
    assert "<html" not in body  # a fragment
    for name, alarm in alarms.items():
        assert (f'data-alarm="{alarm.pk}"' in body) == (name in seen)
    devices = client.get("/iot/live/devices/").content.decode()
    for name in alarms:
        assert (f'data-device="smoke-{name}"' in devices) == (name in seen)
    if not seen:
        assert 'id="no-alarms"' in body


def test_live_view_needs_a_login(client, world):
    assert client.get("/iot/").status_code == 302
    assert client.get("/iot/live/alarms/").status_code == 302
    part = client.get("/iot/live/devices/", headers={"HX-Request": "true"})  # the session ran out
    assert part.status_code == 204 and part["HX-Redirect"].startswith("/accounts/login/")


def test_a_new_alarm_appears_in_the_next_poll(client, world, alarms):
    client.force_login(world.grid_worker_a)
    device, key = make_device("electrical_monitor", place=world.shop_a, ident="elec-new")
    assert "elec-new" not in client.get("/iot/live/alarms/").content.decode()
    send(device, key, events=["fault"])
    assert "elec-new" in client.get("/iot/live/alarms/").content.decode()


def test_alarm_steps_on_the_pages(client, world, alarms):
    alarm = alarms["shop_a"]
    client.force_login(world.grid_worker_b)
    assert client.get(f"/iot/alarms/{alarm.pk}/").status_code == 404
    assert client.post(f"/iot/alarms/{alarm.pk}/acknowledge/").status_code == 404
    client.force_login(world.dept_staff)
    assert client.post(f"/iot/alarms/{alarm.pk}/acknowledge/").status_code == 404

    client.force_login(world.grid_worker_a)
    page = client.get(f"/iot/alarms/{alarm.pk}/")
    assert page.status_code == 200 and 'id="clear"' in page.content.decode()
    response = client.post(f"/iot/alarms/{alarm.pk}/acknowledge/", {"next": "/iot/"})
    assert response.status_code == 302 and response["Location"] == "/iot/"
    response = client.post(
        f"/iot/alarms/{alarm.pk}/acknowledge/", {"next": "https://evil.example/"}, follow=True
    )
    assert "Only an active, unacknowledged alarm" in response.content.decode()  # twice: a message
    assert response.redirect_chain[-1][0] == f"/iot/alarms/{alarm.pk}/"
    response = client.post(f"/iot/alarms/{alarm.pk}/clear/", {"note": ""}, follow=True)
    assert "This field is required" in response.content.decode()
    response = client.post(f"/iot/alarms/{alarm.pk}/open-case/", follow=True)
    alarm.refresh_from_db()
    assert alarm.case is not None and alarm.case.tracking_code in response.content.decode()
    client.post(f"/iot/alarms/{alarm.pk}/clear/", {"note": "已复位"})
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED
    page = client.get(f"/iot/alarms/{alarm.pk}/").content.decode()
    assert "已复位" in page and 'id="clear"' not in page
    assert client.post(f"/iot/alarms/{alarm.pk}/nonsense/").status_code == 404


def test_a_unit_owner_sees_no_case_button(client, world, alarms):
    client.force_login(world.unit_owner)
    body = client.get("/iot/").content.decode()
    assert "/acknowledge/" in body and "/open-case/" not in body
    assert client.post(f"/iot/alarms/{alarms['shop_a'].pk}/open-case/").status_code == 404


def test_device_list_detail_and_history_table(client, world, alarms):
    device, key = make_device("water_pressure", place=world.shop_a, ident="wp-1")
    for value in (0.3, 0.4):
        send(device, key, values={"pressure_mpa": value})
    client.force_login(world.grid_worker_a)
    listing = client.get("/iot/devices/").content.decode()
    assert "wp-1" in listing and "smoke-hotel_b" not in listing and "Register a device" not in listing
    assert "wp-1" in client.get("/iot/devices/?kind=water_pressure").content.decode()
    assert "wp-1" not in client.get("/iot/devices/?kind=smoke_detector").content.decode()
    page = client.get(f"/iot/devices/{device.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "pressure_mpa" in body and 'id="history-table"' in body
    assert page.context["buckets"][0].count == 2 and page.context["buckets"][0].max == 0.4
    assert client.get(f"/iot/devices/{device.pk}/?metric=pressure_mpa&bucket=5m").status_code == 200
    assert client.get(f"/iot/devices/{device.pk}/?metric=nope").status_code == 200
    client.force_login(world.grid_worker_b)
    assert client.get(f"/iot/devices/{device.pk}/").status_code == 404


def test_registering_a_device_shows_the_key_once_and_it_works(client, world):
    client.force_login(world.grid_worker_a)
    assert client.get("/iot/devices/new/").status_code == 404
    client.force_login(world.street_officer)
    assert client.get("/iot/devices/new/").status_code == 200
    response = client.post(
        "/iot/devices/new/",
        {"kind": "smoke_detector", "ident": "sd-9", "name": "厨房烟感", "place_code": world.shop_a.code},
    )
    assert response.status_code == 302, response.context["form"].errors
    device = Device.objects.get(ident="sd-9")
    assert device.region == world.grid_a and device.heartbeat_seconds == 86400
    page = client.get(response["Location"])
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    assert key not in client.get(response["Location"]).content.decode()  # once
    assert send(device, key, heartbeat=True).status == "accepted"

    response = client.post(f"/iot/devices/{device.pk}/rotate-key/", follow=True)
    new_key = response.context["new_key"]
    assert new_key and new_key != key
    assert send(device, key, heartbeat=True).reason == "bad_key"


def test_register_form_errors(client, world):
    client.force_login(world.street2_officer)
    base = {"kind": "water_level", "ident": "wl-1"}
    response = client.post("/iot/devices/new/", base)
    assert "place_code" in response.context["form"].errors
    response = client.post("/iot/devices/new/", {**base, "place_code": world.shop_a.code})
    assert "place_code" in response.context["form"].errors  # not in their street
    response = client.post("/iot/devices/new/", {**base, "lat": 28.05, "lng": 106.05})  # grid A, other street
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post("/iot/devices/new/", {**base, "lat": 10, "lng": 10})
    assert "lat" in response.context["form"].errors
    response = client.post("/iot/devices/new/", {**base, "lat": 28.05, "lng": 106.55, "ident": "bad id!"})
    assert "ident" in response.context["form"].errors
    assert not Device.objects.exists()
    response = client.post("/iot/devices/new/", {**base, "lat": 28.05, "lng": 106.55, "location": "消防水池"})
    assert response.status_code == 302
    assert Device.objects.get().region == world.grid_s2
