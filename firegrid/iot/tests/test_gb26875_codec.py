"""GB/T 26875.3-2011 frames built byte by byte from the standard's layout (§6.6 表1, §8), the
sample frames published with the standard's examples, resynchronisation, data units, and how decoded
objects become pipeline messages. No database."""

import datetime
import struct

import pytest

from firegrid.iot.gb26875 import codec, events, tables
from firegrid.iot.gb26875.explain import BadHex, as_text, explain, parse_hex

DEVICE = bytes.fromhex("790300000000")  # 889, low byte first
CENTRE = bytes.fromhex("385B01000000")  # 88888
WHEN = bytes((2, 58, 9, 26, 9, 12))  # 2012-09-26 09:58:02: s, min, h, day, month, year − 2000

# The sample frames published with the standard's examples (a smoke detector's fire alarm, the
# centre's confirmation, a transmission device's main power fault, a clock synchronisation command,
# an inspection command): the codec must read them as they are.
SAMPLE_FIRE = (
    "40 40 01 00 01 01 20 3A 09 1A 09 0C 79 03 00 00 00 00 38 5B 01 00 00 00 30 00 02 02 01 01 01 28 "
    "0A 00 02 00 02 00" + " 20" * 30 + " 00 02 3A 09 1A 09 0C 46 23 23"
)
SAMPLE_CONFIRM = "40 40 01 00 01 01 23 3A 09 1A 09 0C 38 5B 01 00 00 00 79 03 00 00 00 00 00 00 03 AB 23 23"
SAMPLE_POWER = (
    "40 40 01 00 01 01 20 3A 09 1A 09 0C 79 03 00 00 00 00 38 5B 01 00 00 00 09 00 02 15 01 08 02 "
    "3A 09 1A 09 0C 42 23 23"
)
SAMPLE_SYNC = (
    "40 40 01 00 01 01 20 3A 09 1A 09 0C 38 5B 01 00 00 00 79 03 00 00 00 00 08 00 01 5A 01 02 "
    "3A 09 1A 09 0C 7D 23 23"
)
SAMPLE_INSPECT = (
    "40 40 01 00 01 01 20 3A 09 1A 09 0C 38 5B 01 00 00 00 79 03 00 00 00 00 03 00 01 5B 01 0A 0F 23 23"
)


def by_hand(*, serial=1, version=(1, 0), when=WHEN, source=DEVICE, destination=CENTRE, command=2, data=b""):
    """A frame assembled field by field as 表1 lays it out, independent of codec.encode."""
    control = bytearray()
    control += bytes((serial & 0xFF, serial >> 8))  # serial number, low byte first
    control += bytes(version)  # main version, user version
    control += when  # time tag
    control += source  # source address, low byte first
    control += destination  # destination address
    control += bytes((len(data) & 0xFF, len(data) >> 8))  # data unit length, low byte first
    control += bytes((command,))  # command byte
    assert len(control) == 25
    total = 0
    for byte in control + data:
        total += byte
    return b"\x40\x40" + bytes(control) + data + bytes((total % 256,)) + b"\x23\x23"


def component_object(*, system_type=1, system_address=1, component_type=42, address=1, status=3, text=b""):
    obj = bytes((system_type, system_address, component_type))
    obj += struct.pack("<I", address)
    obj += struct.pack("<H", status)
    obj += text.ljust(31, b"\x00")
    return obj + WHEN


def data_unit(kind, *objects):
    return bytes((kind, len(objects))) + b"".join(objects)


def read_all(*chunks):
    reader = codec.FrameReader()
    out = []
    for chunk in chunks:
        out += reader.feed(chunk)
    return out, reader


def test_the_published_sample_frames_decode_field_by_field():
    [frame] = read_all(bytes.fromhex(SAMPLE_FIRE))[0]
    assert isinstance(frame, codec.Frame)
    assert (frame.serial, frame.version, frame.command) == (1, (1, 1), codec.SEND)
    assert frame.time == datetime.datetime(2012, 9, 26, 9, 58, 32, tzinfo=codec.tz())
    assert (frame.address, codec.address_number(frame.source), codec.address_number(frame.destination)) == (
        "790300000000",
        889,
        88888,
    )
    unit = codec.decode_unit(frame.data)
    assert unit.type_flag == 2
    [obj] = unit.objects
    assert (obj["system_type"], obj["system_address"], obj["component_type"]) == (1, 1, 40)
    assert obj["component_address"] == 0x0002000A
    assert obj["flags"] == ["fire"] and obj["test_bit"]  # the sample leaves bit 0 clear
    assert obj["time"] == datetime.datetime(2012, 9, 26, 9, 58, 2, tzinfo=codec.tz())

    [power] = read_all(bytes.fromhex(SAMPLE_POWER))[0]
    [obj] = codec.decode_unit(power.data).objects
    assert power.data[0] == 21 and obj["flags"] == ["main_power_fault"]

    [sync] = read_all(bytes.fromhex(SAMPLE_SYNC))[0]
    [obj] = codec.decode_unit(sync.data).objects
    assert sync.command == codec.CONTROL and sync.data[0] == 90
    assert obj["time"] == datetime.datetime(2012, 9, 26, 9, 58, 2, tzinfo=codec.tz())

    [inspect] = read_all(bytes.fromhex(SAMPLE_INSPECT))[0]
    assert codec.decode_unit(inspect.data).objects == [{"answer_minutes": 10}]


def test_encode_builds_the_same_bytes_as_the_layout_and_the_published_confirmation():
    data = data_unit(2, component_object())
    assert codec.encode(
        serial=1, source=DEVICE, destination=CENTRE, command=2, data=data, when=WHEN
    ) == by_hand(data=data)
    confirm = codec.encode(
        serial=1,
        version=(1, 1),
        when=bytes.fromhex("233A091A090C"),
        source=CENTRE,
        destination=DEVICE,
        command=codec.CONFIRM,
    )
    assert confirm == bytes.fromhex(SAMPLE_CONFIRM)
    [frame] = read_all(by_hand(serial=0x1234, data=data))[0]
    reply = codec.reply(frame, codec.CONFIRM, CENTRE)
    assert reply[2:4] == b"\x34\x12" and reply[12:18] == CENTRE and reply[18:24] == DEVICE
    assert reply[24:27] == b"\x00\x00\x03" and reply[-2:] == b"##"


def test_a_wrong_checksum_is_broken_with_its_header_and_the_next_frame_is_read():
    bad = bytearray(by_hand(serial=7, data=data_unit(2, component_object())))
    bad[-3] ^= 0xFF
    good = by_hand(serial=8)
    out, reader = read_all(bytes(bad) + good)
    assert [type(x).__name__ for x in out] == ["Broken", "Frame"]
    assert out[0].reason == "checksum" and out[0].frame.serial == 7
    assert out[1].serial == 8 and reader.pending == 0


def test_an_oversized_length_is_skipped_without_waiting_for_1024_bytes():
    header = bytearray(by_hand(serial=1))[:27]
    header[24:26] = struct.pack("<H", 1025)
    out, reader = read_all(bytes(header) + by_hand(serial=2))
    assert out[0].reason == "oversized" and out[-1].serial == 2 and reader.pending == 0


def test_a_length_that_does_not_reach_the_end_marker_is_skipped():
    frame = bytearray(by_hand(serial=3, data=b"\x15\x01" + b"\x01" + WHEN))
    frame[24] -= 1  # one byte short: no "##" where the length says
    out, _reader = read_all(bytes(frame) + by_hand(serial=4))
    assert out[0].reason == "bad_end" and out[-1].serial == 4


def test_split_reads_byte_by_byte_and_coalesced_frames():
    raw = by_hand(serial=9, data=data_unit(2, component_object()))
    reader = codec.FrameReader()
    out = []
    for byte in raw:
        out += reader.feed(bytes((byte,)))
        assert reader.pending < codec.MAX_FRAME
    assert len(out) == 1 and out[0].serial == 9
    out, _reader = read_all(
        by_hand(serial=1) + by_hand(serial=2) + by_hand(serial=3)[:10], by_hand(serial=3)[10:]
    )
    assert [f.serial for f in out] == [1, 2, 3]


def test_garbage_is_skipped_to_the_next_start_and_a_false_start_does_not_stall_a_real_frame():
    out, _reader = read_all(b"\x00\xffhello @", b"@ nonsense" + by_hand(serial=5) + b"##trailing")
    kinds = [(x.reason if isinstance(x, codec.Broken) else x.serial) for x in out]
    assert 5 in kinds and "garbage" in kinds
    # "@@" then a length of 1000: the reader would wait for 1,030 bytes; the complete frame after it wins
    false_start = b"@@" + bytes(22) + struct.pack("<H", 1000) + b"\x02"
    out, reader = read_all(false_start + by_hand(serial=6))
    assert out[-1].serial == 6 and reader.pending == 0


def test_the_reader_keeps_less_than_a_frame_whatever_it_is_fed():
    reader = codec.FrameReader()
    for _ in range(200):
        reader.feed(b"@@" + bytes(500))
        assert reader.pending <= codec.MAX_FRAME + 502


@pytest.mark.parametrize(
    ("kind", "objects", "check"),
    [
        (
            1,
            [bytes((1, 1)) + struct.pack("<H", 0b10_0000_0000_0110) + WHEN],
            lambda o: o["flags"] == ["fire", "fault", "reset"],
        ),
        (
            3,
            [bytes((1, 1, 31)) + struct.pack("<I", 4097) + bytes((3,)) + struct.pack("<h", -15) + WHEN],
            lambda o: (o["name"], o["value"], o["component_address"]) == ("temperature_c", -1.5, 4097),
        ),
        (
            4,
            [bytes((1, 1, 0b101, 7)) + WHEN],
            lambda o: o["flags"] == ["reset", "manual_alarm"] and o["operator"] == 7,
        ),
        (24, [bytes((0b10_0000, 1)) + WHEN], lambda o: o["flags"] == ["inspection_answered"]),
        (25, [bytes((2, 3))], lambda o: o["version"] == "2.3"),
        (26, [bytes((4,)) + "主机一".encode("gb18030")[:4]], lambda o: o["description"].startswith("主机")),
        (28, [WHEN], lambda o: o["time"].year == 2012),
    ],
)
def test_information_objects(kind, objects, check):
    unit = codec.decode_unit(data_unit(kind, *objects))
    assert unit.type_flag == kind and check(unit.objects[0])


def test_bad_data_units_are_named():
    with pytest.raises(codec.BadDataUnit) as exc:
        codec.decode_unit(data_unit(2, component_object())[:-1])
    assert exc.value.reason == "bad_length"
    with pytest.raises(codec.BadDataUnit) as exc:
        codec.decode_unit(bytes((9, 1, 0)))  # 9–20 reserved
    assert exc.value.reason == "unknown_type"
    assert codec.decode_unit(
        bytes((0x80, 1, 1, 2, 3))
    ).user_defined  # a vendor's own type: skipped, not refused


def test_component_description_is_gb18030():
    unit = codec.decode_unit(data_unit(2, component_object(text="3F 走廊感烟".encode("gb18030"))))
    assert unit.objects[0]["description"] == "3F 走廊感烟"


# ---- decoded objects → pipeline messages ----


def translate(kind, *objects, faults=None):
    faults = set() if faults is None else faults
    unit = codec.decode_unit(data_unit(kind, *objects))
    now = datetime.datetime.now(datetime.UTC)
    return events.translate(unit, faults=faults, info={}, key="k", id_prefix="p", received_at=now), faults


def status(name):
    return 1 | codec.bit(tables.COMPONENT_STATUS_BITS, name) if name else 1


def test_fire_reset_and_faults_follow_the_panel_rules():
    out, _faults = translate(2, component_object(status=status("fire")))
    assert out.fire and out.messages[0]["events"] == ["fire"]
    assert out.messages[0]["ts"] < datetime.datetime.now().timestamp()  # the object's time is too old: now
    out, _ = translate(4, bytes((1, 1, 1, 0)) + WHEN)
    assert out.messages[0]["events"] == ["reset"]
    out, _ = translate(24, bytes((0b100, 0)) + WHEN)  # manual alarm on the transmission device
    assert "fire" in out.messages[0]["events"]
    faults = set()
    out, _ = translate(2, component_object(address=1, status=status("fault")), faults=faults)
    assert out.messages[0]["events"] == ["fault"] and out.faults_changed
    translate(2, component_object(address=2, status=status("power_fault")), faults=faults)
    out, _ = translate(2, component_object(address=1, status=status(None)), faults=faults)
    assert out.messages == [] and out.faults_changed  # component 2 is still in fault
    out, _ = translate(2, component_object(address=2, status=status(None)), faults=faults)
    assert out.messages[0]["events"] == ["fault_clear"] and faults == set()


def test_analogue_values_are_named_scaled_and_kept_within_the_pipeline_limits():
    objects = [
        bytes((1, 1, 99)) + struct.pack("<I", n) + bytes((5,)) + struct.pack("<h", 2500) + WHEN
        for n in range(40)
    ]
    out, _ = translate(3, *objects)
    assert [len(m["values"]) for m in out.messages] == [32, 8]
    assert out.messages[0]["values"]["pressure_kpa@1.1.0"] == 250.0


def test_the_explanation_names_every_field():
    text = as_text(explain(parse_hex(SAMPLE_FIRE + " ff ff 40 40 01")))
    assert "smoke detector (感烟火灾探测器)" in text and "fire alarm (火警)" in text
    assert "790300000000 (= 889)" in text and "incomplete" not in text.split("#3")[0]
    with pytest.raises(BadHex):
        parse_hex("40 4")
    with pytest.raises(BadHex):
        parse_hex("zz")
