"""Devices, alarms and alarm rules over the API: scoping per persona, keys, alarm steps, rules, history."""

import datetime
import json
from collections import defaultdict

import pytest
from django.utils import timezone

from firegrid.iot.choices import AlarmStatus
from firegrid.iot.history import downsample
from firegrid.iot.models import Alarm, AlarmRule, Device, Message
from firegrid.iot.pipeline import ingest
from firegrid.iot.testing import make_device, message

DEVICES = "/api/v1/iot/devices/"
ALARMS = "/api/v1/iot/alarms/"
RULES = "/api/v1/iot/alarm-rules/"
TELEMETRY = "/api/v1/iot/telemetry"


def send(device, key, **kwargs):
    return ingest([(device.ident, message(key, **kwargs))])[0]


@pytest.fixture
def devices(world):
    """A smoke detector at each of three places, each with a fire alarm."""
    out = {}
    for name in ("shop_a", "hotel_b", "shop_s2"):
        device, key = make_device("smoke_detector", place=getattr(world, name), ident=f"smoke-{name}")
        assert send(device, key, events=["smoke"]).status == "accepted"
        out[name] = device
    return out


VISIBLE = {
    "district_admin": {"shop_a", "hotel_b", "shop_s2"},
    "street_officer": {"shop_a", "hotel_b"},
    "street2_officer": {"shop_s2"},
    "grid_worker_a": {"shop_a"},
    "grid_worker_b": {"hotel_b"},
    "police_officer": {"hotel_b"},
    "dept_staff": set(),
    "unit_owner": {"shop_a"},
    "nobody": set(),
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_devices_and_alarms_are_scoped_per_persona(api_client, world, devices, persona):
    api_client.force_authenticate(getattr(world, persona))
    expected = {f"smoke-{name}" for name in VISIBLE[persona]}
    listed = api_client.get(DEVICES).json()["results"]
    assert {d["ident"] for d in listed} == expected
    alarms = api_client.get(ALARMS).json()["results"]
    assert {a["device_ident"] for a in alarms} == expected
    for name, device in devices.items():
        code = 200 if name in VISIBLE[persona] else 404
        assert api_client.get(f"{DEVICES}{device.pk}/").status_code == code
        alarm = Alarm.objects.get(device=device)
        assert api_client.get(f"{ALARMS}{alarm.pk}/").status_code == code
        assert api_client.get(f"{DEVICES}{device.pk}/history/?metric=x").status_code == code


def test_anonymous_gets_nothing(api_client, devices):
    assert api_client.get(DEVICES).status_code in (401, 403)
    assert api_client.get(ALARMS).status_code in (401, 403)


def test_device_filters(api_client, world, devices):
    make_device("water_pressure", lat=28.05, lng=106.05, ident="hydrant-1")
    api_client.force_authenticate(world.district_admin)

    def idents(query):
        return {d["ident"] for d in api_client.get(f"{DEVICES}?{query}").json()["results"]}

    assert idents("kind=water_pressure") == {"hydrant-1"}
    assert idents("status=unknown") == {"hydrant-1"}
    assert idents(f"place={world.hotel_b.pk}") == {"smoke-hotel_b"}
    assert idents(f"region={world.street.code}") == {"smoke-shop_a", "smoke-hotel_b", "hydrant-1"}
    assert idents(f"region={world.grid_s2.code}") == {"smoke-shop_s2"}


def test_a_created_device_gets_a_key_once_which_then_works_and_rotation_kills_it(api_client, world):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        DEVICES,
        {"ident": "elec-77", "kind": "electrical_monitor", "place": world.shop_a.pk, "location": "配电箱"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    key = data["key"]
    assert key and data["region"] == world.grid_a.code and data["heartbeat_seconds"] == 900
    assert data["key_prefix"] == key[:8]
    device = Device.objects.get(ident="elec-77")
    assert key not in json.dumps(api_client.get(f"{DEVICES}{device.pk}/").json())  # shown once

    def telemetry(with_key, message_id):
        body = {
            "messages": [
                {
                    "device": "elec-77",
                    **message(with_key, as_bytes=False, values={"t": 1}, message_id=message_id),
                }
            ]
        }
        return api_client.post(TELEMETRY, body, format="json").json()["results"][0]

    assert telemetry(key, "a")["status"] == "accepted"
    rotated = api_client.post(f"{DEVICES}{device.pk}/rotate-key/")
    assert rotated.status_code == 200
    new_key = rotated.json()["key"]
    assert new_key != key
    assert telemetry(key, "b")["reason"] == "bad_key"
    assert telemetry(new_key, "c")["status"] == "accepted"


def test_who_may_register_and_edit_devices(api_client, world, devices):
    body = {"ident": "x-1", "kind": "smoke_detector", "place": world.shop_a.pk}
    api_client.force_authenticate(world.grid_worker_a)
    assert api_client.post(DEVICES, body, format="json").status_code == 403
    device = devices["shop_a"]
    assert api_client.patch(f"{DEVICES}{device.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api_client.post(f"{DEVICES}{device.pk}/rotate-key/").status_code == 404

    api_client.force_authenticate(world.street2_officer)
    response = api_client.post(DEVICES, body, format="json")  # a place outside their street
    assert response.status_code == 400 and "place" in response.json()
    response = api_client.post(
        DEVICES, {"ident": "x-2", "kind": "water_level", "lat": 28.05, "lng": 106.05}, format="json"
    )
    assert response.status_code == 400 and "place" in response.json()
    assert not Device.objects.filter(ident__in=["x-1", "x-2"]).exists()

    api_client.force_authenticate(world.street_officer)
    response = api_client.post(DEVICES, {"ident": "x-3", "kind": "water_level"}, format="json")
    assert response.status_code == 400 and "place" in response.json()
    response = api_client.post(DEVICES, {**body, "ident": "smoke-shop_a"}, format="json")
    assert response.status_code == 400 and "ident" in response.json()
    response = api_client.patch(
        f"{DEVICES}{device.pk}/", {"name": "后门烟感", "heartbeat_seconds": 3600}, format="json"
    )
    assert response.status_code == 200 and response.json()["name"] == "后门烟感"
    response = api_client.patch(f"{DEVICES}{device.pk}/", {"place": world.hotel_b.pk}, format="json")
    assert response.status_code == 200 and response.json()["region"] == world.grid_b.code
    response = api_client.patch(f"{DEVICES}{device.pk}/", {"thresholds": {"r": {"bad": 1}}}, format="json")
    assert response.status_code == 400 and "thresholds" in response.json()


def test_acknowledge_clear_and_open_a_case(api_client, world, devices):
    alarm = Alarm.objects.get(device=devices["shop_a"])
    url = f"{ALARMS}{alarm.pk}/"
    api_client.force_authenticate(world.grid_worker_b)
    assert api_client.post(f"{url}acknowledge/").status_code == 404  # not theirs to see
    api_client.force_authenticate(world.grid_worker_a)
    response = api_client.post(f"{url}acknowledge/", {"note": "在路上"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    response = api_client.post(f"{url}acknowledge/")
    assert response.status_code == 400 and "status" in response.json()  # twice
    response = api_client.post(f"{url}open-case/", {"note": "烟感报警"}, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["tracking_code"] and case["alarm"]["case"] == case["case"]
    response = api_client.post(f"{url}open-case/")
    assert response.status_code == 400 and "case" in response.json()
    response = api_client.post(f"{url}clear/", {}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    response = api_client.post(f"{url}clear/", {"note": "误报，已复位"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cleared"
    assert [e["kind"] for e in response.json()["events"]] == ["raised", "acknowledged", "case", "cleared"]
    response = api_client.post(f"{url}clear/", {"note": "again"}, format="json")
    assert response.status_code == 400
    detail = api_client.get(url).json()
    assert detail["cleared_by"] == str(world.grid_worker_a) and len(detail["events"]) == 4


def test_a_unit_owner_acknowledges_but_opens_no_case(api_client, world, devices):
    alarm = Alarm.objects.get(device=devices["shop_a"])
    api_client.force_authenticate(world.unit_owner)
    assert api_client.post(f"{ALARMS}{alarm.pk}/open-case/").status_code == 403
    assert api_client.post(f"{ALARMS}{alarm.pk}/acknowledge/").status_code == 200


def test_alarm_filters_and_fire_first(api_client, world, devices):
    device, key = make_device("smoke_detector", place=world.shop_a, ident="smoke-2")
    send(device, key, events=["fault"])
    api_client.force_authenticate(world.street_officer)
    listed = api_client.get(ALARMS).json()["results"]
    assert [a["kind"] for a in listed] == ["fire", "fire", "fault"]
    assert {a["device_ident"] for a in api_client.get(f"{ALARMS}?kind=fault").json()["results"]} == {
        "smoke-2"
    }
    assert len(api_client.get(f"{ALARMS}?place={world.hotel_b.pk}").json()["results"]) == 1
    assert len(api_client.get(f"{ALARMS}?device={device.pk}").json()["results"]) == 1
    alarm = Alarm.objects.get(device=devices["hotel_b"])
    api_client.post(f"{ALARMS}{alarm.pk}/clear/", {"note": "ok"}, format="json")
    assert len(api_client.get(f"{ALARMS}?active=1").json()["results"]) == 2
    assert len(api_client.get(f"{ALARMS}?status=cleared").json()["results"]) == 1
    assert api_client.post(ALARMS, {}, format="json").status_code == 405


def test_rules_are_read_by_staff_and_tuned_by_the_district_admin(api_client, world):
    rule = AlarmRule.objects.get(code="elec-residual-current")  # above 300, clears at 250
    api_client.force_authenticate(world.grid_worker_a)
    assert len(api_client.get(RULES).json()) == AlarmRule.objects.count()
    assert api_client.patch(f"{RULES}{rule.pk}/", {"threshold": 350}, format="json").status_code == 403
    api_client.force_authenticate(world.nobody)
    assert api_client.get(RULES).json() == []

    api_client.force_authenticate(world.district_admin)
    response = api_client.patch(f"{RULES}{rule.pk}/", {"clear_threshold": 350}, format="json")
    assert response.status_code == 400 and "clear_threshold" in response.json()
    low = AlarmRule.objects.get(code="water-pressure-low")  # below 0.1, clears at 0.12
    response = api_client.patch(f"{RULES}{low.pk}/", {"threshold": 0.2}, format="json")
    assert response.status_code == 400 and "clear_threshold" in response.json()
    response = api_client.patch(f"{RULES}{rule.pk}/", {"threshold": None}, format="json")
    assert response.status_code == 400 and "threshold" in response.json()
    response = api_client.patch(f"{RULES}{rule.pk}/", {"debounce": 0}, format="json")
    assert response.status_code == 400 and "debounce" in response.json()
    response = api_client.patch(
        f"{RULES}{rule.pk}/", {"threshold": 320, "clear_threshold": 260, "code": "renamed"}, format="json"
    )
    assert response.status_code == 200, response.content
    rule.refresh_from_db()
    assert (rule.code, rule.threshold, rule.clear_threshold) == ("elec-residual-current", 320, 260)


# ---- history ----


@pytest.fixture
def readings(world):
    """Known readings at known times: three in the first five minutes of an hour, two an hour later."""
    device, key = make_device("electrical_monitor", place=world.shop_a, ident="elec-h")
    hour = timezone.localtime().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=3)
    points = [(1, 1.0), (2, 2.0), (7, 3.0), (61, 10.0), (62, 20.0)]
    batch = [
        (
            device.ident,
            message(key, values={"temperature_c": v, "other": 99}, ts=hour + datetime.timedelta(minutes=m)),
        )
        for m, v in points
    ]
    batch.append((device.ident, message(key, heartbeat=True, ts=hour + datetime.timedelta(minutes=3))))
    assert {r.status for r in ingest(batch)} == {"accepted"}
    return device, hour, points


def _row(b):
    return (b["start"], b["min"], b["avg"], b["max"], b["count"])


def test_history_buckets_min_avg_max_count(api_client, world, readings):
    device, hour, points = readings
    api_client.force_authenticate(world.grid_worker_a)
    since = (hour - datetime.timedelta(hours=1)).isoformat()
    until = (hour + datetime.timedelta(hours=3)).isoformat()
    url = f"{DEVICES}{device.pk}/history/"

    def get(bucket):
        response = api_client.get(
            url, {"metric": "temperature_c", "bucket": bucket, "since": since, "until": until}
        )
        assert response.status_code == 200, response.content
        return [
            (datetime.datetime.fromisoformat(b["start"]), b["min"], b["avg"], b["max"], b["count"])
            for b in response.json()["buckets"]
        ]

    later = hour + datetime.timedelta(hours=1)
    assert get("1h") == [(hour, 1.0, 2.0, 3.0, 3), (later, 10.0, 15.0, 20.0, 2)]
    assert get("5m") == [
        (hour, 1.0, 1.5, 2.0, 2),
        (hour + datetime.timedelta(minutes=5), 3.0, 3.0, 3.0, 1),
        (later, 10.0, 15.0, 20.0, 2),
    ]
    by_day = defaultdict(list)
    for minutes, value in points:
        by_day[timezone.localtime(hour + datetime.timedelta(minutes=minutes)).date()].append(value)
    expected = [(len(v), min(v), max(v), sum(v) / len(v)) for _, v in sorted(by_day.items())]
    assert [(c, lo, hi, avg) for _, lo, avg, hi, c in get("1d")] == expected
    assert all(start.hour == 0 and start.minute == 0 for start, *_ in get("1d"))


def test_history_bad_parameters_name_the_field(api_client, world, readings):
    device, hour, _points = readings
    api_client.force_authenticate(world.grid_worker_a)
    url = f"{DEVICES}{device.pk}/history/"
    for params, field in (
        ({}, "metric"),
        ({"metric": "a'b"}, "metric"),
        ({"metric": "x", "bucket": "7m"}, "bucket"),
        ({"metric": "x", "since": "yesterday"}, "since"),
        ({"metric": "x", "bucket": "5m", "since": "2020-01-01T00:00:00Z"}, "since"),
        ({"metric": "x", "since": "2030-01-01T00:00:00Z", "until": "2029-01-01T00:00:00Z"}, "since"),
    ):
        response = api_client.get(url, params)
        assert response.status_code == 400 and field in response.json(), (params, response.content)
    response = api_client.get(url, {"metric": "temperature_c"})  # the last week of hours by default
    assert [b["count"] for b in response.json()["buckets"]] == [3, 2]


def test_downsample_directly_skips_other_devices(world, readings):
    device, hour, _points = readings
    other, key = make_device("electrical_monitor", place=world.shop_a)
    ingest([(other.ident, message(key, values={"temperature_c": 500}, ts=hour))])
    buckets = downsample(device, "temperature_c", "1h", since=hour, until=hour + datetime.timedelta(hours=2))
    assert [b.max for b in buckets] == [3.0, 20.0]
    assert Message.objects.count() == 7
    assert AlarmStatus.ACTIVE  # imported for readability of the alarm tests above
