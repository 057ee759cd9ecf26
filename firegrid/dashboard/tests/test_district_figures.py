"""The hazard figures as the command view computes them at scale — one pass over the year's cases, the
median time to close as the middle row(s) in order of time taken (on PostgreSQL walked from an index
in that order), no region filter when the region is the whole tree — against hand-checked numbers and
a direct count on the `world` fixture.

The cases lie in 2025 and the figures are asked for then (`now` 2025-11-15 12:00), so the numbers do
not depend on the day the tests run.
"""

import datetime
import statistics

import pytest
from django.utils import timezone

from firegrid.dashboard import kpis
from firegrid.dashboard.scope import chosen_region
from firegrid.hazards import reports, tally
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.choices import RegionLevel
from firegrid.org.testing import make_place, make_region

YEAR = 2025


def at(month, day, hour=0):
    return timezone.make_aware(datetime.datetime(YEAR, month, day, hour))  # noqa: DTZ001 - made aware


NOW = at(11, 15, 12)


def add_case(place, source, created, *, status="reported", took=None):
    case = reports.report(
        description="通道堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=place,
        source=source,
        channel=Channel.WEB,
    )
    closed = created + took if took is not None else None
    HazardCase.objects.filter(pk=case.pk).update(created_at=created, status=status, closed_at=closed)
    tally.rebuild()  # update() bypasses the case tally
    return case


@pytest.fixture
def year_of_cases(world):
    day = datetime.timedelta(days=1)
    public, patrol = Source.PUBLIC, Source.PATROL
    add_case(world.shop_a, public, at(2, 10, 8), status="closed", took=day)  # grid A
    add_case(world.mall_a, patrol, at(3, 1), status="closed", took=3 * day)  # grid A, a month's first instant
    add_case(world.hotel_b, public, at(6, 15), status="closed", took=6 * day)  # grid B
    add_case(world.shop_s2, public, at(10, 20), status="closed", took=10 * day)  # the other street
    add_case(world.shop_a, public, at(7, 1), status="rejected")
    add_case(world.school_a, public, at(11, 1))  # still open
    last_december = timezone.make_aware(datetime.datetime(YEAR - 1, 12, 20))  # noqa: DTZ001
    add_case(world.shop_a, patrol, last_december, status="closed", took=16 * day)  # closed in January
    long_ago = timezone.make_aware(datetime.datetime(YEAR - 1, 6, 1))  # noqa: DTZ001
    add_case(world.mall_a, patrol, long_ago, status="closed", took=2 * day)  # outside every figure


def direct(user, region, year):
    """The figures counted the plain way: a query per figure, the median by Python's statistics."""
    cases = HazardCase.objects.restrict(user).filter(region__path__startswith=region.path)
    in_year = cases.filter(created_at__year=year)
    timed = in_year.filter(status="closed", closed_at__isnull=False)
    took = [c.closed_at - c.created_at for c in timed]
    return {
        "open": cases.open().count(),
        "reported_this_year": in_year.count(),
        "closed_this_year": in_year.filter(status="closed").count(),
        "rejected_this_year": in_year.filter(status="rejected").count(),
        "public_this_year": in_year.filter(source=Source.PUBLIC).count(),
        "median_days_to_close": round(statistics.median(took).total_seconds() / 86400, 1) if took else None,
    }


def hazard_part(figures):
    return {
        k: figures[k]
        for k in (
            "open",
            "reported_this_year",
            "closed_this_year",
            "rejected_this_year",
            "public_this_year",
            "median_days_to_close",
        )
    }


# hand-checked: (reported, closed, rejected, public, closure %, median days, reported per month, closed per
# month) — the months from December 2024 to November 2025
EXPECTED = {
    # all six of 2025; closed after 1, 3, 6 and 10 days: the median of an even count is the mean of the
    # middle two, (3 + 6) / 2
    "district_admin": (
        6,
        4,
        1,
        5,
        83.3,
        4.5,
        [1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1],
        [0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0],
    ),
    # not the other street's case: 1, 3 and 6 days
    "street_officer": (
        5,
        3,
        1,
        4,
        80.0,
        3.0,
        [1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1],
        [0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0],
    ),
    # grid A only: 1 and 3 days
    "grid_worker_a": (
        4,
        2,
        1,
        3,
        75.0,
        2.0,
        [1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1],
        [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    ),
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_the_year_in_one_pass_gives_the_hand_checked_figures(world, year_of_cases, username):
    user = getattr(world, username)
    region, _homes = chosen_region(user)
    data = kpis._dashboard(user, region, year=YEAR, now=NOW)
    h, trends = data["hazards"], data["trends"]
    reported, closed, rejected, public, rate, median, per_month, closed_per_month = EXPECTED[username]
    assert (h["reported_this_year"], h["closed_this_year"], h["rejected_this_year"]) == (
        reported,
        closed,
        rejected,
    )
    assert (h["public_this_year"], h["closure_rate_pct"], h["median_days_to_close"]) == (public, rate, median)
    assert h["open"] == 1  # the school's case
    assert trends["months"][0] == "2024-12" and trends["months"][-1] == "2025-11"
    assert trends["hazards_reported"] == per_month and trends["hazards_closed"] == closed_per_month
    assert hazard_part(h) == direct(user, region, YEAR)
    # the same figures when the year is not the current one (the trend's months are apart then)
    apart = kpis.hazard_figures(user, region, YEAR, NOW + datetime.timedelta(days=400))
    assert hazard_part(apart) == hazard_part(h)


def test_the_median_of_an_odd_count_is_the_middle_case(world, year_of_cases):
    add_case(world.hotel_b, Source.PUBLIC, at(9, 9), status="closed", took=datetime.timedelta(hours=12))
    h = kpis.hazard_figures(world.district_admin, world.district, YEAR, NOW)
    assert h["closed_this_year"] == 5 and h["median_days_to_close"] == 3.0  # 0.5, 1, 3, 6, 10
    assert hazard_part(h) == direct(world.district_admin, world.district, YEAR)


def test_no_closed_case_no_median(world):
    add_case(world.shop_a, Source.PUBLIC, at(4, 4))
    h = kpis.hazard_figures(world.district_admin, world.district, YEAR, NOW)
    assert (h["reported_this_year"], h["closed_this_year"], h["median_days_to_close"]) == (1, 0, None)


def test_another_district_never_counts_in_this_one(world, year_of_cases):
    """The district's figures skip the region filter only while it is the only root: with a second
    district, its rows must stay out."""
    region, _homes = chosen_region(world.district_admin)
    assert kpis.whole_tree(region)
    before = kpis._dashboard(world.district_admin, region, year=YEAR, now=NOW)
    other = make_region("T600", "另一区", RegionLevel.DISTRICT, box=(110.0, 30.0, 1.0))
    other_street = make_region(
        "T601", "另一街道", RegionLevel.STREET, other, (110.0, 30.0, 0.5), kind="street"
    )
    other_community = make_region(
        "T60101", "另一社区", RegionLevel.COMMUNITY, other_street, (110.0, 30.0, 0.2)
    )
    make_region("T6010101", "另一网格", RegionLevel.GRID, other_community, (110.0, 30.0, 0.1))
    far = make_place("另一商店", "shop", 30.05, 110.05)
    assert far.region.path.startswith(other.path)
    add_case(far, Source.PUBLIC, at(5, 5), status="closed", took=datetime.timedelta(days=20))
    region, _homes = chosen_region(world.district_admin)  # a fresh region object
    assert not kpis.whole_tree(region) and not kpis.whole_tree(world.district)
    after = kpis._dashboard(world.district_admin, region, year=YEAR, now=NOW)
    assert after == before
    assert after["places"]["total"] == 5
    # the other district's own figures count only its case
    mine = kpis.hazard_figures(world.district_admin, other, YEAR, NOW)
    assert (mine["reported_this_year"], mine["median_days_to_close"]) == (1, 20.0)


def test_the_places_index_is_of_the_active_places():
    import importlib

    from firegrid.places.choices import PlaceStatus

    migration = importlib.import_module("firegrid.places.migrations.0006_active_places_region_index")
    assert migration.DEFINITION.endswith(f"WHERE status = '{PlaceStatus.ACTIVE}'")
