"""Which region a dashboard or map shows: the user's own (the widest region they hold) or one they
pick inside it. Department staff and unit owners, who hold no region, see the district as far as
their rows reach (their querysets are scoped anyway)."""

from django.core.exceptions import PermissionDenied

from firegrid.core.roles import DISTRICT_WIDE
from firegrid.core.scoping import user_scope
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region


def home_regions(user):
    """The regions the user's grants are anchored to (the district for district-wide roles)."""
    scope = user_scope(user)
    if scope.superuser or scope.roles & DISTRICT_WIDE:
        return list(
            Region.objects.filter(level=RegionLevel.DISTRICT, parent__isnull=True).order_by("code")[:1]
        )
    paths = sorted({g.region_path for g in scope.grants if g.region_path})
    # keep only the outermost paths
    outer = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    regions = list(Region.objects.filter(path__in=outer).order_by("path"))
    if not regions:  # department staff, unit owners: no region of their own
        regions = list(
            Region.objects.filter(level=RegionLevel.DISTRICT, parent__isnull=True).order_by("code")[:1]
        )
    return regions


def chosen_region(user, code=None):
    """The region to show: `code` if it lies within the user's regions, else their first region.
    A code outside their regions is refused (403), never silently widened."""
    homes = home_regions(user)
    if not homes:
        raise PermissionDenied
    if not code:
        return homes[0], homes
    region = Region.objects.filter(code=code).first()
    if region is None or not any(region.path.startswith(h.path) for h in homes):
        raise PermissionDenied
    return region, homes
