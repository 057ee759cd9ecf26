"""Rectangles that tile their parent exactly, and the fields Region.save() would have computed.

Boxes are (min_lng, min_lat, max_lng, max_lat). Children share their edges with each other and
with the parent (the same rounded float on both sides), so every point of the district lies in
exactly one grid, except on an edge, where locate() picks the first by path.
"""

import math

from firegrid.core.geo import bbox

DIGITS = 6  # ~0.1 m


def rect(box):
    """A closed GeoJSON Polygon ring for the box, [lng, lat] order, counter-clockwise."""
    min_lng, min_lat, max_lng, max_lat = box
    ring = [
        [min_lng, min_lat],
        [max_lng, min_lat],
        [max_lng, max_lat],
        [min_lng, max_lat],
        [min_lng, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def centre(box):
    """(lat, lng) of the box's centre."""
    min_lng, min_lat, max_lng, max_lat = box
    return (min_lat + max_lat) / 2, (min_lng + max_lng) / 2


def point_in(box, rng, margin=0.1):
    """A random (lat, lng) inside the box, kept off its edges by `margin` of its size."""
    min_lng, min_lat, max_lng, max_lat = box
    fx = margin + (1 - 2 * margin) * rng.random()
    fy = margin + (1 - 2 * margin) * rng.random()
    lat = round(min_lat + fy * (max_lat - min_lat), DIGITS)
    lng = round(min_lng + fx * (max_lng - min_lng), DIGITS)
    return lat, lng


def _cuts(low, high, weights):
    total = float(sum(weights))
    cuts, acc = [low], 0.0
    for w in weights[:-1]:
        acc += w
        cuts.append(round(low + (high - low) * acc / total, DIGITS))
    cuts.append(high)
    return cuts


def tile_rows(box, rows):
    """Split the box into rows (north first) of cells (west first); `rows` holds cell weights.

    Returns the cells' boxes in row order.
    """
    min_lng, min_lat, max_lng, max_lat = box
    # Cuts run south → north, rows are listed north → south.
    lat_cuts = _cuts(min_lat, max_lat, [sum(r) for r in reversed(rows)])
    boxes = []
    for i, row in enumerate(rows):
        top, bottom = lat_cuts[len(rows) - i], lat_cuts[len(rows) - i - 1]
        lng_cuts = _cuts(min_lng, max_lng, row)
        boxes.extend((lng_cuts[j], bottom, lng_cuts[j + 1], top) for j in range(len(row)))
    return boxes


def tile(box, weights):
    """Split the box into len(weights) cells with areas roughly proportional to the weights."""
    n = len(weights)
    min_lng, min_lat, max_lng, max_lat = box
    aspect = (max_lng - min_lng) * math.cos(math.radians((min_lat + max_lat) / 2)) / (max_lat - min_lat)
    cols = max(1, min(n, round(math.sqrt(n * aspect))))
    nrows = math.ceil(n / cols)
    base, extra = divmod(n, nrows)
    rows, start = [], 0
    for i in range(nrows):
        size = base + (1 if i < extra else 0)
        rows.append(weights[start : start + size])
        start += size
    return tile_rows(box, rows)


def prepare_region(region):
    """Set `path` and the bbox fields as Region.save() does; bulk_create bypasses save().

    The region's `parent` must be set as a saved object (with its path) unless it is the district.
    """
    parent = region.parent if region.parent_id else None  # the cached object: no query
    region.path = f"{parent.path if parent else '/'}{region.code}/"
    if region.boundary:
        region.min_lng, region.min_lat, region.max_lng, region.max_lat = bbox(region.boundary)
    else:
        region.min_lng = region.min_lat = region.max_lng = region.max_lat = None
    return region
