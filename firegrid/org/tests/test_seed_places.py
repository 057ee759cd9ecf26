"""seed_demo's places (issue 3): every kind, each in the grid its point lies in, graded by the
active rule set exactly as a saved place would be, valid credit codes, the unit owner's places."""

import copy
import io

import pytest
from django.core.management import call_command

from firegrid.core.validators import validate_credit_code
from firegrid.org.demo.personas import PERSONA_STREET_CODE
from firegrid.org.demo.places import PLACES_PER_SCALE, org_code_check
from firegrid.org.models import Region, User
from firegrid.places.actions import _grade_snapshot, apply_grade
from firegrid.places.choices import KIND_SECTOR, PlaceKind, SelfBuiltUse
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent, normalise_address


def seed():
    out = io.StringIO()
    call_command("seed_demo", scale=1, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def place_counts():
    return (
        Place.objects.count(),
        PlaceGradeEvent.objects.count(),
        Place.owners.through.objects.count(),
        sorted(Place.objects.values_list("code", flat=True))[:20],
    )


@pytest.mark.django_db
def test_places_of_every_kind_each_in_the_grid_its_point_lies_in(seeded):
    assert "Places:" in seeded
    places = list(Place.objects.select_related("region"))
    assert 0.9 * PLACES_PER_SCALE <= len(places) <= 1.1 * PLACES_PER_SCALE
    assert {p.kind for p in places} == set(PlaceKind.values)
    for place in places:
        assert place.region.level == "grid"
        assert Region.objects.locate(place.lat, place.lng) == place.region, place.name
        assert place.name and place.address.startswith("綦江区") and place.address_key
        assert place.address_key == normalise_address(place.address)
        assert place.sector == KIND_SECTOR.get(place.kind, "")
        assert place.responsible_person and place.responsible_phone and place.manager_name
        place.full_clean(exclude=["code"])  # lengths, ranges, self-built uses, credit code
    # the attributes the seeds' thresholds read are spread on both sides of them
    self_built = [p for p in places if p.kind == PlaceKind.SELF_BUILT_HOUSE]
    business = [p for p in self_built if set(p.self_built_uses) - {SelfBuiltUse.OWN_USE}]
    assert {p.occupants > 10 for p in business} == {True, False}
    assert all(5 <= p.occupants <= 30 for p in business)
    compounds = [p for p in places if p.kind == PlaceKind.RESIDENTIAL_COMPOUND]
    assert {p.built_year < 2000 for p in compounds} == {True, False}
    assert any(p.residential_area_id for p in compounds)
    hotels = [p for p in places if p.kind == PlaceKind.HOTEL]
    assert all(5 <= p.rooms <= 120 for p in hotels) and {p.rooms >= 50 for p in hotels} == {True, False}
    tall = (PlaceKind.HIGH_RISE_RESIDENTIAL, PlaceKind.HIGH_RISE_PUBLIC)
    high_rises = [p for p in places if p.kind in tall]
    assert all(20 <= p.height_m <= 100 for p in high_rises)
    assert any(p.last_inspected_on for p in places) and any(not p.last_inspected_on for p in places)


@pytest.mark.django_db
def test_grades_are_what_the_active_rule_set_gives(seeded):
    ruleset = GradingRuleSet.active()
    events = dict(PlaceGradeEvent.objects.values_list("place_id", "new"))
    places = list(Place.objects.all())
    assert len(events) == len(places)
    assert set(PlaceGradeEvent.objects.values_list("cause", flat=True)) == {"created"}
    for place in places:
        stored = _grade_snapshot(place)
        fresh = copy.copy(place)
        apply_grade(fresh, ruleset)
        assert _grade_snapshot(fresh) == stored == events[place.pk], place.name
        assert place.ruleset_id == ruleset.pk and place.graded_at is not None
        assert place.next_inspection_due == fresh.next_inspection_due
    levels = {p.risk_level for p in places}
    assert levels >= {"low", "general", "high"}
    assert any(p.is_key_unit for p in places) and any(p.flags for p in places)


@pytest.mark.django_db
def test_credit_codes_are_valid_and_unique(seeded):
    codes = [c for c in Place.objects.values_list("credit_code", flat=True) if c]
    assert len(codes) > PLACES_PER_SCALE // 3
    assert len(set(codes)) == len(codes)
    for code in codes:
        validate_credit_code(code)
        assert code[2:8] == "500110"  # registered in 綦江区
        assert code[16] == org_code_check(code[8:16])  # the organisation code's own check (GB 11714)
    without = Place.objects.filter(credit_code="", kind=PlaceKind.SELF_BUILT_HOUSE)
    assert without.count() == Place.objects.filter(kind=PlaceKind.SELF_BUILT_HOUSE).count()


@pytest.mark.django_db
def test_unit_owner_owns_places_in_the_personas_street_and_a_second_run_adds_nothing(seeded):
    owner = User.objects.get(username="unit_owner")
    street = Region.objects.get(code=PERSONA_STREET_CODE)
    owned = list(owner.owned_places.all())
    assert 2 <= len(owned) <= 3
    assert all(p.region.path.startswith(street.path) for p in owned)
    assert set(Place.objects.restrict(owner)) == set(owned)
    before = place_counts()
    out = seed()
    assert "skipping the places build" in out
    assert place_counts() == before
