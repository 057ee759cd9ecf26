from rest_framework import serializers

from firegrid.core.api import ScopedPrimaryKeyRelatedField
from firegrid.hazards.choices import STAFF_CHANNELS, CloseReason, Source
from firegrid.hazards.models import Attachment, HazardCase, HazardCategory, HazardEvent
from firegrid.hazards.privacy import REPORTER_FIELDS, may_see_reporter
from firegrid.org.models import OrgUnit
from firegrid.places.models import Place


class HazardCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = HazardCategory
        fields = [
            "code",
            "name",
            "name_zh",
            "name_en",
            "description",
            "group",
            "public",
            "place_kinds",
            "attributes",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = [
            "id",
            "event",
            "kind",
            "file",
            "content_type",
            "size",
            "width",
            "height",
            "is_public",
            "created_at",
        ]


class HazardEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = HazardEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "from_status",
            "to_status",
            "actor",
            "actor_label",
            "at",
            "note",
            "data",
            "is_public",
            "attachments",
        ]

    def get_attachments(self, event) -> list[int]:
        return [a.pk for a in event.attachments.all()]


class HazardCaseSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = HazardCase
        fields = [
            "id",
            "tracking_code",
            "place",
            "place_name",
            "region",
            "region_name",
            "lat",
            "lng",
            "address",
            "description",
            "category",
            "category_name",
            "severity",
            "clauses",
            "source",
            "channel",
            "external_ref",
            "status",
            "status_display",
            "close_reason",
            "level",
            "responsible_party",
            "responsible_phone",
            "notice_number",
            "deadline",
            "step_due",
            "overdue",
            "department",
            "whistled_at",
            "checkin_due",
            "checked_in_at",
            "supervised_at",
            "supervision_due",
            "is_public",
            "duplicate_of",
            "version",
            "created_at",
            "updated_at",
            "confirmed_at",
            "closed_at",
            *REPORTER_FIELDS,
            "anonymous",
        ]
        read_only_fields = fields

    def get_overdue(self, case) -> bool:
        return case.is_overdue()

    def to_representation(self, case):
        data = super().to_representation(case)
        request = self.context.get("request")
        if request is None or not may_see_reporter(request.user, case):
            for name in REPORTER_FIELDS:
                data.pop(name, None)
        return data


class HazardCaseDetailSerializer(HazardCaseSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(HazardCaseSerializer.Meta):
        fields = [*HazardCaseSerializer.Meta.fields, "attachments", "attributes"]
        read_only_fields = fields


class HazardReportSerializer(serializers.Serializer):
    """A case recorded by staff: found on patrol, sent by a department, or a call to 12345/96119."""

    description = serializers.CharField(max_length=4000)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=HazardCategory.objects.filter(is_active=True)
    )
    place = ScopedPrimaryKeyRelatedField(
        queryset=Place.objects.all(), scope_action="view", required=False, allow_null=True
    )
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(
        choices=[
            (s.value, s.label) for s in (Source.PATROL, Source.PUBLIC, Source.DEPARTMENT, Source.SELF_CHECK)
        ],
        default=Source.PATROL,
    )
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in STAFF_CHANNELS], default=STAFF_CHANNELS[0]
    )
    external_ref = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    reporter_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The case version you saw; a stale one gets 409."
    )


class NoteSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmSerializer(NoteSerializer):
    severity = serializers.ChoiceField(choices=["general", "major"], required=False)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=HazardCategory.objects.filter(is_active=True), required=False
    )


class RejectSerializer(VersionedSerializer):
    reason = serializers.CharField()
    close_reason = serializers.ChoiceField(
        choices=[CloseReason.NOT_HAZARD, CloseReason.DUPLICATE, CloseReason.NOT_RESPONSIBLE],
        default=CloseReason.NOT_HAZARD,
    )
    duplicate_of = serializers.CharField(
        required=False, help_text="Tracking code of the case this duplicates."
    )


class OrderSerializer(NoteSerializer):
    deadline = serializers.DateField(required=False)
    responsible_party = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    responsible_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class EvidenceSerializer(VersionedSerializer):
    note = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReinspectSerializer(NoteSerializer):
    passed = serializers.BooleanField()
    deadline = serializers.DateField(required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class CommentSerializer(serializers.Serializer):
    note = serializers.CharField()
    public = serializers.BooleanField(required=False, default=False)


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField()


class WhistleSerializer(ReasonSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.filter(kind="department"))


class SuperviseSerializer(ReasonSerializer):
    due = serializers.DateTimeField(required=False)
