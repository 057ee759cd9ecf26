from django.contrib import admin

from firegrid.core.admin import ScopedAdmin
from firegrid.facilities import actions
from firegrid.facilities.models import (
    AncientTownPolicy,
    ConstructionPlan,
    Facility,
    FacilityCheck,
    FacilityRuleSet,
    PlanEvaluation,
)


class FacilityCheckInline(admin.TabularInline):
    """Check records, read-only: they are written by the survey and never edited."""

    model = FacilityCheck
    extra = 0
    can_delete = False
    fields = [
        "checked_at",
        "kind",
        "status_before",
        "status_after",
        "pressure_mpa",
        "access",
        "actor_label",
        "hazard_case",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "status", "region", "last_checked_on"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name", "address", "owner"]
    readonly_fields = ["code", "region", "last_checked_on"]
    inlines = [FacilityCheckInline]

    def get_readonly_fields(self, request, obj=None):
        # the status changes only through a check record
        return [*self.readonly_fields, "status"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        actions.save_facility(obj, actor=request.user)


@admin.register(FacilityCheck)
class FacilityCheckAdmin(ScopedAdmin):
    list_display = ["facility", "kind", "checked_at", "status_before", "status_after", "hazard_case"]
    list_filter = ["kind", "status_after"]
    search_fields = ["facility__code", "facility__name"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in FacilityCheck._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanEvaluationInline(admin.TabularInline):
    model = PlanEvaluation
    extra = 0
    can_delete = False
    fields = ["evaluated_on", "progress_pct", "spent_wan", "summary", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConstructionPlan)
class ConstructionPlanAdmin(ScopedAdmin):
    list_display = ["region", "year", "title", "status", "budget_wan", "progress_pct"]
    list_filter = ["year", "status"]
    search_fields = ["title", "region__name"]
    inlines = [PlanEvaluationInline]


@admin.register(AncientTownPolicy)
class AncientTownPolicyAdmin(ScopedAdmin):
    list_display = ["region", "year", "title", "status"]
    list_filter = ["year", "status"]
    search_fields = ["title", "region__name"]


@admin.register(FacilityRuleSet)
class FacilityRuleSetAdmin(ScopedAdmin):
    list_display = ["version", "name", "effective_from", "is_active"]
    readonly_fields = ["version", "document"]
