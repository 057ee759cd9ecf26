"""The widgets written in Python give the markup of Django's widget templates byte for byte: choices with
groups, a selection, attributes (True, False, text), values and labels that need escaping, translated
labels, model choices; the code box with its datalist."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from firegrid.core.fastwidgets import FastCodeInput, FastSelect
from firegrid.hazards.models import HazardCategory
from firegrid.org.forms import CodeInput

CHOICES = [
    ("", "Any"),
    ("a&b", 'Quotes " and <tags>'),
    ("open", gettext_lazy("Open")),
    ("group", [("x", "Ex"), ("y", mark_safe("<b>Why</b>"))]),
    (3, 4),
]


@pytest.mark.parametrize("value", [None, "", "a&b", "y", "3", ["x", "open"]])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_f", "required": True, "disabled": False, "data-x": '<"&>', "class": "a b"}]
)
def test_select_matches_the_template(value, attrs):
    with override("zh-hans"):
        for multiple in (False, True):
            template = forms.SelectMultiple(choices=CHOICES) if multiple else forms.Select(choices=CHOICES)
            fast = FastSelect(choices=CHOICES)
            fast.allow_multiple_selected = multiple
            assert fast.render("f", value, attrs) == template.render("f", value, attrs)


def test_select_of_model_choices_in_a_form_matches_the_template(db):
    HazardCategory.objects.create(code="c1", name_zh="通道 <1>", name_en="Exits", order=1)
    HazardCategory.objects.create(code="c2", name_zh="电气", name_en="Wiring & power", order=2)

    class Form(forms.Form):
        slow = forms.ModelChoiceField(HazardCategory.objects.all(), to_field_name="code", empty_label="—")
        fast = forms.ModelChoiceField(
            HazardCategory.objects.all(), to_field_name="code", empty_label="—", widget=FastSelect
        )

    for data in (None, {"slow": "c2", "fast": "c2"}, {"slow": "nope", "fast": "nope"}):
        for language in ("en", "zh-hans"):
            with override(language):
                form = Form(data)
                slow, fast = str(form["slow"]), str(form["fast"])
                assert fast == slow.replace("slow", "fast") and "<option" in fast


@pytest.mark.parametrize("value", [None, "", "T5&01", 501])
def test_code_input_matches_the_template(value):
    choices = [("", "none"), ("500110", "古南街道 (街镇)"), ("a<b", 'x "y" & z')]
    template, fast = CodeInput(), FastCodeInput()
    template.choices = fast.choices = choices
    attrs = {"id": "id_region", "placeholder": gettext_lazy("Search")}
    with override("zh-hans"):
        html = fast.render("region", value, attrs)
        assert html == template.render("region", value, attrs)
    assert "<datalist" in html and "&lt;b" in html
