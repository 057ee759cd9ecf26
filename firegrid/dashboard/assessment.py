"""The annual fire-risk assessment (年度火灾风险研判) of a street or the district, from the data.

"结合产业结构、文化特色、季节性旅游、森林资源以及历史火灾等特点，每年开展一次火灾风险研判" (the
district's implementation plan): the figures below are those features as far as the registries
hold them, and the priorities are rules over the figures, each naming the numbers that fired it.

Every queryset starts from `Model.objects.restrict(user)` and narrows to the region's subtree, so
the report counts only rows the user could open. Figures are aggregated in the database (a few
dozen queries for a district of ~4,000 places), never by loading rows.

    assess(user, region, year) -> dict   the whole report; PDF and xlsx render this dict
    register_fire_source(fn)             plugs in fire incidents (a later issue) without touching this
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from firegrid.hazards.choices import OPEN_STATUSES
from firegrid.hazards.models import HazardCase
from firegrid.org.choices import LEVEL_ORDER, RegionKind, RegionLevel
from firegrid.org.models import Region
from firegrid.places.choices import RISK_ORDER, PlaceKind, PlaceStatus, RiskLevel, SelfBuiltUse
from firegrid.places.models import Place

# ---- seasons ---------------------------------------------------------------------------------------

SEASONS = ["spring", "summer", "autumn", "winter"]
SEASON_OF_MONTH = {m: SEASONS[((m - 3) % 12) // 3] for m in range(1, 13)}  # 3-5 spring … 12-2 winter


def season_labels():
    return {
        "spring": _("Spring (Mar–May)"),
        "summer": _("Summer (Jun–Aug)"),
        "autumn": _("Autumn (Sep–Nov)"),
        "winter": _("Winter (Dec–Feb)"),
    }


# Tourism places: the culture and tourism sector's lodging and venues, plus homestays in self-built
# houses (自建房用作民宿), which the sector field does not catch.
TOURISM_KINDS = [
    PlaceKind.HOTEL,
    PlaceKind.ESPORTS_HOTEL,
    PlaceKind.ENTERTAINMENT,
    PlaceKind.INTERNET_CAFE,
    PlaceKind.RELIC_BUILDING,
    PlaceKind.PUBLIC_VENUE,
]


# Grids with at least this many open hazards, or this many overdue ones, are priority grids.
GRID_OPEN_MIN = 5
GRID_OVERDUE_MIN = 2
GRID_PRIORITIES_SHOWN = 10


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _year_bounds(year):
    return _aware(datetime.date(year, 1, 1)), _aware(datetime.date(year + 1, 1, 1))


# ---- fire history: a pluggable source ----------------------------------------------------------------

_FIRE_SOURCES = []


def register_fire_source(source):
    """Add a callable (user, region, year) -> list of dicts with keys date, region, place, cause,
    deaths, injuries, loss_yuan. The incidents app registers one in its AppConfig.ready()."""
    if source not in _FIRE_SOURCES:
        _FIRE_SOURCES.append(source)
    return source


def fire_records(user, region, year):
    """(whether any source of fire records exists, the rows of the year in the region)."""
    rows = []
    for source in _FIRE_SOURCES:
        rows.extend(source(user, region, year))
    rows.sort(key=lambda r: (str(r.get("date") or ""), str(r.get("region") or "")))
    return bool(_FIRE_SOURCES), rows


# ---- the breakdown units: streets of a district, communities of a street, grids of a community ----


class Units:
    """The regions one level below `region` (the region itself for a grid), and a function mapping a
    row's region path to the unit it falls in."""

    def __init__(self, region):
        self.region = region
        self.depth = LEVEL_ORDER.index(region.level)
        if region.level == RegionLevel.GRID:
            self.regions = [region]
        else:
            self.regions = list(Region.objects.filter(parent=region).order_by("code"))
        self.by_code = {r.code: r for r in self.regions}

    def code_of(self, path):
        parts = [p for p in (path or "").split("/") if p]
        index = min(self.depth + 1, len(parts) - 1) if self.region.level != RegionLevel.GRID else self.depth
        code = parts[index] if 0 <= index < len(parts) else None
        return code if code in self.by_code else None


# ---- sections ---------------------------------------------------------------------------------------


def _places(user, region):
    return Place.objects.restrict(user).filter(
        region__path__startswith=region.path, status=PlaceStatus.ACTIVE
    )


def _cases(user, region):
    return HazardCase.objects.restrict(user).filter(region__path__startswith=region.path)


def places_section(user, region):
    """Active places by kind and grade."""
    rows = _places(user, region).values_list("kind", "risk_level").annotate(n=Count("pk")).order_by()
    by_kind = defaultdict(lambda: dict.fromkeys(RiskLevel.values, 0))
    for kind, level, n in rows:
        by_kind[kind][level] = n
    labels = dict(PlaceKind.choices)
    kinds = [
        {
            "kind": kind,
            "label": str(labels.get(kind, kind)),
            "by_risk": counts,
            "total": sum(counts.values()),
            "high_or_major": counts[RiskLevel.HIGH] + counts[RiskLevel.MAJOR],
        }
        for kind, counts in by_kind.items()
    ]
    kinds.sort(key=lambda k: (-k["total"], k["kind"]))
    by_risk = {level: sum(k["by_risk"][level] for k in kinds) for level in RiskLevel.values}
    return {
        "total": sum(by_risk.values()),
        "by_risk": by_risk,
        "risk_labels": {level: str(label) for level, label in RiskLevel.choices},
        "kinds": kinds,
        "key_units": _places(user, region).filter(is_key_unit=True).count(),
    }


def hazards_section(user, region, year):
    """Hazards of the year by category and by season/month, with last year beside them."""
    start, end = _year_bounds(year - 1)[0], _year_bounds(year)[1]
    rows = (
        _cases(user, region)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(y=ExtractYear("created_at"), m=ExtractMonth("created_at"))
        .values_list("category__code", "category__name_zh", "category__name_en", "y", "m", "severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    months = {year: [0] * 12, year - 1: [0] * 12}
    categories = {}
    for code, name_zh, name_en, y, m, severity, n in rows:
        if y not in months:
            continue
        months[y][m - 1] += n
        cat = categories.setdefault(
            code,
            {
                "code": code,
                "name_zh": name_zh,
                "name_en": name_en,
                "count": 0,
                "previous": 0,
                "major": 0,
                "by_season": dict.fromkeys(SEASONS, 0),
            },
        )
        if y == year:
            cat["count"] += n
            cat["major"] += n if severity == "major" else 0
            cat["by_season"][SEASON_OF_MONTH[m]] += n
        else:
            cat["previous"] += n
    lang_en = (get_language() or "").startswith("en")
    for cat in categories.values():
        cat["name"] = cat["name_en"] if lang_en else cat["name_zh"]
        cat["change_pct"] = (
            round(100.0 * (cat["count"] - cat["previous"]) / cat["previous"], 1) if cat["previous"] else None
        )
    ordered = sorted(categories.values(), key=lambda c: (-c["count"], c["code"]))
    by_season = dict.fromkeys(SEASONS, 0)
    for m, n in enumerate(months[year], start=1):
        by_season[SEASON_OF_MONTH[m]] += n
    open_now = _cases(user, region).filter(status__in=OPEN_STATUSES)
    total = sum(months[year])
    return {
        "total": total,
        "previous_total": sum(months[year - 1]),
        "major": sum(c["major"] for c in ordered),
        "categories": [c for c in ordered if c["count"] or c["previous"]],
        "by_month": months[year],
        "by_month_previous": months[year - 1],
        "by_season": by_season,
        "season_share_pct": {s: _pct(n, total) for s, n in by_season.items()},
        "season_labels": season_labels(),
        "open_now": open_now.count(),
        "overdue_now": open_now.overdue().count(),
    }


def _overdue_q(now):
    return (
        Q(step_due__lt=now)
        | Q(department__isnull=False, checked_in_at__isnull=True, checkin_due__lt=now)
        | Q(supervision_due__lt=now)
    )


def units_section(user, region, year, now):
    """One row per region one level down: places, high/major places, places due, hazards."""
    units = Units(region)
    on = timezone.localdate(now)
    rows = {
        r.code: {
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "is_ancient_town": r.is_ancient_town,
            "places": 0,
            "high_or_major": 0,
            "due_high": 0,
            "hazards_year": 0,
            "open": 0,
            "overdue": 0,
            "major_open": 0,
        }
        for r in units.regions
    }
    due = Q(next_inspection_due__isnull=True) | Q(next_inspection_due__lte=on)
    high = Q(risk_level__in=[RiskLevel.HIGH, RiskLevel.MAJOR])
    for path, n, hm, due_high in (
        _places(user, region)
        .values_list("region__path")
        .annotate(n=Count("pk"), hm=Count("pk", filter=high), d=Count("pk", filter=high & due))
        .order_by()
    ):
        code = units.code_of(path)
        if code:
            rows[code]["places"] += n
            rows[code]["high_or_major"] += hm
            rows[code]["due_high"] += due_high
    start, end = _year_bounds(year)
    is_open = Q(status__in=list(OPEN_STATUSES))
    for path, y, o, od, mo in (
        _cases(user, region)
        .values_list("region__path")
        .annotate(
            y=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
            o=Count("pk", filter=is_open),
            od=Count("pk", filter=is_open & _overdue_q(now)),
            mo=Count("pk", filter=is_open & Q(severity="major")),
        )
        .order_by()
    ):
        code = units.code_of(path)
        if code:
            row = rows[code]
            row["hazards_year"] += y
            row["open"] += o
            row["overdue"] += od
            row["major_open"] += mo
    return {"level": units.regions[0].level if units.regions else region.level, "rows": list(rows.values())}


def grid_hotspots(user, region, now):
    """Grids with the most open and overdue hazards (the grid holds the case: 一般隐患不出网格)."""
    is_open = Q(status__in=list(OPEN_STATUSES))
    rows = (
        _cases(user, region)
        .filter(is_open)
        .values_list("region_id")
        .annotate(
            o=Count("pk"), od=Count("pk", filter=_overdue_q(now)), mo=Count("pk", filter=Q(severity="major"))
        )
        .order_by()
    )
    hot = [(rid, o, od, mo) for rid, o, od, mo in rows if o >= GRID_OPEN_MIN or od >= GRID_OVERDUE_MIN]
    hot.sort(key=lambda r: (-r[2], -r[1], r[0]))
    hot = hot[:GRID_PRIORITIES_SHOWN]
    names = {r.pk: r for r in Region.objects.filter(pk__in=[h[0] for h in hot])}
    streets = _street_names()
    return [
        {
            "code": names[rid].code,
            "name": names[rid].name,
            "street": streets.get(_street_code(names[rid].path), ""),
            "open": o,
            "overdue": od,
            "major_open": mo,
        }
        for rid, o, od, mo in hot
        if rid in names
    ]


def _street_code(path):
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) > 1 else None


def _street_names():
    return dict(Region.objects.filter(level=RegionLevel.STREET).values_list("code", "name"))


def tourism_section(user, region, year):
    """Culture and tourism: ancient towns, villages, relic buildings, lodging, homestays and their growth."""
    regions = Region.objects.filter(path__startswith=region.path)
    ancient = list(regions.filter(is_ancient_town=True).order_by("path").values_list("name", flat=True))
    villages = regions.filter(level=RegionLevel.COMMUNITY, kind=RegionKind.VILLAGE).count()
    towns = regions.filter(level=RegionLevel.STREET, kind=RegionKind.TOWN).count()
    places = _places(user, region)
    by_kind = dict(
        places.filter(kind__in=TOURISM_KINDS).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    labels = dict(PlaceKind.choices)
    start = _year_bounds(year)[0]
    end = _year_bounds(year)[1]
    streets = _street_names()
    # homestays: self-built houses used as homestays; few enough to read (JSON list, no portable lookup)
    homestays = defaultdict(lambda: {"now": 0, "start": 0})
    all_places = Place.objects.restrict(user).filter(region__path__startswith=region.path)
    for path, uses, created, status in all_places.filter(kind=PlaceKind.SELF_BUILT_HOUSE).values_list(
        "region__path", "self_built_uses", "created_at", "status"
    ):
        if SelfBuiltUse.HOMESTAY not in (uses or []):
            continue
        street = streets.get(_street_code(path), "")
        if created < end and status == PlaceStatus.ACTIVE:
            homestays[street]["now"] += 1
        if created < start:
            homestays[street]["start"] += 1
    lodging = defaultdict(lambda: {"now": 0, "start": 0})
    for path, created in all_places.filter(
        kind__in=[PlaceKind.HOTEL, PlaceKind.ESPORTS_HOTEL], status=PlaceStatus.ACTIVE
    ).values_list("region__path", "created_at"):
        street = streets.get(_street_code(path), "")
        if created < end:
            lodging[street]["now"] += 1
        if created < start:
            lodging[street]["start"] += 1

    def growth(table):
        out = []
        for street, c in sorted(table.items()):
            pct = round(100.0 * (c["now"] - c["start"]) / c["start"], 1) if c["start"] else None
            out.append({"street": street, "start": c["start"], "now": c["now"], "growth_pct": pct})
        return out

    in_ancient = Q()
    for path in regions.filter(is_ancient_town=True).values_list("path", flat=True):
        in_ancient |= Q(region__path__startswith=path)
    return {
        "ancient_towns": ancient,
        "towns": towns,
        "villages": villages,
        "kinds": [{"kind": k, "label": str(labels[k]), "count": by_kind.get(k, 0)} for k in TOURISM_KINDS],
        "relic_buildings": by_kind.get(PlaceKind.RELIC_BUILDING, 0),
        "homestays": growth(homestays),
        "homestays_total": sum(c["now"] for c in homestays.values()),
        "lodging": growth(lodging),
        "places_in_ancient_towns": places.filter(in_ancient).count() if in_ancient else 0,
    }


def forest_section(user, region):
    """Forest factors: what the registries hold, and what is missing to judge them."""
    forest_field = next(
        (
            f.name
            for f in Region._meta.get_fields()
            if f.name in ("is_forest_area", "has_forest", "forest_area_ha")
        ),
        None,
    )
    regions = Region.objects.filter(path__startswith=region.path)
    forested = []
    if forest_field:
        flag = Q(**{forest_field: True}) if forest_field != "forest_area_ha" else Q(forest_area_ha__gt=0)
        forested = list(regions.filter(flag, level=RegionLevel.STREET).values_list("name", flat=True))
    return {
        "has_data": bool(forest_field),
        "forested_streets": forested,
        "towns": regions.filter(level=RegionLevel.STREET, kind=RegionKind.TOWN).count(),
        "villages": regions.filter(level=RegionLevel.COMMUNITY, kind=RegionKind.VILLAGE).count(),
        "villager_housing": _places(user, region).filter(kind=PlaceKind.VILLAGER_HOUSING).count(),
        "needed": [
            _("a forested flag and forest area per street/town (有林街镇)"),
            _(
                "forest fire-prevention infrastructure: fire breaks, water points, lookout towers, "
                "checkpoints"
            ),
            _("forest fire records and the fire-danger season (森林防火期)"),
        ],
    }


def assess(user, region, year, *, now=None):
    """The whole assessment of `region` for `year`, as plain data."""
    now = now or timezone.now()
    fires_available, fire_rows = fire_records(user, region, year)
    report = {
        "region": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "level_label": str(RegionLevel(region.level).label),
        },
        "year": year,
        "generated_at": timezone.localtime(now),
        "places": places_section(user, region),
        "hazards": hazards_section(user, region, year),
        "units": units_section(user, region, year, now),
        "grid_hotspots": grid_hotspots(user, region, now),
        "tourism": tourism_section(user, region, year),
        "forest": forest_section(user, region),
        "fires": {"available": fires_available, "rows": fire_rows},
    }
    from firegrid.dashboard.assessment_rules import priorities

    report["priorities"] = priorities(report)
    report["risk_order"] = [str(r) for r in RISK_ORDER]
    return report
