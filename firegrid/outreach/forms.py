"""Page forms and list filters of outreach. Choice fields are scoped to the user; whatever is saved
is checked again by the model, the action and the base views' in-scope check."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region, User
from firegrid.outreach.choices import (
    AlarmPresence,
    AlarmWorking,
    AttendanceResult,
    AudienceGroup,
    ConsentScope,
    FiveIntoTarget,
    HomeDeviceKind,
    HomeHazard,
    PublicityKind,
    Referral,
    VisitOutcome,
    VolunteerActivityKind,
)
from firegrid.outreach.models import (
    Attendance,
    Certificate,
    Household,
    PublicityActivity,
    PublicitySite,
    TrainingSession,
    Volunteer,
    VolunteerActivity,
    VolunteerHours,
)
from firegrid.outreach.scopes import CARE_ROLES

OUTSIDE = _("This household is outside your area: you may record visits only to households you care for.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def region_choices(user, levels=None):
    regions = Region.objects.restrict(user).order_by("path")
    return regions.filter(level__in=levels) if levels else regions


class RegionLabelMixin:
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class RegionField(RegionLabelMixin, forms.ModelChoiceField):
    pass


class UserFormMixin:
    """Takes the user (the base views pass it) and scopes region and people choices."""

    region_levels = None

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DateInput()
            if name in ("region", "grid"):
                levels = [RegionLevel.GRID] if name == "grid" else self.region_levels
                field.queryset = region_choices(user, levels)
                field.label_from_instance = lambda obj: f"{obj.name} ({obj.code})"


# ---- training -----------------------------------------------------------------------------------


class SessionForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = [
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
        ]


class AttendanceForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["user", "name", "group", "organisation", "result", "score"]

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.session = session
        self.fields["user"].queryset = (
            User.objects.restrict(self.user).filter(is_active=True).order_by("username")
        )
        self.fields["name"].required = False
        self.fields["group"].initial = session.audience

    def clean(self):
        data = super().clean()
        if not data.get("name") and not data.get("user"):
            self.add_error("name", _("Name the person, or choose their platform account."))
        elif not data.get("name"):
            data["name"] = str(data["user"])[:60]
            self.instance.name = data["name"]
        return data


class CertificateForm(forms.Form):
    number = forms.CharField(
        label=_("certificate number"),
        max_length=60,
        required=False,
        help_text=_("Left empty, a number is generated."),
    )
    issued_on = forms.DateField(label=_("issued on"), widget=DateInput(), required=False)
    issued_by = forms.CharField(label=_("issued by"), max_length=120, required=False)


class LearningImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx or CSV file"))
    check_only = forms.BooleanField(label=_("Only check, do not import"), required=False)


class SessionFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("Search"))
    audience = filters.ChoiceFilter(choices=AudienceGroup.choices, label=_("audience group"))
    year = filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("year"))

    class Meta:
        model = TrainingSession
        fields = ["audience", "mode"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(topic__icontains=value) | Q(trainer__icontains=value))


class CertificateFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("Search"))
    group = filters.ChoiceFilter(
        field_name="attendance__group", choices=AudienceGroup.choices, label=_("key group")
    )
    valid = filters.BooleanFilter(method="filter_valid", label=_("valid today"))

    class Meta:
        model = Certificate
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(attendance__name__icontains=value))

    def filter_valid(self, queryset, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        q = Q(revoked_on__isnull=True, issued_on__lte=today, expires_on__gte=today)
        if value is None:
            return queryset
        return queryset.filter(q) if value else queryset.exclude(q)


# ---- households ----------------------------------------------------------------------------------


class HouseholdForm(UserFormMixin, forms.ModelForm):
    consent_scope = forms.MultipleChoiceField(
        label=_("consent covers"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Household
        fields = [
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
        ]
        widgets = {"consent_on": DateInput(), "consent_withdrawn_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = User.objects.restrict(self.user).filter(
            is_active=True, role_assignments__role__in=CARE_ROLES
        )
        self.fields["helper"].queryset = User.objects.filter(pk__in=visible.values("pk")).order_by(
            "full_name", "username"
        )


class HouseholdFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("Search"))
    category = filters.ChoiceFilter(
        method="filter_category",
        label=_("category"),
        choices=[
            ("elderly_alone", _("Elderly living alone")),
            ("left_behind_child", _("Left-behind child")),
            ("disability", _("Disability")),
        ],
    )
    not_visited_since = filters.DateFilter(
        method="filter_not_visited", label=_("not visited since"), widget=DateInput()
    )
    no_helper = filters.BooleanFilter(field_name="helper", lookup_expr="isnull", label=_("without a helper"))
    is_active = filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Household
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value else queryset

    def filter_not_visited(self, queryset, name, value):
        return queryset.filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=value))


class VisitForm(forms.Form):
    """The phone form of a "敲门行动" visit; the action checks the household and opens the cases."""

    household = forms.ModelChoiceField(
        label=_("household"), queryset=Household.objects.none(), error_messages={"invalid_choice": OUTSIDE}
    )
    visited_on = forms.DateField(label=_("visit date"), widget=DateInput())
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=VisitOutcome.choices,
        widget=forms.RadioSelect,
        initial=VisitOutcome.COMPLETED,
    )
    alarms_present = forms.ChoiceField(
        label=_("smoke alarms present"),
        choices=AlarmPresence.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    alarms_working = forms.ChoiceField(
        label=_("smoke alarms working"), choices=[("", "—"), *AlarmWorking.choices], required=False
    )
    alarms_installed = forms.IntegerField(
        label=_("smoke alarms installed on this visit"), min_value=0, max_value=20, initial=0, required=False
    )
    hazards = forms.MultipleChoiceField(
        label=_("hazards found"),
        choices=HomeHazard.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    photo = forms.ImageField(label=_("photo of a hazard"), required=False)
    referrals = forms.MultipleChoiceField(
        label=_("referrals"), choices=Referral.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    advice_given = forms.BooleanField(label=_("safety advice given"), required=False)
    follow_up_needed = forms.BooleanField(label=_("follow-up needed"), required=False)
    follow_up_by = forms.DateField(label=_("follow up by"), widget=DateInput(), required=False)
    companions = forms.CharField(label=_("with"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.restrict(user, "change").filter(is_active=True)
        self.fields["household"].label_from_instance = lambda h: f"{h.name} · {h.address}"

    def findings(self):
        data = self.cleaned_data
        return {
            "alarms_present": data.get("alarms_present") or "",
            "alarms_working": data.get("alarms_working") or "",
            "alarms_installed": data.get("alarms_installed") or 0,
            "hazards": list(data.get("hazards") or []),
            "referrals": list(data.get("referrals") or []),
            "advice_given": bool(data.get("advice_given")),
            "follow_up_needed": bool(data.get("follow_up_needed")),
            "follow_up_by": data.get("follow_up_by"),
            "companions": data.get("companions") or "",
            "notes": data.get("notes") or "",
            "lat": data.get("lat"),
            "lng": data.get("lng"),
        }


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=HomeDeviceKind.choices)
    installed_on = forms.DateField(label=_("installed on"), widget=DateInput())
    installed_by = forms.CharField(label=_("installed by"), max_length=120, required=False)
    funded_by = forms.CharField(label=_("funded by"), max_length=120, required=False)
    model = forms.CharField(label=_("model"), max_length=80, required=False)
    iot_ident = forms.CharField(label=_("IoT device id (if it reports)"), max_length=64, required=False)
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)


# ---- volunteers and publicity -----------------------------------------------------------------


class VolunteerForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = ["name", "phone", "region", "team", "skills", "joined_on", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from firegrid.org.models import OrgUnit

        self.fields["team"].queryset = OrgUnit.objects.restrict(self.user).filter(
            kind__in=["fire_team", "micro_station"]
        )


class ActivityForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = VolunteerActivity
        fields = ["title", "kind", "held_on", "region", "location", "notes"]


class HoursForm(forms.ModelForm):
    class Meta:
        model = VolunteerHours
        fields = ["volunteer", "hours"]

    def __init__(self, *args, user, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.activity = activity
        self.fields["volunteer"].queryset = Volunteer.objects.restrict(user).filter(is_active=True)


class VolunteerFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("Search"))
    is_active = filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Volunteer
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(skills__icontains=value))


class ActivityFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=VolunteerActivityKind.choices, label=_("kind"))
    year = filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("year"))

    class Meta:
        model = VolunteerActivity
        fields = []


class SelectionForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    region = RegionField(label=_("street/town or district"), queryset=Region.objects.none())
    places = forms.IntegerField(label=_("number to select"), min_value=1, max_value=50, initial=3)
    min_hours = forms.DecimalField(
        label=_("minimum hours"), min_value=0, max_digits=6, decimal_places=1, initial=8
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.restrict(user, "change")
            .filter(level__in=[RegionLevel.DISTRICT, RegionLevel.STREET])
            .order_by("path")
        )


class PublicitySiteForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = PublicitySite
        fields = ["name", "kind", "region", "address", "opened_on", "is_active"]


class PublicityForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = PublicityActivity
        fields = ["title", "kind", "target", "site", "region", "held_on", "organiser", "reach", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = PublicitySite.objects.restrict(self.user).filter(is_active=True)


class PublicityFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PublicityKind.choices, label=_("kind"))
    target = filters.ChoiceFilter(choices=FiveIntoTarget.choices, label=_("“five into” target"))
    year = filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("year"))

    class Meta:
        model = PublicityActivity
        fields = []


RESULT_CHOICES = AttendanceResult.choices
