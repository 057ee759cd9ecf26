from rest_framework import serializers

from firegrid.core.api import ScopedPrimaryKeyRelatedField
from firegrid.inspections.choices import AnswerResult
from firegrid.inspections.models import Answer, ChecklistVersion, HazardRecord, Inspection
from firegrid.org.models import User
from firegrid.places.models import Place


class ChecklistVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistVersion
        fields = ["id", "code", "version", "effective_from", "is_active", "document"]


class AnswerSerializer(serializers.ModelSerializer):
    checklist = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Answer
        fields = ["id", "checklist", "item_code", "result", "note", "photo", "elements", "corrected_on_spot"]


class HazardRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardRecord
        fields = ["id", "description", "severity", "clauses", "corrected_on_spot", "place", "inspection"]


class InspectionSerializer(serializers.ModelSerializer):
    place = ScopedPrimaryKeyRelatedField(queryset=Place.objects.all(), scope_action="view")
    inspectors = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), many=True, scope_action="view")
    previous = serializers.PrimaryKeyRelatedField(
        queryset=Inspection.objects.all(), required=False, allow_null=True
    )
    checklists = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)
    hazards = HazardRecordSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "place",
            "kind",
            "status",
            "inspectors",
            "checklists",
            "inspected_on",
            "lat",
            "lng",
            "notes",
            "commitment",
            "previous",
            "outcome",
            "determination",
            "major_confirmed",
            "decided_by",
            "decision_reason",
            "submitted_at",
            "answers",
            "hazards",
        ]
        read_only_fields = [
            "status",
            "outcome",
            "determination",
            "major_confirmed",
            "decided_by",
            "decision_reason",
            "submitted_at",
            "inspected_on",
        ]


class AnswerInputSerializer(serializers.Serializer):
    checklist = serializers.CharField(max_length=40)
    item_code = serializers.CharField(max_length=20)
    result = serializers.ChoiceField(choices=AnswerResult.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    elements = serializers.ListField(child=serializers.CharField(max_length=10), required=False, default=list)
    corrected_on_spot = serializers.BooleanField(required=False, default=False)


class SubmitSerializer(serializers.Serializer):
    not_judged = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    major = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
