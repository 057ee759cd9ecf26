"""Device messages older than IOT_MESSAGE_KEEP_DAYS are deleted; newer ones, alarms and counts stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from firegrid.iot.models import Message
from firegrid.iot.retention import purge_messages
from firegrid.iot.testing import make_device
from firegrid.ops.models import JobRun

pytestmark = pytest.mark.django_db


def add_messages(device, days_ago, count):
    at = timezone.now() - timedelta(days=days_ago)
    Message.objects.bulk_create(
        Message(device=device, message_id=f"{days_ago}-{n}", ts=at, received_at=at) for n in range(count)
    )


def test_old_messages_are_purged_in_batches_and_recent_ones_kept(world):
    device, _key = make_device("smoke_detector", place=world.shop_a)
    add_messages(device, 120, 7)
    add_messages(device, 91, 5)
    add_messages(device, 10, 4)
    add_messages(device, 0, 3)
    assert purge_messages(90, batch=3) == 12
    assert sorted({m.split("-")[0] for m in Message.objects.values_list("message_id", flat=True)}) == [
        "0",
        "10",
    ]
    assert purge_messages(90, batch=3) == 0  # nothing left to do


def test_the_purge_job_uses_the_setting_and_is_recorded(world, settings):
    from firegrid.ops.tasks import purge_messages as job

    settings.IOT_MESSAGE_KEEP_DAYS = 60
    device, _key = make_device("smoke_detector", place=world.shop_a)
    add_messages(device, 61, 2)
    add_messages(device, 59, 1)
    job.apply()
    assert Message.objects.count() == 1
    assert JobRun.objects.get(name="purge_messages").result == {"deleted": 2, "counts_rolled_up": 0}


def add_counts(minute, **counts):
    from firegrid.iot.models import IngestCount

    for process, names in counts.items():
        for name, count in names.items():
            IngestCount.objects.create(minute=minute, process=process, name=name, count=count)


def totals():
    from django.db.models import Sum

    from firegrid.iot.models import IngestCount

    return {
        (r["process"], r["name"]): r["total"]
        for r in IngestCount.objects.values("process", "name").annotate(total=Sum("count")).order_by()
    }


def test_old_ingest_minutes_are_summed_to_one_row_a_day_and_the_totals_stay():
    import datetime as dt

    from firegrid.iot.models import IngestCount
    from firegrid.iot.retention import roll_up_ingest_counts

    now = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
    old_day = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for minute in (0, 1, 59, 23 * 60 + 59):
        add_counts(
            old_day + timedelta(minutes=minute),
            ingest1={"accepted": 10, "duplicate": 1},
            http={"accepted": 2},
        )
    add_counts(old_day - timedelta(days=3, minutes=-5), ingest1={"accepted": 7})  # an older, separate day
    add_counts(old_day + timedelta(days=1), ingest1={"accepted": 4})  # alone at 00:00: already one row
    recent = now - timedelta(days=13)  # inside the 14 days: minutes kept
    add_counts(recent, ingest1={"accepted": 5})
    add_counts(recent + timedelta(minutes=1), ingest1={"accepted": 6})
    before, rows_before = totals(), IngestCount.objects.count()

    assert roll_up_ingest_counts(14, now=now) == (4 * 3) - 3
    assert totals() == before
    assert IngestCount.objects.count() == rows_before - 9
    assert set(
        IngestCount.objects.filter(minute__gte=old_day, minute__lt=old_day + timedelta(days=1)).values_list(
            "minute", "process", "name", "count"
        )
    ) == {
        (old_day, "ingest1", "accepted", 40),
        (old_day, "ingest1", "duplicate", 4),
        (old_day, "http", "accepted", 8),
    }
    assert IngestCount.objects.filter(minute__gte=recent).count() == 2
    assert roll_up_ingest_counts(14, now=now) == 0  # nothing left to do
    # a day later the next day ages out and is rolled up too
    add_counts(now - timedelta(days=15), ingest1={"accepted": 1})
    add_counts(now - timedelta(days=15, minutes=-1), ingest1={"accepted": 1})
    assert roll_up_ingest_counts(14, now=now + timedelta(days=1)) == 1
    assert totals()[("ingest1", "accepted")] == before[("ingest1", "accepted")] + 2


def test_the_purge_job_also_rolls_up_the_counts(world, settings):
    import datetime as dt

    from firegrid.ops.tasks import purge_messages as job

    settings.INGEST_COUNT_MINUTES_KEEP_DAYS = 2
    day = (
        (timezone.now() - timedelta(days=5))
        .astimezone(dt.UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    add_counts(day + timedelta(hours=1), ingest1={"accepted": 3})
    add_counts(day + timedelta(hours=2), ingest1={"accepted": 4})
    job.apply()
    assert JobRun.objects.get(name="purge_messages").result == {"deleted": 0, "counts_rolled_up": 1}
    assert totals() == {("ingest1", "accepted"): 7}
