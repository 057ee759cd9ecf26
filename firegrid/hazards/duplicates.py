"""Near-duplicate search: open cases of the same category within a few tens of metres of a new report
("is it one of these?"). A bounding box narrows the rows in SQL (plain lat/lng, no GIS), then the
haversine distance sorts what is left."""

import math

from django.conf import settings

from firegrid.hazards.choices import OPEN_STATUSES
from firegrid.hazards.models import HazardCase

EARTH_RADIUS_M = 6_371_000
MAX_SUGGESTIONS = 5


def distance_m(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby_open_cases(queryset, *, lat, lng, category=None, radius=None, exclude=None, limit=MAX_SUGGESTIONS):
    """[(case, metres)] of open, not-merged cases in `queryset` within `radius` metres, nearest first."""
    radius = radius or settings.DUPLICATE_RADIUS_METRES
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    rows = queryset.filter(
        status__in=OPEN_STATUSES,
        duplicate_of__isnull=True,
        lat__gte=lat - dlat,
        lat__lte=lat + dlat,
        lng__gte=lng - dlng,
        lng__lte=lng + dlng,
    )
    if category is not None:
        rows = rows.filter(category=category)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    found = []
    for case in rows.select_related("category").order_by("-id")[:200]:
        metres = distance_m(lat, lng, case.lat, case.lng)
        if metres <= radius:
            found.append((case, metres))
    found.sort(key=lambda pair: (pair[1], -pair[0].pk))
    return found[:limit]


def public_suggestions(*, lat, lng, category):
    """What anyone may see of nearby cases: only published cases, and only their public fields."""
    from firegrid.hazards.public_views import BADGE_CLASSES

    pairs = nearby_open_cases(HazardCase.objects.public(), lat=lat, lng=lng, category=category)
    return [
        {
            "id": case.pk,
            "category": case.category.name,
            "status": str(case.get_status_display()),
            "status_class": BADGE_CLASSES.get(case.status_colour, "badge-muted"),
            "description": case.description[:300],
            "reported_on": case.created_at.date().isoformat(),
            "distance_m": round(metres),
        }
        for case, metres in pairs
    ]


def staff_suggestions(user, *, lat, lng, category, exclude=None):
    """Nearby cases in the user's scope, with the links the staff need (to merge or open them)."""
    from django.urls import reverse

    pairs = nearby_open_cases(
        HazardCase.objects.restrict(user), lat=lat, lng=lng, category=category, exclude=exclude
    )
    return [
        {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "category": case.category.name,
            "status": str(case.get_status_display()),
            "description": case.description[:300],
            "reported_on": case.created_at.date().isoformat(),
            "distance_m": round(metres),
            "url": reverse("hazards:detail", args=[case.pk]),
        }
        for case, metres in pairs
    ]
