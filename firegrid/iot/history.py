"""A device's readings of one metric, downsampled in SQL: min/avg/max/count per 5-minute, hourly or
daily bucket (local time), on SQLite and PostgreSQL alike.

Django's Trunc has no 5-minute unit, so those buckets group by the hour and by the minute rounded
down to a multiple of five (minute - minute % 5): plain integer arithmetic both databases share.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, FloatField, Max, Min, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, ExtractMinute, Mod, TruncDay, TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.iot.models import Message

BUCKETS = {"5m": 300, "1h": 3600, "1d": 86400}
# the window shown when none is asked for: a day of 5-minute buckets, a week of hours, 90 days
DEFAULT_SPAN = {
    "5m": datetime.timedelta(days=1),
    "1h": datetime.timedelta(days=7),
    "1d": datetime.timedelta(days=90),
}
MAX_BUCKETS = 2000
METRIC_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


@dataclass
class Bucket:
    start: datetime.datetime
    min: float
    avg: float
    max: float
    count: int

    def as_dict(self):
        return {"start": self.start, "min": self.min, "avg": self.avg, "max": self.max, "count": self.count}


def window(bucket, since=None, until=None, now=None):
    """Check the bucket and the window; returns (bucket seconds, since, until) or raises a
    ValidationError naming the parameter."""
    if bucket not in BUCKETS:
        raise ValidationError({"bucket": _("Use one of %(b)s.") % {"b": ", ".join(BUCKETS)}})
    until = until or now or timezone.now()
    since = since or until - DEFAULT_SPAN[bucket]
    if since >= until:
        raise ValidationError({"since": _("The start must come before the end.")})
    seconds = BUCKETS[bucket]
    if (until - since).total_seconds() / seconds > MAX_BUCKETS:
        raise ValidationError(
            {
                "since": _("At most %(n)d buckets: shorten the window or use a larger bucket.")
                % {"n": MAX_BUCKETS}
            }
        )
    return seconds, since, until


def downsample(device, metric, bucket="1h", since=None, until=None, now=None):
    """[Bucket] of the device's `metric` between since (inclusive) and until (exclusive), oldest first."""
    if not isinstance(metric, str) or not METRIC_RE.match(metric):
        raise ValidationError({"metric": _("Name a metric (letters, digits, _ . -; at most 40).")})
    _seconds, since, until = window(bucket, since, until, now)
    tz = timezone.get_current_timezone()
    qs = (
        Message.objects.filter(device=device, ts__gte=since, ts__lt=until, values__has_key=metric)
        .annotate(reading=Cast(KeyTextTransform(metric, "values"), FloatField()))
        .annotate(day_or_hour=(TruncDay if bucket == "1d" else TruncHour)("ts", tzinfo=tz))
    )
    keys = ["day_or_hour"]
    if bucket == "5m":
        minute = ExtractMinute("ts", tzinfo=tz)
        qs = qs.annotate(five=minute - Mod(minute, Value(5)))
        keys.append("five")
    rows = (
        qs.order_by()
        .values(*keys)
        .annotate(lo=Min("reading"), mean=Avg("reading"), hi=Max("reading"), n=Count("id"))
        .order_by(*[F(k).asc() for k in keys])
    )
    out = []
    for row in rows:
        start = row["day_or_hour"]
        if bucket == "5m":
            start = start + datetime.timedelta(minutes=int(row["five"]))
        out.append(Bucket(start, row["lo"], row["mean"], row["hi"], row["n"]))
    return out


def recent_metrics(device):
    """The metrics a device reports, from its last values (the timestamp key left out)."""
    return sorted(k for k in (device.last_values or {}) if not k.startswith("_"))
