"""REST API of facilities under /api/v1/facilities/: facilities (with their checks, the map layer and
the ledger), checks, construction plans with evaluations, one-town/one-village plans, rule sets,
coverage gaps and per-town compliance. Everything goes through Model.objects.restrict()."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.core.api import ScopedModelViewSet
from firegrid.core.views import may_write
from firegrid.dashboard.compress import gzip_json, gzip_json_view
from firegrid.facilities import actions, coverage, ledger, rules
from firegrid.facilities.api import serializers as s
from firegrid.facilities.forms import FacilityFilter
from firegrid.facilities.models import AncientTownPolicy, ConstructionPlan, Facility
from firegrid.facilities.views import coverage_params
from firegrid.places.api.views import parse_bbox

MAP_LIMIT = 5000


class FacilityPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500


class FacilityViewSet(ScopedModelViewSet):
    """Facilities; the status is set when one is created and later changes only by POSTing a check
    to `/facilities/{id}/checks/` (a PATCH of the status answers 400)."""

    serializer_class = s.FacilitySerializer
    filterset_class = FacilityFilter
    pagination_class = FacilityPagination
    queryset_select_related = ("region",)
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return super().get_queryset().order_by("-id")

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, Facility, "add"):
            raise PermissionDenied(_("You may not register facilities."))
        return super().create(request, *args, **kwargs)

    @extend_schema(
        methods=["GET"],
        operation_id="facilities_checks_of_facility",
        responses=s.FacilityCheckSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        operation_id="facilities_record_check",
        request=s.FacilityCheckSerializer,
        responses=s.FacilityCheckSerializer,
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def checks(self, request, pk=None):
        """GET: the facility's check and maintenance records. POST: record a check (multipart for a
        photo); it sets the status, and a fault opens a hazard case."""
        if request.method == "POST":
            facility = self._visible_facility(pk)
            if not actions.may_survey(request.user):
                raise PermissionDenied(_("You may not record checks of facilities."))
            serializer = s.FacilityCheckSerializer(
                data=request.data, context={"request": request, "facility": facility}
            )
            serializer.is_valid(raise_exception=True)
            check = serializer.save()
            return Response(s.FacilityCheckSerializer(check).data, status=status.HTTP_201_CREATED)
        facility = self.get_object()
        checks = facility.checks.select_related("hazard_case", "facility")
        page = self.paginate_queryset(checks.order_by("-id"))
        return self.get_paginated_response(s.FacilityCheckSerializer(page, many=True).data)

    def _visible_facility(self, pk):
        try:
            return Facility.objects.restrict(self.request.user).get(pk=int(pk))
        except (Facility.DoesNotExist, ValueError, TypeError):
            from django.http import Http404

            raise Http404 from None

    @extend_schema(
        parameters=[OpenApiParameter("bbox", str, description="min_lng,min_lat,max_lng,max_lat")],
        responses=inline_serializer(
            "FacilityFeatureCollection",
            {
                "type": serializers.CharField(),
                "features": serializers.ListField(),
                "truncated": serializers.BooleanField(),
            },
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    @method_decorator(gzip_json)
    def geojson(self, request):
        """The map layer: scoped, filtered facilities as GeoJSON points (?bbox= to limit the area)."""
        queryset = self.filter_queryset(self.get_queryset())
        if "bbox" in request.query_params:
            min_lng, min_lat, max_lng, max_lat = parse_bbox(request.query_params["bbox"])
            queryset = queryset.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        rows = list(
            queryset.values("id", "code", "name", "kind", "status", "last_checked_on", "lat", "lng")[
                : MAP_LIMIT + 1
            ]
        )
        marker = 987654321
        url = reverse("facilities:detail", args=[marker])
        features = [
            {
                "type": "Feature",
                "id": r["id"],
                "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
                "properties": {
                    "code": r["code"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "status": r["status"],
                    "last_checked_on": r["last_checked_on"].isoformat() if r["last_checked_on"] else None,
                    "url": url.replace(str(marker), str(r["id"])),
                },
            }
            for r in rows[:MAP_LIMIT]
        ]
        return Response(
            {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}
        )


class FacilityCheckViewSet(ScopedModelViewSet):
    """Every check record the user may see (read-only: checks are posted to a facility)."""

    serializer_class = s.FacilityCheckSerializer
    http_method_names = ["get", "head", "options"]
    queryset_select_related = ("facility", "hazard_case")
    filterset_fields = ["kind", "status_after", "facility"]
    pagination_class = FacilityPagination


class ConstructionPlanViewSet(ScopedModelViewSet):
    serializer_class = s.ConstructionPlanSerializer
    queryset_select_related = ("region",)
    filterset_fields = ["year", "status"]

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, ConstructionPlan, "add"):
            raise PermissionDenied(_("You may not add construction plans."))
        return super().create(request, *args, **kwargs)

    @extend_schema(request=s.PlanEvaluationSerializer, responses=s.PlanEvaluationSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def evaluations(self, request, pk=None):
        """GET: the plan's periodic evaluations. POST: record one; the plan's progress follows it."""
        if request.method == "POST":
            plan = self.get_object()  # restricted to "change" for POST
            serializer = s.PlanEvaluationSerializer(
                data=request.data, context={"request": request, "plan": plan}
            )
            serializer.is_valid(raise_exception=True)
            return Response(
                s.PlanEvaluationSerializer(serializer.save()).data, status=status.HTTP_201_CREATED
            )
        plan = self.get_object()
        return Response(s.PlanEvaluationSerializer(plan.evaluations.select_related("actor"), many=True).data)


class AncientTownPolicyViewSet(ScopedModelViewSet):
    serializer_class = s.AncientTownPolicySerializer
    queryset_select_related = ("region",)
    filterset_fields = ["year", "status"]

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, AncientTownPolicy, "add"):
            raise PermissionDenied(_("You may not add plans."))
        return super().create(request, *args, **kwargs)


class FacilityRuleSetViewSet(ScopedModelViewSet):
    serializer_class = s.FacilityRuleSetSerializer
    http_method_names = ["get", "head", "options"]


def _coverage(request):
    distance, kinds, error = coverage_params(request.query_params)
    if error:
        raise ValidationError({"distance": [error]})
    places = coverage.place_gaps(request.user, distance, kinds)
    return distance, kinds, places


DISTANCE = OpenApiParameter("distance", int, description="metres (default FACILITY_COVERAGE_METRES)")
SOURCES = OpenApiParameter("sources", str, description="water (every water source kind, default) or hydrant")


class CoverageView(APIView):
    """Places and grids the user may see with no working water source within ?distance= metres."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[DISTANCE, SOURCES],
        responses=inline_serializer(
            "FacilityCoverage",
            {
                "distance_m": serializers.IntegerField(),
                "places": serializers.ListField(child=serializers.DictField()),
                "grids": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        distance, kinds, places = _coverage(request)
        grids = coverage.grid_gaps(request.user, distance, kinds, place_gap_list=places)
        return Response(
            {
                "distance_m": distance,
                "sources": sorted(str(k) for k in kinds),
                "places": [
                    {
                        "id": g.place.pk,
                        "code": g.place.code,
                        "name": g.place.name,
                        "grid": g.place.region.code,
                        "lat": g.place.lat,
                        "lng": g.place.lng,
                    }
                    for g in places
                ],
                "grids": [
                    {
                        "code": g.grid.code,
                        "name": g.grid.name,
                        "places": g.places,
                        "uncovered_places": g.uncovered_places,
                        "has_source": g.has_source,
                    }
                    for g in grids
                ],
            }
        )


@gzip_json_view
class CoverageGeoJSONView(APIView):
    """The coverage gaps as GeoJSON: uncovered places as points (?what=places), grids without a source
    as polygons (?what=grids), or both (default). ?bbox= limits the places."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[DISTANCE, SOURCES, OpenApiParameter("what", str), OpenApiParameter("bbox", str)],
        responses=inline_serializer(
            "FacilityCoverageGeoJSON", {"type": serializers.CharField(), "features": serializers.ListField()}
        ),
    )
    def get(self, request):
        distance, kinds, places = _coverage(request)
        what = request.query_params.get("what", "both")
        if "bbox" in request.query_params:
            min_lng, min_lat, max_lng, max_lat = parse_bbox(request.query_params["bbox"])
            places = [
                g for g in places if min_lat <= g.place.lat <= max_lat and min_lng <= g.place.lng <= max_lng
            ]
        grids = []
        if what in ("grids", "both"):
            grids = [g for g in coverage.grid_gaps(request.user, distance, kinds) if not g.has_source]
        data = coverage.gaps_geojson(
            places if what in ("places", "both") else [],
            grids,
            url_for_place=lambda p: reverse("place-detail", args=[p.pk]),
        )
        return Response(data | {"distance_m": distance})


class ComplianceView(APIView):
    """Per ancient town/village: counts per rule (pass, fail, missing), failing facilities, plans."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("FacilityCompliance", {"towns": serializers.ListField()}))
    def get(self, request):
        doc = rules.active_document()
        towns = []
        for row in rules.town_compliance(request.user, doc):
            towns.append(
                {
                    "region": row.region.code,
                    "name": row.region.name,
                    "facilities": row.facilities,
                    "compliant": row.compliant,
                    "rules": [{"rule": rule["id"], **counts} for rule, counts in row.counts],
                    "failing": [
                        {"id": f.pk, "code": f.code, "name": f.name, "kind": f.kind} for f in row.failing
                    ],
                    "plans": [
                        {"id": p.pk, "year": p.year, "title": p.title, "status": p.status}
                        for p in row.policies
                    ],
                }
            )
        return Response({"version": doc.get("version"), "towns": towns})


class LedgerImportView(APIView):
    """POST an xlsx ledger (multipart `file`, `dry_run=1` to only check): 201 with the codes created,
    or 400 with every error by row and column and nothing written."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=inline_serializer(
            "FacilityLedgerUpload",
            {"file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False)},
        ),
        responses=inline_serializer(
            "FacilityLedgerResult",
            {"rows": serializers.IntegerField(), "errors": serializers.ListField(required=False)},
        ),
    )
    def post(self, request):
        if not may_write(request.user, Facility, "add"):
            raise PermissionDenied(_("You may not add facilities."))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Choose the .xlsx file to import.")]})
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes")
        try:
            result = ledger.import_facilities(upload, request.user, dry_run=dry_run)
        except ledger.LedgerFileError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        if result.errors:
            return Response(result.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


class LedgerExportView(APIView):
    """The facilities the user may see, filtered like the list, as xlsx."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, ledger.XLSX_TYPE): bytes})
    def get(self, request):
        filterset = FacilityFilter(request.query_params, queryset=Facility.objects.restrict(request.user))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        out, filename = ledger.export_file(filterset.qs)
        return FileResponse(out, as_attachment=True, filename=filename, content_type=ledger.XLSX_TYPE)
