"""Water coverage: places and grids with no WORKING water source within a distance.

No GeoDjango: sources are read with a bounding-box prefilter in the database, bucketed into cells
about one distance wide, and each place is compared by haversine with the sources of its own and
the eight neighbouring cells. Grids are compared in a local metric projection (shapely), so a
source just outside a grid still covers it when it is within the distance of its boundary.

Sources are all working sources of the district, whoever may see them: a hydrant across a grid's
edge covers the place all the same. The lists show only the places and grids the user may see.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db.models import Count
from shapely.geometry import Point, shape

from firegrid.core.scoping import user_scope
from firegrid.facilities.choices import WATER_SOURCE_KINDS, FacilityStatus
from firegrid.facilities.models import FACILITY_ROLES, Facility

EARTH_RADIUS_M = 6371008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
MAX_DISTANCE_M = 5000


def default_distance():
    return int(getattr(settings, "FACILITY_COVERAGE_METRES", 150))


def haversine_m(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def degrees_for(distance_m, lat):
    """(Δlat, Δlng) in degrees spanning at least distance_m around latitude lat."""
    dlat = distance_m / METRES_PER_DEGREE
    dlng = distance_m / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat)))))
    return dlat, dlng


def sees_facilities(user):
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & FACILITY_ROLES)


class SourceIndex:
    """Working water sources inside a box, bucketed into cells of at least the distance."""

    def __init__(self, box, distance_m, kinds=WATER_SOURCE_KINDS):
        self.distance = distance_m
        min_lat, min_lng, max_lat, max_lng = box
        dlat, dlng = degrees_for(distance_m, max(abs(min_lat), abs(max_lat)))
        self.cell = (dlat, dlng)
        rows = Facility.objects.filter(
            status=FacilityStatus.WORKING,
            kind__in=list(kinds),
            lat__gte=min_lat - dlat,
            lat__lte=max_lat + dlat,
            lng__gte=min_lng - dlng,
            lng__lte=max_lng + dlng,
        ).values_list("id", "lat", "lng")
        self.points = list(rows)
        self.cells = defaultdict(list)
        for row in self.points:
            self.cells[self._key(row[1], row[2])].append(row)

    def _key(self, lat, lng):
        return math.floor(lat / self.cell[0]), math.floor(lng / self.cell[1])

    def nearest(self, lat, lng):
        """(distance in m, source id) of the nearest source within the distance, or None."""
        row, col = self._key(lat, lng)
        best = None
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for pk, slat, slng in self.cells.get((row + dr, col + dc), ()):
                    d = haversine_m(lat, lng, slat, slng)
                    if d <= self.distance and (best is None or d < best[0]):
                        best = (d, pk)
        return best

    def near_box(self, box):
        """Sources whose cell touches the box (lat/lng), for a finer test."""
        min_lat, min_lng, max_lat, max_lng = box
        r0, c0 = self._key(min_lat, min_lng)
        r1, c1 = self._key(max_lat, max_lng)
        for r in range(r0 - 1, r1 + 2):
            for c in range(c0 - 1, c1 + 2):
                yield from self.cells.get((r, c), ())


@dataclass
class PlaceGap:
    place: object
    nearest_m: float | None  # nearest working source of any distance considered (None: none near)


@dataclass
class GridGap:
    grid: object
    places: int
    uncovered_places: int
    has_source: bool


def _box_of(points):
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    return min(lats), min(lngs), max(lats), max(lngs)


def place_gaps(user, distance_m=None, kinds=WATER_SOURCE_KINDS, places=None):
    """Active places the user may see with no working source within the distance."""
    from firegrid.places.models import Place

    distance_m = distance_m or default_distance()
    if not sees_facilities(user):
        return []
    if places is None:
        places = (
            Place.objects.restrict(user).active().select_related("region").order_by("region__path", "name")
        )
    places = list(places)
    if not places:
        return []
    index = SourceIndex(_box_of([(p.lat, p.lng) for p in places]), distance_m, kinds)
    return [PlaceGap(p, None) for p in places if index.nearest(p.lat, p.lng) is None]


def _scale(lat0):
    """(metres per degree of longitude, of latitude) around latitude lat0 (equirectangular: fine at
    grid scale)."""
    return METRES_PER_DEGREE * math.cos(math.radians(lat0)), METRES_PER_DEGREE


def grid_gaps(user, distance_m=None, kinds=WATER_SOURCE_KINDS, place_gap_list=None):
    """Grids the user may see with no working source inside them or within the distance of their
    boundary, and grids that have places without one (with counts)."""
    from firegrid.org.models import Region
    from firegrid.places.models import Place

    distance_m = distance_m or default_distance()
    if not sees_facilities(user):
        return []
    grids = list(Region.objects.restrict(user).grids().filter(min_lat__isnull=False).order_by("path"))
    if not grids:
        return []
    box = (
        min(g.min_lat for g in grids),
        min(g.min_lng for g in grids),
        max(g.max_lat for g in grids),
        max(g.max_lng for g in grids),
    )
    index = SourceIndex(box, distance_m, kinds)
    if place_gap_list is None:
        place_gap_list = place_gaps(user, distance_m, kinds)
    uncovered = defaultdict(int)
    for gap in place_gap_list:
        uncovered[gap.place.region_id] += 1
    totals = dict(
        Place.objects.restrict(user)
        .active()
        .filter(region__in=grids)
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    gaps = []
    for grid in grids:
        kx, ky = _scale((grid.min_lat + grid.max_lat) / 2)
        polygon = shapely.transform(shape(grid.boundary), lambda xy, kx=kx, ky=ky: xy * [kx, ky])
        dlat, dlng = degrees_for(distance_m, grid.max_lat)
        near = index.near_box(
            (grid.min_lat - dlat, grid.min_lng - dlng, grid.max_lat + dlat, grid.max_lng + dlng)
        )
        covered = any(polygon.distance(Point(lng * kx, lat * ky)) <= distance_m for _pk, lat, lng in near)
        if not covered or uncovered.get(grid.pk):
            gaps.append(GridGap(grid, totals.get(grid.pk, 0), uncovered.get(grid.pk, 0), covered))
    return gaps


def parse_distance(value):
    """A distance in metres from a query parameter: the default when empty, else 1..MAX_DISTANCE_M."""
    if value in (None, ""):
        return default_distance()
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise ValueError("distance") from None
    if not 1 <= number <= MAX_DISTANCE_M:
        raise ValueError("distance")
    return number


def gaps_geojson(place_gap_list, grid_gap_list, url_for_place=None):
    features = []
    for gap in place_gap_list:
        p = gap.place
        props = {"kind": "place", "code": p.code, "name": p.name, "grid": p.region.name}
        if url_for_place:
            props["url"] = url_for_place(p)
        features.append(
            {
                "type": "Feature",
                "id": p.pk,
                "geometry": {"type": "Point", "coordinates": [p.lng, p.lat]},
                "properties": props,
            }
        )
    for gap in grid_gap_list:
        g = gap.grid
        features.append(
            {
                "type": "Feature",
                "id": f"grid-{g.pk}",
                "geometry": g.boundary,
                "properties": {
                    "kind": "grid",
                    "code": g.code,
                    "name": g.name,
                    "places": gap.places,
                    "uncovered_places": gap.uncovered_places,
                    "has_source": gap.has_source,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
