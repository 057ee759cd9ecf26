from rest_framework import serializers

from firegrid.core.api import FullCleanSerializerMixin, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from firegrid.org.models import (
    FireManager,
    OrgMember,
    OrgUnit,
    Qualification,
    Region,
    ResidentialArea,
    RoleAssignment,
    User,
)


class RegionSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    parent = ScopedSlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Region
        fields = [
            "id",
            "code",
            "name",
            "level",
            "kind",
            "parent",
            "path",
            "boundary",
            "population",
            "is_ancient_town",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["path"]


class LocateSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class OrgUnitSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    covered_regions = ScopedSlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), many=True, required=False, scope_action="view"
    )
    residential_area = ScopedPrimaryKeyRelatedField(
        queryset=ResidentialArea.objects.all(), allow_null=True, required=False
    )
    sectors = serializers.ListField(child=serializers.CharField(max_length=30), required=False)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "kind",
            "name",
            "region",
            "phone",
            "address",
            "lat",
            "lng",
            "established_on",
            "is_active",
            "team_type",
            "sectors",
            "covered_regions",
            "owner_kind",
            "residential_area",
            "owner_name",
            "duty_phone",
            "equipment",
            "created_at",
            "updated_at",
        ]


class OrgMemberSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

    class Meta:
        model = OrgMember
        fields = ["id", "unit", "user", "name", "position", "title", "phone", "full_time", "since"]


class ResidentialAreaSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    fire_manager = serializers.SerializerMethodField()

    class Meta:
        model = ResidentialArea
        fields = [
            "id",
            "kind",
            "name",
            "region",
            "address",
            "lat",
            "lng",
            "households",
            "built_year",
            "fire_manager",
        ]

    def get_fire_manager(self, obj) -> int | None:
        manager = getattr(obj, "fire_manager", None)
        return manager.pk if manager else None


class FireManagerSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    area = ScopedPrimaryKeyRelatedField(queryset=ResidentialArea.objects.all())
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

    class Meta:
        model = FireManager
        fields = ["id", "area", "name", "phone", "user", "appointed_on", "public_token"]
        read_only_fields = ["public_token"]


class RoleAssignmentSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all())
    region = ScopedSlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )
    unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), allow_null=True, required=False, scope_action="view"
    )

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "role", "region", "unit", "starts_on", "ends_on"]


class QualificationSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all())
    is_valid = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = [
            "id",
            "user",
            "kind",
            "certificate_no",
            "training_record",
            "training_hours",
            "passed_on",
            "expires_on",
            "issued_by",
            "is_valid",
        ]

    def get_is_valid(self, obj) -> bool:
        return obj.is_valid()


class UserSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    org_unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)
    can_inspect = serializers.SerializerMethodField()
    full_clean_skip = ("password",)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "phone",
            "email",
            "org_unit",
            "is_active",
            "password",
            "roles",
            "can_inspect",
        ]

    def get_can_inspect(self, obj) -> bool:
        annotated = getattr(obj, "has_valid_enforcement", None)
        return obj.can_inspect() if annotated is None else annotated

    def validate_password(self, value):
        from django.contrib.auth.password_validation import validate_password

        validate_password(value)
        return value

    def create(self, validated_data):
        password = validated_data.pop("password", None)
        user = User(**validated_data)
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        user = super().update(instance, validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user
