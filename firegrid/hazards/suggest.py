"""Category suggestion for a public report made without a place code.

From a place's code page the report form already puts the categories common at the place's kind first
(`HazardCategory.place_kinds`). Without a code, the form asks here once it has a location (the phone's
or the photo's): the nearest active registered place within DUPLICATE_RADIUS_METRES lends its kind.

Public data only. The answer holds the suggested public categories and the place's name, which its
code sign shows to anyone anyway; never its code, id, coordinates, owner, contacts, grade or kind. Homes
(a self-built house, a group rental) get no name at all: the suggestion must not tell a stranger who
lives at a point on the map.
"""

import math

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from firegrid.hazards.duplicates import distance_m
from firegrid.hazards.models import HazardCategory
from firegrid.hazards.ratelimit import RateLimit
from firegrid.places.choices import PlaceKind, PlaceStatus
from firegrid.places.models import Place

SUGGESTS = RateLimit("category-suggest", lambda: settings.PUBLIC_REPORTS_PER_HOUR * 30)
HOMES = frozenset({PlaceKind.SELF_BUILT_HOUSE, PlaceKind.GROUP_RENTAL})
MAX_ROWS = 500


class BadCoordinate(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def _coordinate(params, field, limit):
    raw = (params.get(field) or "").strip()
    if not raw:
        raise BadCoordinate(field, _("%(field)s is missing.") % {"field": field})
    try:
        value = float(raw)
    except ValueError:
        raise BadCoordinate(field, _("%(field)s is not a number.") % {"field": field}) from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise BadCoordinate(
            field, _("%(field)s must be between -%(limit)s and %(limit)s.") % {"field": field, "limit": limit}
        )
    return value


def nearest_place(lat, lng, radius=None):
    """(place, metres) of the nearest active place within `radius` metres, or (None, None)."""
    radius = radius or settings.DUPLICATE_RADIUS_METRES
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    rows = (
        Place.objects.filter(
            status=PlaceStatus.ACTIVE,
            lat__gte=lat - dlat,
            lat__lte=lat + dlat,
            lng__gte=lng - dlng,
            lng__lte=lng + dlng,
        )
        .only("id", "name", "kind", "lat", "lng")
        .order_by()[:MAX_ROWS]
    )
    best = (None, None)
    for place in rows:
        metres = distance_m(lat, lng, place.lat, place.lng)
        if metres <= radius and (best[1] is None or (metres, place.pk) < (best[1], best[0].pk)):
            best = (place, metres)
    return best


def suggestion(lat, lng):
    """What the public form may know: the categories suggested here, and a public place name."""
    place, _metres = nearest_place(lat, lng)
    if place is None:
        return {"categories": [], "place": None}
    categories = [
        {"code": c.code, "name": c.name}
        for c in HazardCategory.objects.filter(is_active=True, public=True)
        if place.kind in (c.place_kinds or [])
    ]
    if not categories:
        return {"categories": [], "place": None}
    name = None if place.kind in HOMES else place.name
    return {"categories": categories, "place": {"name": name} if name else None}


@require_GET
def suggest_category(request):
    """GET /report/suggest/?lat=…&lng=…: the suggested categories for a report at this point."""
    if SUGGESTS.exceeded(request):
        return JsonResponse({"error": _("Too many requests; try again later.")}, status=429)
    SUGGESTS.hit(request)
    try:
        lat = _coordinate(request.GET, "lat", 90)
        lng = _coordinate(request.GET, "lng", 180)
    except BadCoordinate as bad:
        return JsonResponse({"error": bad.message, "field": bad.field}, status=400)
    response = JsonResponse(
        {"radius_m": settings.DUPLICATE_RADIUS_METRES, **suggestion(lat, lng)},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response
