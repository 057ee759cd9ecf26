"""The command view's places and inspection coverage come from one grouped pass over the places and
one aggregate over the plan's visits; they must agree with `inspections.plan_actions.coverage` (eight
queries), which the inspection pages use."""

import datetime

import pytest
from django.utils import timezone

from firegrid.core.roles import Role
from firegrid.dashboard import kpis
from firegrid.dashboard.scope import chosen_region
from firegrid.hazards import tally
from firegrid.inspections import actions
from firegrid.inspections.models import ChecklistVersion, InspectionPlan
from firegrid.inspections.plan_actions import coverage, generate_plan
from firegrid.inspections.tests.test_inspection_flow import GENERAL
from firegrid.org.testing import make_user
from firegrid.places.models import Place

PERSONAS = [
    "district_admin",
    "street_officer",
    "street2_officer",
    "grid_worker_a",
    "police_officer",
    "dept_staff",
]


@pytest.fixture
def year_of_visits(world):
    today = timezone.localdate()
    inspector = make_user(
        "k-insp", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True
    )
    plan, _ = generate_plan(today.year, world.street, actor=world.street_officer)
    generate_plan(today.year, world.street2, actor=world.street2_officer)
    past, _ = generate_plan(today.year + 1, world.street, actor=world.street_officer)
    InspectionPlan.objects.filter(pk=past.pk).update(year=today.year - 1)  # a past year's plan, never done
    plan.items.filter(place=world.mall_a).update(inspector=None, month=1)
    ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )
    inspection = actions.start_inspection(
        world.shop_a, "supervisory", [inspector], actor=world.street_officer
    )
    actions.submit_inspection(inspection, actor=inspector)
    # one place inspected last year and not due till next year, one due long ago
    Place.objects.filter(pk=world.hotel_b.pk).update(
        last_inspected_on=datetime.date(today.year - 1, 6, 1),
        next_inspection_due=datetime.date(today.year + 1, 1, 1),
    )
    Place.objects.filter(pk=world.school_a.pk).update(next_inspection_due=datetime.date(today.year - 1, 1, 1))
    return plan


def test_coverage_in_two_queries_agrees_with_the_inspection_app(world, year_of_visits):
    today = timezone.localdate()
    cases = [
        (today.year, today),
        (today.year, datetime.date(today.year, 12, 31)),
        (today.year - 1, today),
        (today.year + 1, today),
    ]
    for username in PERSONAS:
        user = getattr(world, username)
        region, _homes = chosen_region(user)
        places = Place.objects.restrict(user).filter(region__path__startswith=region.path)
        for year, on in cases:
            figures = kpis.inspection_figures(user, region, year, on)
            assert figures.pop("links")
            assert figures == coverage(places, year, on=on), (username, year, on)


def test_the_compared_figures_are_not_all_zero(world, year_of_visits):
    today = timezone.localdate()
    region, _homes = chosen_region(world.district_admin)
    figures = kpis.inspection_figures(
        world.district_admin, region, today.year, datetime.date(today.year, 12, 31)
    )
    assert figures["places"] == 5 and figures["inspected_this_year"] == 1 and figures["visits_done"] == 1
    assert figures["never_inspected"] == 3  # shop_a inspected now, hotel_b last year
    assert figures["due"] == 3  # mall_a and shop_s2 never inspected, school_a due long ago
    assert figures["unassigned_visits"] >= 1 and figures["overdue_visits"] >= 1
    last_year = kpis.inspection_figures(world.district_admin, region, today.year - 1, today)
    assert last_year["planned_visits"] == last_year["overdue_visits"] > 0


def test_places_and_coverage_share_one_pass(world, year_of_visits, django_assert_num_queries):
    today = timezone.localdate()
    region, _homes = chosen_region(world.district_admin)
    assert kpis.whole_tree(region)  # asked once per region object (the district: no region filter)
    with django_assert_num_queries(2):
        rows = kpis._place_rows(world.district_admin, region, today.year, today)
        kpis.inspection_figures(world.district_admin, region, today.year, today, rows)
    places = kpis.place_figures(world.district_admin, region, rows)
    assert places["total"] == 5 and places == kpis.place_figures(world.district_admin, region)


def test_monthly_trends_cut_months_as_truncmonth_does(world, year_of_visits):
    """The trends count each month with a FILTER of its range; grouping by TruncMonth (what they did
    before) must give the same months, also for cases at a month's first instant, before the window
    and in the future."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from firegrid.hazards import reports
    from firegrid.hazards.choices import Channel, Source
    from firegrid.hazards.models import HazardCase, HazardCategory

    now = timezone.now()
    today = timezone.localdate(now)
    category = HazardCategory.objects.get(code="evacuation")
    first_of_month = timezone.make_aware(datetime.datetime(today.year, today.month, 1))
    moments = [
        first_of_month,  # this month's first instant
        first_of_month - datetime.timedelta(microseconds=1),  # the last instant of last month
        now - datetime.timedelta(days=40),
        now - datetime.timedelta(days=200),
        now - datetime.timedelta(days=330),
        now - datetime.timedelta(days=400),  # before the window
        now + datetime.timedelta(days=45),  # the future: not in any month shown
    ]
    for moment in moments:
        case = reports.report(
            description="通道堵塞",
            category=category,
            place=world.shop_a,
            source=Source.PUBLIC,
            channel=Channel.WEB,
        )
        HazardCase.objects.filter(pk=case.pk).update(created_at=moment, closed_at=moment, status="closed")
    tally.rebuild()  # the update()s bypass the case tally
    data = kpis.trends(world.district_admin, world.district, now)
    for key in ("hazards_reported", "hazards_closed"):
        field = "created_at" if key == "hazards_reported" else "closed_at"
        rows = HazardCase.objects.annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk")).order_by()
        by_month = {r["m"].strftime("%Y-%m"): r["n"] for r in rows if r["m"]}
        assert data[key] == [by_month.get(label, 0) for label in data["months"]], key
    assert data["months"][-1] == today.strftime("%Y-%m") and len(data["months"]) == 12
    assert data["hazards_reported"][-1] >= 1 and data["hazards_reported"][-2] >= 1
    assert sum(data["hazards_reported"]) == 5  # not the one before the window nor the future one
    assert sum(data["inspections"]) == 1  # the inspection of shop_a, submitted now


@pytest.mark.parametrize("years_back", [0, 1])
def test_the_dashboard_counts_the_year_and_the_trend_in_one_pass_as_apart(world, year_of_visits, years_back):
    from firegrid.hazards import reports
    from firegrid.hazards.choices import Channel, Source
    from firegrid.hazards.models import HazardCase, HazardCategory

    now = timezone.now()
    category = HazardCategory.objects.get(code="evacuation")
    for days in (0, 20, 70, 200, 300, 380, 500):
        case = reports.report(
            description="通道堵塞",
            category=category,
            place=world.hotel_b,
            source=Source.PUBLIC,
            channel=Channel.WEB,
        )
        HazardCase.objects.filter(pk=case.pk).update(created_at=now - datetime.timedelta(days=days))
    tally.rebuild()  # the update()s bypass the case tally
    year = timezone.localdate(now).year - years_back
    for username in ("district_admin", "street_officer", "grid_worker_b"):
        user = getattr(world, username)
        region, _homes = chosen_region(user)
        data = kpis._dashboard(user, region, year=year, now=now)
        assert data["hazards"] == kpis.hazard_figures(user, region, year, now), username
        assert data["trends"] == kpis.trends(user, region, now), username
    data = kpis._dashboard(world.district_admin, world.district, year=year, now=now)
    assert sum(data["trends"]["hazards_reported"]) >= 4 and data["hazards"]["reported_this_year"] >= 1
