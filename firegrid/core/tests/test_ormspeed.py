"""core.ormspeed: a column reference's identity (its hash and equality) is the one Django computes."""

import pytest
from django.apps import apps
from django.db.models import CharField, IntegerField
from django.db.models.expressions import Col

from firegrid.core import ormspeed
from firegrid.hazards.models import HazardCase
from firegrid.places.models import Place

generic = ormspeed._generic


def every_column():
    for model in apps.get_models():
        yield from model._meta.concrete_fields


def test_installed():
    assert Col.__dict__["identity"].func is ormspeed.col_identity


@pytest.mark.parametrize("alias", [None, "T1", "places_place"])
def test_every_column_of_every_model_has_djangos_identity(alias):
    other = IntegerField()
    checked = 0
    for field in every_column():
        for col in (
            field.get_col(alias),  # Col(alias, field) or Col(alias, field, field): as Django builds them
            Col(alias, field),
            Col(alias, field, other),
            Col(alias, field).relabeled_clone({alias: "U0"}),  # output_field passed on relabelling
        ):
            fast = ormspeed.col_identity(col)
            assert fast == generic(col), (field, col)
            assert hash(col) == hash(generic(col))
            checked += 1
    assert checked > 400


def test_columns_equal_and_differ_as_before():
    name = Place._meta.get_field("name")
    assert Col("T1", name) == Col("T1", name)
    assert len({Col("T1", name), Col("T1", name)}) == 1
    assert Col("T1", name) != Col("T2", name)
    assert Col("T1", name) != Col("T1", Place._meta.get_field("address"))
    assert Col("T1", name) != Col("T1", name, CharField())


def test_keyword_arguments_and_subclasses_take_the_generic_way():
    field = Place._meta.get_field("name")
    by_keyword = Col(alias="T1", target=field)
    assert ormspeed.col_identity(by_keyword) == generic(by_keyword)

    class Other(Col):
        pass

    other = Other("T1", field)
    assert ormspeed.col_identity(other) == generic(other)
    assert ormspeed.col_identity(other)[0] is Other


def test_ordered_queries_give_the_same_sql(world):
    """The compiler's ORDER BY matches selected columns by these hashes (ordering by position)."""
    queries = [
        HazardCase.objects.order_by("-id"),
        HazardCase.objects.values("id", "tracking_code").order_by("tracking_code", "-id"),
        Place.objects.order_by("name").only("id", "name"),
        Place.objects.filter(name__icontains="a").order_by("-name", "id"),
    ]
    for queryset in queries:
        fast_sql = str(queryset.query)
        saved = Col.__dict__["identity"]
        try:
            del Col.identity
            assert "identity" not in Col.__dict__
            generic_sql = str(queryset.all().query)
        finally:
            Col.identity = saved
        assert fast_sql == generic_sql
        assert list(queryset) == list(queryset.all())
