"""Page forms of inspections, plans, campaigns and draws.

Forms only check what a person typed; the rules (who may inspect, which items a list has, what a
draw may take) stay in the actions, whose ValidationErrors the views put on these forms.
"""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.fastforms import FastRenderer
from firegrid.inspections.choices import AnswerResult, CampaignKind, InspectionKind, InspectionStatus, Outcome
from firegrid.inspections.major_hazard import load_edition
from firegrid.inspections.models import Campaign, ChecklistVersion, Inspection
from firegrid.org.forms import RegionCodeField
from firegrid.org.models import OrgUnit, Region, RoleAssignment, User
from firegrid.places.choices import PlaceKind, RiskLevel
from firegrid.places.forms import flag_labels, localised

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def put_errors(form, exc, rename=None):
    """An action's ValidationError onto the form: on the fields it shows (`rename` maps the action's
    names to the form's), the rest on the form as a whole."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = (rename or {}).get(name, name)
        field = name if name in form.fields else None
        for error in errors:
            form.add_error(field, error)


def error_texts(exc):
    """An action's ValidationError (or a bound form's errors) as plain sentences, for messages."""
    if isinstance(exc, forms.Form):
        return [str(e) for errors in exc.errors.values() for e in errors]
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


# ---- inspection list ---------------------------------------------------------------------------


class InspectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_place", label=_("Place"))
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"), empty_label=_("Any"))
    status = django_filters.ChoiceFilter(
        choices=InspectionStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"), empty_label=_("Any"))
    place = django_filters.NumberFilter(field_name="place", widget=forms.HiddenInput)

    class Meta:
        model = Inspection
        fields = ["q", "kind", "status", "outcome", "place"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Place name, address or code")}
        )

    def filter_place(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(place__name__icontains=value)
            | Q(place__address__icontains=value)
            | Q(place__code=value.upper())
        )

    @property
    def active_count(self):
        data = self.form.data if self.is_bound else {}
        return sum(1 for name in ("kind", "status", "outcome") if data.get(name))


# ---- starting an inspection --------------------------------------------------------------------


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        name = obj.full_name or obj.username
        if getattr(obj, "has_valid_enforcement", False):
            return f"{name} · {_('qualified')}"
        return name


def inspector_candidates(user, place):
    """People the user may name for an inspection of the place: those in the user's scope who work
    in the place's street (or above it), the place's own people, and the user."""
    parts = [p for p in place.region.path.split("/") if p]
    ancestors = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    street_path = ancestors[1] if len(ancestors) > 1 else ancestors[0]
    # each clause an id subquery that reads an index (the region path, the role's region, the unit's
    # region, the place's owners), not joins ORed together over every user, unit and region
    roles = RoleAssignment.objects.values("user_id")
    units = OrgUnit.objects.filter(region__path__startswith=street_path).values("pk")
    owners = place.owners.through.objects.filter(place_id=place.pk).values("user_id")
    nearby = (
        Q(pk__in=roles.filter(region__path__in=ancestors))
        | Q(pk__in=roles.filter(region__path__startswith=street_path))
        | Q(org_unit__in=units)
        | Q(pk__in=owners)
    )
    in_scope = User.objects.restrict(user).filter(nearby).values("pk")
    return (
        User.objects.filter(Q(pk__in=in_scope) | Q(pk=user.pk), is_active=True)
        .with_can_inspect()
        .order_by("full_name", "username")
    )


class StartForm(forms.Form):
    default_renderer = FastRenderer  # Django's form templates' markup, written in Python
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices, widget=forms.RadioSelect)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("For a special campaign inspection."),
    )
    previous = forms.ModelChoiceField(
        label=_("Re-inspection of"),
        queryset=Inspection.objects.none(),
        required=False,
        help_text=_("For a re-inspection: the earlier inspection whose hazards are checked again."),
    )
    inspectors = InspectorChoiceField(
        label=_("Inspectors"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.place = user, place
        self.fields["campaign"].queryset = Campaign.objects.restrict(user).filter(targets__place=place)
        self.fields["previous"].queryset = (
            Inspection.objects.restrict(user)
            .filter(place=place, status=InspectionStatus.SUBMITTED)
            .select_related("place")  # each choice's label names the place
            .order_by("-inspected_on", "-id")
        )
        self.fields["inspectors"].queryset = inspector_candidates(user, place)


# ---- the phone form ----------------------------------------------------------------------------


def element_choices():
    document = load_edition()
    return [(e["id"], e["id"]) for e in document["direct"] + document["comprehensive"]]


class AnswerForm(forms.Form):
    """One checklist item, posted on its own as the inspector goes."""

    checklist = forms.CharField(max_length=40, widget=forms.HiddenInput)
    item_code = forms.CharField(max_length=20, widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Result"), choices=AnswerResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea)
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    elements = forms.MultipleChoiceField(
        label=_("GB 35181 elements"), choices=element_choices, required=False
    )
    corrected_on_spot = forms.BooleanField(label=_("Corrected on the spot"), required=False)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(
                _("The photo is %(size)s; the limit is %(limit)s. Take it again at a lower resolution."),
                params={"size": filesizeformat(photo.size), "limit": filesizeformat(MAX_PHOTO_BYTES)},
            )
        return photo

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") != AnswerResult.FAIL:
            # the details of a failure: a pass or n/a evidences no element and corrects nothing
            cleaned["elements"] = []
            cleaned["corrected_on_spot"] = False
        return cleaned


class DetailsForm(forms.Form):
    """Location stamp, notes and (self-checks) the public commitment."""

    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    commitment = forms.CharField(
        label=_("Public commitment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the place's public page once the self-inspection is submitted."),
    )

    def __init__(self, *args, inspection, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "lat": inspection.lat,
                "lng": inspection.lng,
                "notes": inspection.notes,
                "commitment": inspection.commitment,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("lat", "lng"):
            self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})
        if inspection.kind != InspectionKind.SELF_CHECK:
            del self.fields["commitment"]
        else:
            self.fields["commitment"].widget.attrs["placeholder"] = _(
                "We know, check and correct our fire hazards ourselves (自知、自查、自改)."
            )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None) and not self.errors:
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned


class SubmitForm(forms.Form):
    not_judged = forms.ChoiceField(
        label=_("Not judged under GB 35181"),
        required=False,
        help_text=_("Only when the norm's not-judged case applies to this place."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cases = load_edition()["not_judged"]
        self.fields["not_judged"].choices = [("", _("No: judge the findings")), *[
            (c["id"], localised(c["text"], c["id"])) for c in cases
        ]]


class DecisionForm(forms.Form):
    CONFIRM, OVERRIDE = "confirm", "override"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(CONFIRM, _("Confirm the proposal")), (OVERRIDE, _("Override the proposal"))],
        widget=forms.RadioSelect,
        initial=CONFIRM,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to override: the clause or fact that decides it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.OVERRIDE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for overriding the proposal."))
        return cleaned

    def major(self, inspection):
        proposed = bool(inspection.determination.get("major"))
        return proposed if self.cleaned_data["decision"] == self.CONFIRM else not proposed


# ---- plans, campaigns, draws -------------------------------------------------------------------


def region_field(user, action="view", **kwargs):
    regions = Region.objects.restrict(user, action).exclude(level="grid")
    field = RegionCodeField(queryset=regions, label=_("Area"), **kwargs)
    field.widget.choices = [(r.code, f"{r.name} ({r.get_level_display()})") for r in regions[:300]]
    field.widget.attrs["placeholder"] = "T501"
    return field


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        kwargs["initial"] = {"year": timezone.localdate().year} | (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        self.fields["region"] = region_field(user, "change")


YES_NO_ANY = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class PlaceFiltersForm(forms.Form):
    """The place-list filters a campaign or a draw takes its places by (PlaceFilter's names)."""

    kind = forms.MultipleChoiceField(
        label=_("Place kinds"),
        choices=PlaceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    risk_level = forms.MultipleChoiceField(
        label=_("Risk levels"), choices=RiskLevel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_key_unit = forms.ChoiceField(label=_("Key unit"), choices=YES_NO_ANY, required=False)
    flag = forms.ChoiceField(label=_("Flag"), required=False)

    FILTER_FIELDS = ("kind", "risk_level", "is_key_unit", "flag")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        flags = sorted(flag_labels().items(), key=lambda item: item[1])
        self.fields["flag"].choices = [("", _("Any")), *flags]
        self.fields["region"] = region_field(user)

    def place_filters(self):
        """The filters as PlaceFilter data, without the empty ones."""
        data = {}
        for name in self.FILTER_FIELDS:
            value = self.cleaned_data.get(name)
            if value:
                data[name] = list(value) if isinstance(value, list | tuple) else value
        return data

    def filter_fields(self):
        return [self[name] for name in self.FILTER_FIELDS]


class CampaignForm(PlaceFiltersForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    campaign_kind = forms.ChoiceField(label=_("Campaign kind"), choices=CampaignKind.choices)
    checklists = forms.MultipleChoiceField(
        label=_("Extra checklists"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Used on top of the lists that apply to each place."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    field_order = ["name", "campaign_kind", "region", "starts_on", "deadline", "checklists"]

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        defaults = {"starts_on": today, "deadline": today + datetime.timedelta(days=60)}
        kwargs["initial"] = defaults | (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        titles = {}
        for code, document in ChecklistVersion.objects.filter(is_active=True).values_list("code", "document"):
            titles.setdefault(code, localised(document.get("title"), code))
        self.fields["checklists"].choices = sorted(titles.items())
        self.order_fields(self.field_order)

    def main_fields(self):
        return [self[name] for name in self.field_order]


class DrawForm(PlaceFiltersForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    sample_size = forms.IntegerField(label=_("Sample size"), min_value=1, required=False)
    percent = forms.DecimalField(
        label=_("Or a share of the pool (%)"),
        min_value=Decimal("0.01"),
        max_value=100,
        decimal_places=2,
        required=False,
        help_text=_("Give a sample size or a share, not both."),
    )

    field_order = ["title", "region", "sample_size", "percent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("sample_size") is None) == (cleaned.get("percent") is None) and not (
            self.has_error("sample_size") or self.has_error("percent")
        ):
            raise ValidationError(_("Give either a sample size or a share of the pool."))
        return cleaned

    def params(self):
        percent = self.cleaned_data.get("percent")
        return {
            "filters": self.place_filters(),
            "sample_size": self.cleaned_data.get("sample_size"),
            "ratio": float(percent) / 100 if percent is not None else None,
        }

    def main_fields(self):
        return [self[name] for name in self.field_order]

