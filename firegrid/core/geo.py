"""Plain lat/lng geometry with shapely: validating GeoJSON boundaries, locating points."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

POLYGON_TYPES = {"Polygon", "MultiPolygon"}


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def clean_boundary(value):
    """Validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one) and return the geometry dict.

    Coordinates are [longitude, latitude] as GeoJSON says. Raises ValidationError naming the problem.
    """
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        raise ValidationError(_("The boundary must be a GeoJSON object."))
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    if value.get("type") not in POLYGON_TYPES:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        rings = _rings(value)
        for ring in rings:
            if len(ring) < 4:
                raise ValidationError(_("A boundary ring needs at least four positions."))
            for position in ring:
                lng, lat = float(position[0]), float(position[1])
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    raise ValidationError(
                        _("Position %(pos)s is not a longitude, latitude pair.") % {"pos": position}
                    )
            if list(ring[0])[:2] != list(ring[-1])[:2]:
                raise ValidationError(_("The polygon does not close: its first and last positions differ."))
        geometry = shape(value)
    except ValidationError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError(_("The boundary is not valid GeoJSON: %(error)s") % {"error": exc}) from None
    if not geometry.is_valid:
        raise ValidationError(
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": explain_validity(geometry)}
        )
    return {"type": value["type"], "coordinates": value["coordinates"]}


def to_shape(geojson):
    return shape(geojson) if geojson else None


def bbox(geojson):
    """(min_lng, min_lat, max_lng, max_lat) of a geometry."""
    return to_shape(geojson).bounds
