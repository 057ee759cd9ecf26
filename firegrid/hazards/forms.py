"""Page forms of hazard cases: recording a report received by staff, and one form per step.

The forms check the shape of the input only; who may take a step, and from which status, is
decided by the service functions in `hazards.actions` and `hazards.escalation`.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.fastforms import FastRenderer
from firegrid.hazards import deadlines
from firegrid.hazards.actions import DISTRICT_HANDLERS, STREET_HANDLERS, acting_roles
from firegrid.hazards.choices import STAFF_CHANNELS, CloseReason, Severity
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.choices import UnitKind
from firegrid.org.models import OrgUnit
from firegrid.places.models import Place


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the service checks each one (type by content, size, count)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        cleaned = single(data, initial)
        return [cleaned] if cleaned else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def note_field(label=None, required=False, rows=2):
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def normalise_code(value):
    return (value or "").upper().replace(" ", "").replace("-", "")


# ---- recording a case ------------------------------------------------------------------------


class CaseReportForm(forms.Form):
    """A hazard recorded by staff: found on a round, or received by phone (12345, 96119, 渝快办)."""

    default_renderer = FastRenderer  # Django's form templates' markup, written in Python

    place_code = forms.CharField(
        label=_("Place code"),
        required=False,
        max_length=20,
        help_text=_("The code on the place's sign; or leave it empty and give the location."),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    address = forms.CharField(label=_("Address or landmark"), required=False, max_length=300)
    category = forms.ModelChoiceField(queryset=HazardCategory.objects.none(), label=_("Category"))
    description = forms.CharField(
        label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField()
    channel = forms.ChoiceField(label=_("Received through"), choices=())
    external_ref = forms.CharField(
        label=_("Reference in the channel"),
        required=False,
        max_length=60,
        help_text=_("The ticket number of the 12345 / 96119 / Yukuaiban report, if any."),
    )
    anonymous = forms.BooleanField(label=_("The reporter wishes to stay anonymous"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=60)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Reporter's email"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = HazardCategory.objects.filter(is_active=True)
        self.fields["channel"].choices = [(c.value, c.label) for c in STAFF_CHANNELS]
        self.fields["place_code"].widget.attrs.update({"autocapitalize": "characters", "autocomplete": "off"})
        for name in ("lat", "lng"):
            self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})

    def clean_place_code(self):
        code = normalise_code(self.cleaned_data.get("place_code"))
        if not code:
            return None
        place = Place.objects.restrict(self.user).filter(code=code).first()
        if place is None:
            raise ValidationError(_("No place with this code in your jurisdiction."))
        return place

    def clean(self):
        data = super().clean()
        place = data.get("place_code")
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        elif place is None and lat is None and not data.get("photos") and "place_code" not in self.errors:
            self.add_error("place_code", _("Say where the hazard is: give the place code or a location."))
        return data


# ---- the steps ---------------------------------------------------------------------------------


class StepForm(forms.Form):
    """A step on a case; carries the version the page showed, so a stale page gets a clear conflict."""

    default_renderer = FastRenderer  # Django's form templates' markup, written in Python (up to six a page)

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        if case is not None:
            self.fields["version"].initial = case.version


class NoteForm(StepForm):
    note = note_field()


class ConfirmForm(StepForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, required=False)
    category = forms.ModelChoiceField(
        queryset=HazardCategory.objects.none(), label=_("Category"), required=False
    )
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = HazardCategory.objects.filter(is_active=True)
        if self.case is not None:
            self.fields["severity"].initial = self.case.severity
            self.fields["category"].initial = self.case.category_id
            # only street-level and district staff may call a hazard major (a grid worker escalates):
            # others do not see the choice, and the service refuses it if posted anyway
            if not acting_roles(self.case, self.user) & (STREET_HANDLERS | DISTRICT_HANDLERS):
                self.fields["severity"].widget = forms.HiddenInput()


class RejectForm(StepForm):
    close_reason = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (CloseReason.NOT_HAZARD.value, CloseReason.NOT_HAZARD.label),
            (CloseReason.DUPLICATE.value, CloseReason.DUPLICATE.label),
            (CloseReason.NOT_RESPONSIBLE.value, CloseReason.NOT_RESPONSIBLE.label),
        ],
    )
    duplicate_of = forms.CharField(label=_("Duplicate of (tracking code)"), required=False, max_length=20)
    reason = note_field(_("Reason (shown to the reporter)"), required=True)

    def clean_duplicate_of(self):
        code = normalise_code(self.cleaned_data.get("duplicate_of"))
        if not code:
            return None
        other = HazardCase.objects.restrict(self.user).filter(tracking_code=code).first()
        if other is None or (self.case is not None and other.pk == self.case.pk):
            raise ValidationError(_("No other case with this tracking code in your jurisdiction."))
        return other


class OrderForm(StepForm):
    deadline = forms.DateField(label=_("Rectify by"), required=False, widget=DateInput)
    responsible_party = forms.CharField(label=_("Responsible party"), required=False, max_length=120)
    responsible_phone = forms.CharField(label=_("Responsible party's phone"), required=False, max_length=40)
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        if case is not None:
            self.fields["deadline"].initial = deadlines.default_deadline(case.severity)
            place = case.place
            self.fields["responsible_party"].initial = case.responsible_party or (
                (place.responsible_person or place.name) if place else ""
            )
            self.fields["responsible_phone"].initial = case.responsible_phone or (
                place.responsible_phone if place else ""
            )


class RectifiedForm(StepForm):
    note = note_field(_("What was done"), required=True, rows=3)
    photos = PhotosField(label=_("Photos of the rectification"))


class ReinspectForm(StepForm):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Passed: the hazard is gone")), ("no", _("Failed: still to be rectified"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    deadline = forms.DateField(label=_("New deadline (if failed)"), required=False, widget=DateInput)
    note = note_field(_("Findings"), rows=3)
    photos = PhotosField()


class CommentForm(StepForm):
    note = note_field(_("Comment"), required=True, rows=3)
    public = forms.BooleanField(label=_("Show on the public tracking page"), required=False)
    photos = PhotosField()


class EscalateForm(StepForm):
    reason = note_field(_("Why the case goes up"), required=True)


class WhistleForm(StepForm):
    department = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Department"))
    reason = note_field(_("What the department is called in for"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("name")
        if self.case is not None and self.case.sector:
            sector = self.case.sector
            departments = [d for d in departments if sector in (d.sectors or [])] or list(departments)
            self.fields["department"].queryset = OrgUnit.objects.filter(pk__in=[d.pk for d in departments])
        else:
            self.fields["department"].queryset = departments


class SuperviseForm(StepForm):
    due = forms.DateField(label=_("Supervision deadline"), required=False, widget=DateInput)
    reason = note_field(_("What the district requires"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due"].initial = timezone.localdate() + datetime.timedelta(
            days=deadlines.days("supervise")
        )

    def clean_due(self):
        day = self.cleaned_data.get("due")
        return deadlines.end_of_day(day) if day else None
