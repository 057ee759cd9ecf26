"""GB/T 26875.3-2011 frames: reading a byte stream (with resynchronisation), decoding data units,
building frames. No I/O and no database here.

A frame (§6.6, 表1):
    "@@" | control unit (25 bytes) | application data unit (0–1024 bytes) | checksum (1) | "##"
    control unit: serial (2, low byte first) | protocol version (2: main, user) |
                  time tag (6: s, min, h, day, month, year − 2000) | source address (6, low byte first) |
                  destination address (6) | data unit length (2, low byte first, ≤ 1024) | command (1)
    checksum: the sum of the control unit and data unit bytes, modulo 256.
A data unit (§7): type flag (1) | object count (1) | information objects (each with its time tag).
"""

import datetime
import struct
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings

from firegrid.iot.gb26875 import tables

START = b"@@"
END = b"##"
CONTROL_LEN = 25
HEAD_LEN = 2 + CONTROL_LEN  # "@@" + control unit
MAX_DATA = 1024
MAX_FRAME = HEAD_LEN + MAX_DATA + 3
VERSION = (1, 0)  # main version 1 (fixed by the standard), user version 0

CONTROL, SEND, CONFIRM, REQUEST, ANSWER, DENY = 1, 2, 3, 4, 5, 6
_HEADER = struct.Struct("<HBB6s6s6sHB")  # from byte 2: serial … command


def checksum(data):
    return sum(data) & 0xFF


def tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def time_tag(moment=None):
    """An aware datetime → the 6-byte time tag in the zone devices keep (TIME_ZONE)."""
    moment = (moment or datetime.datetime.now(datetime.UTC)).astimezone(tz())
    return bytes((moment.second, moment.minute, moment.hour, moment.day, moment.month, moment.year - 2000))


def parse_time(raw):
    """6-byte time tag → aware datetime, or None if the device sent an impossible date."""
    s, mi, h, d, mo, y = raw
    try:
        return datetime.datetime(2000 + y, mo, d, h, mi, s, tzinfo=tz())
    except ValueError:
        return None


def address_hex(raw):
    """6 address bytes as sent (low byte first) → 12 upper-case hex digits, our canonical form."""
    return bytes(raw).hex().upper()


def address_bytes(text):
    """12 hex digits (spaces, colons allowed) in transmission order → 6 bytes; ValueError otherwise."""
    digits = "".join(ch for ch in str(text) if ch not in " :-")
    raw = bytes.fromhex(digits)
    if len(raw) != 6:
        raise ValueError("an address is 6 bytes (12 hex digits)")
    return raw


def address_number(raw):
    """The address as the 48-bit number it encodes (low byte first), as many devices display it."""
    return int.from_bytes(raw, "little")


@dataclass(frozen=True)
class Frame:
    serial: int
    version: tuple
    time_raw: bytes
    source: bytes
    destination: bytes
    command: int
    data: bytes
    raw: bytes = field(repr=False, default=b"")

    @property
    def time(self):
        return parse_time(self.time_raw)

    @property
    def address(self):
        return address_hex(self.source)


@dataclass(frozen=True)
class Broken:
    """Bytes that are not a good frame. `frame` is set when the header could be read (checksum)."""

    reason: str  # garbage, oversized, bad_end, checksum
    raw: bytes
    frame: Frame | None = None


def _header(buf, total=None):
    serial, major, minor, when, src, dst, length, command = _HEADER.unpack_from(buf, 2)
    data = bytes(buf[HEAD_LEN : HEAD_LEN + length]) if total else b""
    raw = bytes(buf[:total]) if total else b""
    return Frame(serial, (major, minor), when, src, dst, command, data, raw)


def encode(*, serial, source, destination, command, data=b"", when=None, version=VERSION):
    if len(data) > MAX_DATA:
        raise ValueError("a data unit is at most 1024 bytes")
    control = _HEADER.pack(
        serial & 0xFFFF,
        version[0],
        version[1],
        when if isinstance(when, bytes) else time_tag(when),
        bytes(source),
        bytes(destination),
        len(data),
        command,
    )
    body = control + bytes(data)
    return START + body + bytes((checksum(body),)) + END


def reply(frame, command, centre, data=b""):
    """The centre's answer to a frame (confirm or deny): same serial, addresses swapped (§6.3)."""
    return encode(serial=frame.serial, source=centre, destination=frame.source, command=command, data=data)


class FrameReader:
    """Feed it bytes as they arrive; it yields frames and broken pieces and keeps < one frame buffered.

    Resynchronisation: anything before "@@" is garbage; a start whose length field is above 1024 or
    whose end marker is missing is skipped by one byte and the search goes on; a frame with a wrong
    checksum is dropped whole (its length and end marker held). While a frame is incomplete, a later
    "@@" that starts a complete frame with a good checksum wins: a false start cannot stall a device
    that waits for its confirmation.
    """

    def __init__(self):
        self.buf = bytearray()

    @property
    def pending(self):
        return len(self.buf)

    def feed(self, data):
        buf = self.buf
        buf += data
        out = []
        while buf:
            i = buf.find(START)
            if i < 0:
                keep = 1 if buf[-1:] == b"@" else 0
                if len(buf) > keep:
                    out.append(Broken("garbage", bytes(buf[: len(buf) - keep])))
                    del buf[: len(buf) - keep]
                break
            if i:
                out.append(Broken("garbage", bytes(buf[:i])))
                del buf[:i]
            if len(buf) < HEAD_LEN:
                break
            length = buf[24] | buf[25] << 8
            if length > MAX_DATA:
                out.append(self._skip("oversized"))
                continue
            total = HEAD_LEN + length + 3
            if len(buf) < total:
                later = self._later_frame()
                if later:
                    out.append(Broken("bad_end", bytes(buf[:later])))
                    del buf[:later]
                    continue
                break
            if buf[total - 2 : total] != END:
                out.append(self._skip("bad_end"))
                continue
            frame = _header(buf, total)
            if checksum(memoryview(buf)[2 : total - 3]) != buf[total - 3]:
                out.append(Broken("checksum", frame.raw, frame))
            else:
                out.append(frame)
            del buf[:total]
        return out

    def _skip(self, reason):
        """Drop a false start up to the next "@@" (at least one byte)."""
        buf = self.buf
        j = buf.find(START, 1)
        if j < 0:
            j = len(buf) - (1 if buf[-1:] == b"@" else 0)
        j = max(j, 1)
        piece = Broken(reason, bytes(buf[:j]))
        del buf[:j]
        return piece

    def _later_frame(self):
        buf = self.buf
        j = buf.find(START, 1)
        tries = 0
        while j > 0 and tries < 32:
            tries += 1
            if len(buf) - j >= HEAD_LEN:
                length = buf[j + 24] | buf[j + 25] << 8
                total = HEAD_LEN + length + 3
                if (
                    length <= MAX_DATA
                    and len(buf) - j >= total
                    and buf[j + total - 2 : j + total] == END
                    and checksum(memoryview(buf)[j + 2 : j + total - 3]) == buf[j + total - 3]
                ):
                    return j
            j = buf.find(START, j + 1)
        return 0


# ---- data units ----


class BadDataUnit(ValueError):
    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _text(raw):
    """GB 18030 text, NUL-padded or space-padded."""
    return bytes(raw).split(b"\x00", 1)[0].decode("gb18030", "replace").strip()


def _when(raw):
    return {"time": parse_time(raw), "time_raw": bytes(raw).hex().upper()}


def _system(b, o):
    return {"system_type": b[o], "system_address": b[o + 1]}


def _component(b, o):
    return {
        "system_type": b[o],
        "system_address": b[o + 1],
        "component_type": b[o + 2],
        "component_address": int.from_bytes(b[o + 3 : o + 7], "little"),
    }


def _sys_status(b, o):
    status = b[o + 2] | b[o + 3] << 8
    return {
        **_system(b, o),
        "status": status,
        "test_bit": not status & 1,
        "flags": tables.flags(status, tables.SYSTEM_STATUS_BITS),
        **_when(b[o + 4 : o + 10]),
    }


def _comp_status(b, o):
    status = b[o + 7] | b[o + 8] << 8
    return {
        **_component(b, o),
        "status": status,
        "test_bit": not status & 1,
        "flags": tables.flags(status, tables.COMPONENT_STATUS_BITS),
        "description": _text(b[o + 9 : o + 40]),
        **_when(b[o + 40 : o + 46]),
    }


def _analogue(b, o):
    kind = b[o + 7]
    raw = struct.unpack_from("<h", b, o + 8)[0]
    key, scale = tables.ANALOGUE_TYPES[kind][:2] if kind in tables.ANALOGUE_TYPES else (f"analogue_{kind}", 1)
    return {
        **_component(b, o),
        "analogue_type": kind,
        "raw_value": raw,
        "name": key,
        "value": round(raw * scale, 4),
        **_when(b[o + 10 : o + 16]),
    }


def _sys_operation(b, o):
    return {
        **_system(b, o),
        "operation": b[o + 2],
        "flags": tables.flags(b[o + 2], tables.SYSTEM_OPERATION_BITS),
        "operator": b[o + 3],
        **_when(b[o + 4 : o + 10]),
    }


def _version(b, o, system=True):
    head = _system(b, o) if system else {}
    p = o + 2 if system else o
    return {**head, "version": f"{b[p]}.{b[p + 1]}"}


def _comp_config(b, o):
    return {**_component(b, o), "description": _text(b[o + 7 : o + 38])}


def _dev_status(b, o):
    return {
        "status": b[o],
        "test_bit": not b[o] & 1,
        "flags": tables.flags(b[o], tables.DEVICE_STATUS_BITS),
        **_when(b[o + 1 : o + 7]),
    }


def _dev_operation(b, o):
    return {
        "operation": b[o],
        "flags": tables.flags(b[o], tables.DEVICE_OPERATION_BITS),
        "operator": b[o + 1],
        **_when(b[o + 2 : o + 8]),
    }


# type flag → (object size, decoder); downstream types so the decoder page explains our commands too
FIXED = {
    1: (10, _sys_status),
    2: (46, _comp_status),
    3: (16, _analogue),
    4: (10, _sys_operation),
    5: (4, _version),
    7: (38, _comp_config),
    8: (8, lambda b, o: {**_system(b, o), **_when(b[o + 2 : o + 8])}),
    21: (7, _dev_status),
    24: (8, _dev_operation),
    25: (2, lambda b, o: _version(b, o, system=False)),
    28: (6, lambda b, o: _when(b[o : o + 6])),
    61: (2, _system),
    62: (6, lambda b, o: {**_system(b, o), "component_address": int.from_bytes(b[o + 2 : o + 6], "little")}),
    63: (6, lambda b, o: {**_system(b, o), "component_address": int.from_bytes(b[o + 2 : o + 6], "little")}),
    64: (9, lambda b, o: {**_system(b, o), "records": b[o + 2], **_when(b[o + 3 : o + 9])}),
    65: (2, _system),
    66: (2, _system),
    67: (6, lambda b, o: {**_system(b, o), "component_address": int.from_bytes(b[o + 2 : o + 6], "little")}),
    68: (2, _system),
    81: (1, lambda b, o: {"reserved": b[o]}),
    84: (7, lambda b, o: {"records": b[o], **_when(b[o + 1 : o + 7])}),
    85: (1, lambda b, o: {"reserved": b[o]}),
    86: (1, lambda b, o: {"reserved": b[o]}),
    88: (1, lambda b, o: {"reserved": b[o]}),
    89: (1, lambda b, o: {"reserved": b[o]}),
    90: (6, lambda b, o: _when(b[o : o + 6])),
    91: (1, lambda b, o: {"answer_minutes": b[o]}),
}
VARIABLE = {6: True, 26: False}  # configuration texts: (system type, address,) length, text


@dataclass
class DataUnit:
    type_flag: int
    objects: list

    @property
    def user_defined(self):
        return self.type_flag in tables.USER_TYPES


def decode_unit(data):
    """Data unit bytes → DataUnit; BadDataUnit (reason unknown_type, bad_length) otherwise.
    Types 128–254 are the vendor's own: returned with no objects, never refused."""
    if len(data) < 2:
        raise BadDataUnit("bad_length", "a data unit has a type flag and an object count")
    kind, count = data[0], data[1]
    if kind in tables.USER_TYPES:
        return DataUnit(kind, [])
    body = memoryview(data)[2:]
    if kind in FIXED:
        size, fn = FIXED[kind]
        if len(body) != size * count:
            raise BadDataUnit("bad_length", f"type {kind}: {count} × {size} bytes ≠ {len(body)}")
        return DataUnit(kind, [fn(body, i * size) for i in range(count)])
    if kind in VARIABLE:
        objects, o, system = [], 0, VARIABLE[kind]
        for _ in range(count):
            head = 2 if system else 0
            if o + head + 1 > len(body) or o + head + 1 + body[o + head] > len(body):
                raise BadDataUnit("bad_length", f"type {kind}: object runs past the data unit")
            n = body[o + head]
            obj = _system(body, o) if system else {}
            obj["description"] = _text(body[o + head + 1 : o + head + 1 + n])
            objects.append(obj)
            o += head + 1 + n
        if o != len(body):
            raise BadDataUnit("bad_length", f"type {kind}: {len(body) - o} bytes left over")
        return DataUnit(kind, objects)
    raise BadDataUnit("unknown_type", f"type flag {kind}")


# ---- building data units (the centre's commands; the simulator's and tests' uploads) ----


def unit(kind, objects):
    return bytes((kind, len(objects))) + b"".join(objects)


def sync_time_unit(moment=None):
    return unit(90, [time_tag(moment)])


def inspect_unit(minutes):
    return unit(91, [bytes((max(0, min(255, int(minutes))),))])


def component_status(
    *, system_type=1, system_address=1, component_type=42, address=1, status=1, text="", when=None
):
    desc = text.encode("gb18030")[:31].ljust(31, b"\x00")
    return (
        bytes((system_type, system_address, component_type))
        + address.to_bytes(4, "little")
        + status.to_bytes(2, "little")
        + desc
        + time_tag(when)
    )


def system_status(*, system_type=1, system_address=1, status=1, when=None):
    return bytes((system_type, system_address)) + status.to_bytes(2, "little") + time_tag(when)


def analogue(*, system_type=1, system_address=1, component_type=0, address=1, kind=3, raw=0, when=None):
    return (
        bytes((system_type, system_address, component_type))
        + address.to_bytes(4, "little")
        + bytes((kind,))
        + struct.pack("<h", raw)
        + time_tag(when)
    )


def system_operation(*, system_type=1, system_address=1, operation=1, operator=0, when=None):
    return bytes((system_type, system_address, operation, operator)) + time_tag(when)


def device_status(*, status=1, when=None):
    return bytes((status,)) + time_tag(when)


def device_operation(*, operation=1, operator=0, when=None):
    return bytes((operation, operator)) + time_tag(when)


def bit(table, name):
    """The status/operation value with one named bit set (plus bit 0, "normal", for status words)."""
    for b, n, _label, _term in table:
        if n == name:
            return 1 << b
    raise KeyError(name)
