"""The MQTT ingest against a real Mosquitto broker and real `manage.py ingest` processes (conftest.py):
end to end, duplicates, malformed messages, offline and back, a SIGKILL mid-stream, shared load."""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from firegrid.iot.choices import AlarmStatus, DeviceStatus
from firegrid.iot.models import (
    ACTIVE_STATUSES,
    Alarm,
    AlarmEvent,
    Device,
    IngestCount,
    Message,
    RejectedMessage,
)
from firegrid.iot.mqtt import RejectSampler, topic_pattern
from firegrid.iot.simulator import Publisher, SimDevice, Simulation
from firegrid.iot.testing import make_device, message
from firegrid.org.testing import build_world

from .conftest import wait_for


@pytest.fixture
def live_world(shared_db):
    """The test world committed where the ingest subprocess sees it."""
    return build_world()


def topic(run, ident):
    return run["topic"].replace("+", ident, 1)


def publish(run, items):
    """items: [(device ident, payload bytes)], published at QoS 1 and acknowledged by the broker."""
    with Publisher(run["broker"]) as publisher:
        for ident, payload in items:
            publisher.publish(topic(run, ident), payload)
        assert publisher.wait_acked(30)


def counts(process=None):
    qs = IngestCount.objects.all()
    if process:
        qs = qs.filter(process=process)
    return dict(qs.values_list("name").annotate(n=Sum("count")))


def test_topic_pattern_takes_the_device_from_the_plus_level():
    pattern = topic_pattern("firegrid/v1/+/up")
    assert pattern.fullmatch("firegrid/v1/smoke-1/up")["device"] == "smoke-1"
    assert pattern.fullmatch("firegrid/v1/a/b/up") is None
    assert pattern.fullmatch("firegrid/v1x/a/up") is None
    with pytest.raises(ValueError, match="needs a \\+ level"):
        topic_pattern("firegrid/v1/up")


def test_a_published_smoke_event_becomes_a_fire_alarm_and_sigterm_stops_cleanly(
    live_world, mqtt_run, start_ingest
):
    ingest = start_ingest()
    device, key = make_device("smoke_detector", place=live_world.shop_a)
    publish(mqtt_run, [(device.ident, message(key, events=["smoke"], message_id="s-1"))])
    alarm = wait_for(lambda: Alarm.objects.filter(device=device).first(), message="the fire alarm")
    assert (alarm.kind, alarm.status, alarm.code, alarm.place) == (
        "fire",
        "active",
        "smoke-alarm",
        live_world.shop_a,
    )
    assert Message.objects.get(device=device).message_id == "s-1"
    device.refresh_from_db()
    assert device.status == DeviceStatus.ONLINE
    wait_for(lambda: counts(ingest.client_id).get("accepted") == 1, message="the per-minute counter")
    assert ingest.stop() == 0  # SIGTERM: finish, acknowledge, disconnect
    assert "ingest stopped" in ingest.output() and "accepted=1" in ingest.output()


def test_duplicate_message_ids_are_stored_once(live_world, mqtt_run, start_ingest):
    start_ingest()
    device, key = make_device("electrical_monitor", place=live_world.shop_a)
    raw = message(key, values={"residual_current_ma": 40}, message_id="dup-1")
    other = message(key, values={"residual_current_ma": 41}, message_id="dup-2")
    publish(mqtt_run, [(device.ident, raw), (device.ident, raw), (device.ident, other), (device.ident, raw)])
    wait_for(lambda: counts().get("duplicate") == 2 and counts().get("accepted") == 2, message="the counters")
    assert sorted(Message.objects.filter(device=device).values_list("message_id", flat=True)) == [
        "dup-1",
        "dup-2",
    ]


def test_malformed_messages_are_counted_sampled_and_the_ingest_keeps_going(
    live_world, mqtt_run, start_ingest
):
    ingest = start_ingest()
    device, key = make_device("electrical_monitor", place=live_world.shop_a)
    huge = b'{"id": "big", "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    publish(
        mqtt_run,
        [
            (device.ident, b"not json \x00\xff"),
            (device.ident, b"[1, 2]"),
            (
                device.ident,
                json.dumps({"id": "x", "ts": "yesterday", "key": key, "values": {"a": 1}}).encode(),
            ),
            (device.ident, huge),  # the test broker has no size limit: the ingest caps it
            ("no-such-device", message(key, values={"a": 1})),
            (device.ident, message("wrong-key", values={"a": 1})),
            (device.ident, message(key, values={"residual_current_ma": 42}, message_id="after")),
        ],
    )
    wait_for(lambda: Message.objects.filter(message_id="after").exists(), message="the good message")
    expected = {
        "rejected:bad_json": 1,
        "rejected:bad_shape": 1,
        "rejected:bad_time": 1,
        "rejected:too_large": 1,
        "rejected:unknown_device": 1,
        "rejected:bad_key": 1,
        "accepted": 1,
    }
    wait_for(lambda: counts() == expected, message=f"counters {expected}, have {counts()}")
    samples = {r.reason: r for r in RejectedMessage.objects.all()}
    assert set(samples) == {"bad_json", "bad_shape", "bad_time", "too_large", "unknown_device", "bad_key"}
    assert samples["bad_json"].sample.startswith("not json \\x00") and samples["bad_json"].channel == "mqtt"
    assert (
        len(samples["too_large"].sample) == 200 and samples["unknown_device"].device_ident == "no-such-device"
    )
    assert ingest.proc.poll() is None
    assert "ingest rejected reason=too_large" in ingest.output()


def test_offline_after_silence_and_back_online_by_publishing(live_world, mqtt_run, start_ingest):
    start_ingest()
    device, key = make_device("water_pressure", place=live_world.shop_a)
    publish(mqtt_run, [(device.ident, message(key, heartbeat=True))])
    wait_for(lambda: Device.objects.get(pk=device.pk).status == DeviceStatus.ONLINE, message="online")
    # silence: last heard longer ago than the heartbeat allows
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timezone.timedelta(hours=2))
    out = io.StringIO()
    call_command("sweep_devices", stdout=out)
    assert out.getvalue().strip() == "1"
    alarm = Alarm.objects.get(device=device, code="offline")
    assert alarm.kind == "fault" and alarm.status == AlarmStatus.ACTIVE
    publish(mqtt_run, [(device.ident, message(key, values={"pressure_mpa": 0.3}))])
    wait_for(lambda: Device.objects.get(pk=device.pk).status == DeviceStatus.ONLINE, message="back online")
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED


def _stream(run, devices, per_device, stop_after=None):
    """Publish `per_device` alarm-triggering messages from each device, interleaved, in a thread."""
    items = []
    for n in range(per_device):
        for device, key in devices:
            if device.kind == "smoke_detector":
                body = message(key, events=["smoke"], message_id=f"{device.ident}-{n}")
            else:
                body = message(key, values={"residual_current_ma": 400 + n}, message_id=f"{device.ident}-{n}")
            items.append((device.ident, body))
    publisher = Publisher(run["broker"]).connect()

    def send():
        for i, (ident, body) in enumerate(items):
            publisher.publish(topic(run, ident), body)
            if i % 200 == 199:  # a steady stream rather than one burst
                publisher.wait_acked(10)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return publisher, thread, len(items)


def test_killing_the_ingest_mid_stream_loses_nothing_and_duplicates_no_alarm(
    live_world, mqtt_run, start_ingest
):
    devices = [make_device("electrical_monitor", place=live_world.shop_a) for _ in range(5)]
    devices += [make_device("smoke_detector", place=live_world.shop_a) for _ in range(5)]
    first = start_ingest(args=["--batch", "50"])
    publisher, thread, total = _stream(mqtt_run, devices, 200)
    wait_for(lambda: Message.objects.count() >= 300, timeout=30, message="the first messages")
    first.kill()  # SIGKILL: batches in flight are neither committed nor acknowledged (or committed only)
    stored_at_kill = Message.objects.count()
    assert stored_at_kill < total, "the kill came too late to test anything"
    start_ingest()  # same client id: the same persistent session
    thread.join(30)
    assert publisher.wait_acked(30)
    publisher.close()
    wait_for(lambda: Message.objects.count() == total, timeout=60, message=f"{total} messages")

    ids = Message.objects.values("device_id", "message_id").annotate(n=Count("id"))
    assert len(ids) == total and all(row["n"] == 1 for row in ids)
    for device, _key in devices:
        expected = {f"{device.ident}-{n}" for n in range(200)}
        assert set(Message.objects.filter(device=device).values_list("message_id", flat=True)) == expected
        alarms = Alarm.objects.filter(device=device)
        assert alarms.count() == 1, list(alarms.values("code", "status", "count"))
        alarm = alarms.get()
        assert alarm.status in ACTIVE_STATUSES and alarm.flaps == 0
        # each stored message folded in exactly once (electrical: the first reading is the debounce)
        assert alarm.count == (200 if device.kind == "smoke_detector" else 199)
    assert AlarmEvent.objects.filter(kind="raised").count() == len(devices)


def test_two_ingest_processes_share_the_subscription(live_world, mqtt_run, start_ingest):
    a = start_ingest("a")
    b = start_ingest("b")
    rows = [
        {"ident": d.ident, "kind": d.kind, "key": k}
        for d, k in (make_device("electrical_monitor", place=live_world.shop_a) for _ in range(20))
    ]
    simulation = Simulation(
        [SimDevice(r["ident"], r["kind"], r["key"]) for r in rows],
        rate=2000,
        alarm_share=0.05,
        silent_share=0,
        topic=mqtt_run["topic"],
        seed=1,
    )
    with Publisher(mqtt_run["broker"]) as publisher:
        sent = simulation.run(publisher, max_messages=1000)
        assert publisher.wait_acked(30)
    assert sent == 1000
    wait_for(lambda: Message.objects.count() == 1000, timeout=30, message="1000 messages")

    def split():
        got = {p.client_id: counts(p.client_id).get("accepted", 0) for p in (a, b)}
        return got if sum(got.values()) == 1000 else None

    got = wait_for(split, message="both counters")
    assert all(n > 0 for n in got.values()), got
    assert not IngestCount.objects.filter(name="duplicate").exists()


def test_reject_samples_are_rate_limited():
    sampler = RejectSampler(total=3, per_reason=2)
    now = timezone.now()

    class Item:
        topic = "firegrid/v1/x/up"
        payload = b"x" * 500

    class Result:
        reason, detail = "bad_json", "not JSON"

    taken = [sampler.offer(Item, "x", Result, now) for _ in range(5)]
    assert taken == [True, True, False, False, False]
    assert len(sampler.rows[0].sample) == 200
    assert sampler.offer(Item, "x", Result, now + timezone.timedelta(minutes=1))  # a new minute


def test_message_ids_of_the_simulator_are_unique_and_valid():
    device = SimDevice("sim-1", "smoke_detector", "k")
    bodies = [device.body(alarm_share=0.5, fault_share=0.2) for _ in range(200)]
    assert len({b["id"] for b in bodies}) == 200
    assert all(b.get("values") or b.get("events") or b.get("heartbeat") for b in bodies)


def test_raise_clear_raise_in_one_batch_reopens_the_alarm(world):
    # found by the shared-subscription test: the second raise used to create a second active alarm
    # (IntegrityError) because the clear earlier in the batch was not saved yet
    from firegrid.iot.pipeline import ingest

    device, key = make_device("electrical_monitor", place=world.shop_a)
    readings = [400, 400, 100, 400, 400]
    start = timezone.now() - timezone.timedelta(seconds=10)
    results = ingest(
        [
            (
                device.ident,
                message(key, values={"residual_current_ma": v}, ts=start + timezone.timedelta(seconds=i)),
            )
            for i, v in enumerate(readings)
        ]
    )
    assert {r.status for r in results} == {"accepted"}
    alarm = Alarm.objects.get(device=device)
    assert alarm.status == AlarmStatus.ACTIVE and alarm.flaps == 1
    assert list(alarm.events.values_list("kind", flat=True)) == ["raised", "cleared", "reopened"]


@pytest.mark.parametrize(
    "body",
    [
        {"id": "a\u0000b", "values": {"x": 1}},
        {"id": "n1", "events": ["sm\u0000oke"]},
        {"id": "n2", "values": {"x\u0000y": 1}},
    ],
)
def test_nul_characters_are_rejected_not_a_database_error(world, body):
    # PostgreSQL text cannot hold NUL: these used to raise DataError in the middle of a batch
    from firegrid.iot.pipeline import ingest

    device, key = make_device("smoke_detector", place=world.shop_a)
    raw = json.dumps(dict(body, key=key, ts=timezone.now().isoformat())).encode()
    good = message(key, events=["smoke"])
    assert [(r.status, r.reason) for r in ingest([(device.ident, raw), (device.ident, good)])] == [
        ("rejected", "bad_shape"),
        ("accepted", ""),
    ]


# The ingest runs in autocommit and closes broken connections: unit tests of it use transactional_db.


class FakeClient:
    def __init__(self):
        self.acks = []

    def ack(self, mid, qos):
        self.acks.append(mid)


def _ingestor(items):
    from firegrid.iot.mqtt import Ingestor, Item

    ingestor = Ingestor(client_id="unit", url="mqtt://127.0.0.1:1", topic="firegrid/v1/+/up", group="")
    ingestor.client = FakeClient()
    ingestor._connected, ingestor._generation = True, 1
    return ingestor, [
        Item(f"firegrid/v1/{ident}/up", raw, mid, 1, 1) for mid, (ident, raw) in enumerate(items, 1)
    ]


def test_a_database_outage_keeps_the_batch_unacknowledged_until_it_is_stored(
    transactional_db, world, monkeypatch
):
    from django.db import OperationalError

    from firegrid.iot import mqtt

    device, key = make_device("smoke_detector", place=world.shop_a)
    ingestor, items = _ingestor([(device.ident, message(key, events=["smoke"]))])
    real, calls = mqtt.pipeline.ingest, []

    def flaky(batch):
        calls.append(list(ingestor.client.acks))
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(batch)

    monkeypatch.setattr(mqtt.pipeline, "ingest", flaky)
    monkeypatch.setattr(ingestor._stop, "wait", lambda delay: False)  # no real pause in the test
    ingestor._process(items)
    assert calls == [[], [], []]  # nothing acknowledged while the database was away
    assert ingestor.client.acks == [1] and Message.objects.count() == 1
    assert ingestor.totals["accepted"] == 1


def test_stopping_during_an_outage_acknowledges_nothing(transactional_db, monkeypatch):
    from django.db import OperationalError

    from firegrid.iot import mqtt

    ingestor, items = _ingestor([("x", b"{}")])
    monkeypatch.setattr(
        mqtt.pipeline, "ingest", lambda batch: (_ for _ in ()).throw(OperationalError("down"))
    )
    ingestor.stop()
    ingestor._process(items)
    assert ingestor.client.acks == [] and not ingestor.totals


def test_a_message_that_breaks_the_pipeline_is_isolated_and_the_rest_stored(
    transactional_db, world, monkeypatch
):
    from firegrid.iot import mqtt

    device, key = make_device("electrical_monitor", place=world.shop_a)
    batch = [(device.ident, message(key, values={"residual_current_ma": 10 + i})) for i in range(3)]
    batch.insert(1, (device.ident, b"boom"))
    ingestor, items = _ingestor(batch)
    real = mqtt.pipeline.ingest

    def buggy(pairs):
        if any(raw == b"boom" for _, raw in pairs):
            raise ZeroDivisionError("a bug")
        return real(pairs)

    monkeypatch.setattr(mqtt.pipeline, "ingest", buggy)
    ingestor._process(items)
    assert Message.objects.count() == 3
    assert ingestor.client.acks == [1, 2, 3, 4]  # the broken one too, or it would block its slot forever
    assert ingestor.totals["rejected:internal_error"] == 1 and ingestor.totals["accepted"] == 3


def test_acknowledgements_of_an_earlier_connection_are_not_sent(transactional_db, world):
    device, key = make_device("smoke_detector", place=world.shop_a)
    ingestor, items = _ingestor([(device.ident, message(key, events=["smoke"], message_id="m"))] * 2)
    items[0].generation = 0  # received before a reconnect: the broker redelivers it on the new one
    items.append(type(items[0])("other/topic", b"{}", 9, 1, 1))
    ingestor._process(items)
    assert ingestor.client.acks == [2, 9]
    assert ingestor.totals == {"received": 3, "accepted": 1, "duplicate": 1, "rejected:bad_topic": 1}
