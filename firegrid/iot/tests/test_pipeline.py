"""The ingest pipeline without a broker: storing once, rejections, rules, alarm lifecycle, offline."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

from firegrid.iot import actions
from firegrid.iot.choices import AlarmStatus, DeviceStatus
from firegrid.iot.models import Alarm, AlarmEvent, Device, Message
from firegrid.iot.pipeline import count, ingest
from firegrid.iot.sweeps import sweep_offline
from firegrid.iot.testing import make_device, message


@pytest.fixture
def monitor(world):
    return make_device("electrical_monitor", place=world.shop_a)


@pytest.fixture
def smoke(world):
    return make_device("smoke_detector", place=world.shop_a)


def send(device, key, **kwargs):
    return ingest([(device.ident, message(key, **kwargs))])[0]


def test_a_message_is_stored_once_whatever_the_redeliveries(monitor):
    device, key = monitor
    raw = message(key, values={"residual_current_ma": 20}, message_id="m-1")
    results = ingest([(device.ident, raw), (device.ident, raw)])
    assert [r.status for r in results] == ["accepted", "duplicate"]
    assert [r.status for r in ingest([(device.ident, raw)])] == ["duplicate"]
    assert Message.objects.filter(device=device).count() == 1
    device.refresh_from_db()
    assert device.status == DeviceStatus.ONLINE and device.last_values["residual_current_ma"] == 20


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "bad_json"),
        (b"[1, 2]", "bad_shape"),
        (json.dumps({"ts": "2026-01-01T00:00:00Z", "key": "k", "values": {"a": 1}}).encode(), "bad_shape"),
        (json.dumps({"id": "x", "key": "k", "values": {"a": 1}}).encode(), "bad_time"),
        (
            json.dumps({"id": "x", "ts": "2026-01-01T00:00:00", "key": "k", "values": {"a": 1}}).encode(),
            "bad_time",
        ),
        (
            json.dumps({"id": "x", "ts": "2126-01-01T00:00:00Z", "key": "k", "values": {"a": 1}}).encode(),
            "future_time",
        ),
        (json.dumps({"id": "x", "ts": "now", "key": "k", "values": {"a": "high"}}).encode(), "bad_value"),
        (json.dumps({"id": "x", "ts": "now", "key": "k"}).encode(), "bad_shape"),
        (b"{" + b" " * (64 * 1024) + b"}", "too_large"),
    ],
)
def test_bad_messages_are_rejected_with_a_reason_and_the_rest_kept(monitor, raw, reason):
    device, key = monitor
    good = message(key, values={"residual_current_ma": 10})
    results = ingest([(device.ident, raw), (device.ident, good)])
    assert results[0].status == "rejected" and results[0].reason == reason, results[0]
    assert results[1].status == "accepted"
    assert Message.objects.count() == 1


def test_unknown_device_wrong_key_and_a_10_mb_message(monitor):
    device, key = monitor
    results = ingest(
        [
            ("no-such-device", message(key, values={"x": 1})),
            (device.ident, message("wrong-key", values={"x": 1})),
            (device.ident, b"x" * (10 * 1024 * 1024)),
            (device.ident, message(key, values={"x": 1})),
        ]
    )
    assert [r.reason for r in results] == ["unknown_device", "bad_key", "too_large", ""]
    assert count(results) == {
        "rejected:unknown_device": 1,
        "rejected:bad_key": 1,
        "rejected:too_large": 1,
        "accepted": 1,
    }


def test_threshold_with_debounce_fold_and_hysteresis(monitor):
    device, key = monitor
    send(device, key, values={"residual_current_ma": 450})
    assert not Alarm.objects.exists()  # debounce: two readings in a row
    send(device, key, values={"residual_current_ma": 460})
    alarm = Alarm.objects.get()
    assert (alarm.code, alarm.kind, alarm.status, alarm.value) == (
        "elec-residual-current",
        "warning",
        "active",
        460,
    )
    send(device, key, values={"residual_current_ma": 500})
    alarm.refresh_from_db()
    assert alarm.count == 2 and alarm.value == 500 and Alarm.objects.count() == 1  # folded in
    send(device, key, values={"residual_current_ma": 280})  # below the threshold, above the clear level
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACTIVE
    send(device, key, values={"residual_current_ma": 200})
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED and alarm.cleared_by is None and alarm.cleared_at
    assert list(alarm.events.values_list("kind", flat=True)) == ["raised", "cleared"]


def test_flapping_brings_back_the_same_alarm(monitor, settings):
    device, key = monitor
    for value in (400, 400, 100, 400, 400):
        send(device, key, values={"residual_current_ma": value})
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.ACTIVE and alarm.flaps == 1
    settings.IOT_FLAP_SECONDS = 0
    for value in (100, 400, 400):
        send(device, key, values={"residual_current_ma": value})
    assert Alarm.objects.count() == 2  # outside the flap window a new alarm


def test_per_device_threshold_override(world):
    device, key = make_device(
        "electrical_monitor",
        place=world.shop_a,
        thresholds={"elec-residual-current": {"threshold": 500, "clear_threshold": 400}},
    )
    for _ in range(3):
        send(device, key, values={"residual_current_ma": 450})
    assert not Alarm.objects.exists()


def test_smoke_event_raises_a_fire_alarm_and_notifies_after_commit(
    world, smoke, mailoutbox, django_capture_on_commit_callbacks
):
    world.grid_worker_a.email = "gw@example.org"
    world.grid_worker_a.save()
    device, key = smoke
    with django_capture_on_commit_callbacks(execute=True):
        send(device, key, events=["smoke"])
    alarm = Alarm.objects.get()
    assert alarm.kind == "fire" and alarm.place == world.shop_a and alarm.region == world.grid_a
    assert [m.to for m in mailoutbox] == [["gw@example.org"]]
    send(device, key, events=["smoke_clear"])
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED


def test_messages_are_applied_in_device_time_order(monitor):
    device, key = monitor
    now = timezone.now()
    batch = [
        (device.ident, message(key, values={"residual_current_ma": 100}, ts=now)),
        (
            device.ident,
            message(key, values={"residual_current_ma": 400}, ts=now - datetime.timedelta(seconds=2)),
        ),
        (
            device.ident,
            message(key, values={"residual_current_ma": 400}, ts=now - datetime.timedelta(seconds=1)),
        ),
    ]
    ingest(batch)
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.CLEARED  # raised by the two older readings, cleared by the newest


def test_offline_and_back_online(monitor):
    device, key = monitor
    send(device, key, heartbeat=True)
    later = timezone.now() + datetime.timedelta(seconds=device.heartbeat_seconds * 3 + 60)
    assert sweep_offline(now=later) == 1
    assert sweep_offline(now=later) == 0  # nothing twice
    device.refresh_from_db()
    assert device.status == DeviceStatus.OFFLINE
    alarm = Alarm.objects.get(code="offline")
    assert alarm.kind == "fault" and alarm.status == AlarmStatus.ACTIVE
    send(device, key, heartbeat=True)
    device.refresh_from_db()
    alarm.refresh_from_db()
    assert device.status == DeviceStatus.ONLINE and alarm.status == AlarmStatus.CLEARED


def test_acknowledge_clear_and_open_a_case(world, smoke):
    device, key = smoke
    send(device, key, events=["fault"])
    alarm = Alarm.objects.get()
    actions.acknowledge(alarm, actor=world.grid_worker_a)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED and alarm.acknowledged_by == world.grid_worker_a
    send(device, key, events=["fault"])  # repeats fold into the acknowledged alarm
    alarm.refresh_from_db()
    assert alarm.count == 2 and Alarm.objects.count() == 1
    case = actions.open_case(alarm, actor=world.grid_worker_a, note="现场烟感故障")
    assert case.source == "iot" and case.place == world.shop_a and case.category.code == "fire_facilities"
    send(device, key, events=["fault"], message_id="again")
    other, other_key = make_device("smoke_detector", place=world.shop_a)
    send(other, other_key, events=["fault"])
    second = Alarm.objects.get(device=other)
    assert actions.open_case(second, actor=world.grid_worker_a) == case  # joins the open case of the place
    assert case.events.filter(kind="comment").count() == 1
    actions.clear(alarm, actor=world.grid_worker_a, note="已更换")
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED and alarm.cleared_by == world.grid_worker_a
    assert AlarmEvent.objects.filter(alarm=alarm).count() == 4  # raised, acknowledged, case, cleared


def test_a_device_needs_a_place_or_a_point_in_the_district(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_device("water_pressure")
    with pytest.raises(ValidationError):
        make_device("water_pressure", lat=10, lng=10)
    device, _key = make_device("water_pressure", lat=28.05, lng=106.05)
    assert device.region == world.grid_a and device.heartbeat_seconds == 600
    assert Device.objects.get(pk=device.pk).key_hash != _key


def test_the_system_opens_and_joins_cases_without_a_user(world, smoke):
    device, key = smoke
    send(device, key, events=["fault"])
    other, other_key = make_device("smoke_detector", place=world.shop_a)
    send(other, other_key, events=["fault"])
    first, second = Alarm.objects.get(device=device), Alarm.objects.get(device=other)
    case = actions.open_case(first, actor=None)
    assert actions.open_case(second, actor=None) == case
    note = case.events.get(kind="comment")
    assert note.actor is None and note.actor_label and note.is_public is False


# ---- device rows: rewritten in place ----

EVERY_MESSAGE = {"last_seen_at", "last_values", "rule_state"}


def test_no_index_of_the_device_table_holds_a_column_the_ingest_writes_every_message(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Device._meta.db_table)
    indexed = {name: set(c["columns"]) for name, c in constraints.items() if c["index"] or c["unique"]}
    assert indexed, "the introspection found no index at all"
    assert {name: cols & EVERY_MESSAGE for name, cols in indexed.items() if cols & EVERY_MESSAGE} == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's HOT updates and fillfactor")
def test_the_ingest_rewrites_its_devices_in_place_on_postgresql(monitor):
    device, key = monitor
    send(device, key, values={"residual_current_ma": 20})

    def counts():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
                [Device._meta.db_table],
            )
            return cursor.fetchone() or (0, 0)

    before = counts()
    for value in (21, 22, 23):
        assert send(device, key, values={"residual_current_ma": value}).status == "accepted"
    updated, hot = (after - earlier for after, earlier in zip(counts(), before, strict=True))
    assert updated >= 3 and hot == updated  # every rewrite of the device stayed on its page
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Device._meta.db_table])
        assert "fillfactor=70" in (cursor.fetchone()[0] or [])


def test_a_message_is_indexed_by_its_device_once_not_three_times(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Message._meta.db_table)
    indexes = [
        c["columns"] for c in constraints.values() if (c["index"] or c["unique"]) and not c["primary_key"]
    ]
    leading = sorted(columns for columns in indexes if columns[0] == "device_id")
    assert leading == [["device_id", "message_id"], ["device_id", "ts"]]
