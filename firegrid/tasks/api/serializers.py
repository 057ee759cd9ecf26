from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.core.api import FullCleanSerializerMixin, ScopedPrimaryKeyRelatedField
from firegrid.org.models import OrgMember, OrgUnit, Region
from firegrid.places.models import Place
from firegrid.tasks import incidents
from firegrid.tasks.choices import ReviewState, SupervisionKind
from firegrid.tasks.models import (
    Duty,
    Evidence,
    FireIncident,
    IncidentTarget,
    KeyTask,
    Milestone,
    ProgressReport,
    Responsibility,
    ScoreScheme,
    Supervision,
)


class MilestoneSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "done_on", "state"]
        read_only_fields = ["done_on"]

    @extend_schema_field(serializers.ChoiceField(choices=ReviewState.choices))
    def get_state(self, obj):
        return obj.state()


class KeyTaskSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    lead_unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), scope_action="view")
    units = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), scope_action="view", many=True, required=False
    )
    leader = ScopedPrimaryKeyRelatedField(
        queryset=OrgMember.objects.all(), scope_action="view", required=False, allow_null=True
    )
    places = ScopedPrimaryKeyRelatedField(
        queryset=Place.objects.all(), scope_action="view", many=True, required=False
    )
    state = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True, read_only=True)
    full_clean_skip = ("units", "places")

    class Meta:
        model = KeyTask
        fields = [
            "id",
            "year",
            "number",
            "section",
            "title",
            "content",
            "source",
            "responsible_text",
            "region",
            "lead_unit",
            "units",
            "leader",
            "places",
            "starts_on",
            "due_on",
            "status",
            "completed_on",
            "progress_pct",
            "state",
            "parent",
            "milestones",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "section",
            "status",
            "completed_on",
            "progress_pct",
            "parent",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=ReviewState.choices))
    def get_state(self, obj):
        return obj.state()


class ResponsibilitySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, default="")

    class Meta:
        model = Responsibility
        fields = ["id", "unit", "member", "member_name", "title", "content", "source", "order"]
        read_only_fields = fields


class TaskEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "kind", "name", "content_type", "size", "url"]

    @extend_schema_field(serializers.CharField())
    def get_url(self, obj):
        from django.urls import reverse

        return reverse("tasks:evidence", args=[obj.pk])


class ProgressReportSerializer(serializers.ModelSerializer):
    task = ScopedPrimaryKeyRelatedField(queryset=KeyTask.objects.all(), scope_action="view")
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.all(), required=False, allow_null=True
    )
    evidence = TaskEvidenceSerializer(many=True, read_only=True)
    files = serializers.ListField(child=serializers.FileField(), write_only=True, required=False)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "unit",
            "milestone",
            "reported_on",
            "percent",
            "note",
            "completes",
            "reported_by",
            "evidence",
            "files",
            "created_at",
        ]
        read_only_fields = ["reported_by", "created_at"]
        extra_kwargs = {"reported_on": {"required": False}}


class DutySerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    evidence = TaskEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Duty
        fields = [
            "id",
            "kind",
            "group",
            "title",
            "source",
            "unit",
            "year",
            "period",
            "periods",
            "starts_on",
            "due_on",
            "done_on",
            "done_by",
            "record",
            "state",
            "evidence",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ReviewState.choices))
    def get_state(self, obj):
        return obj.state()


class DutyDoneSerializer(serializers.Serializer):
    record = serializers.CharField(max_length=4000)
    done_on = serializers.DateField(required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class SupervisionSerializer(serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    task = serializers.PrimaryKeyRelatedField(queryset=KeyTask.objects.all(), required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=SupervisionKind.choices)

    class Meta:
        model = Supervision
        fields = [
            "id",
            "kind",
            "status",
            "unit",
            "region",
            "task",
            "held_on",
            "held_by",
            "attendees",
            "reason",
            "requirements",
            "respond_by",
            "response",
            "responded_on",
            "follow_up",
            "closed_on",
        ]
        read_only_fields = [
            "status",
            "region",
            "held_by",
            "response",
            "responded_on",
            "follow_up",
            "closed_on",
        ]
        extra_kwargs = {"held_on": {"required": False}}

    def validate_task(self, task):
        if (
            task is not None
            and not KeyTask.objects.restrict(self.context["request"].user).filter(pk=task.pk).exists()
        ):
            raise serializers.ValidationError(_("No such task in your jurisdiction."))
        return task


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class FireIncidentSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    place = ScopedPrimaryKeyRelatedField(
        queryset=Place.objects.all(), scope_action="view", required=False, allow_null=True
    )
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    full_clean_skip = ("region",)

    class Meta:
        model = FireIncident
        fields = [
            "id",
            "occurred_at",
            "place",
            "region",
            "address",
            "lat",
            "lng",
            "cause",
            "cause_detail",
            "deaths",
            "injuries",
            "loss_yuan",
            "high_rise",
            "description",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class TargetProgressSerializer(serializers.Serializer):
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2)
    baseline_from = serializers.CharField()
    limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    met = serializers.BooleanField()
    final = serializers.BooleanField()
    status = serializers.CharField()


class IncidentTargetSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), scope_action="change")
    progress = serializers.SerializerMethodField()

    class Meta:
        model = IncidentTarget
        fields = ["id", "region", "year", "metric", "change_pct", "baseline", "title", "source", "progress"]

    @extend_schema_field(TargetProgressSerializer)
    def get_progress(self, obj):
        return TargetProgressSerializer(incidents.progress(obj)).data


class ScoreSchemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreScheme
        fields = ["id", "version", "name", "effective_from", "is_active", "document", "notes", "created_at"]
        read_only_fields = ["version", "name", "effective_from", "is_active", "notes", "created_at"]
