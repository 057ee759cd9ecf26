"""Helpers for IoT tests, the simulator and benchmarks: make devices, build messages."""

import itertools
import json
import uuid

from django.utils import timezone

from firegrid.iot.actions import save_device
from firegrid.iot.models import Device

_counter = itertools.count(1)


def make_device(kind, *, place=None, lat=None, lng=None, ident=None, **attrs):
    """A device bound to a place (or a point); returns (device, key)."""
    device = Device(
        ident=ident or f"{kind}-{next(_counter)}", kind=kind, place=place, lat=lat, lng=lng, **attrs
    )
    key = save_device(device)
    return device, key


def message(key, *, values=None, events=None, ts=None, message_id=None, heartbeat=False, as_bytes=True):
    body = {
        "id": message_id or uuid.uuid4().hex,
        "ts": (ts or timezone.now()).isoformat(),
        "key": key,
    }
    if values:
        body["values"] = values
    if events:
        body["events"] = events
    if heartbeat:
        body["heartbeat"] = True
    return json.dumps(body).encode() if as_bytes else body
