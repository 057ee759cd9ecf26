from rest_framework import serializers

from firegrid.core.api import FullCleanSerializerMixin, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from firegrid.org.models import OrgUnit, Region, User
from firegrid.outreach.choices import ConsentScope, HomeDeviceKind, HomeHazard, Referral, VisitOutcome
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
    SelectionEntry,
    TrainingSession,
    Volunteer,
    VolunteerActivity,
    VolunteerHours,
)


def region_field(**kwargs):
    return ScopedSlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), scope_action="view", **kwargs
    )


class SessionSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = region_field()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "topic",
            "audience",
            "mode",
            "held_on",
            "hours",
            "trainer",
            "organiser",
            "location",
            "region",
            "certificate_valid_days",
            "notes",
            "created_at",
            "updated_at",
        ]


class CertificateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="attendance.name", read_only=True)
    session = serializers.IntegerField(source="attendance.session_id", read_only=True)
    valid = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "attendance",
            "name",
            "session",
            "issued_on",
            "expires_on",
            "issued_by",
            "revoked_on",
            "valid",
        ]
        read_only_fields = fields

    def get_valid(self, obj) -> bool:
        return obj.is_valid()


class AttendanceSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    session = ScopedPrimaryKeyRelatedField(queryset=TrainingSession.objects.all())
    user = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), scope_action="view", required=False, allow_null=True
    )
    certificate = CertificateSerializer(read_only=True)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)

    class Meta:
        model = Attendance
        fields = ["id", "session", "user", "name", "group", "organisation", "result", "score", "certificate"]
        validators = []  # the conditional unique constraint is the database's (a clash answers 400)

    def validate(self, attrs):
        if not attrs.get("name") and attrs.get("user"):
            attrs["name"] = str(attrs["user"])[:60]
        if not attrs.get("name") and not (self.instance and self.instance.name):
            raise serializers.ValidationError({"name": "Name the person, or give their user id."})
        return super().validate(attrs)


class IssueCertificateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False)
    issued_by = serializers.CharField(max_length=120, required=False, allow_blank=True)


class LearningRecordSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = LearningRecord
        fields = [
            "id",
            "platform",
            "external_id",
            "name",
            "user",
            "group",
            "region",
            "course",
            "hours",
            "completed_on",
            "score",
        ]
        read_only_fields = fields


class HouseholdSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    grid = region_field()
    helper = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), scope_action="view", required=False, allow_null=True
    )
    consent_scope = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentScope.choices), required=False
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "grid",
            "name",
            "address",
            "phone",
            "elderly_alone",
            "left_behind_child",
            "disability",
            "residents",
            "guardian_name",
            "guardian_phone",
            "helper",
            "consent_by",
            "consent_relation",
            "consent_on",
            "consent_scope",
            "consent_record",
            "consent_withdrawn_on",
            "is_active",
            "notes",
            "last_visited_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_visited_on"]


class VisitSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all())
    visitor = serializers.StringRelatedField()
    hazards = serializers.ListField(child=serializers.ChoiceField(choices=HomeHazard.choices), required=False)
    referrals = serializers.ListField(child=serializers.ChoiceField(choices=Referral.choices), required=False)
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    hazard_cases = serializers.SlugRelatedField(slug_field="tracking_code", many=True, read_only=True)

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "household",
            "visited_on",
            "visitor",
            "companions",
            "outcome",
            "alarms_present",
            "alarms_working",
            "alarms_installed",
            "hazards",
            "referrals",
            "advice_given",
            "follow_up_needed",
            "follow_up_by",
            "notes",
            "lat",
            "lng",
            "hazard_cases",
            "created_at",
        ]
        read_only_fields = ["visitor", "hazard_cases", "created_at"]
        extra_kwargs = {"visited_on": {"required": False}}


class HomeDeviceSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all())
    kind = serializers.ChoiceField(choices=HomeDeviceKind.choices)
    iot_device = serializers.SlugRelatedField(slug_field="ident", read_only=True)
    iot_ident = serializers.CharField(write_only=True, required=False, allow_blank=True)
    iot_status = serializers.CharField(source="iot_device.status", read_only=True, default=None)

    class Meta:
        model = HomeDevice
        fields = [
            "id",
            "household",
            "kind",
            "installed_on",
            "installed_by",
            "funded_by",
            "model",
            "iot_device",
            "iot_ident",
            "iot_status",
            "removed_on",
            "notes",
        ]
        extra_kwargs = {"installed_on": {"required": False}}


class VolunteerSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = region_field()
    team = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), scope_action="view", required=False, allow_null=True
    )

    class Meta:
        model = Volunteer
        fields = ["id", "name", "phone", "region", "team", "user", "skills", "joined_on", "is_active"]
        read_only_fields = ["user"]


class HoursSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    activity = ScopedPrimaryKeyRelatedField(queryset=VolunteerActivity.objects.all())
    volunteer = ScopedPrimaryKeyRelatedField(queryset=Volunteer.objects.all(), scope_action="view")

    class Meta:
        model = VolunteerHours
        fields = ["id", "activity", "volunteer", "hours"]


class ActivitySerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = region_field()
    hours = serializers.SerializerMethodField()

    class Meta:
        model = VolunteerActivity
        fields = ["id", "title", "kind", "held_on", "region", "location", "notes", "hours"]

    def get_hours(self, obj) -> list[dict]:
        return [
            {"volunteer": h.volunteer_id, "name": h.volunteer.name, "hours": str(h.hours)}
            for h in obj.hours.select_related("volunteer")
        ]


class EntrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="volunteer.name", read_only=True)

    class Meta:
        model = SelectionEntry
        fields = ["volunteer", "name", "rank", "hours", "activities", "kinds", "selected"]


class SelectionSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    entries = EntrySerializer(many=True, read_only=True)
    confirmed_by = serializers.StringRelatedField()

    class Meta:
        model = BestVolunteerSelection
        fields = [
            "id",
            "year",
            "region",
            "places",
            "min_hours",
            "status",
            "confirmed_by",
            "confirmed_at",
            "note",
            "entries",
        ]
        read_only_fields = fields


class ComputeSelectionSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    region = serializers.CharField()
    places = serializers.IntegerField(min_value=1, max_value=50, default=3)
    min_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, default=8)


class ConfirmSelectionSerializer(serializers.Serializer):
    volunteers = serializers.ListField(child=serializers.IntegerField(), required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class SiteSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = region_field()

    class Meta:
        model = PublicitySite
        fields = ["id", "name", "kind", "region", "address", "opened_on", "is_active"]


class PublicitySerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = region_field()
    site = ScopedPrimaryKeyRelatedField(
        queryset=PublicitySite.objects.all(), scope_action="view", required=False, allow_null=True
    )

    class Meta:
        model = PublicityActivity
        fields = ["id", "title", "kind", "target", "site", "region", "held_on", "organiser", "reach", "notes"]
