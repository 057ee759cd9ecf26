"""Offline detection: a device silent longer than its heartbeat × IOT_OFFLINE_FACTOR is offline (with
a fault alarm); the ingest brings it back online and clears the alarm when it speaks again."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from firegrid.iot.choices import AlarmKind, DeviceStatus
from firegrid.iot.models import OFFLINE_CODE, Device
from firegrid.iot.pipeline import AlarmBook

OFFLINE_TEXT = "设备离线"


def sweep_offline(now=None, batch=1000):
    """Mark silent devices offline; returns how many. Safe to run twice at once (SKIP LOCKED)."""
    now = now or timezone.now()
    factor = settings.IOT_OFFLINE_FACTOR
    listening = Device.objects.filter(is_active=True, last_seen_at__isnull=False).exclude(
        status=DeviceStatus.OFFLINE
    )
    # one indexed range query per heartbeat interval in use (a handful: one per kind, and overrides)
    silent = Q(pk__in=[])
    for seconds in listening.values_list("heartbeat_seconds", flat=True).distinct().order_by():
        cutoff = now - datetime.timedelta(seconds=seconds * factor)
        silent |= Q(heartbeat_seconds=seconds, last_seen_at__lt=cutoff)
    total = 0
    while True:
        with transaction.atomic():
            qs = listening.filter(silent)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            devices = list(qs.order_by("pk")[:batch])
            if not devices:
                break
            book = AlarmBook([d.pk for d in devices], now)
            for device in devices:
                device.status = DeviceStatus.OFFLINE
                book.raise_(
                    device,
                    OFFLINE_CODE,
                    kind=AlarmKind.FAULT,
                    text=OFFLINE_TEXT,
                    value=None,
                    at=device.last_seen_at,
                )
            Device.objects.bulk_update(devices, ["status"])
            book.save()
            total += len(devices)
        if len(devices) < batch:
            break
    return total
