"""The GB/T 26875 gateway end to end: the real asyncio server on a free port (in a thread of this
process, its database thread on the test database), devices as TCP clients sending frames built from
the standard's layout, rows checked in the database."""

import datetime
import io
import struct

import pytest
from django.core.management import call_command
from django.utils import timezone

from firegrid.iot.choices import AlarmStatus, DeviceStatus
from firegrid.iot.gb26875 import codec, store
from firegrid.iot.gb26875.models import GatewayCommand, RawFrame, TransmissionDevice
from firegrid.iot.gb26875.testing import Client, RunningGateway
from firegrid.iot.models import OFFLINE_CODE, Alarm, Device
from firegrid.iot.sweeps import sweep_offline
from firegrid.org.testing import build_world

from .conftest import wait_for
from .test_gb26875_codec import by_hand, component_object, data_unit

ADDRESS = "A10000000001"


@pytest.fixture
def gb_world(transactional_db):
    world = build_world()
    world.binding = store.register(ADDRESS, place=world.shop_a)
    return world


@pytest.fixture
def gateway(gb_world):
    running = RunningGateway(hello_timeout=2.0, frame_timeout=1.0, idle_timeout=30.0).start()
    yield running
    running.stop()


def now_tag():
    return codec.time_tag()


def upload(client, data, **kwargs):
    """A send-data frame built by hand (the layout, not codec.encode) with the current time."""
    serial, client.serial = client.serial, client.serial + 1
    return serial, by_hand(
        serial=serial, when=now_tag(), source=client.source, destination=bytes(6), data=data, **kwargs
    )


def fire_unit(address=0x0002000A):
    return data_unit(
        2, component_object(component_type=40, address=address, status=0b11, text="3F 走廊".encode("gb18030"))
    )


def test_a_panel_fire_alarm_becomes_an_alarm_and_a_hazard_case_and_the_reset_clears_it(gb_world, gateway):
    client = Client(gateway.port, ADDRESS)
    client.send(client.frame())  # heartbeat
    [confirm] = client.read()
    assert confirm.command == codec.CONFIRM and confirm.serial == 0 and confirm.destination == client.source
    serial, raw = upload(client, fire_unit())
    client.send(raw)
    [confirm] = client.read()
    assert (confirm.command, confirm.serial) == (codec.CONFIRM, serial)  # confirmed once committed
    alarm = Alarm.objects.get(device__gb26875__address=ADDRESS)
    assert (alarm.code, alarm.kind, alarm.status, alarm.place) == (
        "panel-fire",
        "fire",
        "active",
        gb_world.shop_a,
    )
    alarm = wait_for(
        lambda: Alarm.objects.filter(pk=alarm.pk, case__isnull=False).first(), message="the case"
    )
    assert alarm.case.place == gb_world.shop_a and alarm.case.source == "iot"
    device = Device.objects.get(pk=gb_world.binding.device_id)
    assert device.status == DeviceStatus.ONLINE
    frame = RawFrame.objects.get(address=ADDRESS, type_flag=2)
    assert bytes(frame.data) == raw and frame.direction == "in"
    _serial, reset = upload(client, data_unit(4, bytes((1, 1, 0b1, 3)) + now_tag()))
    client.send(reset)
    client.read()
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED
    client.close()


def test_faults_raise_and_clear_when_every_component_has_recovered(gb_world, gateway):
    client = Client(gateway.port, ADDRESS)
    for address, status in ((5, 0b101), (6, 0b1_0000_0001), (5, 0b1)):
        client.send(upload(client, data_unit(2, component_object(address=address, status=status)))[1])
        client.read()
    alarm = Alarm.objects.get(code="panel-fault")
    assert alarm.status == AlarmStatus.ACTIVE and alarm.count == 2
    assert sorted(TransmissionDevice.objects.get(address=ADDRESS).faults) == ["c1.1.42.6"]
    client.send(upload(client, data_unit(2, component_object(address=6, status=0b1)))[1])
    client.read()
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED


def test_split_and_coalesced_reads(gb_world, gateway):
    client = Client(gateway.port, ADDRESS)
    _serial, raw = upload(client, fire_unit())
    client.send(raw, byte_by_byte=True)
    assert client.read()[0].command == codec.CONFIRM
    frames = [client.frame() for _ in range(3)]
    client.send(b"".join(frames))
    assert [f.serial for f in client.read(3)] == [1, 2, 3]


def test_garbage_and_a_wrong_checksum_are_skipped_denied_and_counted_and_the_connection_survives(
    gb_world, gateway
):
    client = Client(gateway.port, ADDRESS)
    client.send(client.frame())
    client.read()
    bad = bytearray(upload(client, fire_unit())[1])
    bad[-3] ^= 0x55
    oversized = bytearray(client.frame()[:27])
    oversized[24:26] = struct.pack("<H", 60000)
    client.send(b"\x00\x01garbage" + bytes(bad) + bytes(oversized) + client.frame(serial=77))
    denied, confirmed = client.read(2)
    assert (denied.command, confirmed.command, confirmed.serial) == (codec.DENY, codec.CONFIRM, 77)
    totals = gateway.totals()
    assert (
        totals["broken:garbage"] >= 1 and totals["broken:checksum"] == 1 and totals["broken:oversized"] == 1
    )
    assert not Alarm.objects.exists()  # the broken fire frame was not believed
    wait_for(lambda: RawFrame.objects.filter(problem="checksum").exists(), message="the broken frame kept")


def test_unknown_type_flags_commands_and_bad_lengths_are_denied(gb_world, gateway):
    client = Client(gateway.port, ADDRESS)
    client.send(upload(client, bytes((9, 1, 0)))[1])  # reserved type flag
    client.send(upload(client, fire_unit()[:-1])[1])  # object one byte short
    client.send(client.frame(command=7))  # reserved command
    client.send(upload(client, bytes((0x80, 1, 1, 2)))[1])  # a vendor's own type: confirmed, skipped
    assert [f.command for f in client.read(4)] == [codec.DENY, codec.DENY, codec.DENY, codec.CONFIRM]
    totals = gateway.totals()
    assert totals["denied:unknown_type"] == 1 and totals["denied:bad_length"] == 1
    assert totals["denied:unknown_command"] == 1 and totals["skipped:user_type"] == 1


def test_an_unknown_address_is_denied_counted_and_disconnected(gb_world, gateway):
    client = Client(gateway.port, "B20000000009")
    client.send(client.frame())
    assert client.closed()
    assert client.frames[0].command == codec.DENY
    assert gateway.totals()["refused:unknown_address"] == 1
    wait_for(lambda: RawFrame.objects.filter(address="B20000000009", problem="unknown_address").exists())
    # registered while the gateway runs: found by the refresh a miss triggers (after 2 s)
    store.register("B20000000009", place=gb_world.shop_a)
    wait_for(lambda: gateway.call(lambda: gateway.gateway.may_refresh()), timeout=5)
    client = Client(gateway.port, "B20000000009")
    client.send(client.frame())
    assert client.read()[0].command == codec.CONFIRM


def test_slow_loris_and_silent_connections_are_closed(gb_world, gateway):
    slow = Client(gateway.port, ADDRESS)
    slow.send(slow.frame()[:10])  # a partial frame, then nothing
    silent = Client(gateway.port, ADDRESS)
    assert slow.closed(timeout=5) and silent.closed(timeout=5)
    totals = gateway.totals()
    assert totals["closed:slow_frame"] == 1 and totals["closed:hello_timeout"] == 1


def test_inspection_and_clock_commands_reach_the_device_and_its_answer_is_recorded(gb_world, gateway):
    client = Client(gateway.port, ADDRESS)
    skewed = client.frame(when=timezone.now() - datetime.timedelta(hours=5))
    client.send(skewed)
    first = client.read(2)
    sync = next(f for f in first if f.command == codec.CONTROL)
    assert (
        sync.data[0] == 90
        and abs((codec.decode_unit(sync.data).objects[0]["time"] - timezone.now()).total_seconds()) < 5
    )
    client.send(codec.reply(sync, codec.CONFIRM, client.source))
    command = store.queue_command(ADDRESS, "inspect", minutes=5)
    [inspect] = client.read(timeout=10)
    assert inspect.command == codec.CONTROL and inspect.data == bytes((91, 1, 5))
    client.send(codec.reply(inspect, codec.CONFIRM, client.source))
    wait_for(lambda: GatewayCommand.objects.get(pk=command.pk).status == "confirmed", message="confirmed")
    client.send(upload(client, data_unit(24, bytes((0b10_0000, 1)) + now_tag()))[1])  # 查岗应答
    client.read()
    wait_for(lambda: GatewayCommand.objects.get(pk=command.pk).status == "answered", message="answered")


def test_a_device_that_goes_silent_is_marked_offline(gb_world, gateway):
    client = Client(gateway.port, ADDRESS)
    client.send(client.frame())
    client.read()
    device = wait_for(
        lambda: Device.objects.filter(pk=gb_world.binding.device_id, status=DeviceStatus.ONLINE).first(),
        message="online",
    )
    client.close()
    gateway.stop()
    later = device.last_seen_at + datetime.timedelta(seconds=device.heartbeat_seconds * 3 + 1)
    assert sweep_offline(now=later) == 1
    device.refresh_from_db()
    assert device.status == DeviceStatus.OFFLINE
    assert Alarm.objects.get(device=device, code=OFFLINE_CODE).status == AlarmStatus.ACTIVE


def test_raw_frames_are_purged_after_the_configured_days(gb_world):
    old = RawFrame.objects.create(direction="in", address=ADDRESS, data=b"@@")
    RawFrame.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=10))
    RawFrame.objects.create(direction="in", address=ADDRESS, data=b"@@")
    out = io.StringIO()
    call_command("gb26875", "purge", "--days", "7", stdout=out)
    assert "Deleted 1 raw frames" in out.getvalue() and RawFrame.objects.count() == 1
