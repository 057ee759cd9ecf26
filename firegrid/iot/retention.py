"""Retention of device messages: at 1,000 msgs/s the message table grows ~22 GB a day, so messages
older than IOT_MESSAGE_KEEP_DAYS are deleted (the `purge_messages` job). Alarms, device status and
the per-minute ingest counts are kept. The window is longer than IOT_MAX_AGE_DAYS, so a replayed
message is still either found (a duplicate) or refused as too old: exactly-once holds."""

import datetime

from django.utils import timezone

from firegrid.iot.models import Message


def purge_messages(days, batch=5000, now=None):
    """Delete messages received more than `days` days ago, oldest first in batches; returns how many.

    Walks the primary key from the oldest row (ids grow with arrival), so no index on the receipt
    time is needed, and stops at the first batch that reaches a message inside the window."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    total = 0
    while True:
        rows = list(Message.objects.order_by("id").values_list("id", "received_at")[:batch])
        old = [pk for pk, received_at in rows if received_at < cutoff]
        if old:
            total += Message.objects.filter(pk__in=old).delete()[0]
        if len(old) < len(rows) or len(rows) < batch:
            return total
