"""Back office of the IoT app: alarm rules are tuned here by the district admin; devices are edited
(keys are issued through the pages, the API or `save_device`, never typed in); alarms and the ingest's
counts and rejected samples are read-only."""

from django.contrib import admin

from firegrid.core.admin import ScopedAdmin
from firegrid.core.views import may_write
from firegrid.iot.actions import save_device
from firegrid.iot.models import Alarm, AlarmEvent, AlarmRule, Device, IngestCount, RejectedMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AlarmRule)
class AlarmRuleAdmin(ScopedAdmin):
    """Thresholds, debounce and hysteresis; AlarmRule.clean() keeps the clear level on the safe side."""

    list_display = [
        "code",
        "device_kind",
        "metric",
        "operator",
        "threshold",
        "clear_threshold",
        "debounce",
        "alarm_kind",
        "is_active",
        "version",
    ]
    list_filter = ["device_kind", "alarm_kind", "is_active", "version"]
    search_fields = ["code", "metric", "message_zh", "message_en"]
    readonly_fields = ["code", "device_kind", "metric", "operator", "alarm_kind", "version"]

    def has_add_permission(self, request):
        return False  # new rules ship as data (data/alarm-rules-*.json) with their sources

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_write(request.user, AlarmRule, "change")


@admin.register(Device)
class DeviceAdmin(ScopedAdmin):
    list_display = ["ident", "name", "kind", "place", "region", "status", "last_seen_at", "is_active"]
    list_filter = ["kind", "status", "is_active"]
    search_fields = ["ident", "name", "location"]
    raw_id_fields = ["place", "region"]
    readonly_fields = ["key_prefix", "region", "sector", "authority", "status", "last_seen_at", "last_values"]
    exclude = ["key_hash", "rule_state"]

    def has_add_permission(self, request):
        return False  # registered on the pages or the API, which show the key once

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        save_device(obj)  # the grid, sector and authority follow the place or the point


class AlarmEventInline(admin.TabularInline):
    model = AlarmEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "note", "value"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alarm)
class AlarmAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only: alarms change through the ingest and the acknowledge/clear/case steps."""

    list_display = ["id", "device", "code", "kind", "status", "count", "first_at", "last_at"]
    list_filter = ["kind", "status"]
    search_fields = ["device__ident", "text", "code"]
    inlines = [AlarmEventInline]


@admin.register(IngestCount)
class IngestCountAdmin(ReadOnlyAdmin):
    list_display = ["minute", "process", "name", "count"]
    list_filter = ["process", "name"]
    date_hierarchy = "minute"


@admin.register(RejectedMessage)
class RejectedMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "channel", "device_ident", "reason", "detail"]
    list_filter = ["channel", "reason"]
    search_fields = ["device_ident", "detail"]
