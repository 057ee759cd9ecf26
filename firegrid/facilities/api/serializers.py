from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.core.api import FullCleanSerializerMixin, ScopedPrimaryKeyRelatedField, _as_drf_error
from firegrid.facilities import actions, rules
from firegrid.facilities.choices import Access, CheckKind, FacilityStatus
from firegrid.facilities.models import (
    STATUS_NEEDS_CHECK,
    AncientTownPolicy,
    ConstructionPlan,
    Facility,
    FacilityCheck,
    FacilityRuleSet,
    PlanEvaluation,
)
from firegrid.org.models import Region


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=[rules.PASS, rules.FAIL, rules.MISSING])
    value = serializers.FloatField(allow_null=True)
    min = serializers.FloatField()
    source = serializers.CharField()


def rule_results(facility):
    return [
        {
            "rule": r.rule["id"],
            "title": r.title,
            "outcome": r.outcome,
            "value": r.value,
            "min": r.rule["min"],
            "source": r.rule.get("source", ""),
        }
        for r in rules.evaluate(facility)
    ]


class FacilitySerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    plan = ScopedPrimaryKeyRelatedField(
        queryset=ConstructionPlan.objects.all(), required=False, allow_null=True
    )
    rules = serializers.SerializerMethodField()
    full_clean_skip = ("plan",)

    class Meta:
        model = Facility
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "status",
            "region",
            "region_name",
            "lat",
            "lng",
            "address",
            "owner",
            "maintainer",
            "contact_name",
            "contact_phone",
            "installed_on",
            "volume_m3",
            "pipe_diameter_mm",
            "length_m",
            "device_idents",
            "plan",
            "notes",
            "last_checked_on",
            "rules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code", "last_checked_on", "created_at", "updated_at"]

    @extend_schema_field(RuleResultSerializer(many=True))
    def get_rules(self, obj):
        return rule_results(obj) if obj.region_id else []

    def validate_status(self, value):
        if self.instance is not None and value != self.instance.status:
            raise serializers.ValidationError(
                str(STATUS_NEEDS_CHECK)
                + " "
                + _("POST it to /api/v1/facilities/%(id)s/checks/.") % {"id": self.instance.pk}
            )
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        lat = attrs.get("lat", getattr(self.instance, "lat", None))
        lng = attrs.get("lng", getattr(self.instance, "lng", None))
        if lat is not None and lng is not None:
            grid = Region.objects.locate(lat, lng)
            user = self.context["request"].user
            if grid is not None and not Region.objects.restrict(user, "change").filter(pk=grid.pk).exists():
                message = _("The facility lies in %(grid)s, outside your jurisdiction.") % {"grid": grid}
                raise serializers.ValidationError({"lat": [message], "lng": [message]})
        return attrs

    def _save(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return actions.save_facility(instance, actor=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None

    def create(self, validated_data):
        return self._save(Facility(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class FacilityCheckSerializer(serializers.ModelSerializer):
    facility = serializers.PrimaryKeyRelatedField(read_only=True)
    facility_code = serializers.CharField(source="facility.code", read_only=True)
    hazard_case = serializers.SlugRelatedField(slug_field="tracking_code", read_only=True)
    photo_url = serializers.SerializerMethodField()
    status_after = serializers.ChoiceField(choices=FacilityStatus.choices)
    kind = serializers.ChoiceField(choices=CheckKind.choices, default=CheckKind.SURVEY)
    access = serializers.ChoiceField(choices=Access.choices, required=False, allow_blank=True)
    photo = serializers.FileField(write_only=True, required=False)

    class Meta:
        model = FacilityCheck
        fields = [
            "id",
            "facility",
            "facility_code",
            "kind",
            "checked_at",
            "actor_label",
            "status_before",
            "status_after",
            "pressure_mpa",
            "water_level_pct",
            "access",
            "damage",
            "note",
            "faults",
            "lat",
            "lng",
            "hazard_case",
            "photo",
            "photo_url",
        ]
        read_only_fields = ["checked_at", "actor_label", "status_before", "faults", "hazard_case"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_photo_url(self, obj):
        return reverse("facilities:check-photo", args=[obj.pk]) if obj.photo else None

    def create(self, validated_data):
        facility = self.context["facility"]
        try:
            return actions.record_check(facility, actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None


class PlanEvaluationSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = PlanEvaluation
        fields = ["id", "plan", "evaluated_on", "progress_pct", "spent_wan", "summary", "actor", "created_at"]
        read_only_fields = ["plan", "actor", "created_at"]

    def create(self, validated_data):
        try:
            return actions.evaluate_plan(
                self.context["plan"], actor=self.context["request"].user, **validated_data
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None


class ConstructionPlanSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = ConstructionPlan
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "title",
            "status",
            "budget_wan",
            "target_count",
            "description",
            "progress_pct",
            "last_evaluated_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["progress_pct", "last_evaluated_on", "created_at", "updated_at"]

    def validate_region(self, region):
        request = self.context["request"]
        if not Region.objects.restrict(request.user, "change").filter(pk=region.pk).exists():
            raise serializers.ValidationError(
                _("No region %(code)s in your jurisdiction.") % {"code": region.code}
            )
        return region


class AncientTownPolicySerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = AncientTownPolicy
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "title",
            "status",
            "text",
            "attachment_name",
            "attachment_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["attachment_name", "created_at", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attachment_url(self, obj):
        return reverse("facilities:policy-file", args=[obj.pk]) if obj.attachment else None

    def validate_region(self, region):
        request = self.context["request"]
        if not Region.objects.restrict(request.user, "change").filter(pk=region.pk).exists():
            raise serializers.ValidationError(
                _("No region %(code)s in your jurisdiction.") % {"code": region.code}
            )
        return region


class FacilityRuleSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = FacilityRuleSet
        fields = ["id", "version", "name", "effective_from", "is_active", "document", "notes"]
        read_only_fields = fields
