"""The figures of the command view for one region, from the user's scoped querysets.

Every queryset starts from `Model.objects.restrict(user)`, then narrows to the region's subtree,
so a figure never counts a row the user could not open in the list behind it.
"""

import datetime
import hashlib
import itertools
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language

from firegrid.core.scoping import user_scope
from firegrid.dashboard import cache as figures_cache
from firegrid.dashboard.scope import WHOLE_TREE, sees_every_case
from firegrid.hazards import tally
from firegrid.hazards.choices import CaseStatus, Source
from firegrid.hazards.models import CaseTally, ClosedCaseTally, HazardCase, OpenCaseTally
from firegrid.inspections.choices import InspectionStatus
from firegrid.inspections.models import Inspection, PlanItem
from firegrid.iot.choices import AlarmKind, DeviceStatus
from firegrid.iot.models import ACTIVE_STATUSES, Alarm, Device
from firegrid.org.choices import RegionLevel
from firegrid.org.compliance import district_compliance
from firegrid.org.models import Region
from firegrid.places.choices import RiskLevel
from firegrid.places.models import Place


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _link(name, region, region_param="region", **params):
    """The list behind a figure, filtered to the same region (None if that list does not exist yet)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    query = {region_param: region.code, **{k: v for k, v in params.items() if v is not None}}
    return f"{url}?{urlencode(query)}"


def whole_tree(region):
    """Whether the region's subtree is every region there is (the district, when it is the only root):
    then a figure needs no region filter at all. At 1e6 cases joining every row to its region to test
    a path that every path matches cost a third to a half of each district figure's time. Asked once
    per region object (kept on it)."""
    if region.parent_id is not None:
        return False
    known = region.__dict__.get(WHOLE_TREE)  # set by scope.home_regions when it read the roots
    if known is None:
        known = not Region.objects.filter(parent__isnull=True).exclude(pk=region.pk).exists()
        region.__dict__[WHOLE_TREE] = known
    return known


def within(queryset, region, lookup="region"):
    """The rows of `queryset` in the region's subtree (`lookup`: the path to the row's region, which
    is never null for the models counted here)."""
    if whole_tree(region):
        return queryset
    return queryset.filter(**{f"{lookup}__path__startswith": region.path})


def _places(user, region):
    return within(Place.objects.restrict(user), region).filter(status="active")


def place_figures(user, region, rows=None):
    """Active places by risk grade and key units. `rows`: the grouped rows of `_place_rows`, if read."""
    rows = _place_rows(user, region) if rows is None else rows
    by_level = {row["risk_level"]: row["n"] for row in rows}
    return {
        "total": sum(by_level.values()),
        "by_risk": {level: by_level.get(level, 0) for level in RiskLevel.values},
        "key_units": sum(row["key"] for row in rows),
        "links": {"total": _link("place-list", region, "within")},
    }


def due_q(on):
    """What makes an active place due for inspection, as `PlaceQuerySet.due_for_inspection` says it
    (a test holds the two to the same count)."""
    return Q(next_inspection_due__isnull=True) | Q(next_inspection_due__lte=on)


def _place_rows(user, region, year=None, on=None):
    """The region's active places grouped by risk grade in one pass: count and key units, and with a
    year, the coverage counts `inspections.plan_actions.coverage` makes with four passes."""
    figures = {"n": Count("pk"), "key": Count("pk", filter=Q(is_key_unit=True))}
    if year is not None:
        figures |= {
            "inspected": Count("pk", filter=Q(last_inspected_on__year=year)),
            "due": Count("pk", filter=due_q(on)),
            "never": Count("pk", filter=Q(last_inspected_on__isnull=True)),
        }
    return list(_places(user, region).values("risk_level").annotate(**figures).order_by())


def inspection_figures(user, region, year, on, rows=None):
    """Inspection coverage as `inspections.plan_actions.coverage` counts it (a test holds the two
    equal), in two queries instead of eight: the place counts from the grouped place rows (`rows`,
    if read), the plan's visits in one aggregate."""
    rows = _place_rows(user, region, year, on) if rows is None else rows
    total = sum(row["n"] for row in rows)
    inspected = sum(row["inspected"] for row in rows)
    visits = {  # names unlike the fields (an aggregate named "done" would shadow the field)
        "planned_visits": Count("pk"),
        "visits_done": Count("pk", filter=Q(done__isnull=False)),
        "unassigned_visits": Count("pk", filter=Q(inspector__isnull=True)),
    }
    if year == on.year:  # visits of past months not done; of a past year, all not done; none ahead
        visits["overdue_visits"] = Count("pk", filter=Q(done__isnull=True, month__lt=on.month))
    elif year < on.year:
        visits["overdue_visits"] = Count("pk", filter=Q(done__isnull=True))
    items = {"overdue_visits": 0} | PlanItem.objects.filter(
        place__in=_places(user, region), plan__year=year
    ).aggregate(**visits)
    return {
        "year": year,
        "places": total,
        "inspected_this_year": inspected,
        "coverage_pct": _pct(inspected, total),
        "due": sum(row["due"] for row in rows),
        "never_inspected": sum(row["never"] for row in rows),
        "planned_visits": items["planned_visits"],
        "visits_done": items["visits_done"],
        "overdue_visits": items["overdue_visits"],
        "unassigned_visits": items["unassigned_visits"],
        "links": {"due": _link("place-list", region, "within", due="true")},
    }


def hazard_figures(user, region, year, now):
    return _hazard_figures(user, region, year, now)[0]


def counted_by_tally(user, region):
    """Whether the region's hazard figures may be read from hazards.tally: the region is the district
    or a street (the tally counts per street), the user sees every case in it (else their share is
    counted from the cases), and the months are cut in TIME_ZONE, as the tally's are."""
    depth = len([c for c in region.path.split("/") if c])
    return (
        depth <= tally.STREET_DEPTH
        and timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
        and sees_every_case(user, region)
    )


def _hazard_figures(user, region, year, now, months=None, use_tally=None):
    """The hazard figures, and with `months` (the month boundaries of the trends) the cases reported
    and closed in each of those months (None, None without).

    From the cases (`use_tally` False; None: `counted_by_tally`), three queries: the open cases
    (counts, major, overdue); one pass over the cases reported in the year (and the trend's months)
    for this year's counts; the median time to close (`_median_days`: the district's is a walk of
    hazard_time_to_close_idx, already in that order, not a sort); the "closed" trend is then counted
    by `trends`. From the tally, the same figures from sums over its rows, a count of the cases that
    became overdue in the current hour (`_tally_counts`) and the median from the cases of the day or
    two of time taken that hold the middle (`_tally_median`).
    """
    cases = within(HazardCase.objects.restrict(user), region)
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    if use_tally is None:
        use_tally = counted_by_tally(user, region)
    if use_tally:
        counts, year_counts, reported, closed = _tally_counts(cases, region, year, now, months)
    else:
        counts, year_counts, reported = _case_counts(cases, start, end, now, months)
        closed = None
    timed = year_counts.pop("timed")
    timed_q = Q(created_at__gte=start, created_at__lt=end, status=CaseStatus.CLOSED, closed_at__isnull=False)
    if use_tally:
        median = _tally_median(cases.filter(timed_q), region, year, timed)
    else:
        median = _median_days(cases.filter(timed_q), timed)
    settled = year_counts["closed"] + year_counts["rejected"]
    figures = {
        **counts,
        **{f"{k}_this_year": v for k, v in year_counts.items()},
        "closure_rate_pct": _pct(settled, year_counts["reported"]),
        "median_days_to_close": median,
        "links": {
            "open": _link("hazards:list", region, state="open"),
            "overdue": _link("hazards:list", region, state="overdue"),
            "major_open": _link("hazards:list", region, state="open", severity="major"),
            "public_this_year": _link("hazards:list", region, source="public"),
        },
    }
    return figures, reported, closed


def _case_counts(cases, start, end, now, months):
    # one pass over the open cases (on PostgreSQL an index-only scan of hazard_open_region_idx)
    counts = cases.open().aggregate(
        open=Count("pk"),
        major_open=Count("pk", filter=Q(severity="major")),
        overdue=Count("pk", filter=late_q(now)),
    )
    # one pass over this year's cases (the district: hazard_created_cover_idx; a street:
    # hazard_region_created_idx), and the trend's months
    in_year = Q(created_at__gte=start, created_at__lt=end)
    per_year = {
        "reported": Count("pk", filter=in_year),
        "closed": Count("pk", filter=in_year & Q(status=CaseStatus.CLOSED)),
        "rejected": Count("pk", filter=in_year & Q(status=CaseStatus.REJECTED)),
        "public": Count("pk", filter=in_year & Q(source=Source.PUBLIC)),
        "timed": Count("pk", filter=in_year & Q(status=CaseStatus.CLOSED, closed_at__isnull=False)),
    }
    per_month = _per_month("created_at", months) if months else {}
    low, high = (min(start, months[0]), max(end, months[-1])) if months else (start, end)
    year_counts = cases.filter(created_at__gte=low, created_at__lt=high).aggregate(**per_year, **per_month)
    reported = [year_counts.pop(name) for name in per_month] if months else None
    return counts, year_counts, reported


def _sum(condition=None):
    return Coalesce(Sum("n", filter=condition), 0)


def _tally_counts(cases, region, year, now, months):
    """The counts of `_case_counts` and the "closed" trend from hazards.tally, for a user who sees
    every case of `region` (`cases`): an aggregate of the open-case rows of the region, the open
    cases whose first deadline fell in the current hour before `now`, counted from the cases (the
    tally has them by hour; on PostgreSQL three small index ranges, hazards 0012), and the case rows
    of the year and the trend's months, grouped."""
    whole = whole_tree(region)
    hour = tally.hour_key(now)
    counts = tally.counted_region(OpenCaseTally.objects, region, whole).aggregate(
        open=_sum(),
        major_open=_sum(Q(major=True)),
        overdue=_sum(Q(late_hour__gt=0, late_hour__lt=hour)),
    )
    since = tally.hour_start(hour)
    this_hour = (
        Q(step_due__gte=since, step_due__lt=now)
        | Q(department__isnull=False, checked_in_at__isnull=True, checkin_due__gte=since, checkin_due__lt=now)
        | Q(supervision_due__gte=since, supervision_due__lt=now)
    )
    counts["overdue"] += cases.open().filter(this_hour).exclude(late_q(since)).count()
    first, last = year * 100 + 1, year * 100 + 12
    keys = [tally.month_key(bound) for bound in months[:-1]] if months else []
    rows = Q(month__gte=min([first, *keys]), month__lte=max([last, *keys]))
    if keys:
        rows |= Q(state=tally.TallyState.CLOSED, closed_month__gte=keys[0], closed_month__lte=keys[-1])
    # the rows grouped by what the figures tell apart (a few hundred for the district), summed here:
    # cheaper to build than thirty filtered sums
    grouped = (
        tally.counted_region(CaseTally.objects, region, whole)
        .filter(rows)
        .values_list("month", "state", "public", "closed_month")
        .annotate(c=Sum("n"))
        .order_by()
    )
    year_counts = dict.fromkeys(("reported", "closed", "rejected", "public", "timed"), 0)
    reported, closed_trend = dict.fromkeys(keys, 0), dict.fromkeys(keys, 0)
    for month, state, public, closed_month, c in grouped:
        if first <= month <= last:
            year_counts["reported"] += c
            year_counts["public"] += c if public else 0
            if state == tally.TallyState.CLOSED:
                year_counts["closed"] += c
                year_counts["timed"] += c if closed_month else 0
            elif state == tally.TallyState.REJECTED:
                year_counts["rejected"] += c
        if month in reported:
            reported[month] += c
        if state == tally.TallyState.CLOSED and closed_month in closed_trend:
            closed_trend[closed_month] += c
    if not months:
        return counts, year_counts, None, None
    return counts, year_counts, list(reported.values()), list(closed_trend.values())


def _tally_median(timed, region, year, n):
    """`_median_days` of the year's closed cases `timed` (n of them), the middle found from
    hazards.tally's closed cases by days taken: the one or two days' range that holds the middle row(s),
    then those rows from the cases in that range in order of time taken (on PostgreSQL a range of
    hazard_time_to_close_idx: the cases of a day or two instead of half the year's)."""
    if not n:
        return None
    low_rank, high_rank = (n - 1) // 2, n // 2
    days = (
        tally.counted_region(ClosedCaseTally.objects, region, whole_tree(region))
        .filter(month__gte=year * 100 + 1, month__lte=year * 100 + 12)
        .values_list("took_days")
        .annotate(c=Sum("n"))
        .order_by("took_days")
    )
    seen, low, high = 0, None, None
    for day, c in days:
        if low is None and seen + c > low_rank:
            low = (day, seen)
        if seen + c > high_rank:
            high = day
            break
        seen += c
    if low is None or high is None:  # the tally disagrees with the count: walk the cases
        return _median_days(timed, n)
    (first_day, before), day = low, datetime.timedelta(days=1)
    ordered = (
        timed.annotate(took=_took())
        .filter(took__gte=first_day * day, took__lt=(high + 1) * day)
        .order_by("took")
        .values_list("took", flat=True)
    )
    middle = list(ordered[low_rank - before : high_rank - before + 1])
    return _days(sum(middle, datetime.timedelta()) / len(middle))


def _open():
    from firegrid.hazards.choices import OPEN_STATUSES

    return list(OPEN_STATUSES)


def late_q(now):
    """What makes an open case overdue, as `HazardCaseQuerySet.overdue` says it (a test holds the two
    to the same count), for counting it beside the other open-case figures in one pass."""
    return (
        Q(step_due__lt=now)
        | Q(department__isnull=False, checked_in_at__isnull=True, checkin_due__lt=now)
        | Q(supervision_due__lt=now)
    )


def _took():
    return ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def _days(took):
    return round(took.total_seconds() / 86400, 1)


def _median_days(closed, n=None):
    """Median time from report to closure, in days: the middle row of the closed cases ordered by
    time taken, or the mean of the two middle rows of an even count (works on any database, with at
    most two rows pulled into Python). On PostgreSQL the district's rows come in that order from
    hazard_time_to_close_idx (hazards 0009), so the middle is reached by walking half of the closed
    cases' index entries instead of sorting this year's. `n`: the rows, if counted."""
    n = closed.count() if n is None else n
    if not n:
        return None
    ordered = closed.annotate(took=_took()).order_by("took").values_list("took", flat=True)
    middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
    return _days(sum(middle, datetime.timedelta()) / len(middle))


def device_figures(user, region):
    devices = within(Device.objects.restrict(user), region).filter(is_active=True)
    by_status = dict(devices.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(by_status.values())
    alarms = within(Alarm.objects.restrict(user), region).filter(status__in=ACTIVE_STATUSES)
    by_kind = dict(alarms.values_list("kind").annotate(n=Count("pk")).order_by())
    heard = total - by_status.get(DeviceStatus.UNKNOWN, 0)
    return {
        "total": total,
        "online": by_status.get(DeviceStatus.ONLINE, 0),
        "offline": by_status.get(DeviceStatus.OFFLINE, 0),
        "unknown": by_status.get(DeviceStatus.UNKNOWN, 0),
        "online_rate_pct": _pct(by_status.get(DeviceStatus.ONLINE, 0), heard),
        "active_alarms": {kind: by_kind.get(kind, 0) for kind in AlarmKind.values},
        "links": {"alarms": _link("iot:live", region)},
    }


def org_figures(region, on):
    """Compliance of the streets in the region (a community or grid shows its street)."""
    if region.level == RegionLevel.DISTRICT:
        streets = list(Region.objects.streets().subtree(region).defer("boundary").order_by("code"))
    else:
        street_path = "/".join(region.path.split("/")[:3]) + "/"
        streets = list(Region.objects.filter(path=street_path).defer("boundary"))
    # counts only: the per-community and per-area gaps are not listed (see district_compliance)
    reports = district_compliance(streets, on=on, details=False)
    communities = sum(r.communities for r in reports)
    compounds = sum(r.compounds for r in reports)
    return {
        "streets": len(reports),
        "compliant_streets": sum(r.compliant for r in reports),
        "gaps": sum(r.gap_count for r in reports),
        "micro_station_community_pct": _pct(
            sum(r.communities_with_micro_station for r in reports), communities
        ),
        "micro_station_compound_pct": _pct(sum(r.compounds_with_micro_station for r in reports), compounds),
        "links": {"compliance": reverse("compliance")},
    }


def month_bounds(now, months=12):
    """The labels ("2026-11") of the last `months` months, and their boundaries: the first instant of
    each and of the month after, in the current time zone (as TruncMonth would cut them)."""
    today = timezone.localdate(now)
    index = today.year * 12 + today.month - 1
    starts = [datetime.date((i // 12), i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]
    labels = [d.strftime("%Y-%m") for d in starts[:-1]]
    return labels, [timezone.make_aware(datetime.datetime.combine(d, datetime.time())) for d in starts]


def _per_month(field, bounds):
    """Aggregates counting the rows of each month (a FILTER of the month's range each): at 1e6 cases
    comparing timestamps costs about half of truncating each one to its month and grouping."""
    return {
        f"m{i}": Count("pk", filter=Q(**{f"{field}__gte": low, f"{field}__lt": high}))
        for i, (low, high) in enumerate(itertools.pairwise(bounds))
    }


def trends(user, region, now, months=12, reported=None, closed=None):
    """Monthly counts over the last `months` months: hazards reported and closed, inspections, alarms.
    `reported`, `closed`: the hazards reported and closed per month, if already counted (see
    `_hazard_figures`)."""
    labels, bounds = month_bounds(now, months)

    def series(qs, field):
        per_month = _per_month(field, bounds)
        counts = qs.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[-1]}).aggregate(**per_month)
        return [counts[name] for name in per_month]

    cases = within(HazardCase.objects.restrict(user), region)
    inspections = within(Inspection.objects.restrict(user), region, "place__region").filter(
        status=InspectionStatus.SUBMITTED
    )
    alarms = within(Alarm.objects.restrict(user), region)
    return {
        "months": labels,
        "hazards_reported": reported if reported is not None else series(cases, "created_at"),
        "hazards_closed": (
            closed if closed is not None else series(cases.filter(status=CaseStatus.CLOSED), "closed_at")
        ),
        "inspections": series(inspections, "submitted_at"),
        "alarms": series(alarms, "first_at"),
    }


def cache_seconds():
    """How long a scope's figures may be served again (DASHBOARD_CACHE_SECONDS; 0, the default, is
    never): a setting if settings.py has one, else the environment variable."""
    return max(0, min(int(settings.DASHBOARD_CACHE_SECONDS), 60))


def _cache_key(user, region, year):
    """The figures depend on what the user may see, so the key is their grants (roles with regions,
    units and sectors), never one shared key: users with the same grants share an entry; a user whose
    rows are their own (a grant without a region: unit owners, department staff) gets their own."""
    scope = user_scope(user)
    grants = sorted(repr(g) for g in scope.grants)
    own = (
        scope.user_id
        if scope.superuser is False and any(g.region_path is None for g in scope.grants)
        else None
    )
    raw = repr((scope.superuser, grants, own, region.pk, region.path, year, get_language()))
    return "firegrid:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()


def dashboard(user, region, *, year=None, now=None):
    """The command view's figures and `as_of`, the time they were counted; with DASHBOARD_CACHE_SECONDS
    set (and no `now` given), from the shared cache for up to that long, and fresh after the user's own
    writes (dashboard.cache)."""
    ttl = cache_seconds() if now is None else 0
    if ttl:
        data, at = figures_cache.cached(
            _cache_key(user, region, year),
            ttl,
            lambda: _dashboard(user, region, year=year, org_seconds=ttl),
            user,
        )
    else:
        at = now or timezone.now()
        data = _dashboard(user, region, year=year, now=at)
    return data | {"as_of": timezone.localtime(at).isoformat(timespec="seconds")}


def cached_org_figures(region, on, seconds):
    """org_figures from the cache while no organisation row was written (dashboard.cache.ORG_VERSION)
    and for at most `seconds`; they depend on the region and the day, never on the user."""
    raw = repr((region.pk, region.path, on.isoformat(), get_script_prefix(), get_language()))
    key = "firegrid:dashboard:org:" + hashlib.sha256(raw.encode()).hexdigest()
    return figures_cache.cached_org(key, seconds, lambda: org_figures(region, on))


def _dashboard(user, region, *, year=None, now=None, org_seconds=0):
    now = now or timezone.now()
    on = timezone.localdate(now)
    year = year or on.year
    place_rows = _place_rows(user, region, year, on)  # one pass for the places and the coverage
    # this year's hazard counts and the monthly "reported" trend in one pass (when the year is this
    # one: another year's counts and the last twelve months are apart, better read on their own)
    _labels, bounds = month_bounds(now)
    hazards, reported, closed = _hazard_figures(user, region, year, now, bounds if year == on.year else None)
    organisation = cached_org_figures(region, on, org_seconds) if org_seconds else org_figures(region, on)
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "year": year,
        "places": place_figures(user, region, place_rows),
        "inspections": inspection_figures(user, region, year, on, place_rows),
        "hazards": hazards,
        "devices": device_figures(user, region),
        "organisation": organisation,
        "trends": trends(user, region, now, reported=reported, closed=closed),
    }
