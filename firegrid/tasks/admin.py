from django.contrib import admin

from firegrid.core.admin import ScopedAdmin
from firegrid.tasks.models import (
    Duty,
    FireIncident,
    IncidentTarget,
    KeyTask,
    Milestone,
    ProgressReport,
    Responsibility,
    ScoreScheme,
    Supervision,
    TaskCatalogue,
    TaskReminder,
    TaskReview,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class ReportInline(admin.TabularInline):
    """Reports are written by the units (page or API) and never edited."""

    model = ProgressReport
    extra = 0
    can_delete = False
    fields = ["reported_on", "unit", "percent", "completes", "note", "reported_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(KeyTask)
class KeyTaskAdmin(ScopedAdmin):
    list_display = ["__str__", "year", "region", "lead_unit", "due_on", "status", "progress_pct"]
    list_filter = ["year", "status"]
    search_fields = ["title", "content"]
    raw_id_fields = ["parent", "region", "lead_unit", "units", "leader", "places", "catalogue", "created_by"]
    inlines = [MilestoneInline, ReportInline]


@admin.register(Duty)
class DutyAdmin(ScopedAdmin):
    list_display = ["unit", "group", "title", "year", "period", "due_on", "done_on"]
    list_filter = ["year", "group", "kind"]
    raw_id_fields = ["unit", "region", "done_by"]


@admin.register(Responsibility)
class ResponsibilityAdmin(ScopedAdmin):
    list_display = ["title", "unit", "member", "order"]
    raw_id_fields = ["unit", "member"]
    search_fields = ["title", "unit__name"]


@admin.register(Supervision)
class SupervisionAdmin(ScopedAdmin):
    list_display = ["held_on", "kind", "unit", "status", "respond_by"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["unit", "region", "task", "held_by", "responded_by", "closed_by"]


@admin.register(FireIncident)
class FireIncidentAdmin(ScopedAdmin):
    list_display = ["occurred_at", "place", "region", "cause", "deaths", "injuries", "loss_yuan", "high_rise"]
    list_filter = ["cause", "high_rise"]
    raw_id_fields = ["place", "region", "recorded_by"]


@admin.register(IncidentTarget)
class IncidentTargetAdmin(ScopedAdmin):
    list_display = ["__str__", "region", "year", "metric", "change_pct", "baseline"]
    raw_id_fields = ["region"]


@admin.register(ScoreScheme)
class ScoreSchemeAdmin(ScopedAdmin):
    list_display = ["version", "name", "effective_from", "is_active"]
    readonly_fields = ["document", "created_by"]


@admin.register(TaskCatalogue)
class TaskCatalogueAdmin(ScopedAdmin):
    list_display = ["code", "version", "name"]
    readonly_fields = ["document"]


@admin.register(TaskReview)
class TaskReviewAdmin(ScopedAdmin):
    list_display = ["region", "year", "held_on", "held_by"]
    raw_id_fields = ["region", "held_by"]


@admin.register(TaskReminder)
class TaskReminderAdmin(ScopedAdmin):
    list_display = ["created_at", "kind", "due_on", "recipient", "sent_at", "error"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in TaskReminder._meta.fields]

    def has_add_permission(self, request):
        return False
