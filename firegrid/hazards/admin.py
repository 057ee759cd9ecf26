from django.contrib import admin

from firegrid.core.admin import ScopedAdmin
from firegrid.hazards.models import HazardCase, HazardCategory, HazardEvent, Open311Client, Reminder


@admin.register(HazardCategory)
class HazardCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "group", "public", "is_active", "order"]
    list_filter = ["group", "public", "is_active"]
    search_fields = ["code", "name_zh", "name_en", "keywords"]


class HazardEventInline(admin.TabularInline):
    """The timeline, read-only: events are written by the workflow and never edited."""

    model = HazardEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "actor_label", "note", "is_public"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HazardCase)
class HazardCaseAdmin(ScopedAdmin):
    """Read-only here: cases move only through the workflow (pages and API), which writes the timeline."""

    list_display = ["tracking_code", "category", "status", "severity", "level", "region", "created_at"]
    list_filter = ["status", "severity", "level", "source", "channel", "category"]
    search_fields = ["tracking_code", "description", "address"]
    inlines = [HazardEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in HazardCase._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["case", "recipient", "address", "subject", "created_at", "sent_at", "error"]
    list_filter = ["channel"]
    raw_id_fields = ["case", "event", "recipient"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Keys are issued with `manage.py open311_client <name>`; here they can be switched off."""

    list_display = ["name", "key_prefix", "channel", "is_active", "created_at"]
    list_filter = ["is_active", "channel"]
    readonly_fields = ["key_prefix", "created_at"]

    def has_add_permission(self, request):
        return False
