from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from firegrid.core.api import ScopedModelViewSet
from firegrid.org import compliance
from firegrid.org.api import serializers as s
from firegrid.org.models import (
    Region,
)


class RegionFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code")
    within = filters.CharFilter(method="filter_within", label="code of an ancestor region")

    class Meta:
        model = Region
        fields = ["level", "kind", "parent", "code"]

    def filter_within(self, queryset, name, value):
        ancestor = Region.objects.filter(code=value).first()
        return queryset.filter(path__startswith=ancestor.path) if ancestor else queryset.none()


class RegionViewSet(ScopedModelViewSet):
    serializer_class = s.RegionSerializer
    filterset_class = RegionFilter
    search_fields = ["name", "code"]
    queryset_select_related = ("parent",)

    @extend_schema(parameters=[s.LocateSerializer], responses=s.RegionSerializer)
    @action(detail=False, methods=["get"])
    def locate(self, request):
        """The grid (or ?level=) containing a point given as ?lat=&lng=."""
        params = s.LocateSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        level = request.query_params.get("level", "grid")
        region = self.get_queryset().locate(params.validated_data["lat"], params.validated_data["lng"], level)
        if region is None:
            return Response({"detail": "No region of your jurisdiction contains this point."}, status=404)
        return Response(self.get_serializer(region).data)

    @action(detail=True, methods=["get"])
    def compliance(self, request, pk=None):
        """Organisation compliance of a street/town: what is missing or short."""
        region = self.get_object()
        if region.level != "street":
            return Response({"detail": "Compliance is computed per street/town."}, status=400)
        return Response(compliance.street_compliance(region).as_dict())


class OrgUnitViewSet(ScopedModelViewSet):
    serializer_class = s.OrgUnitSerializer
    filterset_fields = {"kind": ["exact"], "region__code": ["exact"], "is_active": ["exact"]}
    search_fields = ["name"]
    queryset_select_related = ("region",)
    queryset_prefetch_related = (Prefetch("covered_regions", queryset=Region.objects.only("id", "code")),)


class OrgMemberViewSet(ScopedModelViewSet):
    serializer_class = s.OrgMemberSerializer
    filterset_fields = ["unit", "position", "user"]
    search_fields = ["name"]


class ResidentialAreaViewSet(ScopedModelViewSet):
    serializer_class = s.ResidentialAreaSerializer
    filterset_fields = {"kind": ["exact"], "region__code": ["exact"]}
    search_fields = ["name", "address"]
    queryset_select_related = ("region", "fire_manager")


class FireManagerViewSet(ScopedModelViewSet):
    serializer_class = s.FireManagerSerializer
    filterset_fields = ["area"]
    search_fields = ["name"]


class UserViewSet(ScopedModelViewSet):
    serializer_class = s.UserSerializer
    filterset_fields = ["org_unit", "is_active", "role_assignments__role"]
    search_fields = ["username", "full_name"]
    queryset_prefetch_related = ("role_assignments__region", "role_assignments__unit")

    def get_queryset(self):
        return super().get_queryset().with_can_inspect()

    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(self.get_serializer(request.user).data)


class RoleAssignmentViewSet(ScopedModelViewSet):
    serializer_class = s.RoleAssignmentSerializer
    filterset_fields = ["user", "role", "region", "unit"]
    queryset_select_related = ("user", "region", "unit")


class QualificationViewSet(ScopedModelViewSet):
    serializer_class = s.QualificationSerializer
    filterset_fields = ["user", "kind"]
    queryset_select_related = ("user",)
