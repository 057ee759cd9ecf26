"""Retention of device messages: at 1,000 msgs/s the message table grows ~22 GB a day, so messages
older than IOT_MESSAGE_KEEP_DAYS are deleted (the `purge_messages` job). Alarms and device status are
kept. The window is longer than IOT_MAX_AGE_DAYS, so a replayed message is still either found (a
duplicate) or refused as too old: exactly-once holds.

The ingest's per-minute counts (IngestCount: ~30,000 rows a day with a few processes) are rolled up to
one row per UTC day, process and name once they are older than INGEST_COUNT_MINUTES_KEEP_DAYS: the
totals (and so the /metrics counters built from them) stay the same, the minutes go."""

import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import TruncDay
from django.utils import timezone

from firegrid.iot.models import IngestCount, Message


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


def roll_up_ingest_counts(days, now=None):
    """Sum the per-minute IngestCount rows of every UTC day that ended more than `days` days ago into
    one row per (day, process, name), dated at the day's 00:00 UTC; returns how many rows went.

    Days are rolled up oldest first, one transaction each (a run stopped half-way leaves the older
    days done); a day whose rows all sit at 00:00 is done. The ingest writes only current minutes."""
    end = _day_start((now or timezone.now()) - datetime.timedelta(days=days))
    not_rolled = (
        IngestCount.objects.filter(minute__lt=end)
        .annotate(day=TruncDay("minute", tzinfo=datetime.UTC))
        .exclude(minute=F("day"))
        .order_by("minute")
        .values_list("day", flat=True)
    )
    folded = 0
    while (day := not_rolled.first()) is not None:
        folded += _roll_up_day(day)
    return folded


ONE_DAY = datetime.timedelta(days=1)


def _day_start(moment):
    return moment.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _roll_up_day(day):
    with transaction.atomic():
        rows = IngestCount.objects.filter(minute__gte=day, minute__lt=day + ONE_DAY)
        sums = list(rows.values("process", "name").annotate(total=Sum("count")).order_by())
        removed = rows.delete()[0]
        IngestCount.objects.bulk_create(
            IngestCount(minute=day, process=r["process"], name=r["name"], count=r["total"]) for r in sums
        )
    return removed - len(sums)
