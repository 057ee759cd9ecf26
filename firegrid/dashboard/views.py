import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.dashboard.compress import gzip_json_view
from firegrid.dashboard.kpis import cache_seconds, dashboard
from firegrid.dashboard.scope import chosen_region
from firegrid.org.models import Region


def _year(value):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


class DashboardView(LoginRequiredMixin, TemplateView):
    """The command view for the user's scope, with drill-down into the regions below."""

    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        region, homes = chosen_region(self.request.user, self.request.GET.get("region"))
        data = dashboard(self.request.user, region, year=_year(self.request.GET.get("year")))
        return {
            **super().get_context_data(**kwargs),
            "data": data,
            "as_of": datetime.datetime.fromisoformat(data["as_of"]),
            "cache_seconds": cache_seconds(),
            "region": region,
            "homes": homes,
            "breadcrumbs": _breadcrumbs(region, homes),
            "children": Region.objects.filter(parent=region).only("code", "name").order_by("code")[:200],
            "trend_labels": {
                "hazards_reported": _("Hazards reported"),
                "hazards_closed": _("Hazards closed"),
                "inspections": _("Inspections"),
                "alarms": _("Alarms"),
            },
        }


def _breadcrumbs(region, homes):
    """The region's ancestors (and itself) inside the user's home regions, from the outermost. A home
    region's own is itself (homes are the outermost regions of the user's grants): no query."""
    if any(h.pk == region.pk for h in homes):
        return [region]
    return [
        r
        for r in Region.objects.filter(path__in=_prefixes(region.path))
        .only("code", "name", "path")
        .order_by("path")
        if any(r.path.startswith(h.path) for h in homes)
    ]


def _prefixes(path):
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@gzip_json_view
class DashboardAPIView(APIView):
    """The command view's figures for a region in your scope (default: your own)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Region code inside your scope"),
            OpenApiParameter("year", int, description="Year for coverage and yearly figures"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        region, _homes = chosen_region(request.user, request.query_params.get("region"))
        return Response(dashboard(request.user, region, year=_year(request.query_params.get("year"))))
