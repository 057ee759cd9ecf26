from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from firegrid.core.api import ScopedModelViewSet, _as_drf_error
from firegrid.inspections import actions
from firegrid.inspections.api import serializers as s
from firegrid.inspections.models import ChecklistVersion, HazardRecord


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from None


class ChecklistVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ChecklistVersionSerializer
    filterset_fields = ["code", "is_active"]

    def get_queryset(self):
        return ChecklistVersion.objects.restrict(self.request.user)


class InspectionViewSet(ScopedModelViewSet):
    """Inspections, patrols and self-checks: start with POST, answer items, submit, decide."""

    serializer_class = s.InspectionSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {
        "kind": ["exact"],
        "status": ["exact"],
        "outcome": ["exact"],
        "place": ["exact"],
        "inspected_on": ["gte", "lte"],
    }
    queryset_select_related = ("place",)
    queryset_prefetch_related = ("inspectors", "checklists", "answers__checklist", "hazards")

    def perform_create(self, serializer):
        data = serializer.validated_data
        inspection = _call(
            actions.start_inspection,
            data["place"],
            data["kind"],
            data["inspectors"],
            actor=self.request.user,
            lat=data.get("lat"),
            lng=data.get("lng"),
            previous=data.get("previous"),
            notes=data.get("notes", ""),
        )
        if data.get("commitment"):
            inspection.commitment = data["commitment"]
            inspection.save(update_fields=["commitment", "updated_at"])
        serializer.instance = inspection

    @extend_schema(request=s.AnswerInputSerializer(many=True), responses=s.AnswerSerializer(many=True))
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Record answers (a list); all or nothing."""
        inspection = self.get_object()
        payload = s.AnswerInputSerializer(data=request.data, many=True)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            saved = [
                _call(actions.record_answer, inspection, actor=request.user, **row)
                for row in payload.validated_data
            ]
        prefetch_related_objects(saved, "checklist")  # their codes, in one query
        return Response(s.AnswerSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SubmitSerializer, responses=s.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        inspection = self.get_object()
        payload = s.SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        inspection = _call(
            actions.submit_inspection,
            inspection,
            actor=request.user,
            not_judged=payload.validated_data["not_judged"] or None,
        )
        return Response(self.get_serializer(inspection).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        inspection = self.get_object()
        payload = s.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        inspection = _call(actions.decide_major, inspection, officer=request.user, **payload.validated_data)
        return Response(self.get_serializer(inspection).data)


class HazardRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.HazardRecordSerializer
    filterset_fields = ["severity", "place", "inspection"]

    def get_queryset(self):
        return HazardRecord.objects.restrict(self.request.user).select_related("place")
