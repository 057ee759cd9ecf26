"""Devices, alarms and alarm rules over the API, scoped by jurisdiction.

Devices are registered and edited by the org writers of their area (the key is shown once, on
create and on rotation); alarms are acknowledged, cleared (with a note) or turned into a hazard case
by those who may act on them; alarm rules are read by all staff and tuned by the district admin.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.response import Response

from firegrid.core.api import AuditEventSerializer, ScopedModelViewSet, _as_drf_error
from firegrid.core.scoping import user_scope
from firegrid.core.views import in_scope, may_write
from firegrid.hazards.models import STAFF_ROLES
from firegrid.iot import actions, history
from firegrid.iot.api import serializers as s
from firegrid.iot.choices import ALARM_KIND_ORDER
from firegrid.iot.models import ACTIVE_STATUSES, Alarm, AlarmRule, Device


def run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from None


def _flag(value):
    return str(value).lower() in ("1", "true", "yes")


def _region_filter(qs, params):
    if params.get("region"):
        qs = qs.filter(region__path__contains=f"/{params['region']}/")
    return qs


def kind_first(qs):
    """Fire alarms first, then faults, then warnings; newest first within each."""
    order = Case(
        *[When(kind=kind, then=Value(rank)) for kind, rank in ALARM_KIND_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )
    return qs.annotate(kind_rank=order).order_by("kind_rank", "-last_at", "-id")


def _time_param(params, name):
    if not params.get(name):
        return None
    try:
        value = parse_datetime(params[name])
    except ValueError:
        value = None
    if value is None:
        raise _as_drf_error(DjangoValidationError({name: _("Not an ISO 8601 date-time.")}))
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    return value


class DeviceViewSet(ScopedModelViewSet):
    """Devices in your jurisdiction. Filters: kind, status, place, is_active, region (code: its whole
    subtree). Street officers and the district admin register devices; the key is shown once."""

    serializer_class = s.DeviceSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset_select_related = ("place", "region")
    filterset_fields = ["kind", "status", "place", "is_active"]
    search_fields = ["ident", "name", "location"]
    ordering_fields = ["ident", "last_seen_at", "status"]

    def get_queryset(self):
        return _region_filter(super().get_queryset(), self.request.query_params)

    def _save(self, device, *, new_key=False):
        """save_device in a transaction that is undone if the device would leave the user's scope."""
        with transaction.atomic():
            key = run(actions.save_device, device, new_key=new_key)
            if not in_scope(self.request.user, device, "change"):
                transaction.set_rollback(True)
                raise _as_drf_error(
                    DjangoValidationError(
                        {"place": _("That would place the device outside your jurisdiction.")}
                    )
                )
        return key

    def _device(self, serializer, instance=None):
        data = dict(serializer.validated_data)
        device = instance or Device()
        for name, value in data.items():
            setattr(device, name, value)
        if instance is not None and "place" in data and not {"lat", "lng"} & set(data):
            device.lat = device.lng = None  # moved or unbound: the point follows the place, or must be given
        return device

    @extend_schema(responses={201: s.DeviceCreatedSerializer})
    def create(self, request, *args, **kwargs):
        if not may_write(request.user, Device, "add"):
            raise PermissionDenied(_("Only street officers and the district admin register devices."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device = self._device(serializer)
        key = self._save(device)
        device = Device.objects.select_related("place", "region").get(pk=device.pk)
        data = s.DeviceCreatedSerializer(device, context=self.get_serializer_context()).data
        data["key"] = key
        return Response(data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self._save(self._device(serializer, instance))
        instance.refresh_from_db()
        return Response(self.get_serializer(instance).data)

    @extend_schema(request=None, responses=s.DeviceKeySerializer)
    @action(detail=True, methods=["post"], url_path="rotate-key")
    def rotate_key(self, request, pk=None):
        """A new key for the device; the old one stops working at once. Shown this once."""
        device = self.get_object()
        key = self._save(device, new_key=True)
        return Response({"key": key, "key_prefix": device.key_prefix})

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, required=True, description="A value the device reports."),
            OpenApiParameter("bucket", str, enum=list(history.BUCKETS), description="Default 1h."),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
        ],
        responses=s.HistorySerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """The device's readings of one metric, downsampled: min/avg/max/count per bucket."""
        device = self.get_object()
        params = request.query_params
        bucket = params.get("bucket", "1h")
        since, until = _time_param(params, "since"), _time_param(params, "until")
        _seconds, since, until = run(history.window, bucket, since, until)
        buckets = run(history.downsample, device, params.get("metric"), bucket, since, until)
        return Response(
            {
                "device": device.pk,
                "metric": params.get("metric"),
                "bucket": bucket,
                "since": since,
                "until": until,
                "buckets": [b.as_dict() for b in buckets],
            }
        )

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def audit(self, request, pk=None):
        """Who changed the device's registration, when (the audit trail)."""
        return ScopedModelViewSet.history(self, request, pk=pk)


def _may_open_case(user):
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & STAFF_ROLES)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("active", bool, description="Only active or acknowledged alarms."),
            OpenApiParameter("region", str, description="Region code: its whole subtree."),
        ]
    )
)
class AlarmViewSet(ScopedModelViewSet):
    """Alarms in your jurisdiction, fire alarms first. Filters: status, kind, device, place,
    region (code), active=1. Acknowledge, clear (with a note) or open a hazard case."""

    serializer_class = s.AlarmSerializer
    http_method_names = ["get", "post", "head", "options"]
    queryset_select_related = ("device", "place", "region", "case", "acknowledged_by", "cleared_by")
    filterset_fields = ["status", "kind", "device", "place"]
    search_fields = ["text", "device__ident", "device__name"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.AlarmDetailSerializer
        return s.AlarmSerializer

    def get_queryset(self):
        model = Alarm
        qs = model.objects.restrict(self.request.user, "view").select_related(*self.queryset_select_related)
        params = self.request.query_params
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        if _flag(params.get("active", "")):
            qs = qs.filter(status__in=ACTIVE_STATUSES)
        return kind_first(_region_filter(qs, params))

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST")

    def _alarm_for_change(self):
        """Seen but not yours to act on: 403 with the reason; not seen at all: 404."""
        alarm = self.get_object()
        if not in_scope(self.request.user, alarm, "change"):
            raise PermissionDenied(_("You may see this alarm but not act on it."))
        return alarm

    def _answer(self, alarm):
        alarm = self.get_queryset().prefetch_related("events__actor").get(pk=alarm.pk)
        return Response(s.AlarmDetailSerializer(alarm, context=self.get_serializer_context()).data)

    @extend_schema(request=s.AlarmNoteSerializer, responses=s.AlarmDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Someone is on it: the alarm stays up (and keeps folding repeats) until it clears."""
        alarm = self._alarm_for_change()
        payload = s.AlarmNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(run(actions.acknowledge, alarm, actor=request.user, **payload.validated_data))

    @extend_schema(request=s.AlarmClearSerializer, responses=s.AlarmDetailSerializer)
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        """Checked on site: clear the alarm, saying what was found."""
        alarm = self._alarm_for_change()
        payload = s.AlarmClearSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(run(actions.clear, alarm, actor=request.user, **payload.validated_data))

    @extend_schema(request=s.AlarmNoteSerializer, responses={201: s.AlarmCaseSerializer})
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request, pk=None):
        """Open a hazard case from the alarm (or join the open IoT case of the same place)."""
        alarm = self._alarm_for_change()
        if not _may_open_case(request.user):
            raise PermissionDenied(_("Hazard cases are opened by staff."))
        payload = s.AlarmNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = run(actions.open_case, alarm, actor=request.user, **payload.validated_data)
        alarm = self.get_queryset().prefetch_related("events__actor").get(pk=alarm.pk)
        return Response(
            {
                "case": case.pk,
                "tracking_code": case.tracking_code,
                "alarm": s.AlarmDetailSerializer(alarm, context=self.get_serializer_context()).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(exclude=True)
    def history(self, request, pk=None):  # alarms have their own events; no audit trail
        raise MethodNotAllowed("GET")


class AlarmRuleViewSet(ScopedModelViewSet):
    """The alarm rules (thresholds, debounce, hysteresis) with their sources. Read by all staff;
    tuned by the district admin: a rule's clear level must lie on the safe side of its threshold."""

    serializer_class = s.AlarmRuleSerializer
    http_method_names = ["get", "put", "patch", "head", "options"]
    filterset_fields = ["device_kind", "alarm_kind", "is_active"]
    search_fields = ["code", "metric", "message_zh", "message_en"]
    pagination_class = None

    def get_queryset(self):
        return AlarmRule.objects.restrict(self.request.user, "view")

    def update(self, request, *args, **kwargs):
        if not may_write(request.user, AlarmRule, "change"):
            raise PermissionDenied(_("Only the district admin changes alarm rules."))
        return super().update(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST")
