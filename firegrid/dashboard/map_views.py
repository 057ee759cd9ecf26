"""The map: a page and its GeoJSON layers, every row through the user's scoped querysets."""

import math

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import BooleanField, Case, Max, Min, TextField, Value, When
from django.db.models.functions import MD5, Cast
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from shapely.geometry import mapping, shape

from firegrid.dashboard import map_layers
from firegrid.dashboard.compress import gzip_json_view
from firegrid.dashboard.kpis import late_q
from firegrid.dashboard.scope import chosen_region
from firegrid.hazards.models import HazardCase
from firegrid.iot.choices import ALARM_KIND_ORDER
from firegrid.iot.models import ACTIVE_STATUSES, Alarm, Device
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region
from firegrid.places.api.views import parse_bbox

POINT_LIMIT = 2000
GRID_LIMIT = 3000
# boundaries with more vertices than this are simplified (about 5 m at Qijiang's latitude)
SIMPLIFY_ABOVE = 64
SIMPLIFY_TOLERANCE = 0.00005


def bbox_param(request):
    """The ?bbox= of a request as (min_lng, min_lat, max_lng, max_lat), None if absent; 400 if bad."""
    value = request.query_params.get("bbox")
    if value is None:
        return None
    box = parse_bbox(value)
    lng_ok = all(math.isfinite(v) and -180 <= v <= 180 for v in box[0::2])
    lat_ok = all(math.isfinite(v) and -90 <= v <= 90 for v in box[1::2])
    if not (lng_ok and lat_ok):
        raise ValidationError({"bbox": [_("Use bbox=min_lng,min_lat,max_lng,max_lat.")]})
    return box


def in_bbox(queryset, box):
    queryset = queryset.filter(lat__isnull=False, lng__isnull=False)
    if box is None:
        return queryset
    min_lng, min_lat, max_lng, max_lat = box
    return queryset.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)


def point(pk, lng, lat, properties):
    return {
        "type": "Feature",
        "id": pk,
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": properties,
    }


def collection(features, truncated, **extra):
    return {"type": "FeatureCollection", "features": features, "truncated": truncated, **extra}


def _vertices(geometry):
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return sum(len(ring) for ring in coords)
    return sum(len(ring) for polygon in coords for ring in polygon)


def _round(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [round(c, 6) for c in coords]
    return [_round(c) for c in coords]


def light_boundary(geometry):
    """A boundary small enough to send: simplified when it has many vertices, 6 decimals (~0.1 m)."""
    if _vertices(geometry) > SIMPLIFY_ABOVE:
        simpler = shape(geometry).simplify(SIMPLIFY_TOLERANCE, preserve_topology=True)
        if not simpler.is_empty:
            geometry = mapping(simpler)
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


# (grid id, MD5 of its boundary as stored) -> light boundary: simplifying and rounding thousands of
# boundaries cost ~0.3 s of CPU a district map; a changed boundary has another digest, so it is never
# served stale. Bounded: cleared when it holds more than LIGHT_CACHE_SIZE entries.
_LIGHT = {}
LIGHT_CACHE_SIZE = 50_000


def light_boundaries(rows):
    """{grid id: light boundary} for rows of id and shape (the boundary's digest), reading from the
    database only the boundaries not prepared before."""
    missing = [row["id"] for row in rows if (row["id"], row["shape"]) not in _LIGHT]
    if missing:
        if len(_LIGHT) + len(missing) > LIGHT_CACHE_SIZE:
            _LIGHT.clear()
        digest = {row["id"]: row["shape"] for row in rows}
        for pk, boundary in Region.objects.filter(pk__in=missing).values_list("id", "boundary"):
            _LIGHT[pk, digest[pk]] = light_boundary(boundary)
    return {row["id"]: _LIGHT.get((row["id"], row["shape"])) for row in rows}


def scoped_grids(user, region):
    return Region.objects.restrict(user).filter(
        level=RegionLevel.GRID, path__startswith=region.path, min_lat__isnull=False
    )


def region_bounds(user, region):
    """[[south, west], [north, east]] of the region, or of its grids when it has no boundary."""
    if region.min_lat is not None:
        return [[region.min_lat, region.min_lng], [region.max_lat, region.max_lng]]
    box = scoped_grids(user, region).aggregate(
        s=Min("min_lat"), w=Min("min_lng"), n=Max("max_lat"), e=Max("max_lng")
    )
    if box["s"] is None:
        return None
    return [[box["s"], box["w"]], [box["n"], box["e"]]]


def kpi_param(value):
    if value in (None, ""):
        return map_layers.KPIS[map_layers.DEFAULT_KPI]
    kpi = map_layers.KPIS.get(value)
    if kpi is None:
        raise ValidationError({"kpi": [_("Choose one of: %(kpis)s.") % {"kpis": ", ".join(map_layers.KPIS)}]})
    return kpi


def grids_collection(user, region, kpi, now=None):
    """The grids inside the region, coloured by the KPI (one query for the grids, one for the KPI)."""
    now = now or timezone.now()
    rows = list(
        scoped_grids(user, region)
        .order_by("path")
        .annotate(shape=MD5(Cast("boundary", TextField())))
        .values("id", "code", "name", "shape")[: GRID_LIMIT + 1]
    )
    truncated = len(rows) > GRID_LIMIT
    rows = rows[:GRID_LIMIT]
    boundaries = light_boundaries(rows)
    by_grid = kpi.values(user, region, now) if rows else {}
    values = [by_grid.get(row["id"], kpi.default) for row in rows]
    bucket_of, legend = kpi.scale(values)
    features = []
    for row, value in zip(rows, values, strict=True):
        bucket = bucket_of(value)
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": boundaries[row["id"]],
                "properties": {
                    "code": row["code"],
                    "name": row["name"],
                    "value": value,
                    "bucket": bucket,
                    "colour": map_layers.colour(bucket),
                },
            }
        )
    for entry in legend:
        entry["colour"] = map_layers.colour(entry["bucket"])
    if any(v is None for v in values):
        legend.append({"bucket": None, "label": _("No data"), "colour": map_layers.NO_DATA})
    return collection(
        features,
        truncated,
        region={"code": region.code, "name": region.name, "level": region.level},
        kpi={"name": kpi.name, "label": str(kpi.label), "unit": kpi.unit},
        legend=legend,
    )


def hazards_collection(user, box, now=None):
    """Open cases with a location: most recent first."""
    now = now or timezone.now()
    cases = in_bbox(HazardCase.objects.restrict(user).open(), box)
    # overdue, decided on the row itself (an EXISTS over the overdue cases made PostgreSQL hash all of them)
    late = Case(When(late_q(now), then=Value(True)), default=Value(False), output_field=BooleanField())
    name = "category__name_en" if (get_language() or "").startswith("en") else "category__name_zh"
    rows = list(  # plain values: 2,000 model instances cost more than the query
        cases.annotate(late=late)
        .order_by("-id")
        .values_list("id", "tracking_code", "lat", "lng", "severity", "status", "level", "late", name)[
            : POINT_LIMIT + 1
        ]
    )
    truncated = len(rows) > POINT_LIMIT
    rows = rows[:POINT_LIMIT]
    link = map_layers.url_template("hazards:detail")
    features = [
        point(
            pk,
            lng,
            lat,
            {
                "tracking_code": code,
                "category": category,
                "severity": severity,
                "status": status,
                "level": level,
                "overdue": late,
                "url": link.replace("{id}", str(pk)) if link else None,
            },
        )
        for pk, code, lat, lng, severity, status, level, late, category in rows
    ]
    return collection(features, truncated)


def devices_collection(user, box):
    """Active devices with a location, with the most serious active alarm each one has."""
    devices = in_bbox(Device.objects.restrict(user).filter(is_active=True), box)
    rows = list(
        devices.order_by("ident").values("id", "ident", "name", "kind", "status", "lat", "lng")[
            : POINT_LIMIT + 1
        ]
    )
    truncated = len(rows) > POINT_LIMIT
    rows = rows[:POINT_LIMIT]
    alarms = {}
    if rows:
        active = Alarm.objects.restrict(user).filter(
            status__in=ACTIVE_STATUSES, device__in=devices.values("pk")
        )
        for device_id, kind in active.values_list("device_id", "kind").order_by():
            if device_id not in alarms or ALARM_KIND_ORDER[kind] < ALARM_KIND_ORDER[alarms[device_id]]:
                alarms[device_id] = kind
    link = map_layers.url_template("iot:device")
    features = []
    for row in rows:
        alarm = alarms.get(row["id"])
        features.append(
            point(
                row["id"],
                row["lng"],
                row["lat"],
                {
                    "ident": row["ident"],
                    "name": row["name"] or row["ident"],
                    "kind": row["kind"],
                    "status": row["status"],
                    "alarm": alarm,
                    "state": "alarm" if alarm else row["status"],
                    "url": link.replace("{id}", str(row["id"])) if link else None,
                },
            )
        )
    return collection(features, truncated)


BBOX = OpenApiParameter(
    "bbox", str, description="min_lng,min_lat,max_lng,max_lat (WGS84); without it, your whole scope"
)


@gzip_json_view
class MapGridsAPIView(APIView):
    """The grids inside a region of your scope as GeoJSON, each coloured by a KPI."""

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Region code inside your scope (default: your own)"),
            OpenApiParameter("kpi", str, enum=list(map_layers.KPIS), description="What colours the grids"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        region, _homes = chosen_region(request.user, request.query_params.get("region"))
        kpi = kpi_param(request.query_params.get("kpi"))
        return Response(grids_collection(request.user, region, kpi))


@gzip_json_view
class MapHazardsAPIView(APIView):
    """Open hazard cases with a location, as GeoJSON points (capped; `truncated` says so)."""

    @extend_schema(parameters=[BBOX], responses={200: dict})
    def get(self, request):
        return Response(hazards_collection(request.user, bbox_param(request)))


@gzip_json_view
class MapDevicesAPIView(APIView):
    """Active devices with their status and most serious active alarm, as GeoJSON points."""

    @extend_schema(parameters=[BBOX], responses={200: dict})
    def get(self, request):
        return Response(devices_collection(request.user, bbox_param(request)))


class MapView(LoginRequiredMixin, TemplateView):
    """The map of a region in the user's scope: grids coloured by a KPI, layers over them."""

    template_name = "dashboard/map.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        region, homes = chosen_region(user, self.request.GET.get("region"))
        kpi = map_layers.KPIS.get(self.request.GET.get("kpi")) or map_layers.KPIS[map_layers.DEFAULT_KPI]
        parent = region.parent if region.parent_id else None
        if parent is not None and not any(parent.path.startswith(h.path) for h in homes):
            parent = None
        return {
            **super().get_context_data(**kwargs),
            "region": region,
            "parent": parent,
            "children": Region.objects.filter(parent=region).order_by("code")[:200],
            "kpis": list(map_layers.KPIS.values()),
            "kpi": kpi,
            "map_config": {
                "region": region.code,
                "kpi": kpi.name,
                "bounds": region_bounds(user, region),
                "tile_url": settings.MAP_TILE_URL,
                "layers": map_layers.page_layers(),
                "dashboard_url": map_layers.url_or_none("dashboard"),
                "map_url": map_layers.url_or_none("map"),
                "point_limit": POINT_LIMIT,
            },
            "map_strings": {
                "loading": _("Loading…"),
                "failed": _("The layer could not be loaded."),
                "truncated": _("%(layer)s: only the first %(n)s are shown. Zoom in to see the rest."),
                "no_data": _("No data"),
                "command_view": _("Command view"),
                "zoom_in": _("Map of this grid"),
                "open": pgettext("map popup link to the object's page", "Open"),
            },
        }
