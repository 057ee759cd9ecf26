"""One device message: size cap, JSON, shape and types checked; anything else is a named rejection.

Shape (MQTT topic firegrid/v1/<device>/up, or one item of the HTTP batch):
    {"id": "<message id, ≤64 chars>", "ts": "<ISO 8601 with zone> | <epoch seconds or ms>",
     "key": "<device key>", "values": {"<metric>": <number>, …}, "events": ["<event>", …]}
"""

import datetime
import json
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_datetime

MAX_VALUES = 32
MAX_EVENTS = 16
NAME_MAX = 40


class Rejected(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Parsed:
    device: str
    message_id: str
    ts: datetime.datetime
    key: str
    values: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    received_at: datetime.datetime | None = None
    raw_size: int = 0


_window = [None, None]  # [now, (latest, earliest, max_age_days)]: settings read once per batch


@receiver(setting_changed)
def _forget_window(**kwargs):
    _window[0] = None


def _limits(now):
    """(latest, earliest, max age in days) of an acceptable ts; a batch shares one `now`, so settings
    (a lazy object, costly per attribute) are read once per batch rather than per message."""
    if _window[0] is not now:
        days = settings.IOT_MAX_AGE_DAYS
        _window[1] = (
            now + datetime.timedelta(seconds=settings.IOT_MAX_FUTURE_SECONDS),
            now - datetime.timedelta(days=days),
            days,
        )
        _window[0] = now
    return _window[1]


def _time(value, now):
    if isinstance(value, bool):
        raise Rejected("bad_time", "ts must be an ISO 8601 time or epoch seconds/milliseconds")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise Rejected("bad_time", "ts is not finite")
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds or seconds
        try:
            ts = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            raise Rejected("bad_time", "ts out of range") from None
    elif isinstance(value, str):
        try:
            ts = parse_datetime(value)
        except ValueError:
            ts = None
        if ts is None:
            raise Rejected("bad_time", "ts is not an ISO 8601 time")
        if timezone.is_naive(ts):
            raise Rejected("bad_time", "ts needs a time zone")
    else:
        raise Rejected("bad_time", "ts is missing")
    latest, earliest, days = _limits(now)
    if ts > latest:
        raise Rejected("future_time", f"ts {ts.isoformat()} is in the future")
    if ts < earliest:
        raise Rejected("too_old", f"ts {ts.isoformat()} is older than {days} days")
    return ts


def parse_obj(obj, device=None, now=None, raw_size=0):
    """Check a decoded message object; `device` comes from the MQTT topic or the batch item."""
    now = now or timezone.now()
    if not isinstance(obj, dict):
        raise Rejected("bad_shape", "the message is not a JSON object")
    device = device or obj.get("device")
    if not isinstance(device, str) or not device or len(device) > 64:
        raise Rejected("bad_shape", "device is missing")
    message_id = obj.get("id")
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        message_id = str(message_id)
    if not isinstance(message_id, str) or not message_id or len(message_id) > 64:
        raise Rejected("bad_shape", "id must be a string of 1–64 characters")
    key = obj.get("key")
    if not isinstance(key, str) or not key:
        raise Rejected("bad_key", "key is missing")
    values = obj.get("values", {})
    if not isinstance(values, dict) or len(values) > MAX_VALUES:
        raise Rejected("bad_shape", "values must be an object of at most 32 numbers")
    for name, value in values.items():
        if len(name) > NAME_MAX or isinstance(value, bool) or not isinstance(value, int | float):
            raise Rejected("bad_value", f"values.{name[:NAME_MAX]} is not a number")
        if not math.isfinite(value):
            raise Rejected("bad_value", f"values.{name[:NAME_MAX]} is not finite")
    events = obj.get("events", [])
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise Rejected("bad_shape", "events must be a list of at most 16 names")
    if not all(isinstance(e, str) and 0 < len(e) <= NAME_MAX for e in events):
        raise Rejected("bad_shape", "events must be short strings")
    if not values and not events and obj.get("heartbeat") is not True:
        raise Rejected("bad_shape", "a message carries values, events or heartbeat: true")
    if "\x00" in device + message_id or any("\x00" in s for s in (*values, *events)):
        raise Rejected("bad_shape", "text must not contain NUL characters")  # PostgreSQL cannot store them
    ts = _time(obj.get("ts"), now)
    return Parsed(
        device, message_id, ts, key, {k: float(v) for k, v in values.items()}, list(events), now, raw_size
    )


def parse(raw, device=None, now=None, max_bytes=None):
    """Bytes from the broker → Parsed, or Rejected with a reason. max_bytes: IOT_MAX_MESSAGE_BYTES
    (a batch passes it, read once)."""
    size = len(raw)
    max_bytes = max_bytes or settings.IOT_MAX_MESSAGE_BYTES
    if size > max_bytes:
        raise Rejected("too_large", f"{size} bytes > {max_bytes}")
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Rejected("bad_json", "not JSON") from None
    return parse_obj(obj, device=device, now=now, raw_size=size)
