from django.contrib import admin

from firegrid.core.admin import ScopedAdmin
from firegrid.outreach.models import (
    Attendance,
    BestVolunteerSelection,
    Certificate,
    HomeDevice,
    HomeVisit,
    Household,
    LearningRecord,
    PublicityActivity,
    PublicitySite,
    SurveyResponse,
    TrainingSession,
    Volunteer,
    VolunteerActivity,
    VolunteerHours,
)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["name", "user", "group", "organisation", "result", "score"]
    raw_id_fields = ["user"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ScopedAdmin):
    list_display = ["held_on", "topic", "audience", "trainer", "region"]
    list_filter = ["audience", "mode"]
    search_fields = ["topic", "trainer"]
    inlines = [AttendanceInline]


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    """Certificates are issued from a passed attendance (outreach.actions.issue_certificate)."""

    list_display = ["number", "attendance", "issued_on", "expires_on", "revoked_on"]
    search_fields = ["number", "attendance__name"]
    readonly_fields = ["attendance", "qualification", "number", "issued_on", "expires_on"]

    def has_add_permission(self, request):
        return False


@admin.register(LearningRecord)
class LearningRecordAdmin(ScopedAdmin):
    list_display = ["name", "course", "hours", "completed_on", "platform", "region"]
    list_filter = ["group", "platform"]
    search_fields = ["name", "course", "external_id"]


class VisitInline(admin.TabularInline):
    model = HomeVisit
    extra = 0
    can_delete = False
    fields = ["visited_on", "visitor", "outcome", "hazards", "follow_up_needed"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeviceInline(admin.TabularInline):
    model = HomeDevice
    extra = 0
    fields = ["kind", "installed_on", "installed_by", "iot_device", "removed_on"]
    raw_id_fields = ["iot_device"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = [
        "name",
        "grid",
        "helper",
        "elderly_alone",
        "left_behind_child",
        "disability",
        "last_visited_on",
    ]
    list_filter = ["elderly_alone", "left_behind_child", "disability", "is_active"]
    search_fields = ["name", "address"]
    raw_id_fields = ["grid", "helper"]
    inlines = [DeviceInline, VisitInline]


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    list_display = ["name", "region", "team", "joined_on", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["region", "team", "user"]


class HoursInline(admin.TabularInline):
    model = VolunteerHours
    extra = 0
    raw_id_fields = ["volunteer"]


@admin.register(VolunteerActivity)
class VolunteerActivityAdmin(ScopedAdmin):
    list_display = ["held_on", "title", "kind", "region"]
    list_filter = ["kind"]
    inlines = [HoursInline]


@admin.register(BestVolunteerSelection)
class SelectionAdmin(ScopedAdmin):
    list_display = ["year", "region", "status", "confirmed_by"]
    readonly_fields = ["status", "confirmed_by", "confirmed_at"]


@admin.register(PublicitySite)
class PublicitySiteAdmin(ScopedAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind"]


@admin.register(PublicityActivity)
class PublicityActivityAdmin(ScopedAdmin):
    list_display = ["held_on", "title", "kind", "target", "region", "reach"]
    list_filter = ["kind", "target"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ScopedAdmin):
    list_display = ["submitted_at", "region", "score", "max_score", "age_band"]
    readonly_fields = ["region", "version", "age_band", "answers", "score", "max_score"]

    def has_add_permission(self, request):
        return False
