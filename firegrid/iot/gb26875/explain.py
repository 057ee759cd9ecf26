"""Hex text → every field of every frame in it, labelled, for field engineers (the decoder page and
`firegrid gb26875 decode`)."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.iot.gb26875 import codec, tables

MAX_HEX_CHARS = 64 * 1024


class BadHex(ValueError):
    pass


def parse_hex(text):
    """Hex as engineers paste it: spaces, newlines, commas, 0x prefixes and colons are ignored."""
    text = re.sub(r"0[xX]", "", text or "")
    digits = re.sub(r"[\s,:;\-]", "", text)
    if not digits:
        raise BadHex(_("Paste the frame as hexadecimal bytes."))
    if len(digits) > MAX_HEX_CHARS:
        raise BadHex(_("At most %(n)d hex digits at once.") % {"n": MAX_HEX_CHARS})
    if re.search(r"[^0-9a-fA-F]", digits):
        raise BadHex(_("Only hexadecimal digits (0–9, A–F) may be pasted."))
    if len(digits) % 2:
        raise BadHex(_("An odd number of hex digits: a byte is two digits."))
    return bytes.fromhex(digits)


def _coded(table, code):
    entry = table.get(code)
    if entry is None:
        return f"{code} · {tables.label(table, code)}"
    return f"{code} · {entry[0]} ({entry[1]})"


def _flags(names):
    if not names:
        return _("none")
    return ", ".join(f"{tables.FLAG_LABELS[n][0]} ({tables.FLAG_LABELS[n][1]})" for n in names)


def _time(obj):
    moment = obj.get("time")
    return (
        moment.strftime("%Y-%m-%d %H:%M:%S") if moment else _("invalid (%(raw)s)") % {"raw": obj["time_raw"]}
    )


FIELD_LABELS = {
    "system_type": gettext_lazy("system type"),
    "system_address": gettext_lazy("system address"),
    "component_type": gettext_lazy("component type"),
    "component_address": gettext_lazy("component address"),
    "status": gettext_lazy("status word"),
    "test_bit": gettext_lazy("bit 0 (1 normal, 0 test)"),
    "flags": gettext_lazy("states or operations"),
    "description": gettext_lazy("description"),
    "time": gettext_lazy("time"),
    "analogue_type": gettext_lazy("analogue type"),
    "raw_value": gettext_lazy("raw value"),
    "value": gettext_lazy("value"),
    "operation": gettext_lazy("operation byte"),
    "operator": gettext_lazy("operator number"),
    "version": gettext_lazy("software version"),
    "records": gettext_lazy("records asked for"),
    "answer_minutes": gettext_lazy("answer within (minutes)"),
    "reserved": gettext_lazy("reserved byte"),
}


def object_rows(obj):
    rows = []
    for key, value in obj.items():
        if key in ("time_raw", "name"):
            continue
        if key == "system_type":
            shown = _coded(tables.SYSTEM_TYPES, value)
        elif key == "component_type":
            shown = _coded(tables.COMPONENT_TYPES, value)
        elif key == "component_address":
            shown = f"{value} (0x{value:08X})"
        elif key in ("status", "operation"):
            shown = f"0x{value:04X}" if key == "status" else f"0x{value:02X}"
        elif key == "flags":
            shown = _flags(value)
        elif key == "time":
            shown = _time(obj)
        elif key == "test_bit":
            shown = _("test") if value else _("normal")
        elif key == "analogue_type":
            entry = tables.ANALOGUE_TYPES.get(value)
            shown = f"{value} · {entry[2]} ({entry[3]})" if entry else f"{value} · {tables.label({}, value)}"
        else:
            shown = str(value)
        rows.append((FIELD_LABELS.get(key, key), shown))
    return rows


def frame_rows(frame, checksum_ok=True):
    moment = frame.time
    return [
        (_("serial number"), str(frame.serial)),
        (_("protocol version"), f"{frame.version[0]}.{frame.version[1]}"),
        (
            _("time tag"),
            moment.strftime("%Y-%m-%d %H:%M:%S")
            if moment
            else _("invalid (%(raw)s)") % {"raw": frame.time_raw.hex()},
        ),
        (
            _("source address"),
            f"{codec.address_hex(frame.source)} (= {codec.address_number(frame.source)})",
        ),
        (
            _("destination address"),
            f"{codec.address_hex(frame.destination)} (= {codec.address_number(frame.destination)})",
        ),
        (_("data unit length"), str(len(frame.data))),
        (_("command"), _coded(tables.COMMANDS, frame.command)),
        (_("checksum"), _("correct") if checksum_ok else _("wrong")),
    ]


def explain(raw):
    """Bytes → [{"kind", "hex", "reason", "header", "unit", "objects", "error"}] in stream order."""
    reader = codec.FrameReader()
    items = reader.feed(raw)
    out = []
    for item in items:
        if isinstance(item, codec.Broken):
            entry = {"kind": "broken", "reason": item.reason, "hex": item.raw.hex(" ").upper()}
            if item.frame is not None:
                entry["header"] = frame_rows(item.frame, checksum_ok=False)
            out.append(entry)
            continue
        entry = {"kind": "frame", "hex": item.raw.hex(" ").upper(), "header": frame_rows(item)}
        if item.data:
            try:
                du = codec.decode_unit(item.data)
            except codec.BadDataUnit as exc:
                entry["error"] = str(exc)
            else:
                entry["unit"] = [
                    (_("type flag"), _coded({k: v[:2] for k, v in tables.TYPE_FLAGS.items()}, du.type_flag)),
                    (_("objects"), str(item.data[1])),
                ]
                entry["objects"] = [object_rows(obj) for obj in du.objects]
        elif item.command == codec.SEND:
            entry["note"] = _("An empty data unit: a heartbeat.")
        out.append(entry)
    if reader.pending:
        out.append(
            {
                "kind": "broken",
                "reason": "incomplete",
                "hex": bytes(reader.buf).hex(" ").upper(),
            }
        )
    return out


REASONS = {
    "garbage": gettext_lazy("bytes outside any frame"),
    "oversized": gettext_lazy("length field above 1024"),
    "bad_end": gettext_lazy("no end marker ## where the length says"),
    "checksum": gettext_lazy("wrong checksum"),
    "incomplete": gettext_lazy("incomplete frame (more bytes expected)"),
}


def as_text(entries):
    lines = []
    for n, entry in enumerate(entries, 1):
        if entry["kind"] == "broken":
            lines.append(f"#{n} {_('broken')}: {REASONS.get(entry['reason'], entry['reason'])}")
        else:
            lines.append(f"#{n} {_('frame')}")
        lines.append(f"  {entry['hex']}")
        for label, value in entry.get("header", []):
            lines.append(f"  {label}: {value}")
        for label, value in entry.get("unit", []):
            lines.append(f"  {label}: {value}")
        if entry.get("error"):
            lines.append(f"  {_('data unit')}: {entry['error']}")
        if entry.get("note"):
            lines.append(f"  {entry['note']}")
        for i, rows in enumerate(entry.get("objects", []), 1):
            lines.append(f"  {_('object')} {i}:")
            for label, value in rows:
                lines.append(f"    {label}: {value}")
    return "\n".join(lines)
