"""Page forms: the facility (status only when it is created), the phone survey, plans, evaluations,
one-town/one-village plans, and the list filter."""

import django_filters as filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from firegrid.facilities import rules
from firegrid.facilities.choices import (
    KIND_GROUP,
    Access,
    CheckKind,
    FacilityKind,
    FacilityStatus,
    KindGroup,
    PlanStatus,
    PolicyStatus,
    kinds_of_group,
)
from firegrid.facilities.models import AncientTownPolicy, ConstructionPlan, Facility
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FacilityFilter(filters.FilterSet):
    """Shared by the list page, the API, the map layer and the xlsx export."""

    q = filters.CharFilter(method="filter_q", label=_("Search"))
    kind = filters.MultipleChoiceFilter(choices=FacilityKind.choices, label=_("kind"))
    group = filters.ChoiceFilter(choices=KindGroup.choices, method="filter_group", label=_("group"))
    status = filters.MultipleChoiceFilter(choices=FacilityStatus.choices, label=_("status"))
    within = filters.CharFilter(method="filter_within", label=_("region code"))
    ancient = filters.BooleanFilter(method="filter_ancient", label=_("in an ancient town"))
    noncompliant = filters.BooleanFilter(method="filter_noncompliant", label=_("fails a rule"))
    unchecked_since = filters.DateFilter(
        method="filter_unchecked", label=_("not checked since"), widget=DateInput()
    )

    class Meta:
        model = Facility
        fields = ["kind", "status"]

    def filter_q(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(name__icontains=term)
                | Q(address__icontains=term)
                | Q(code__iexact=term)
                | Q(owner__icontains=term)
            )
        return queryset

    def filter_group(self, queryset, name, value):
        return queryset.filter(kind__in=kinds_of_group(value)) if value else queryset

    def filter_within(self, queryset, name, value):
        region = Region.objects.filter(code=value.strip()).only("path").first()
        return queryset.filter(region__path__startswith=region.path) if region else queryset.none()

    def filter_ancient(self, queryset, name, value):
        if value is None:
            return queryset
        q = rules.in_ancient_q(rules.ancient_paths())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_noncompliant(self, queryset, name, value):
        if value is None:
            return queryset
        q = rules.noncompliant_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_unchecked(self, queryset, name, value):
        return queryset.filter(Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=value))

    @property
    def active_count(self):
        data = self.form.data if self.is_bound else {}
        return sum(1 for key in self.form.fields if key != "q" and data.get(key))


FACILITY_FIELDS = [
    "name",
    "kind",
    "status",
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
    "plan",
    "device_idents",
    "notes",
]


class FacilityForm(forms.ModelForm):
    """Attributes of a facility. The status is chosen when it is registered; later it changes only
    through a check record, so the field is shown read-only on edits."""

    class Meta:
        model = Facility
        fields = FACILITY_FIELDS
        widgets = {
            "installed_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "lat": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "lng": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["plan"].queryset = ConstructionPlan.objects.restrict(user, "change").select_related(
            "region"
        )
        if self.instance.pk:
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("Record a check to change the status.")

    def save(self, commit=True):
        from firegrid.facilities.actions import save_facility

        facility = super().save(commit=False)
        return save_facility(facility, actor=self.user)


class SurveyForm(forms.Form):
    """The field form on the phone: status found, pressure, access, damage, photo, where."""

    kind = forms.ChoiceField(label=_("Kind of record"), choices=CheckKind.choices, initial=CheckKind.SURVEY)
    status_after = forms.ChoiceField(
        label=_("Status found"), choices=FacilityStatus.choices, widget=forms.RadioSelect
    )
    pressure_mpa = forms.FloatField(
        label=_("Pressure (MPa)"),
        required=False,
        min_value=0,
        max_value=5,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    water_level_pct = forms.IntegerField(
        label=_("Water level (%)"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    access = forms.ChoiceField(
        label=_("Access for a fire engine"), choices=[("", "—"), *Access.choices], required=False
    )
    damage = forms.CharField(
        label=_("Damage found"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def __init__(self, *args, facility=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.facility = facility
        if facility is not None:
            self.fields["status_after"].initial = facility.status
            group = KIND_GROUP.get(facility.kind)
            if group != KindGroup.WATER:
                del self.fields["pressure_mpa"]
                del self.fields["water_level_pct"]
            elif facility.kind not in (FacilityKind.POOL, FacilityKind.TANK):
                del self.fields["water_level_pct"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The photo is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // 2**20}
            )
        return photo


class PlanForm(forms.ModelForm):
    class Meta:
        model = ConstructionPlan
        fields = ["region", "year", "title", "status", "budget_wan", "target_count", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = Region.objects.restrict(user, "change").filter(
            level=RegionLevel.STREET
        )
        self.fields["status"].choices = PlanStatus.choices


class EvaluationForm(forms.Form):
    evaluated_on = forms.DateField(label=_("Evaluated on"), widget=DateInput())
    progress_pct = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    spent_wan = forms.DecimalField(label=_("Spent so far (10,000 yuan)"), min_value=0, required=False)
    summary = forms.CharField(
        label=_("Assessment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = AncientTownPolicy
        fields = ["region", "year", "title", "status", "text", "attachment"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        paths = rules.ancient_paths()
        writable = Region.objects.restrict(user, "change").filter(
            level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY]
        )
        self.fields["region"].queryset = writable.filter(rules.in_ancient_q(paths, prefix="")).order_by(
            "path"
        )
        self.fields["status"].choices = PolicyStatus.choices

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "size"):
            if upload.size > settings.UPLOAD_MAX_BYTES:
                raise ValidationError(
                    _("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // 2**20}
                )
            if not upload.name.lower().endswith(ATTACHMENT_EXTENSIONS):
                raise ValidationError(
                    _("Attach a document of one of these types: %(ext)s")
                    % {"ext": " ".join(ATTACHMENT_EXTENSIONS)}
                )
        return upload

    def save(self, commit=True):
        policy = super().save(commit=False)
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "size") and "attachment" in self.changed_data:
            policy.attachment_name = upload.name[:200]
        if commit:
            policy.save()
        return policy
