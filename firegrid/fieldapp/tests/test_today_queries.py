"""Today's list reads the same number of queries however many places and cases a grid has (no query per
place or per case), and still says the same things: each place's kind in words, its checklists, each
case's level and severity in words."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from firegrid.fieldapp.tests.conftest import TODAY
from firegrid.hazards import actions, reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCategory
from firegrid.org.testing import make_place
from firegrid.places.choices import PlaceKind, PlaceStatus
from firegrid.places.models import Place


def today(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TODAY)
    assert response.status_code == 200
    return response.json(), len(queries)


def open_case(world, place):
    case = reports.report(
        description=f"{place.name}：安全出口堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=place,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    actions.confirm(case, actor=world.street_officer)
    return case


def test_today_reads_as_many_queries_for_six_places_as_for_two(client, world):
    # two active places in grid A (the school is closed for the first count)
    Place.objects.filter(pk=world.school_a.pk).update(status=PlaceStatus.CLOSED)
    open_case(world, world.shop_a)
    client.force_login(world.grid_worker_a)
    small, small_count = today(client)
    assert {p["id"] for p in small["places"]} == {world.shop_a.pk, world.mall_a.pk}
    assert len(small["cases"]) == 1

    # six places of other kinds (other checklists), and more open cases
    Place.objects.filter(pk=world.school_a.pk).update(status=PlaceStatus.ACTIVE)
    added = [
        make_place("桥河饭店", "restaurant", 28.051, 106.051),
        make_place("桥河旅社", "hotel", 28.052, 106.052, rooms=8),
        make_place("桥河网吧", "internet_cafe", 28.053, 106.053),
    ]
    for place in (world.mall_a, world.school_a, *added):
        open_case(world, place)
    big, big_count = today(client)
    assert len(big["places"]) == 6 and len(big["cases"]) == 6
    assert big_count == small_count

    by_id = {p["id"]: p for p in big["places"]}
    assert by_id[added[0].pk]["kind"] == str(PlaceKind.RESTAURANT.label)  # the kind in words
    assert by_id[world.shop_a.pk]["kind"] == str(PlaceKind.SHOP.label)
    for place in big["places"]:
        assert place["checklists"] and all(key in big["checklists"] for key in place["checklists"])
    # places of different kinds get different checklists, each listed once
    assert len({tuple(p["checklists"]) for p in big["places"]}) > 1
    case = big["cases"][0]
    assert case["level"] == "Grid" and case["severity"] in ("General hazard", "Major hazard")
    assert case["category"] and case["region"] == world.grid_a.name and "comment" in case["steps"]
