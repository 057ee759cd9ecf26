"""Hazard cases over the API: scoped lists, the timeline, and one POST per step of the loop.

A step not allowed from the case's status answers 409, one this user may not take 403, both with
the reason; bad input 400 naming the field.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from firegrid.core.api import CappedCountPagination, ScopedModelViewSet, _as_drf_error
from firegrid.hazards import actions, escalation, reporter_actions, reports
from firegrid.hazards.api import serializers as s
from firegrid.hazards.models import Attachment, HazardCase, HazardCategory, HazardEvent


class HonestRejectSerializer(s.RejectSerializer):
    """A duplicate is merged into the original; "not our responsibility" names whose it is."""

    referred_to = drf_serializers.CharField(required=False, allow_blank=True, max_length=120)


class TransitionRefused(APIException):
    def __init__(self, exc):
        self.status_code = exc.http_status
        super().__init__({exc.field: [str(exc.message)], "detail": str(exc.message)})


def run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except actions.TransitionError as exc:
        raise TransitionRefused(exc) from None
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from None


class HazardCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.HazardCategorySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return HazardCategory.objects.filter(is_active=True)


def _flag(value):
    return str(value).lower() in ("1", "true", "yes")


class HazardCaseViewSet(ScopedModelViewSet):
    """Hazard cases in your jurisdiction. Filters: status, severity, level, source, channel, category
    (code), place, region (code: its whole subtree), open, overdue, reported_after/reported_before."""

    serializer_class = s.HazardCaseSerializer
    pagination_class = CappedCountPagination
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset_select_related = ("category", "region", "place")
    filterset_fields = ["status", "severity", "level", "source", "channel", "place"]
    search_fields = ["tracking_code", "description", "address"]
    ordering_fields = ["id", "created_at", "step_due", "deadline"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.HazardCaseDetailSerializer
        if self.action == "create":
            return s.HazardReportSerializer
        return s.HazardCaseSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        if self.action == "retrieve":
            qs = qs.prefetch_related("attachments")
        if params.get("category"):
            qs = qs.filter(category__code=params["category"])
        if params.get("region"):
            qs = qs.filter(region__path__contains=f"/{params['region']}/")
        if params.get("open"):
            qs = qs.open() if _flag(params["open"]) else qs.closed()
        if _flag(params.get("overdue", "")):
            qs = qs.overdue()
        for name, lookup in (("reported_after", "created_at__gte"), ("reported_before", "created_at__lt")):
            if params.get(name):
                try:
                    qs = qs.filter(**{lookup: params[name]})
                except DjangoValidationError:
                    raise _as_drf_error(DjangoValidationError({name: "Not a date or date-time."})) from None
        return qs

    @extend_schema(request=s.HazardReportSerializer, responses={201: s.HazardCaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        payload = s.HazardReportSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        case = run(reports.report, actor=request.user, **data)
        case = HazardCase.objects.select_related("category", "region", "place").get(pk=case.pk)
        out = s.HazardCaseDetailSerializer(case, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.HazardEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """Every step of the case, oldest first (internal steps included for staff)."""
        case = self.get_object()
        events = HazardEvent.objects.filter(case=case).prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.only("id", "event_id"))
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(s.HazardEventSerializer(page, many=True).data)

    def _step(self, request, payload_class, fn, build):
        case = self.get_object()
        payload = payload_class(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        kwargs = build(data)
        if "version" in data:
            kwargs["expect_version"] = data["version"]
        run(fn, case, actor=request.user, **kwargs)
        case.refresh_from_db()
        return Response(s.HazardCaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=s.ConfirmSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step(
            request,
            s.ConfirmSerializer,
            actions.confirm,
            lambda d: {
                "severity": d.get("severity"),
                "category": d.get("category"),
                "note": d.get("note", ""),
            },
        )

    @extend_schema(request=HonestRejectSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        def build(d):
            duplicate = None
            if d.get("duplicate_of"):
                duplicate = (
                    HazardCase.objects.restrict(request.user).filter(tracking_code=d["duplicate_of"]).first()
                )
                if duplicate is None:
                    raise _as_drf_error(
                        DjangoValidationError({"duplicate_of": "No such case in your jurisdiction."})
                    )
            return {
                "reason": d["reason"],
                "close_reason": d["close_reason"],
                "duplicate_of": duplicate,
                "referred_to": d.get("referred_to", ""),
            }

        return self._step(request, HonestRejectSerializer, reporter_actions.reject, build)

    @extend_schema(request=s.OrderSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        return self._step(
            request,
            s.OrderSerializer,
            actions.order,
            lambda d: {
                "deadline": d.get("deadline"),
                "responsible_party": d["responsible_party"],
                "responsible_phone": d["responsible_phone"],
                "note": d["note"],
            },
        )

    @extend_schema(request=s.NoteSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(request, s.NoteSerializer, actions.start, lambda d: {"note": d["note"]})

    @extend_schema(request=s.EvidenceSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def rectified(self, request, pk=None):
        return self._step(
            request,
            s.EvidenceSerializer,
            actions.rectified,
            lambda d: {"note": d["note"], "files": d["files"]},
        )

    @extend_schema(request=s.ReinspectSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reinspect(self, request, pk=None):
        return self._step(
            request,
            s.ReinspectSerializer,
            actions.reinspect,
            lambda d: {
                "passed": d["passed"],
                "note": d["note"],
                "deadline": d.get("deadline"),
                "files": d["files"],
            },
        )

    @extend_schema(request=s.NoteSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, s.NoteSerializer, actions.close, lambda d: {"note": d["note"]})

    @extend_schema(request=s.CommentSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        return self._step(
            request,
            s.CommentSerializer,
            actions.comment,
            lambda d: {"note": d["note"], "public": d["public"]},
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._step(request, s.ReasonSerializer, escalation.escalate, lambda d: {"reason": d["reason"]})

    @extend_schema(request=s.WhistleSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def whistle(self, request, pk=None):
        return self._step(
            request,
            s.WhistleSerializer,
            escalation.whistle,
            lambda d: {"reason": d["reason"], "department": d["department"]},
        )

    @extend_schema(request=s.NoteSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._step(request, s.NoteSerializer, escalation.check_in, lambda d: {"note": d["note"]})

    @extend_schema(request=s.SuperviseSerializer, responses=s.HazardCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._step(
            request,
            s.SuperviseSerializer,
            escalation.supervise,
            lambda d: {"reason": d["reason"], "due": d.get("due")},
        )
