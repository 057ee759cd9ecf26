"""Decoded information objects → messages for the ingest pipeline (the same shape MQTT and HTTP
carry, see firegrid/iot/payload.py), plus what the gateway keeps about the device.

Events follow the shipped alarm rules of alarm panels (data/alarm-rules-2026.1.json): "fire" raises
panel-fire and "reset" clears it; "fault" raises panel-fault and "fault_clear" clears it.
- fire: a system, component or the transmission device itself in fire alarm; a manual alarm
  (手动报警) pressed on the panel or on the transmission device.
- reset: the reset bit of a system status, a reset or "alarm cleared" (警情消除) operation.
- fault: any fault bit (fault, power, bus, channel, line) of a system, a component or the device.
  The gateway remembers which of them are in fault; "fault_clear" is sent when the last of them
  reports a status without a fault bit, so one component recovering does not clear another's fault.
- the other bits (shielded, supervisory, started, feedback, delay, manual mode, silenced, self
  check, confirmed, test, inspection answered) are passed on under their names and kept with the
  message; no shipped rule raises on them.
Analogue values become values named <quantity>@<system type>.<system address>.<component address>,
scaled to the unit the standard gives (temperature_c@1.1.4097 = 23.5).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from firegrid.iot.gb26875 import tables

MAX_FAULT_KEYS = 500
MAX_COMPONENT_INFO = 200
PASSED_ON = frozenset(
    {
        "shielded",
        "supervisory",
        "started",
        "feedback",
        "delayed",
        "manual_mode",
        "config_changed",
        "silenced",
        "self_check",
        "confirmed",
        "test",
        "inspection_answered",
        "manual_alarm",
        "alarm_cleared",
    }
)
UPLOAD_TYPES = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 21, 24, 25, 26, 28})


@dataclass
class Outcome:
    messages: list = field(default_factory=list)  # pipeline dicts
    info: dict | None = None  # the new TransmissionDevice.info, if it changed
    faults_changed: bool = False
    clock_skew_s: float | None = None
    fire: bool = False
    inspection_answered: bool = False


def message_time(moment, received_at):
    """The object's own time when it is believable (the pipeline refuses far past and future), else
    the time the frame arrived."""
    if moment is None:
        return received_at
    if moment > received_at + datetime.timedelta(seconds=min(60, settings.IOT_MAX_FUTURE_SECONDS)):
        return received_at
    if moment < received_at - datetime.timedelta(days=settings.IOT_MAX_AGE_DAYS - 1):
        return received_at
    return moment


def _unique(names):
    return list(dict.fromkeys(names))


def _fault_events(faults, key, names):
    """Track one source's fault bits; returns (events, changed)."""
    bad = [n for n in names if n in tables.FAULT_FLAGS]
    if bad:
        changed = key not in faults and len(faults) < MAX_FAULT_KEYS
        if changed:
            faults.add(key)
        return ["fault", *[n for n in bad if n != "fault"]], changed
    if key in faults:
        faults.discard(key)
        return (["fault_clear"] if not faults else []), True
    return [], False


def _status_events(names):
    events = []
    if "fire" in names:
        events.append("fire")
    if "reset" in names:
        events.append("reset")
    events += [n for n in names if n in PASSED_ON]
    return events


def _operation_events(names):
    events = []
    if "manual_alarm" in names:
        events.append("fire")
    if "reset" in names or "alarm_cleared" in names:
        events.append("reset")
    events += [n for n in names if n in PASSED_ON]
    return events


def translate(unit, *, faults, info, key, id_prefix, received_at):
    """unit: codec.DataUnit of an upload or answer; faults: the device's set of sources in fault
    (changed in place); info: its TransmissionDevice.info. Returns an Outcome."""
    out = Outcome()
    kind = unit.type_flag
    per_time = {}  # analogue values grouped by their sampling time

    def add(moment, events=(), values=None):
        out.messages.append(
            {
                "id": f"{id_prefix}:{len(out.messages)}",
                "ts": message_time(moment, received_at).timestamp(),
                "key": key,
                "events": _unique(events)[:16],
                **({"values": values} if values else {}),
            }
        )

    new_info = None
    for obj in unit.objects:
        names = obj.get("flags", [])
        if kind in (1, 2, 21):
            if kind == 1:
                source = f"s{obj['system_type']}.{obj['system_address']}"
            elif kind == 2:
                source = (
                    f"c{obj['system_type']}.{obj['system_address']}."
                    f"{obj['component_type']}.{obj['component_address']}"
                )
            else:
                source = "device"
            events = _status_events(names)
            fault_events, changed = _fault_events(faults, source, names)
            out.faults_changed |= changed
            events += fault_events
            if events:
                add(obj.get("time"), events)
        elif kind in (4, 24):
            events = _operation_events(names)
            out.inspection_answered |= "inspection_answered" in names
            if events:
                add(obj.get("time"), events)
        elif kind == 3:
            name = f"{obj['name']}@{obj['system_type']}.{obj['system_address']}.{obj['component_address']}"
            per_time.setdefault(obj.get("time"), {})[name[:40]] = obj["value"]
        elif kind in (8, 28):
            if obj.get("time") is not None:
                out.clock_skew_s = round((obj["time"] - received_at).total_seconds(), 1)
        else:
            new_info = new_info if new_info is not None else dict(info or {})
            if kind == 25:
                new_info["version"] = obj["version"]
            elif kind == 26:
                new_info["configuration"] = obj["description"][:255]
            else:
                system = f"{obj['system_type']}.{obj['system_address']}"
                systems = new_info.setdefault("systems", {}).setdefault(system, {})
                if kind == 5:
                    systems["version"] = obj["version"]
                elif kind == 6:
                    systems["configuration"] = obj["description"][:255]
                elif kind == 7:
                    components = systems.setdefault("components", {})
                    if len(components) < MAX_COMPONENT_INFO or str(obj["component_address"]) in components:
                        components[str(obj["component_address"])] = [
                            obj["component_type"],
                            obj["description"],
                        ]
    for moment, values in per_time.items():
        items = list(values.items())
        for start in range(0, len(items), 32):  # the pipeline takes 32 values per message
            add(moment, values=dict(items[start : start + 32]))
    out.fire = any("fire" in m["events"] for m in out.messages)
    if new_info is not None and new_info != (info or {}):
        out.info = new_info
    return out


def heartbeat(*, key, id_prefix, received_at):
    return {"id": f"{id_prefix}:hb", "ts": received_at.timestamp(), "key": key, "heartbeat": True}
