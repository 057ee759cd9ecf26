import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from firegrid.core.roles import Role
from firegrid.inspections import actions
from firegrid.inspections.models import ChecklistVersion, PlanItem
from firegrid.inspections.plan_actions import coverage, generate_plan, visit_months
from firegrid.inspections.tests.test_inspection_flow import GENERAL
from firegrid.org.models import Qualification
from firegrid.org.testing import make_place, make_user
from firegrid.places.models import Place

NEXT_YEAR = datetime.date.today().year + 1


def qualify(user):
    today = datetime.date.today()
    Qualification.objects.create(
        user=user,
        kind="enforcement",
        passed_on=today - datetime.timedelta(days=1),
        expires_on=today + datetime.timedelta(days=3 * 365),
    )


@pytest.fixture
def staffed(world):
    inspectors = [
        make_user(
            f"s-insp{i}", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True
        )
        for i in range(3)
    ]
    qualify(world.police_officer)
    detachment = make_user("detachment", roles=[(Role.DETACHMENT_OFFICER, world.district)], qualified=True)
    return inspectors, detachment


@pytest.mark.parametrize(("visits", "first"), [(1, 1), (2, 1), (4, 1), (12, 1), (2, 11), (4, 11)])
def test_visit_months_are_spread_over_the_months_left(visits, first):
    months = visit_months("ABC123", visits, first)
    assert len(months) == min(visits, 13 - first) and all(first <= m <= 12 for m in months)


def test_plan_covers_every_place_with_its_authority(world, staffed):
    inspectors, detachment = staffed
    plan, created = generate_plan(NEXT_YEAR, world.street, actor=world.street_officer)
    street_places = Place.objects.filter(region__path__startswith=world.street.path)
    expected = sum(p.inspections_per_year for p in street_places)
    assert created == expected == plan.items.count()
    assert set(plan.items.values_list("place_id", flat=True)) == set(
        street_places.values_list("pk", flat=True)
    )
    assert plan.items.get(place=world.mall_a).inspector == detachment  # key unit: the detachment
    assert plan.items.get(place=world.hotel_b).inspector == world.police_officer  # police-supervised
    shop_inspector = plan.items.get(place=world.shop_a).inspector
    assert shop_inspector in inspectors
    assert not PlanItem.objects.filter(place=world.shop_s2).exists()  # other street


def test_workload_is_balanced_and_new_places_join(world, staffed):
    inspectors, _detachment = staffed
    for i in range(10):
        make_place(f"小店{i}", "shop", 28.01 + i * 0.008, 106.03)
    plan, _ = generate_plan(NEXT_YEAR, world.street, actor=world.street_officer)
    loads = Counter(plan.items.filter(inspector__in=inspectors).values_list("inspector_id", flat=True))
    assert max(loads.values()) - min(loads.values()) <= 1
    assert generate_plan(NEXT_YEAR, world.street, actor=world.street_officer)[1] == 0  # idempotent
    newcomer = make_place("新开张", "restaurant", 28.09, 106.09)
    assert generate_plan(NEXT_YEAR, world.street, actor=world.street_officer)[1] == 1
    assert plan.items.filter(place=newcomer).exists()


def test_only_writers_plan_in_their_area(world, staffed):
    with pytest.raises(ValidationError):
        generate_plan(NEXT_YEAR, world.street, actor=world.grid_worker_a)
    with pytest.raises(ValidationError):
        generate_plan(NEXT_YEAR, world.street2, actor=world.street_officer)
    with pytest.raises(ValidationError):
        generate_plan(2001, world.street, actor=world.street_officer)


def test_coverage_on_a_hand_built_year(world, staffed):
    inspectors, _ = staffed
    year = datetime.date.today().year
    plan, _ = generate_plan(year, world.street, actor=world.street_officer)
    ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )
    inspection = actions.start_inspection(
        world.shop_a, "supervisory", [inspectors[0]], actor=world.street_officer
    )
    actions.submit_inspection(inspection, actor=inspectors[0])
    places = Place.objects.filter(region__path__startswith=world.street.path)
    figures = coverage(places, year)
    assert figures["places"] == 4 and figures["inspected_this_year"] == 1 and figures["coverage_pct"] == 25.0
    assert figures["never_inspected"] == 3 and figures["due"] == 3
    assert figures["visits_done"] == 1 and figures["planned_visits"] == plan.items.count()
    assert plan.items.get(place=world.shop_a).done == inspection
    end_of_year = datetime.date(year, 12, 31)
    later = coverage(places, year, on=end_of_year)
    open_before_december = plan.items.filter(done__isnull=True, month__lt=12).count()
    assert later["overdue_visits"] == open_before_december


def test_plan_items_are_scoped(world, staffed, api_client):
    generate_plan(NEXT_YEAR, world.street, actor=world.street_officer)
    visible = set(PlanItem.objects.restrict(world.grid_worker_a).values_list("place_id", flat=True))
    assert visible == {world.shop_a.pk, world.mall_a.pk, world.school_a.pk}
    assert set(PlanItem.objects.restrict(world.police_officer).values_list("place_id", flat=True)) == {
        world.hotel_b.pk
    }
    assert not PlanItem.objects.restrict(world.street2_officer).exists()


def test_new_places_join_this_years_plan_overnight(world, staffed):
    from django.core.management import call_command

    from firegrid.inspections.plan_actions import extend_current_plans

    year = datetime.date.today().year
    plan, _ = generate_plan(year, world.street, actor=world.street_officer)
    newcomer = make_place("夜间新登记", "shop", 28.07, 106.07)
    assert extend_current_plans() == 1
    assert plan.items.filter(place=newcomer).exists()
    call_command("extend_plans")  # nothing more to add
    assert plan.items.filter(place=newcomer).count() == 1
