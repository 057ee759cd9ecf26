from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from rest_framework import serializers

from firegrid.core.api import FullCleanSerializerMixin, _as_drf_error
from firegrid.org.models import Region
from firegrid.places import actions
from firegrid.places.choices import SelfBuiltUse
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent

READ_ONLY = [
    "code",
    "region",
    "sector",
    "risk_level",
    "authority",
    "is_key_unit",
    "inspections_per_year",
    "flags",
    "grade_reasons",
    "ruleset",
    "graded_at",
    "last_inspected_on",
    "last_inspection_outcome",
    "next_inspection_due",
    "created_at",
    "updated_at",
]


class PlaceSerializer(FullCleanSerializerMixin, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    flags = serializers.ListField(source="flag_list", read_only=True)
    self_built_uses = serializers.ListField(
        child=serializers.ChoiceField(choices=SelfBuiltUse.choices), required=False
    )
    ruleset = serializers.SlugRelatedField(slug_field="version", read_only=True)
    full_clean_skip = ("owners",)

    class Meta:
        model = Place
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "status",
            "region",
            "region_name",
            "address",
            "lat",
            "lng",
            "credit_code",
            "sector",
            "responsible_person",
            "responsible_phone",
            "manager_name",
            "manager_phone",
            "residential_area",
            "building_area",
            "area_above_ground",
            "area_underground",
            "height_m",
            "floors_above",
            "floors_below",
            "built_year",
            "beds",
            "rooms",
            "children",
            "boarding_beds",
            "staff_count",
            "occupants",
            "self_built_uses",
            "households",
            "has_fire_control_room",
            "public_commitment",
            *READ_ONLY[3:],
        ]
        read_only_fields = READ_ONLY

    def validate(self, attrs):
        attrs = super().validate(attrs)
        moved = self.instance is None or any(
            k in attrs and attrs[k] != getattr(self.instance, k) for k in ("lat", "lng")
        )
        if moved:
            lat = attrs.get("lat", getattr(self.instance, "lat", None))
            lng = attrs.get("lng", getattr(self.instance, "lng", None))
            try:
                grid = actions.locate_grid(lat, lng)
            except DjangoValidationError as exc:
                raise _as_drf_error(exc) from None
            user = self.context["request"].user
            if not Region.objects.restrict(user, "change").filter(pk=grid.pk).exists():
                raise serializers.ValidationError(
                    {"lat": [_("The place lies in %(grid)s, outside your jurisdiction.") % {"grid": grid}]}
                )
        return attrs

    def _save(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return actions.save_place(instance, actor=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None

    def create(self, validated_data):
        return self._save(Place(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


# What a list row carries: enough to show, sort and pick a place. The grade's reasons, the rule set,
# the building attributes and the commitment are on the detail (GET /places/{id}/).
LIST_FIELDS = [
    "id",
    "code",
    "name",
    "kind",
    "status",
    "region",
    "region_name",
    "address",
    "lat",
    "lng",
    "credit_code",
    "responsible_person",
    "responsible_phone",
    "risk_level",
    "authority",
    "is_key_unit",
    "inspections_per_year",
    "flags",
    "last_inspected_on",
    "last_inspection_outcome",
    "next_inspection_due",
    "updated_at",
]
# the place columns a list row reads (the queryset loads only these, and the region's code and name)
LIST_COLUMNS = [f for f in LIST_FIELDS if f not in ("region", "region_name")] + ["region"]


class PlaceListSerializer(serializers.ModelSerializer):
    """A place in a list: summary fields only (the detail has everything). It describes the rows for
    the schema; the list builds them from values() rows with list_row()."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    flags = serializers.ListField(source="flag_list", read_only=True, child=serializers.CharField())

    class Meta:
        model = Place
        fields = LIST_FIELDS
        read_only_fields = LIST_FIELDS


_DATETIME = serializers.DateTimeField()  # unbound: building self.fields costs a tenth of the request

# A list page is read as values() rows, not model instances (a tenth of a page's CPU): the same
# fields as PlaceListSerializer, the region's code and name joined in (test_api holds them equal).
LIST_VALUES = [f for f in LIST_FIELDS if f not in ("region", "region_name")]


def list_values(queryset):
    return queryset.values(*LIST_VALUES, region_code=F("region__code"), region_name=F("region__name"))


def list_row(row):
    """A values() row of list_values() as the list serializer gives it."""
    out = {name: row[name] for name in LIST_FIELDS if name in row}
    out["region"] = row["region_code"]
    out["flags"] = [f for f in row["flags"].split("|") if f]
    out["last_inspected_on"] = _iso_date(row["last_inspected_on"])
    out["next_inspection_due"] = _iso_date(row["next_inspection_due"])
    out["updated_at"] = _DATETIME.to_representation(row["updated_at"])
    return {name: out[name] for name in LIST_FIELDS}


def _iso_date(value):
    return value.isoformat() if value is not None else None


class PlaceGradeEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    ruleset = serializers.SlugRelatedField(slug_field="version", read_only=True)

    class Meta:
        model = PlaceGradeEvent
        fields = ["id", "at", "actor", "cause", "ruleset", "old", "new"]


class GradingRuleSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradingRuleSet
        fields = ["id", "version", "name", "effective_from", "is_active", "notes", "document", "created_at"]
        read_only_fields = ["version", "name", "effective_from", "is_active", "notes", "created_at"]

    def create(self, validated_data):
        try:
            ruleset, _changed = actions.new_ruleset_version(
                validated_data["document"], actor=self.context["request"].user
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None
        return ruleset
