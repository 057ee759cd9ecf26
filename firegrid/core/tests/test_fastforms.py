"""core.fastforms.FastRenderer writes the same HTML as Django's form templates, byte for byte: every
hazard step form and the staff report form, unbound and bound with errors, in English and Chinese, and
a form with every widget the renderer writes itself (help text, required, optgroups, a checkbox, a file
input, values that need escaping)."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils import translation

from firegrid.core.fastforms import WRITERS, FastRenderer
from firegrid.hazards import reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.forms import CaseReportForm, StepForm
from firegrid.hazards.models import HazardCategory
from firegrid.hazards.views.steps import STEPS
from firegrid.inspections.forms import StartForm

pytestmark = pytest.mark.django_db


class Counting(FastRenderer):
    """FastRenderer that notes which templates it left to Django's renderer."""

    def __init__(self):
        self.passed_on = []

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is None or writer(context) is None:
            self.passed_on.append(template_name)
        return super().render(template_name, context, request=request)


def both(make):
    """The form group HTML through Django's templates and through FastRenderer, and what FastRenderer
    passed on."""
    fast = Counting()
    slow_html = render_to_string("includes/form_fields.html", {"form": make(DjangoTemplates())})
    fast_html = render_to_string("includes/form_fields.html", {"form": make(fast)})
    return slow_html, fast_html, fast.passed_on


class Everything(forms.Form):
    name = forms.CharField(label="Name <b>&", help_text="Help with <em>markup</em>", max_length=10)
    count = forms.IntegerField(label="Count?", required=False)
    mail = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": 'a"b'}))
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        choices=[("", "---"), ("Group <1>", [("a", "A & a"), ("b", "B")]), ("c", "C")], required=False
    )
    flag = forms.BooleanField(required=False, label="Flag")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    upload = forms.FileField(required=False)
    no_label = forms.CharField(label="", required=False)
    pick = forms.ChoiceField(
        choices=[("1", "One <1>"), ("2", "Two")], widget=forms.RadioSelect, required=False
    )
    picks = forms.MultipleChoiceField(
        choices=[("Group", [("x", "X & x"), ("y", "Y")]), ("z", "Z")],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "inline"}),
        required=False,
    )

    def clean(self):
        raise forms.ValidationError("Whole form <wrong>")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": "x" * 20, "count": "z", "mail": "bad", "when": "no", "text": "<script>", "kind": "b"},
        {
            "name": "ok",
            "kind": "zz",
            "flag": "on",
            "hidden": '"q"',
            "text": "a\nb & c",
            "pick": "2",
            "picks": ["x", "z"],
        },
    ],
)
def test_every_written_widget_is_byte_for_byte(language, data):
    files = {"upload": SimpleUploadedFile("a.txt", b"x")} if data else None
    with translation.override(language):
        slow, fast, passed_on = both(
            lambda renderer: Everything(data, files, renderer=renderer, initial={"name": "I & <i>"})
        )
    assert fast == slow
    assert passed_on == []
    assert '<ul class="errorlist' in fast if data else "errorlist" not in fast


@pytest.fixture
def case(world):
    category = HazardCategory.objects.get(code="evacuation")
    return reports.report(
        place=world.shop_a,
        description="安全出口被杂物堵塞",
        category=category,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_step_form_and_the_staff_report_form(world, case, language):
    user = world.street_officer
    written = 0
    with translation.override(language):
        for spec in STEPS:
            for data in (None, {f"{spec.name}-version": "0", f"{spec.name}-note": "x" * 5000}):
                slow, fast, passed_on = both(
                    lambda renderer, spec=spec, data=data: spec.form_class(
                        data, case=case, user=user, prefix=spec.name, renderer=renderer
                    )
                )
                assert fast == slow, (spec.name, data)
                written += not passed_on
        for data in (None, {"place_code": "NOPE", "lat": "1", "description": "", "reporter_email": "x"}):
            slow, fast, passed_on = both(
                lambda renderer, data=data: CaseReportForm(data, user=user, renderer=renderer)
            )
            assert fast == slow
            assert passed_on == []
    assert written == 2 * len(STEPS)  # every template of every step form written in Python


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_form_that_starts_an_inspection(world, language):
    user = world.street_officer
    with translation.override(language):
        for data in (None, {"kind": "nope", "inspectors": [str(user.pk), "999999"]}, {"kind": "patrol"}):
            slow, fast, passed_on = both(
                lambda renderer, data=data: StartForm(data, user=user, place=world.shop_a, renderer=renderer)
            )
            assert fast == slow
            assert passed_on == []
            assert 'name="inspectors"' in fast and 'name="kind"' in fast


def test_the_page_forms_use_it():
    assert StepForm.default_renderer is FastRenderer
    assert CaseReportForm.default_renderer is FastRenderer
    assert StartForm.default_renderer is FastRenderer
