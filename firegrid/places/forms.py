"""Page forms of the place registry: the place form, the list filters and the rule-set editor.

The place form never sets the grid, sector or grade: `actions.save_place` derives them. It checks
before saving that the coordinates lie in a grid the user may write to, as the API does, so a
street officer cannot register a place in another street.
"""

import json
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from firegrid.core.fastwidgets import FastCodeInput, FastSelect
from firegrid.core.roles import ORG_WRITERS
from firegrid.core.scoping import user_scope
from firegrid.org.choices import RegionLevel, Sector
from firegrid.org.forms import ScopedModelForm
from firegrid.org.models import Region
from firegrid.places import actions
from firegrid.places.choices import Authority, PlaceKind, PlaceStatus, RiskLevel, SelfBuiltUse
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.grading import RuleSetError, compile_ruleset
from firegrid.places.models import GradingRuleSet, Place, normalise_address

# The place form in groups, in the order a person fills it in.
FIELD_GROUPS = [
    ("identity", _("Identity"), ["name", "kind", "status", "credit_code"]),
    ("location", _("Location"), ["address", "lat", "lng", "residential_area"]),
    ("people", _("People"), ["responsible_person", "responsible_phone", "manager_name", "manager_phone"]),
    (
        "building",
        _("Building"),
        ["building_area", "area_above_ground", "area_underground", "height_m", "floors_above",
         "floors_below", "built_year", "has_fire_control_room"],
    ),
    (
        "occupancy",
        _("Occupancy"),
        ["rooms", "beds", "children", "boarding_beds", "staff_count", "occupants", "households"],
    ),
    ("self_built", _("Self-built house"), ["self_built_uses"]),
    ("commitment", _("Public commitment"), ["public_commitment"]),
]
PLACE_FIELDS = [name for _key, _title, names in FIELD_GROUPS for name in names]
# What a unit owner keeps up to date; location, kind and the attributes the grade depends on are
# kept by the officers who supervise the place.
REGION_SUGGESTIONS = 300
OWNER_FIELDS = ["responsible_person", "responsible_phone", "manager_name", "manager_phone",
                "public_commitment"]


def is_org_writer(user):
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & ORG_WRITERS)


def localised(labels, fallback=""):
    """A {"zh-hans": …, "en": …} label in the current language (then English, then any)."""
    if not isinstance(labels, dict):
        return str(labels or fallback)
    language = (get_language() or "en").lower()
    for key in (language, language.split("-")[0], "en", "zh-hans"):
        if labels.get(key):
            return labels[key]
    return next(iter(labels.values()), fallback) if labels else fallback


def flag_labels(ruleset=None):
    """Flag code → label in the current language, from the rule set in force."""
    ruleset = ruleset or GradingRuleSet.active()
    flags = (ruleset.document.get("flags") or {}) if ruleset else {}
    return {code: localised(labels, code) for code, labels in flags.items()}


class PlaceForm(ScopedModelForm):
    self_built_uses = forms.MultipleChoiceField(
        label=_("Self-built house uses"),
        choices=SelfBuiltUse.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for a self-built house: what it is used for besides living in."),
    )

    class Meta:
        model = Place
        fields = PLACE_FIELDS
        widgets = {
            "public_commitment": forms.Textarea(attrs={"rows": 4}),
            "lat": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "lng": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        }
        help_texts = {
            "lat": _("Decimal degrees; the grid is found from the coordinates."),
            "public_commitment": _("Shown on the public page behind the place's code."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_only = not is_org_writer(self.user)
        if self.owner_only:
            for name in list(self.fields):
                if name not in OWNER_FIELDS:
                    del self.fields[name]
        if "self_built_uses" in self.fields and self.instance.self_built_uses:
            self.initial.setdefault("self_built_uses", list(self.instance.self_built_uses))

    def groups(self):
        """(key, title, bound fields) of each group the form shows."""
        shown = []
        for key, title, names in FIELD_GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                shown.append((key, title, fields))
        return shown

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if "lat" not in self.fields or lat is None or lng is None:
            return cleaned
        moved = self.instance.pk is None or (lat, lng) != (self.instance.lat, self.instance.lng)
        if not moved:
            return cleaned
        try:
            grid = actions.locate_grid(lat, lng)
        except ValidationError as exc:
            raise ValidationError({"lat": exc.message_dict["lat"]}) from None
        if not Region.objects.restrict(self.user, "change").filter(pk=grid.pk).exists():
            message = _("The place lies in %(grid)s, outside your jurisdiction.") % {"grid": grid}
            self.add_error("lat", message)
        return cleaned

    def save(self, commit=True):
        place = super().save(commit=False)
        if commit:
            actions.save_place(place, actor=self.user)
        return place


# ---- list filters ---------------------------------------------------------------------------

class AnyBooleanWidget(django_filters.widgets.BooleanWidget, FastSelect):
    """Any / yes / no, rendered by FastSelect (after BooleanWidget has mapped the value)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("Any")), ("true", _("Yes")), ("false", _("No")))


def _flag_choices():
    return sorted(flag_labels().items(), key=lambda item: item[1])


def _with_any(choices):
    return [("", _("Any")), *choices]


class PlacePageFilter(PlaceFilter):
    """The shared place filters as a page form: single choices, a search box, region suggestions."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        choices=PlaceKind.choices, label=_("Kind"), empty_label=_("Any"), widget=FastSelect
    )
    risk_level = django_filters.ChoiceFilter(
        choices=RiskLevel.choices, label=_("Risk level"), empty_label=_("Any"), widget=FastSelect
    )
    authority = django_filters.ChoiceFilter(
        choices=Authority.choices, label=_("Supervising authority"), empty_label=_("Any"), widget=FastSelect
    )
    status = django_filters.ChoiceFilter(
        choices=PlaceStatus.choices, label=_("Status"), empty_label=_("Any"), widget=FastSelect
    )
    flag = django_filters.ChoiceFilter(
        choices=[], method="filter_flag", label=_("Flag"), empty_label=_("Any"), widget=FastSelect
    )
    is_key_unit = django_filters.BooleanFilter(label=_("Key unit"), widget=AnyBooleanWidget)
    due = django_filters.BooleanFilter(method="filter_due", label=_("Due for inspection"),
                                       widget=AnyBooleanWidget)
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, label=_("Sector"), empty_label=_("Any"), widget=FastSelect
    )
    within = django_filters.CharFilter(method="filter_within", label=_("Region code"), widget=FastCodeInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["flag"].choices = _flag_choices()
        widget = self.form.fields["within"].widget
        # the widest regions first: a district admin gets streets and communities, a grid worker their grid
        user = getattr(self.request, "user", None)
        regions = Region.objects.restrict(user).order_by(Length("path"), "path")[:REGION_SUGGESTIONS]
        # rows, not model instances, and each level's name translated once (up to 300 suggestions)
        levels = {value: str(label) for value, label in RegionLevel.choices}
        widget.choices = [
            (code, f"{name} ({levels.get(level, level)})")
            for code, name, level in regions.values_list("code", "name", "level")
        ]
        widget.attrs["placeholder"] = "T501"
        self.form.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name, address, credit code or place code")}
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(name__icontains=value) | Q(credit_code=value.upper()) | Q(code=value.upper())
        key = normalise_address(value)
        q |= Q(address_key__contains=key) if key else Q(address__icontains=value)
        return queryset.filter(q)

    @property
    def active_count(self):
        """How many filters besides the search box are set (the filter panel opens when any is)."""
        data = self.form.data if self.is_bound else {}
        return sum(1 for name in self.filters if name != "q" and data.get(name) not in (None, ""))


# ---- grading rules --------------------------------------------------------------------------

def next_version(version):
    """A suggested version after this one: the last number counted up ("qijiang-2026.1" → ".2")."""
    match = re.search(r"(\d+)(\D*)$", version)
    if not match:
        return f"{version}-2"
    number = str(int(match.group(1)) + 1)
    return version[: match.start(1)] + number + match.group(2)


def document_text(document):
    return json.dumps(document, ensure_ascii=False, indent=1)


class RuleSetForm(forms.Form):
    """The rule-set document as JSON; a valid document with a version not used before is accepted."""

    document = forms.CharField(
        label=_("Rules (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code-input"}),
        help_text=_(
            "Saving creates a new version, puts it in force and regrades every place. "
            "Give the new version its own 'version'."
        ),
    )

    def clean_document(self):
        text = self.cleaned_data["document"]
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("This is not valid JSON: %(problem)s (line %(line)s, column %(column)s)."),
                params={"problem": exc.msg, "line": exc.lineno, "column": exc.colno},
            ) from None
        try:
            compile_ruleset(document)
        except RuleSetError as exc:
            raise ValidationError(
                _("The rules are not valid: %(problem)s"), params={"problem": str(exc)}
            ) from None
        version = str(document.get("version", ""))
        if GradingRuleSet.objects.filter(version=version).exists():
            raise ValidationError(
                _("Version %(version)s exists already; give the edited rules a new version."),
                params={"version": version},
            )
        return document
