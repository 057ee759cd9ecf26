"""Which region a dashboard or map shows: the user's own (the widest region they hold) or one they
pick inside it. Department staff and unit owners, who hold no region, see the district as far as
their rows reach (their querysets are scoped anyway)."""

from django.core.exceptions import PermissionDenied

from firegrid.core.roles import DISTRICT_WIDE
from firegrid.core.scoping import user_scope
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region

# kept on a root region object: whether it is the only root, its subtree every region (kpis.whole_tree)
WHOLE_TREE = "_whole_tree"
ROOTS_READ = 100  # root regions read at once to find the district (a deployment has one or a few)


def _district():
    """[the first root district by code], or []. Its boundary (a large GeoJSON) is not read. Read with
    the other root regions, so the figures know without a query of their own whether the district is
    the whole tree."""
    roots = list(Region.objects.filter(parent__isnull=True).defer("boundary").order_by("code")[:ROOTS_READ])
    districts = [r for r in roots if r.level == RegionLevel.DISTRICT]
    if not districts:
        if len(roots) < ROOTS_READ:
            return []
        districts = list(
            Region.objects.filter(level=RegionLevel.DISTRICT, parent__isnull=True)
            .defer("boundary")
            .order_by("code")[:1]
        )
    else:
        districts[0].__dict__[WHOLE_TREE] = len(roots) == 1
    return districts[:1]


def home_regions(user):
    """The regions the user's grants are anchored to (the district for district-wide roles), without
    their boundaries."""
    scope = user_scope(user)
    if scope.superuser or scope.roles & DISTRICT_WIDE:
        return _district()
    paths = sorted({g.region_path for g in scope.grants if g.region_path})
    # keep only the outermost paths
    outer = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    regions = list(Region.objects.filter(path__in=outer).defer("boundary").order_by("path"))
    if not regions:  # department staff, unit owners: no region of their own
        regions = _district()
    return regions


def sees_every_case(user, region):
    """Whether `HazardCase.objects.restrict(user)` holds every case in the region's subtree: a
    superuser or district-wide role, or a grant on a region the region lies in whose role the case
    rules do not narrow (police officers see only the police station's places' cases). Read from the
    same grants and rules `restrict` reads (a test holds the two to the same cases)."""
    from firegrid.hazards.models import HazardCase

    scope = user_scope(user)
    if scope.user_id is None:
        return False
    if scope.superuser:
        return True
    rules = HazardCase.scope_rules
    if any(g.role in rules.district_wide_view for g in scope.grants):
        return True
    return any(
        g.region_path and region.path.startswith(g.region_path) and g.role not in rules.role_filters
        for g in scope.grants
    )


def chosen_region(user, code=None):
    """The region to show: `code` if it lies within the user's regions, else their first region.
    A code outside their regions is refused (403), never silently widened."""
    homes = home_regions(user)
    if not homes:
        raise PermissionDenied
    if not code:
        return homes[0], homes
    region = Region.objects.filter(code=code).defer("boundary").first()
    if region is None or not any(region.path.startswith(h.path) for h in homes):
        raise PermissionDenied
    return region, homes
