"""core.choicefetch: a model choice field reads its choices in one plain query (no server-side cursor),
and they are exactly the choices Django's own iterator gives."""

import django_filters
import pytest
from django import forms
from django.db import connection
from django.forms.models import ModelChoiceIterator
from django.test.utils import CaptureQueriesContext

from firegrid.core import choicefetch
from firegrid.hazards.models import HazardCase, HazardCategory

pytestmark = pytest.mark.django_db


def categories():
    return HazardCategory.objects.order_by("code")


class PickForm(forms.Form):
    one = forms.ModelChoiceField(queryset=categories())
    many = forms.ModelMultipleChoiceField(queryset=categories(), required=False)
    no_blank = forms.ModelChoiceField(queryset=categories(), empty_label=None)
    prefetched = forms.ModelChoiceField(queryset=categories().prefetch_related("cases"), required=False)


class CaseFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(queryset=categories(), null_label="(none)")

    class Meta:
        model = HazardCase
        fields = ["category"]


def as_pairs(choices):
    return [(str(value), str(label)) for value, label in choices]


def djangos_choices(field):
    return as_pairs(choicefetch._django_iter(field.iterator(field)))


def test_installed():
    assert ModelChoiceIterator.__iter__ is choicefetch.fetching_iter


@pytest.mark.parametrize("name", ["one", "many", "no_blank", "prefetched"])
def test_the_choices_are_djangos(name):
    field = PickForm().fields[name]
    ours = as_pairs(field.choices)
    assert ours == djangos_choices(field)
    assert len(ours) >= HazardCategory.objects.count() >= 5  # the shipped categories
    assert (ours[0][0] == "") is (name != "many" and name != "no_blank")


def test_django_filters_null_choice_stays_in_place():
    field = CaseFilter().form.fields["category"]
    ours = as_pairs(field.choices)
    assert ours[0][0] == "" and ours[1] == ("null", "(none)")
    assert ours[2:] == [(str(c.pk), str(c)) for c in categories()]


def test_one_plain_query_and_no_cursor():
    form = PickForm()
    with CaptureQueriesContext(connection) as queries:
        html = str(form["one"])
    assert len(queries) == 1
    assert not any("CURSOR" in q["sql"].upper() for q in queries)
    assert all(f'value="{c.pk}"' in html for c in categories())


def test_read_afresh_each_time():
    field = PickForm().fields["one"]
    before = as_pairs(field.choices)
    HazardCategory.objects.create(code="zz-new", name_zh="新类别", name_en="New category")
    after = as_pairs(field.choices)
    assert len(after) == len(before) + 1 and after[-1][1] == str(HazardCategory.objects.get(code="zz-new"))
    assert field.queryset._result_cache is None  # the field's own queryset keeps no rows
