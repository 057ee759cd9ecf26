"""Page forms: tasks, milestones, progress reports with evidence, duties, supervision, incidents,
targets and scoring schemes. Choice fields list only what the user may use."""

import json

from django import forms
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.org.choices import RegionLevel, UnitKind
from firegrid.org.models import OrgMember, OrgUnit, Region
from firegrid.places.models import Place
from firegrid.tasks.choices import ReviewState, SupervisionKind
from firegrid.tasks.models import FireIncident, IncidentTarget, KeyTask

TASK_UNIT_KINDS = [
    UnitKind.DISTRICT_OFFICE,
    UnitKind.DETACHMENT,
    UnitKind.COMMITTEE,
    UnitKind.WORK_STATION,
    UnitKind.FIRE_TEAM,
    UnitKind.COMMUNITY_GROUP,
    UnitKind.POLICE_STATION,
    UnitKind.DEPARTMENT,
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by tasks.evidence, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _writable_regions(user):
    return Region.objects.restrict(user, "change").filter(
        level__in=[RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY]
    )


class TaskForm(forms.ModelForm):
    units = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=_("Co-responsible units")
    )

    class Meta:
        model = KeyTask
        fields = [
            "year",
            "title",
            "content",
            "region",
            "lead_unit",
            "units",
            "leader",
            "starts_on",
            "due_on",
            "status",
            "completed_on",
            "source",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 5}),
            "starts_on": DateInput(),
            "due_on": DateInput(),
            "completed_on": DateInput(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = _writable_regions(user)
        units = (
            OrgUnit.objects.restrict(user)
            .filter(kind__in=TASK_UNIT_KINDS, is_active=True)
            .select_related("region")
        )
        self.fields["lead_unit"].queryset = units
        self.fields["lead_unit"].required = True
        self.fields["units"].queryset = units
        self.fields["leader"].queryset = OrgMember.objects.restrict(user).select_related("unit")
        if self.instance.pk:
            self.initial["units"] = [u.pk for u in self.instance.co_units]
        else:
            today = timezone.localdate()
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("starts_on", today)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class ProgressForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Reporting unit"))
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    milestone = forms.ModelChoiceField(queryset=None, required=False, label=_("Milestone reached"))
    completes = forms.BooleanField(required=False, label=_("The task is complete"))
    evidence = MultipleFileField(label=_("Evidence (photos or PDF)"))

    def __init__(self, *args, task=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = task.units.all()
        if user is not None and user.org_unit_id and task.units.filter(pk=user.org_unit_id).exists():
            self.initial.setdefault("unit", user.org_unit_id)
        elif task.lead_unit_id:
            self.initial.setdefault("unit", task.lead_unit_id)
        self.fields["milestone"].queryset = task.milestones.filter(done_on__isnull=True)
        self.initial.setdefault("percent", task.progress_pct)


class DutyForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput(), initial=timezone.localdate)
    record = forms.CharField(label=_("Record"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=_("Evidence (photos or PDF)"))


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(choices=SupervisionKind.choices, label=_("Kind"))
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit supervised"))
    task = forms.ModelChoiceField(queryset=KeyTask.objects.none(), required=False, label=_("Task concerned"))
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    attendees = forms.CharField(label=_("People interviewed / present"), max_length=300, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    requirements = forms.CharField(label=_("What is required"), widget=forms.Textarea(attrs={"rows": 3}))
    respond_by = forms.DateField(label=_("Respond by"), widget=DateInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.restrict(user, "change").values("pk")
        self.fields["unit"].queryset = OrgUnit.objects.filter(
            region__in=regions, is_active=True
        ).select_related("region")
        self.fields["task"].queryset = KeyTask.objects.restrict(user, "change").filter(
            year__gte=timezone.localdate().year - 1
        )


class TextForm(forms.Form):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IncidentForm(forms.ModelForm):
    occurred_at = forms.DateTimeField(
        label=_("Time of the fire"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    place_code = forms.CharField(
        label=_("Place code"),
        required=False,
        max_length=16,
        help_text=_("The place's 12-character code (on its sign), or leave empty and give the coordinates."),
    )

    class Meta:
        model = FireIncident
        fields = [
            "occurred_at",
            "address",
            "lat",
            "lng",
            "cause",
            "cause_detail",
            "deaths",
            "injuries",
            "loss_yuan",
            "high_rise",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["place_code"].initial = self.instance.place.code if self.instance.place_id else ""
        self.order_fields(["occurred_at", "place_code"])

    def clean_place_code(self):
        code = (self.cleaned_data.get("place_code") or "").strip().upper()
        if not code:
            self.instance.place = None
            return ""
        place = Place.objects.restrict(self.user).filter(code=code).first()
        if place is None:
            raise forms.ValidationError(
                _("No place with code %(code)s in your jurisdiction.") % {"code": code}
            )
        self.instance.place = place
        return code

    def _post_clean(self):
        # region is derived in tasks.actions.save_incident; validate the rest here
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        try:
            self.instance.full_clean(exclude=["region", "recorded_by", "place"], validate_unique=False)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class TargetForm(forms.ModelForm):
    class Meta:
        model = IncidentTarget
        fields = ["region", "year", "metric", "change_pct", "baseline", "title", "source"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = Region.objects.restrict(user, "change").filter(
            level__in=[RegionLevel.DISTRICT, RegionLevel.STREET]
        )
        self.initial.setdefault("year", timezone.localdate().year)


class SchemeForm(forms.Form):
    document = forms.CharField(
        label=_("Scheme (JSON)"), widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"})
    )

    def clean_document(self):
        try:
            doc = json.loads(self.cleaned_data["document"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
        return doc


class TaskFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *ReviewState.choices])
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=OrgUnit.objects.none())
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.restrict(user).filter(kind__in=TASK_UNIT_KINDS)
