"""What the map shows, as data: the KPIs that colour the grids and the layers drawn over them.

The page reads `LAYERS` and builds its toggles, loaders, marker colours and popups from it, so a new
layer is one `register(Layer(...))` call plus the GeoJSON endpoint it names. A layer whose URL does
not resolve yet is left out of the page: the public facilities layer (hydrants, water sources) is
registered below against the route the facilities app will add (`facility-geojson`, the name a DRF
router gives a `geojson` action of a `facility` viewset, like `place-geojson`) and appears once that
app exists.

KPI values are computed with one grouped query per KPI (`GROUP BY region_id` over the user's scoped
queryset), never one query per grid.
"""

import math
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.dashboard.kpis import within
from firegrid.hazards.choices import CaseStatus, Level, Severity
from firegrid.hazards.models import HazardCase
from firegrid.iot.choices import AlarmKind, DeviceKind, DeviceStatus
from firegrid.iot.models import ACTIVE_STATUSES, Alarm, Device
from firegrid.places.choices import PlaceKind, RiskLevel
from firegrid.places.models import Place

# ---------------------------------------------------------------------------------------------
# KPIs that colour the grids

# bucket 0 is the best, 4 the worst; None (no data) is drawn grey
PALETTE = ["#e8f5e9", "#fff59d", "#ffcc80", "#ff8a65", "#d32f2f"]
NO_DATA = "#e0e0e0"


def _count_by_grid(queryset, region):
    rows = (
        within(queryset, region)  # the district: no region filter (kpis.within)
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["region_id"]: row["n"] for row in rows}


def open_hazards(user, region, now):
    return _count_by_grid(HazardCase.objects.restrict(user).open(), region)


def overdue_hazards(user, region, now):
    return _count_by_grid(HazardCase.objects.restrict(user).overdue(now), region)


def active_places(user, region, now):
    return _count_by_grid(Place.objects.restrict(user).filter(status="active"), region)


def active_alarms(user, region, now):
    return _count_by_grid(Alarm.objects.restrict(user).filter(status__in=ACTIVE_STATUSES), region)


def offline_devices(user, region, now):
    devices = Device.objects.restrict(user).filter(is_active=True, status=DeviceStatus.OFFLINE)
    return _count_by_grid(devices, region)


def coverage_pct(user, region, now):
    """Share of active places inspected this year, as the command view counts it."""
    year = timezone.localdate(now).year
    rows = (
        within(Place.objects.restrict(user), region)
        .filter(status="active")  # places 0006: an index-only scan of place_active_region_idx
        .values("region_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(last_inspected_on__year=year)))
        .order_by()
    )
    return {r["region_id"]: round(100.0 * r["done"] / r["total"], 1) for r in rows if r["total"]}


def count_scale(values):
    """Buckets for counts (fewer is better): 0 alone, then four equal steps up to the largest."""
    top = max([v for v in values if v is not None] or [0])
    breaks = [1, 2, 3, 4] if top <= 4 else [math.ceil(top * i / 4) for i in range(1, 5)]

    def bucket(value):
        if value is None:
            return None
        if value <= 0:
            return 0
        return next(i + 1 for i, b in enumerate(breaks) if value <= b)

    legend, low = [{"bucket": 0, "label": "0"}], 1
    for i, high in enumerate(breaks):
        if high >= low:
            legend.append({"bucket": i + 1, "label": str(low) if high == low else f"{low}–{high}"})
        low = high + 1
    return bucket, legend


COVERAGE_BREAKS = [90, 70, 50, 25]  # at or above: buckets 0..3; below the last: 4


def pct_scale(values):
    """Fixed buckets for a percentage where more is better."""

    def bucket(value):
        if value is None:
            return None
        return next((i for i, b in enumerate(COVERAGE_BREAKS) if value >= b), len(COVERAGE_BREAKS))

    edges = [100, *COVERAGE_BREAKS, 0]
    legend = [{"bucket": 0, "label": f"≥ {COVERAGE_BREAKS[0]}%"}]
    legend += [{"bucket": i, "label": f"{edges[i + 1]}–{edges[i]}%"} for i in range(1, len(edges) - 1)]
    legend[-1]["label"] = f"< {COVERAGE_BREAKS[-1]}%"
    return bucket, legend


@dataclass(frozen=True, eq=False)
class Kpi:
    name: str
    label: object
    values: object  # (user, region, now) -> {grid region id: value}
    scale: object = count_scale  # (values) -> (bucket function, legend rows)
    unit: str = ""
    default: object = 0  # value of a grid without rows (None: no data)


KPIS = {
    k.name: k
    for k in [
        Kpi("open_hazards", _("Open hazards"), open_hazards),
        Kpi("overdue_hazards", _("Overdue hazards"), overdue_hazards),
        Kpi("coverage_pct", _("Inspection coverage"), coverage_pct, pct_scale, "%", None),
        Kpi("places", _("Supervised places"), active_places),
        Kpi("active_alarms", _("Active alarms"), active_alarms),
        Kpi("offline_devices", _("Offline devices"), offline_devices),
    ]
}
DEFAULT_KPI = "open_hazards"


def colour(bucket):
    return NO_DATA if bucket is None else PALETTE[bucket]


# ---------------------------------------------------------------------------------------------
# Layers


@dataclass(frozen=True, eq=False)
class Layer:
    name: str
    label: object
    url_name: str  # a GeoJSON endpoint taking ?bbox=min_lng,min_lat,max_lng,max_lat
    kind: str = "points"  # "grids": the coloured base, loaded per region; "points": loaded by bbox
    style: dict = field(default_factory=dict)  # colour_by, colours, fallback, radius
    title: str = "name"  # property heading the popup
    popup: tuple = ()  # (property, label) rows of the popup
    value_labels: dict = field(default_factory=dict)  # property -> {code: label}
    link: str | None = None  # URL name of the object's page (feature id as pk), if props lack `url`
    params: dict = field(default_factory=dict)  # fixed query parameters
    default_on: bool = True


LAYERS = {}


def register(layer):
    LAYERS[layer.name] = layer
    return layer


def _choices(choices):
    return dict(choices.choices)


def url_or_none(name, pk=None):
    """The URL, or with pk the URL with `{id}` in its place; None while the route does not exist."""
    marker = 987654321
    try:
        url = reverse(name, args=[marker] if pk else None)
    except NoReverseMatch:
        return None
    return url.replace(str(marker), "{id}") if pk else url


def url_template(name):
    return url_or_none(name, pk=True)


def page_layers():
    """The layers the page can draw, as JSON-ready dicts (those whose endpoint exists)."""
    out = []
    for layer in LAYERS.values():
        url = url_or_none(layer.url_name)
        if url is None:
            continue
        out.append(
            {
                "name": layer.name,
                "label": layer.label,
                "url": url,
                "kind": layer.kind,
                "style": layer.style,
                "title": layer.title,
                "popup": [[prop, label] for prop, label in layer.popup],
                "value_labels": layer.value_labels,
                "link": url_template(layer.link) if layer.link else None,
                "params": layer.params,
                "default_on": layer.default_on,
            }
        )
    return out


YES_NO = {"true": _("Yes"), "false": _("No")}

register(Layer("grids", _("Grid boundaries"), "api-map-grids", kind="grids"))
register(
    Layer(
        "places",
        _("Places by risk grade"),
        "place-geojson",
        style={
            "colour_by": "risk_level",
            "colours": {
                RiskLevel.LOW: "#1e88e5",
                RiskLevel.GENERAL: "#fdd835",
                RiskLevel.HIGH: "#fb8c00",
                RiskLevel.MAJOR: "#e53935",
            },
            "fallback": "#607d8b",
            "radius": 6,
        },
        popup=(("code", _("Code")), ("kind", _("Kind")), ("risk_level", _("Risk grade"))),
        value_labels={"kind": _choices(PlaceKind), "risk_level": _choices(RiskLevel)},
        link="place-detail",
        params={"status": "active"},
    )
)
register(
    Layer(
        "hazards",
        _("Open hazards"),
        "api-map-hazards",
        style={
            "colour_by": "severity",
            "colours": {Severity.MAJOR: "#c62828", Severity.GENERAL: "#ef6c00"},
            "fallback": "#ef6c00",
            "radius": 7,
        },
        title="tracking_code",
        popup=(
            ("category", _("Category")),
            ("severity", _("Severity")),
            ("status", _("Status")),
            ("level", _("Held at")),
            ("overdue", _("Overdue")),
        ),
        value_labels={
            "severity": _choices(Severity),
            "status": _choices(CaseStatus),
            "level": _choices(Level),
            "overdue": YES_NO,
        },
    )
)
register(
    Layer(
        "devices",
        _("Devices and active alarms"),
        "api-map-devices",
        style={
            "colour_by": "state",
            "colours": {
                "alarm": "#c62828",
                DeviceStatus.OFFLINE: "#9e9e9e",
                DeviceStatus.UNKNOWN: "#cfd8dc",
                DeviceStatus.ONLINE: "#2e7d32",
            },
            "fallback": "#9e9e9e",
            "radius": 6,
        },
        popup=(
            ("ident", _("Device id")),
            ("kind", _("Kind")),
            ("status", _("Status")),
            ("alarm", _("Alarm")),
        ),
        value_labels={
            "kind": _choices(DeviceKind),
            "status": _choices(DeviceStatus),
            "alarm": _choices(AlarmKind),
        },
        default_on=False,
    )
)
# Hydrants, water sources and stations: drawn once the facilities app serves `facility-geojson`
# (that app may register its own "facilities" layer with its colours; the later registration wins).
register(
    Layer(
        "facilities",
        _("Public fire facilities"),
        "facility-geojson",
        style={"colour_by": "kind", "colours": {}, "fallback": "#0277bd", "radius": 6},
        popup=(("code", _("Code")), ("kind", _("Kind")), ("status", _("Status"))),
        default_on=False,
    )
)
