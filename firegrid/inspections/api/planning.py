"""API of plans, coverage and campaigns."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, views
from rest_framework.decorators import action
from rest_framework.response import Response

from firegrid.core.api import ScopedModelViewSet, ScopedSlugRelatedField, _as_drf_error
from firegrid.inspections import campaign_actions, plan_actions
from firegrid.inspections.models import Campaign, InspectionPlan, PlanItem
from firegrid.org.models import Region
from firegrid.places.models import Place


class InspectionPlanSerializer(serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), scope_action="view")
    items = serializers.IntegerField(source="items.count", read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["id", "year", "region", "generated_at", "items"]
        read_only_fields = ["generated_at"]


class PlanItemSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = PlanItem
        fields = ["id", "plan", "place", "place_name", "month", "visit", "inspector", "done"]


class InspectionPlanViewSet(ScopedModelViewSet):
    """POST {year, region} generates (or extends) the plan; places registered since then join it."""

    serializer_class = InspectionPlanSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["year"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            plan, created = plan_actions.generate_plan(
                serializer.validated_data["year"], serializer.validated_data["region"], actor=request.user
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None
        return Response(self.get_serializer(plan).data | {"created": created}, status=status.HTTP_201_CREATED)


class PlanItemViewSet(ScopedModelViewSet):
    serializer_class = PlanItemSerializer
    http_method_names = ["get", "head", "options"]
    filterset_fields = {
        "plan": ["exact"],
        "month": ["exact", "lte", "gte"],
        "inspector": ["exact"],
        "done": ["isnull"],
    }
    queryset_select_related = ("place",)


class CoverageView(views.APIView):
    """Coverage of the places the user may see: inspected this year, due, never inspected, overdue."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int), OpenApiParameter("within", str)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            return Response({"year": ["A year is a number like 2026."]}, status=400)
        places = Place.objects.restrict(request.user)
        within = request.query_params.get("within")
        if within:
            region = Region.objects.filter(code=within).first()
            if region is None:
                return Response({"within": [f"No region with code {within}."]}, status=400)
            places = places.filter(region__path__startswith=region.path)
        return Response(plan_actions.coverage(places, year))


class CampaignSerializer(serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), scope_action="view")
    targets = serializers.IntegerField(source="targets.count", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "kind", "region", "filters", "checklists", "starts_on", "deadline", "targets"]

    def create(self, validated_data):
        try:
            return campaign_actions.launch_campaign(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None


class CampaignViewSet(ScopedModelViewSet):
    serializer_class = CampaignSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["kind"]

    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Progress per street, counting only the places the user may see."""
        campaign = self.get_object()
        return Response(campaign_actions.progress(campaign, places=Place.objects.restrict(request.user)))
