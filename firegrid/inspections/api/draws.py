from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from firegrid.core.api import ScopedModelViewSet, ScopedSlugRelatedField, _as_drf_error
from firegrid.inspections import draw_actions
from firegrid.inspections.models import RandomDraw
from firegrid.org.models import Region


class RandomDrawSerializer(serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), scope_action="view")
    seed = serializers.CharField(max_length=200, required=False)
    assignments = serializers.SerializerMethodField()

    class Meta:
        model = RandomDraw
        fields = [
            "id",
            "title",
            "region",
            "seed",
            "params",
            "status",
            "announced_at",
            "drawn_at",
            "publish_by",
            "published_at",
            "record",
            "assignments",
        ]
        read_only_fields = ["status", "announced_at", "drawn_at", "publish_by", "published_at", "record"]

    def get_assignments(self, draw) -> list:
        return [
            {
                "place": a.place_id,
                "place_code": a.place.code,
                "inspectors": [u.pk for u in a.inspectors.all()],
                "inspection": a.inspection_id,
            }
            for a in draw.assignments.select_related("place").prefetch_related("inspectors")
        ]

    def create(self, validated_data):
        try:
            return draw_actions.announce_draw(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None


class RunSerializer(serializers.Serializer):
    params = serializers.JSONField(required=False)


class RandomDrawViewSet(ScopedModelViewSet):
    """双随机、一公开: announce (seed public), run, publish."""

    serializer_class = RandomDrawSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status"]

    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        draw = self.get_object()
        payload = RunSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            draw = draw_actions.run_draw(
                draw, actor=request.user, params=payload.validated_data.get("params")
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None
        return Response(self.get_serializer(draw).data, status=status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        try:
            draw = draw_actions.publish_draw(self.get_object(), actor=request.user)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None
        return Response(self.get_serializer(draw).data)
