"""Region pages: the tree (children loaded lazily with htmx), detail with the boundary drawn, forms."""

import math

from django.db.models import Count
from django.urls import reverse_lazy

from firegrid.core import views as scoped
from firegrid.org.choices import RegionLevel
from firegrid.org.forms import RegionForm
from firegrid.org.models import OrgUnit, Region, ResidentialArea
from firegrid.org.views.base import FormTitleMixin, InitialFromQueryMixin

SVG_WIDTH = 400


def _rings(geometry):
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return geometry["coordinates"]
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def boundary_svg(main, others=()):
    """Outline of a GeoJSON boundary (and lighter outlines of others) as SVG path data.

    An equirectangular projection scaled by cos(latitude) is exact enough at district scale and needs
    no map library. Returns None when there is nothing to draw.
    """
    rings = _rings(main)
    if not rings:
        return None
    lngs = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    min_lng, max_lng, min_lat, max_lat = min(lngs), max(lngs), min(lats), max(lats)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    span = max((max_lng - min_lng) * x_scale, max_lat - min_lat) or 1e-6
    k = SVG_WIDTH / span
    width = (max_lng - min_lng) * x_scale * k
    height = (max_lat - min_lat) * k

    def path(geometry):
        parts = []
        for ring in _rings(geometry):
            points = [f"{(p[0] - min_lng) * x_scale * k:.1f},{(max_lat - p[1]) * k:.1f}" for p in ring]
            parts.append("M" + " L".join(points) + " Z")
        return " ".join(parts)

    pad = 8
    return {
        "view_box": f"{-pad} {-pad} {width + 2 * pad:.1f} {height + 2 * pad:.1f}",
        "main": path(main),
        "others": [path(g) for g in others if _rings(g)],
    }


CHILD_LEVEL = {
    RegionLevel.DISTRICT: RegionLevel.STREET,
    RegionLevel.STREET: RegionLevel.COMMUNITY,
    RegionLevel.COMMUNITY: RegionLevel.GRID,
}


class RegionTreeView(scoped.ScopedListView):
    """The topmost regions the user may see; everything below opens on demand."""

    model = Region
    template_name = "org/region_tree.html"
    paginate_by = None

    def get_queryset(self):
        visible = super().get_queryset()
        return visible.exclude(parent__in=visible.values("pk")).annotate(child_count=Count("children"))


class RegionChildrenView(scoped.ScopedDetailView):
    """The children of one region, as tree items (an htmx partial)."""

    model = Region
    template_name = "org/partials/region_children.html"

    def get_context_data(self, **kwargs):
        children = (
            Region.objects.restrict(self.request.user)
            .filter(parent=self.object)
            .annotate(child_count=Count("children"))
        )
        return super().get_context_data(**kwargs) | {"regions": children}


class RegionDetailView(scoped.ScopedDetailView):
    model = Region
    template_name = "org/region_detail.html"

    def get_context_data(self, **kwargs):
        region = self.object
        user = self.request.user
        visible = Region.objects.restrict(user)
        children = list(visible.filter(parent=region).annotate(child_count=Count("children")))
        ancestors = region.ancestors()
        visible_ancestors = set(visible.filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True))
        return super().get_context_data(**kwargs) | {
            "ancestors": [(a, a.pk in visible_ancestors) for a in ancestors],
            "children": children,
            "units": OrgUnit.objects.restrict(user).filter(region=region).order_by("kind", "name"),
            "areas": ResidentialArea.objects.restrict(user).filter(region=region).select_related(
                "fire_manager"
            ),
            "svg": boundary_svg(region.boundary, [c.boundary for c in children]),
            "is_street": region.level == RegionLevel.STREET,
            "child_level": CHILD_LEVEL.get(region.level),
        }


class RegionCreateView(InitialFromQueryMixin, FormTitleMixin, scoped.ScopedCreateView):
    list_url_name = "region-list"
    model = Region
    form_class = RegionForm
    template_name = "org/form.html"
    detail_url_name = "region-detail"


class RegionUpdateView(FormTitleMixin, scoped.ScopedUpdateView):
    model = Region
    form_class = RegionForm
    template_name = "org/form.html"
    detail_url_name = "region-detail"


class RegionDeleteView(scoped.ScopedDeleteView):
    model = Region
    detail_url_name = "region-detail"
    success_url = reverse_lazy("region-list")


class RegionHistoryView(scoped.HistoryView):
    model = Region
    detail_url_name = "region-detail"
