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
    assert JobRun.objects.get(name="purge_messages").result == {"deleted": 2}
