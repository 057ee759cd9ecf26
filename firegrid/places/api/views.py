from django.utils.translation import gettext as _
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from firegrid.core.api import ScopedModelViewSet
from firegrid.core.views import may_write
from firegrid.places import cache as page_cache
from firegrid.places.api import serializers as s
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.models import GradingRuleSet

MAP_LIMIT = 5000


class PlaceCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500


def parse_bbox(value):
    """'min_lng,min_lat,max_lng,max_lat' → tuple of floats, or a 400 naming the parameter."""
    try:
        parts = [float(x) for x in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise ValidationError({"bbox": [_("Use bbox=min_lng,min_lat,max_lng,max_lat.")]})
    return parts


class PlaceViewSet(ScopedModelViewSet):
    serializer_class = s.PlaceSerializer
    filterset_class = PlaceFilter
    search_fields = ["name", "address", "=credit_code", "=code"]
    pagination_class = PlaceCursorPagination
    queryset_select_related = ("region", "ruleset")
    early_answers = True  # places.cache.EarlyAnswerMiddleware answers its list and map layer pages

    def get_serializer_class(self):
        return s.PlaceListSerializer if self.action == "list" else s.PlaceSerializer

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-id")
        if self.action == "list":
            # a list row reads a few columns: not the grade reasons, attributes or the rule set
            return (
                queryset.select_related(None)
                .select_related("region")
                .only(*s.LIST_COLUMNS, "region__code", "region__name")
            )
        # the rule set is shown by version: do not load its whole document with every row
        return queryset.defer("ruleset__document")

    def list(self, request, *args, **kwargs):
        return page_cache.cached_json(self, request, lambda: self._list(request))

    def _list(self, request):
        page = self.paginate_queryset(s.list_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([s.list_row(row) for row in page])

    @action(detail=True, methods=["get"])
    def grades(self, request, pk=None):
        """Every change of this place's grade, with the rule set that decided it."""
        place = self.get_object()
        return Response(
            s.PlaceGradeEventSerializer(place.grade_events.select_related("actor", "ruleset"), many=True).data
        )

    @action(detail=False, methods=["get"], pagination_class=None)
    def geojson(self, request):
        """The map layer: scoped, filtered places as GeoJSON points (?bbox= to limit the area)."""
        return page_cache.cached_json(self, request, lambda: self._geojson(request))

    def _geojson(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        if "bbox" in request.query_params:
            min_lng, min_lat, max_lng, max_lat = parse_bbox(request.query_params["bbox"])
            queryset = queryset.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        rows = list(
            queryset.values("id", "code", "name", "kind", "risk_level", "is_key_unit", "lat", "lng")[
                : MAP_LIMIT + 1
            ]
        )
        features = [
            {
                "type": "Feature",
                "id": r["id"],
                "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
                "properties": {k: r[k] for k in ("code", "name", "kind", "risk_level", "is_key_unit")},
            }
            for r in rows[:MAP_LIMIT]
        ]
        return Response(
            {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}
        )


class GradingRuleSetViewSet(ScopedModelViewSet):
    """Rule sets are versioned: posting a document creates a new version and regrades every place."""

    serializer_class = s.GradingRuleSetSerializer
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["version", "name"]
    filterset_fields = ["is_active"]

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, GradingRuleSet, "add"):
            raise PermissionDenied(_("Only the district admin changes grading rules."))
        return super().create(request, *args, **kwargs)
