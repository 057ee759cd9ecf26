"""Page forms of the organisation registry.

Every form takes the signed-in `user`; every related-object choice is limited to what that user
may write (`restrict(user, "change")`), so a street officer cannot pick another street's region,
unit or compound. Model rules live in Model.clean()/save(); errors they raise land on the form.
"""

import django_filters
from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import user_scope
from firegrid.org.choices import LEVEL_ORDER, RegionLevel, Sector, UnitKind
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

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARENT_LEVELS = LEVEL_ORDER[:-1]  # a grid has no children

# Fields each kind of unit has on top of the common ones.
KIND_FIELDS = {
    UnitKind.FIRE_TEAM: ["team_type"],
    UnitKind.DEPARTMENT: ["sectors"],
    UnitKind.POLICE_STATION: ["covered_regions"],
    UnitKind.MICRO_STATION: ["owner_kind", "residential_area", "owner_name", "duty_phone", "equipment"],
}
KIND_SPECIFIC = ["team_type", "sectors", "covered_regions", "owner_kind", "owner_name", "residential_area",
                 "duty_phone", "equipment"]
BLANK_VALUES = {"sectors": list, "residential_area": lambda: None}


def label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def writable(model, user):
    return model.objects.restrict(user, "change")


class CodeInput(forms.TextInput):
    """A text box for a code, with the user's choices offered as a datalist."""

    template_name = "org/widgets/code_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-options"
        context["widget"]["attrs"].setdefault("autocomplete", "off")
        context["options"] = [(str(value), label) for value, label in self.choices if value != ""]
        return context


class RegionCodeField(forms.ModelChoiceField):
    """A region picked by its code."""

    widget = CodeInput
    default_error_messages = {"invalid_choice": _("No region with this code in your jurisdiction.")}

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("help_text", _("Type the region code; suggestions list your regions."))
        super().__init__(queryset if queryset is not None else Region.objects.all(), to_field_name="code",
                         **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_level_display()})"



class ScopedModelForm(forms.ModelForm):
    """Limits every related-object choice to what `user` may write; keeps a current value that is not."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                self._scope_field(name, field)
            if isinstance(field, RegionCodeField) and isinstance(self.initial.get(name), int):
                # model_to_dict gives the pk; the box shows (and a disabled field submits) the code
                codes = Region.objects.filter(pk=self.initial[name]).values_list("code", flat=True)
                self.initial[name] = codes.first()

    def _scope_field(self, name, field):
        model = field.queryset.model
        allowed = field.queryset.filter(pk__in=writable(model, self.user).values("pk"))
        current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
        if current and not allowed.filter(pk=current).exists():
            # e.g. a street officer editing their own street: its parent (the district) stays as it is.
            field.queryset = model.objects.filter(pk=current)
            field.disabled = True
            return
        field.queryset = allowed

    def add_error(self, field, error):
        # Model.clean() may name fields this form does not show; report those errors on the form.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            shown = {}
            for name, errors in error.error_dict.items():
                key = name if name == NON_FIELD_ERRORS or name in self.fields else NON_FIELD_ERRORS
                shown.setdefault(key, []).extend(errors)
            error = ValidationError(shown)
        super().add_error(field, error)

    @property
    def is_district_wide(self):
        scope = user_scope(self.user)
        return scope.superuser or bool(scope.roles & DISTRICT_WIDE)


class RegionForm(ScopedModelForm):
    parent = RegionCodeField(
        Region.objects.filter(level__in=PARENT_LEVELS), required=False, label=label(Region, "parent")
    )

    class Meta:
        model = Region
        fields = ["level", "kind", "code", "name", "parent", "boundary", "population", "is_ancient_town"]
        widgets = {"boundary": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})}
        help_texts = {"boundary": _("GeoJSON Polygon or MultiPolygon in longitude, latitude order.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["level"].disabled = True  # moving a region between levels would break the tree
        if not self.user.is_superuser and (self.instance.pk is None or self.instance.parent_id):
            self.fields["parent"].required = True  # only a superuser creates a district


class OrgUnitForm(ScopedModelForm):
    sectors = forms.MultipleChoiceField(
        label=label(OrgUnit, "sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region = RegionCodeField(label=label(OrgUnit, "region"))

    class Meta:
        model = OrgUnit
        fields = ["kind", "name", "region", "phone", "address", "lat", "lng", "established_on", "is_active",
                  *KIND_SPECIFIC]
        widgets = {"established_on": DATE, "equipment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = self._chosen_kind()
        keep = set(KIND_FIELDS.get(self.kind, []))
        for name in KIND_SPECIFIC:
            if name not in keep:
                del self.fields[name]
        if "covered_regions" in self.fields:
            field = self.fields["covered_regions"]
            field.queryset = field.queryset.filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])
        self.fields["kind"].widget.attrs["data-kind-switch"] = "true"

    def _chosen_kind(self):
        if self.is_bound:
            return self.data.get(self.add_prefix("kind")) or ""
        return self.initial.get("kind") or self.instance.kind or ""

    def _post_clean(self):
        # Clear what the chosen kind does not have, so a unit that changed kind keeps no stale data.
        for name in KIND_SPECIFIC:
            if name not in self.fields and name != "covered_regions":
                default = BLANK_VALUES.get(name, str)()
                setattr(self.instance, name, default)
        super()._post_clean()


class OrgMemberForm(ScopedModelForm):
    class Meta:
        model = OrgMember
        fields = ["name", "position", "title", "phone", "full_time", "since", "user"]
        widgets = {"since": DATE}


class StaffCreateForm(ScopedModelForm, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "org_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff outside every unit would be outside a street officer's reach once saved.
        self.fields["org_unit"].required = not self.is_district_wide


class StaffForm(ScopedModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "email", "org_unit", "is_active"]


class RoleAssignmentForm(ScopedModelForm):
    region = RegionCodeField(required=False, label=label(RoleAssignment, "region"))

    class Meta:
        model = RoleAssignment
        fields = ["role", "region", "unit", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(
            kind__in=[UnitKind.POLICE_STATION, UnitKind.DEPARTMENT]
        )
        self.fields["unit"].help_text = _("Only for police station officers and department staff.")
        if not self.is_district_wide:
            district_roles = {Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER, Role.DEPT_STAFF}
            choices = self.fields["role"].choices
            self.fields["role"].choices = [c for c in choices if c[0] not in district_roles]

    def clean(self):
        cleaned = super().clean()
        # The form does not show `user`, so Django skips the unique constraint that involves it.
        duplicate = RoleAssignment.objects.filter(
            user=self.instance.user, role=cleaned.get("role"), region=cleaned.get("region")
        ).exclude(pk=self.instance.pk)
        if cleaned.get("role") and duplicate.exists():
            raise ValidationError(_("The user already has this role in this region."))
        return cleaned


class QualificationForm(ScopedModelForm):
    class Meta:
        model = Qualification
        fields = ["kind", "certificate_no", "passed_on", "expires_on", "training_hours", "issued_by",
                  "training_record"]
        widgets = {
            "passed_on": DATE,
            "expires_on": DATE,
            "training_record": forms.Textarea(attrs={"rows": 2}),
        }


class ResidentialAreaForm(ScopedModelForm):
    region = RegionCodeField(
        Region.objects.filter(level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID]),
        label=label(ResidentialArea, "region"),
    )

    class Meta:
        model = ResidentialArea
        fields = ["kind", "name", "region", "address", "lat", "lng", "households", "built_year"]


class FireManagerForm(ScopedModelForm):
    class Meta:
        model = FireManager
        fields = ["name", "phone", "user", "appointed_on"]
        widgets = {"appointed_on": DATE}


# ---- list filters ---------------------------------------------------------------------------

class WithinRegionFilter(django_filters.CharFilter):
    """Rows in the subtree of the region with this code."""

    def __init__(self, *args, path_field="region__path", **kwargs):
        self.path_field = path_field
        kwargs.setdefault("label", _("Region code"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        region = Region.objects.filter(code=value.strip()).first()
        if region is None:
            return qs.none()
        return qs.filter(**{f"{self.path_field}__startswith": region.path})


class SearchFilter(django_filters.CharFilter):
    def __init__(self, *args, fields=("name",), **kwargs):
        self.fields = fields
        kwargs.setdefault("label", _("Search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        q = Q()
        for name in self.fields:
            q |= Q(**{f"{name}__icontains": value.strip()})
        return qs.filter(q)


class OrgUnitFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "address"))
    region = WithinRegionFilter()

    class Meta:
        model = OrgUnit
        fields = ["q", "kind", "region"]


class ResidentialAreaFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "address"))
    region = WithinRegionFilter()

    class Meta:
        model = ResidentialArea
        fields = ["q", "kind", "region"]


class FireManagerFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "phone", "area__name"))
    region = WithinRegionFilter(path_field="area__region__path")

    class Meta:
        model = FireManager
        fields = ["q", "region"]


class StaffFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("username", "full_name", "phone"))
    role = django_filters.ChoiceFilter(
        field_name="role_assignments__role", choices=Role.choices, label=label(RoleAssignment, "role"),
        distinct=True,
    )

    class Meta:
        model = User
        fields = ["q", "role"]
