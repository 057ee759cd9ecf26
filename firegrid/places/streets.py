"""A place's street, kept in step with its region.

`Place.street` is the street-level ancestor of `Place.region` (the second code of the region's
materialised path), copied onto the place so that a street's list is one index range on
(street_id, id) instead of a prefix match on the joined region's path that PostgreSQL cannot
combine with the id order. Scoping matches street-level grants by it (ScopeRules.street), so it
must never go stale: the model's save(), the queryset's bulk_create/bulk_update/update and a
receiver on Region saves (a region moved under another street carries its places along) keep it.
"""

from django.apps import apps
from django.db.models import Q

STREET_DEPTH = 2  # /district/street/…: a street is the path's second code


def street_path(path):
    """The path of the street a region path lies in, or None above street level."""
    codes = [c for c in (path or "").split("/") if c]
    if len(codes) < STREET_DEPTH:
        return None
    return "/" + "/".join(codes[:STREET_DEPTH]) + "/"


def _regions():
    return apps.get_model("org", "Region")._base_manager


def street_id_for_path(path):
    street = street_path(path)
    if street is None:
        return None
    return _regions().filter(path=street).values_list("pk", flat=True).first()


def street_ids_for(region_ids):
    """{region id: street id or None} for the given regions, in two queries."""
    region_ids = {r for r in region_ids if r is not None}
    if not region_ids:
        return {}
    paths = dict(_regions().filter(pk__in=region_ids).values_list("pk", "path"))
    streets = {street_path(p) for p in paths.values()} - {None}
    by_path = dict(_regions().filter(path__in=streets).values_list("path", "pk")) if streets else {}
    return {pk: by_path.get(street_path(path)) for pk, path in paths.items()}


def street_id_of(place):
    """The street of the place's region (uses the region already loaded on the place if any)."""
    if place.region_id is None:
        return None
    region = place._state.fields_cache.get("region")
    if region is not None and region.pk == place.region_id:
        if street_path(region.path) == region.path:
            return region.pk
        return street_id_for_path(region.path)
    return street_ids_for([place.region_id]).get(place.region_id)


def fill_streets(places):
    """Set street_id on unsaved or bulk-updated places from their region_id (two queries)."""
    streets = street_ids_for(p.region_id for p in places)
    for place in places:
        place.street_id = streets.get(place.region_id)


def subtree_ids(region):
    """Ids of the region and every region below it, by parent links (right even while a moved
    region's descendants still carry their old paths)."""
    ids, frontier = {region.pk}, [region.pk]
    while frontier:
        frontier = list(_regions().filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids.update(frontier)
    return ids


def region_saved(sender, instance, created=False, raw=False, **kwargs):
    """post_save of org.Region: when a region below a district is saved (it may have been moved to
    another street), the places in its subtree get the street of its new path. Keeping a copied
    column right is bookkeeping, not business logic; the Region model belongs to org, so a receiver
    is the one place that sees every move."""
    if created or raw or street_path(instance.path) is None:
        return
    Place = apps.get_model("places", "Place")
    if street_path(instance.path) == instance.path:
        street_id = instance.pk
    else:
        street_id = street_id_for_path(instance.path)
    stale = Place._base_manager.filter(region_id__in=subtree_ids(instance)).filter(
        ~Q(street_id=street_id) | Q(street_id__isnull=True)
    )
    stale.update(street_id=street_id)
