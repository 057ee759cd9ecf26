"""Counts of hazard cases kept beside the cases, for the command view's district and street figures.

At 1e6 cases the district dashboard's hazard figures (open, major and overdue cases; this year's
reported, closed, rejected and public cases; the monthly "reported" and "closed" trends) cost ~150 ms
of index-only passes over 100,000–375,000 entries each. These tables hold the same counts,
grouped so that a district or a street sums a few thousand rows:

* `CaseTally`: cases per street (a case in a region above the streets: that region), the month it
  was reported, its state (open, closed or rejected), whether the public reported it, and for a
  closed case the month it was closed. Months are local (settings.TIME_ZONE), as the figures cut them.
* `OpenCaseTally`: open cases per street, severity and the hour they are overdue from (`late_since`,
  the earliest deadline that makes `HazardCaseQuerySet.overdue` count them; 0: none). Overdue now =
  the rows of earlier hours + the cases whose deadline fell in this hour before now (a direct count
  over a few cases, `kpis`).
* `ClosedCaseTally`: closed cases (with a closure time) per street, month reported and whole days
  taken to close: the median time to close is then read from the cases of the one or two days'
  range that hold the middle (`kpis._median_days`), not found by walking half of the year's.

Kept in the same transaction as the case: a new or deleted case through the model's signals, every
change through `hazards.actions._save` (which every transition goes through) → `moved`. Rows whose
count falls to zero stay (a later case may use them; `rebuild` drops them). Writes that bypass both —
`QuerySet.update()` of the counted fields, `bulk_create`, COPY (the bench seeder), a fixture load,
a region moved to another street — must be followed by `rebuild()` (command `rebuild_case_tally`);
migrations 0011 and 0014 build the tables for existing cases.
"""

import collections
import datetime
import zoneinfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, Severity, Source

STREET_DEPTH = 2  # a street's path is /district/street/ (as core.scoping says)


class TallyState:
    """A case's state as counted: open (any of OPEN_STATUSES), closed or rejected."""

    OPEN = "open"
    CLOSED = "closed"
    REJECTED = "rejected"


class CaseTally(models.Model):
    """Hazard cases per street, month reported, state, public or not and month closed."""

    # the key's unique index leads with the region: no index of its own
    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.PositiveIntegerField()  # yyyymm of created_at in TIME_ZONE
    state = models.CharField(max_length=8)  # TallyState
    public = models.BooleanField()
    closed_month = models.PositiveIntegerField()  # yyyymm of a closed case's closed_at, else 0
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month", "state", "public", "closed_month"], name="hazard_tally_key"
            )
        ]

    def __str__(self):
        return f"{self.region_id} {self.month} {self.state} {self.n}"


class OpenCaseTally(models.Model):
    """Open hazard cases per street, severity and the hour from which they are overdue."""

    # the key's unique index leads with the region: no index of its own
    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="+", db_index=False)
    major = models.BooleanField()
    late_hour = models.BigIntegerField()  # hours since 1970-01-01 UTC of `late_since`, 0: no deadline
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "major", "late_hour"], name="hazard_open_tally_key")
        ]

    def __str__(self):
        return f"{self.region_id} {self.late_hour} {self.n}"


class ClosedCaseTally(models.Model):
    """Closed hazard cases (with a closure time) per street, month reported and whole days taken from
    report to closure: where the median time to close lies, found without walking the cases."""

    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.PositiveIntegerField()  # yyyymm of created_at in TIME_ZONE
    took_days = models.IntegerField()  # (closed_at - created_at) // 1 day
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "month", "took_days"], name="hazard_closed_tally_key")
        ]

    def __str__(self):
        return f"{self.region_id} {self.month} {self.took_days} {self.n}"


# --- what a case counts as ---------------------------------------------------------------------------

COUNTED = frozenset(
    {
        "region",
        "region_id",
        "status",
        "severity",
        "source",
        "created_at",
        "closed_at",
        "step_due",
        "department",
        "department_id",
        "checked_in_at",
        "checkin_due",
        "supervision_due",
    }
)


def local_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_key(moment, zone=None):
    local = moment.astimezone(zone or local_zone())
    return local.year * 100 + local.month


def late_since(status, step_due, department_id, checked_in_at, checkin_due, supervision_due):
    """The first instant an open case counts as overdue (None: open without a deadline, or not open):
    `HazardCaseQuerySet.overdue` and `kpis.late_q` count it from then on."""
    if status not in OPEN_STATUSES:
        return None
    checkin = checkin_due if department_id is not None and checked_in_at is None else None
    times = [t for t in (step_due, checkin, supervision_due) if t is not None]
    return min(times) if times else None


def hour_key(moment):
    return int(moment.timestamp()) // 3600 if moment is not None else 0


def hour_start(key):
    return datetime.datetime.fromtimestamp(key * 3600, tz=datetime.UTC)


def _state(status):
    if status == CaseStatus.CLOSED:
        return TallyState.CLOSED
    if status == CaseStatus.REJECTED:
        return TallyState.REJECTED
    return TallyState.OPEN


DAY = datetime.timedelta(days=1)


def keys(case, region_key):
    """(CaseTally key, OpenCaseTally key or None, ClosedCaseTally key or None) of the case counted
    under `region_key` (the street's id)."""
    state = _state(case.status)
    month = month_key(case.created_at)
    timed = state == TallyState.CLOSED and case.closed_at is not None
    closed = month_key(case.closed_at) if timed else 0
    main = (region_key, month, state, case.source == Source.PUBLIC, closed)
    if state != TallyState.OPEN:
        return main, None, ((region_key, month, (case.closed_at - case.created_at) // DAY) if timed else None)
    late = late_since(
        case.status,
        case.step_due,
        case.department_id,
        case.checked_in_at,
        case.checkin_due,
        case.supervision_due,
    )
    return main, (region_key, case.severity == Severity.MAJOR, hour_key(late)), None


def street_path(path):
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:STREET_DEPTH]) + "/"


def region_key(region):
    """The id of the region a case in `region` is counted under: its street (the region itself when it
    lies above the streets, or when its street cannot be found)."""
    path = street_path(region.path)
    if path == region.path:
        return region.pk
    from firegrid.org.models import Region

    found = Region.objects.filter(path=path).values_list("pk", flat=True).first()
    return found if found is not None else region.pk


# --- keeping it -------------------------------------------------------------------------------------


def _add(model, fields, rows):
    """rows: {key tuple: delta}; one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike),
    keys in order so that two transactions touch shared rows in the same order."""
    rows = sorted((k, d) for k, d in rows.items() if d)
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(f).column for f in fields]
    names = ", ".join(connection.ops.quote_name(c) for c in [*columns, "n"])
    one = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    conflict = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join([one] * len(rows))
    # names from the model's _meta, quoted; the values are parameters
    sql = f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET n = {table}.n + EXCLUDED.n"  # noqa: E501, S608
    params = [value for key, delta in rows for value in (*key, delta)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


MAIN_FIELDS = ("region", "month", "state", "public", "closed_month")
OPEN_FIELDS = ("region", "major", "late_hour")


CLOSED_FIELDS = ("region", "month", "took_days")
TABLES = ((CaseTally, MAIN_FIELDS), (OpenCaseTally, OPEN_FIELDS), (ClosedCaseTally, CLOSED_FIELDS))


def apply(before, after):
    """Count the change of one case from the keys `before` (None: a new case) to `after` (None: gone);
    the tables always in the same order."""
    deltas = [collections.Counter() for _ in TABLES]
    for sign, found in ((-1, before), (1, after)):
        for delta, key in zip(deltas, found or (), strict=False):
            if key is not None:
                delta[key] += sign
    for (model, fields), delta in zip(TABLES, deltas, strict=True):
        _add(model, fields, delta)


def moved(case, fields):
    """`hazards.actions._save` is about to write `fields` to `case` (whose attributes are the row as
    locked): returns a function to call once they are set on it, which counts the change (nothing to
    do when no counted field changes)."""
    if not COUNTED.intersection(fields):
        return lambda: None
    street = region_key(case.region)
    before = keys(case, street)

    def done():
        moved_region = "region" in fields or "region_id" in fields
        after = keys(case, region_key(case.region) if moved_region else street)
        if after != before:
            apply(before, after)

    return done


@receiver(post_save, sender="hazards.HazardCase", dispatch_uid="hazard-tally-add")
def _case_added(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        apply(None, keys(instance, region_key(instance.region)))


@receiver(post_delete, sender="hazards.HazardCase", dispatch_uid="hazard-tally-remove")
def _case_removed(sender, instance, **kwargs):
    apply(keys(instance, region_key(instance.region)), None)


# --- rebuilding it ----------------------------------------------------------------------------------


def _key_regions(Region):
    """{region id: the id it is counted under} for every region."""
    regions = list(Region.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in regions}
    return {pk: by_path.get(street_path(path), pk) for pk, path in regions}


def _month(field, zone):
    return ExtractYear(field, tzinfo=zone) * 100 + ExtractMonth(field, tzinfo=zone)


@transaction.atomic
def rebuild(apps=None):
    """Count every case again (the tables emptied first); returns the rows of each table.
    `apps`: a migration's historical apps (default: the live models).

    Safe while cases are being written: in one transaction that first takes the tallies' tables in
    EXCLUSIVE mode on PostgreSQL (reads go on; a transition's count waits until the rebuild commits,
    and a transition that counted before it is waited for), so every case change is counted once —
    either in what the rebuild reads or as a delta after it. SQLite writes one at a time anyway."""
    if apps is None:
        from django.apps import apps
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # in migration 0011 ClosedCaseTally is not there yet (it comes in 0013)
            present = {m.__name__: m for m in apps.get_app_config("hazards").get_models()}
            names = ("CaseTally", "OpenCaseTally", "ClosedCaseTally")
            tables = [connection.ops.quote_name(present[n]._meta.db_table) for n in names if n in present]
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")  # noqa: S608
        return _rebuild(apps)


def _rebuild(apps):
    HazardCase = apps.get_model("hazards", "HazardCase")
    Region = apps.get_model("org", "Region")
    Tally = apps.get_model("hazards", "CaseTally")
    OpenTally = apps.get_model("hazards", "OpenCaseTally")
    try:
        ClosedTally = apps.get_model("hazards", "ClosedCaseTally")
    except LookupError:  # migration 0011: the table comes in 0013 (and 0014 counts again)
        ClosedTally = None
    Tally.objects.all().delete()
    OpenTally.objects.all().delete()
    if ClosedTally is not None:
        ClosedTally.objects.all().delete()
    under = _key_regions(Region)
    zone = local_zone()
    closed = Q(status=CaseStatus.CLOSED)
    grouped = (
        HazardCase.objects.order_by()
        .annotate(
            m=_month("created_at", zone),
            st=Case(
                When(closed, then=Value(TallyState.CLOSED)),
                When(status=CaseStatus.REJECTED, then=Value(TallyState.REJECTED)),
                default=Value(TallyState.OPEN),
            ),
            pub=Case(When(source=Source.PUBLIC, then=Value(True)), default=Value(False)),
            cm=Case(
                When(closed & Q(closed_at__isnull=False), then=_month("closed_at", zone)),
                default=Value(0),
            ),
        )
        .values("region_id", "m", "st", "pub", "cm")
        .annotate(c=Count("pk"))
        .values_list("region_id", "m", "st", "pub", "cm", "c")
    )
    main = collections.Counter()
    for region_id, m, st, pub, cm, c in grouped.iterator(chunk_size=20_000):
        main[(under[region_id], m, st, bool(pub), cm)] += c
    open_ = collections.Counter()
    rows = (
        HazardCase.objects.order_by()
        .filter(status__in=OPEN_STATUSES)
        .values_list(
            "region_id",
            "status",
            "severity",
            "step_due",
            "department_id",
            "checked_in_at",
            "checkin_due",
            "supervision_due",
        )
    )
    for region_id, status, severity, *deadlines in rows.iterator(chunk_size=20_000):
        late = late_since(status, *deadlines)
        open_[(under[region_id], severity == Severity.MAJOR, hour_key(late))] += 1
    closed_ = collections.Counter()
    rows = (
        HazardCase.objects.order_by()
        .filter(status=CaseStatus.CLOSED, closed_at__isnull=False)
        .values_list("region_id", "created_at", "closed_at")
    )
    for region_id, created, closed_at in rows.iterator(chunk_size=20_000) if ClosedTally else ():
        closed_[(under[region_id], month_key(created, zone), (closed_at - created) // DAY)] += 1
    Tally.objects.bulk_create(
        [
            Tally(region_id=r, month=m, state=st, public=p, closed_month=cm, n=n)
            for (r, m, st, p, cm), n in main.items()
        ],
        batch_size=5000,
    )
    OpenTally.objects.bulk_create(
        [OpenTally(region_id=r, major=mj, late_hour=h, n=n) for (r, mj, h), n in open_.items()],
        batch_size=5000,
    )
    if ClosedTally is not None:
        ClosedTally.objects.bulk_create(
            [ClosedTally(region_id=r, month=m, took_days=d, n=n) for (r, m, d), n in closed_.items()],
            batch_size=5000,
        )
    return len(main), len(open_), len(closed_)


def counted_region(queryset, region, whole):
    """The tally rows (of `queryset`) of the cases in `region`'s subtree: all of them when the region is
    the whole tree, a street's own (every case below a street is counted under it: by the key's index),
    else those counted under a region on its path."""
    if whole:
        return queryset
    if street_path(region.path) == region.path and region.path.count("/") == STREET_DEPTH + 1:
        return queryset.filter(region=region)
    return queryset.filter(region__path__startswith=region.path)
