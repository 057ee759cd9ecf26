from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.core.api import FullCleanSerializerMixin, ScopedPrimaryKeyRelatedField
from firegrid.iot.choices import AlarmEventKind, AlarmKind, AlarmStatus, DeviceKind, DeviceStatus, Operator
from firegrid.iot.models import Alarm, AlarmEvent, AlarmRule, Device
from firegrid.places.models import Place


def enum_field(choices, component):
    """A choice field documented as its own named enum: the IoT app's "kind"s and "status"es would
    otherwise collide with each other's and other apps' in the schema."""
    values = list(choices.values) if hasattr(choices, "values") else list(choices)

    @extend_schema_field({"type": "string", "enum": values}, component_name=component)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=getattr(choices, "choices", values), **kwargs)

    EnumField.__name__ = f"{component}Field"
    return EnumField


DeviceKindField = enum_field(DeviceKind, "IotDeviceKind")
DeviceStatusField = enum_field(DeviceStatus, "IotDeviceStatus")
AlarmKindField = enum_field(AlarmKind, "IotAlarmKind")
AlarmStatusField = enum_field(AlarmStatus, "IotAlarmStatus")
AlarmEventKindField = enum_field(AlarmEventKind, "IotAlarmEventKind")
OperatorField = enum_field(Operator, "IotRuleOperator")
ResultStatusField = enum_field(["accepted", "duplicate", "rejected"], "IotTelemetryStatus")
BucketField = enum_field(["5m", "1h", "1d"], "IotHistoryBucket")

# ---- telemetry (documentation of the batch; the pipeline checks each message itself) ----


class TelemetryMessageSerializer(serializers.Serializer):
    device = serializers.CharField(max_length=64, help_text="The device id (ident).")
    id = serializers.CharField(
        max_length=64, help_text="Message id: a redelivery with the same id is a duplicate."
    )
    ts = serializers.CharField(help_text="ISO 8601 time with a zone, or epoch seconds/milliseconds.")
    key = serializers.CharField(help_text="The device's key.")
    values = serializers.DictField(child=serializers.FloatField(), required=False)
    events = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    heartbeat = serializers.BooleanField(required=False)


class TelemetryBatchSerializer(serializers.Serializer):
    messages = TelemetryMessageSerializer(many=True)


class TelemetryResultSerializer(serializers.Serializer):
    status = ResultStatusField()
    reason = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


class TelemetryResponseSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = TelemetryResultSerializer(many=True)


# ---- devices ----


def _check_thresholds(value):
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("An object of rule code → {threshold, clear_threshold}."))
    for code, override in value.items():
        if not isinstance(override, dict) or not set(override) <= {"threshold", "clear_threshold"}:
            raise serializers.ValidationError(
                _("%(code)s: give threshold and/or clear_threshold.") % {"code": code}
            )
        for name, number in override.items():
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise serializers.ValidationError(
                    _("%(code)s.%(name)s is not a number.") % {"code": code, "name": name}
                )
    return value


class DeviceSerializer(serializers.ModelSerializer):
    kind = DeviceKindField()
    status = DeviceStatusField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    place = ScopedPrimaryKeyRelatedField(
        queryset=Place.objects.all(), scope_action="view", required=False, allow_null=True
    )
    place_name = serializers.CharField(source="place.name", read_only=True, default=None)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    thresholds = serializers.JSONField(required=False, validators=[_check_thresholds])

    class Meta:
        model = Device
        fields = [
            "id",
            "ident",
            "name",
            "kind",
            "kind_display",
            "place",
            "place_name",
            "region",
            "region_name",
            "sector",
            "authority",
            "location",
            "lat",
            "lng",
            "heartbeat_seconds",
            "installed_on",
            "is_active",
            "thresholds",
            "key_prefix",
            "status",
            "status_display",
            "last_seen_at",
            "last_values",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "sector",
            "authority",
            "key_prefix",
            "status",
            "last_seen_at",
            "last_values",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"heartbeat_seconds": {"required": False}}


class DeviceCreatedSerializer(DeviceSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The device's key: shown this once, only its hash is kept."
    )

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "key"]


class DeviceKeySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The new key: shown this once; the old one stops working.")
    key_prefix = serializers.CharField()


class HistoryBucketSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    min = serializers.FloatField()
    avg = serializers.FloatField()
    max = serializers.FloatField()
    count = serializers.IntegerField()


class HistorySerializer(serializers.Serializer):
    device = serializers.IntegerField()
    metric = serializers.CharField()
    bucket = BucketField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    buckets = HistoryBucketSerializer(many=True)


# ---- alarms ----


class AlarmEventSerializer(serializers.ModelSerializer):
    kind = AlarmEventKindField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.StringRelatedField()

    class Meta:
        model = AlarmEvent
        fields = ["id", "kind", "kind_display", "at", "actor", "note", "value"]


class AlarmSerializer(serializers.ModelSerializer):
    kind = AlarmKindField(read_only=True)
    status = AlarmStatusField(read_only=True)
    device_kind = DeviceKindField(source="device.kind", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    device_ident = serializers.CharField(source="device.ident", read_only=True)
    device_name = serializers.CharField(source="device.name", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, default=None)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    acknowledged_by = serializers.StringRelatedField()
    cleared_by = serializers.StringRelatedField()
    case_tracking_code = serializers.CharField(source="case.tracking_code", read_only=True, default=None)

    class Meta:
        model = Alarm
        fields = [
            "id",
            "device",
            "device_ident",
            "device_name",
            "device_kind",
            "code",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "text",
            "value",
            "count",
            "flaps",
            "first_at",
            "last_at",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "cleared_at",
            "cleared_by",
            "case",
            "case_tracking_code",
            "place",
            "place_name",
            "region",
            "region_name",
        ]
        read_only_fields = fields


class AlarmDetailSerializer(AlarmSerializer):
    events = AlarmEventSerializer(many=True, read_only=True)

    class Meta(AlarmSerializer.Meta):
        fields = [*AlarmSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AlarmNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class AlarmClearSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text="What was found on site.")


class AlarmCaseSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    tracking_code = serializers.CharField()
    alarm = AlarmDetailSerializer()


# ---- rules ----


class AlarmRuleSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    device_kind = DeviceKindField(read_only=True)
    alarm_kind = AlarmKindField(read_only=True)
    operator = OperatorField(read_only=True)
    message = serializers.CharField(read_only=True)

    class Meta:
        model = AlarmRule
        fields = [
            "id",
            "code",
            "device_kind",
            "metric",
            "operator",
            "threshold",
            "clear_threshold",
            "clear_event",
            "debounce",
            "alarm_kind",
            "message",
            "message_zh",
            "message_en",
            "source",
            "evidence",
            "version",
            "is_active",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "device_kind",
            "metric",
            "operator",
            "alarm_kind",
            "version",
            "updated_at",
        ]
        extra_kwargs = {"debounce": {"min_value": 1, "max_value": 100}}
