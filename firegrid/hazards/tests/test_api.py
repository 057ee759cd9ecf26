"""The case API: jurisdiction on every list and detail, reporter privacy, staff-recorded reports."""

import pytest

from firegrid.hazards.models import HazardCase
from firegrid.hazards.tests.conftest import png

SEES_CASE_IN_GRID_A = {
    "district_admin": True,
    "street_officer": True,
    "grid_worker_a": True,
    "grid_worker_b": False,
    "street2_officer": False,
    "police_officer": False,  # a shop: not police-supervised
    "dept_staff": False,  # market regulation, not education
    "unit_owner": True,  # owns the shop
    "nobody": False,
}


@pytest.mark.parametrize(("persona", "sees"), SEES_CASE_IN_GRID_A.items())
def test_list_and_detail_are_scoped(world, make_case, api_client, persona, sees):
    case = make_case()
    other_street = make_case(place=world.shop_s2)
    api_client.force_authenticate(getattr(world, persona))
    ids = [row["id"] for row in api_client.get("/api/v1/hazards/").data["results"]]
    assert (case.pk in ids) is sees
    assert (other_street.pk in ids) is (persona in ("district_admin", "street2_officer"))
    assert api_client.get(f"/api/v1/hazards/{case.pk}/").status_code == (200 if sees else 404)
    assert api_client.get(f"/api/v1/hazards/{case.pk}/timeline/").status_code == (200 if sees else 404)


def test_anonymous_callers_get_nothing(world, make_case, api_client):
    case = make_case()
    assert api_client.get("/api/v1/hazards/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/hazards/{case.pk}/").status_code in (401, 403)


REPORTER_VISIBLE = {
    "district_admin": True,
    "street_officer": True,
    "grid_worker_a": False,
    "unit_owner": False,
}


@pytest.mark.parametrize(("persona", "visible"), REPORTER_VISIBLE.items())
def test_reporter_identity_only_for_roles_that_need_it(world, make_case, api_client, persona, visible):
    case = make_case(reporter_name="张三", reporter_phone="13912345678", reporter_email="zs@example.org")
    api_client.force_authenticate(getattr(world, persona))
    for url in (f"/api/v1/hazards/{case.pk}/", "/api/v1/hazards/"):
        body = api_client.get(url).content.decode()
        assert ("13912345678" in body) is visible
        assert ("张三" in body) is visible
        assert ("zs@example.org" in body) is visible


def test_police_do_not_see_reporters_of_cases_they_hold(world, make_case, api_client):
    case = make_case(place=world.hotel_b, reporter_name="李四", reporter_phone="13700000000")
    api_client.force_authenticate(world.police_officer)
    r = api_client.get(f"/api/v1/hazards/{case.pk}/")
    assert r.status_code == 200 and "reporter_phone" not in r.data and "李四" not in r.content.decode()


def test_anonymous_report_keeps_no_contact(world, make_case):
    case = make_case(anonymous=True, reporter_name="王五", reporter_phone="13600000000")
    assert (case.reporter_name, case.reporter_phone, case.anonymous) == ("", "", True)


def test_staff_record_a_12345_call(world, api_client):
    api_client.force_authenticate(world.grid_worker_a)
    r = api_client.post(
        "/api/v1/hazards/",
        {
            "description": "楼道电动车充电",
            "category": "e_bike",
            "lat": 28.05,
            "lng": 106.05,
            "source": "public",
            "channel": "12345",
            "external_ref": "12345-20261126-001",
            "reporter_phone": "13800001111",
            "photos": [png()],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    case = HazardCase.objects.get(pk=r.data["id"])
    assert (case.channel, case.source, case.status, case.region) == (
        "12345",
        "public",
        "reported",
        world.grid_a,
    )
    assert case.attachments.count() == 1 and case.reporter_phone == "13800001111"
    assert "reporter_phone" not in r.data  # the grid worker recorded it but may not read it back
    assert case.events.get().actor == world.grid_worker_a


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "e_bike", "lat": 28.05, "lng": 106.05}, "description"),
        ({"description": "x", "category": "nope", "lat": 28.05, "lng": 106.05}, "category"),
        ({"description": "x", "category": "e_bike"}, "location"),
        ({"description": "x", "category": "e_bike", "lat": 10, "lng": 10}, "location"),
        (
            {"description": "x", "category": "e_bike", "lat": 28.05, "lng": 106.05, "channel": "open311"},
            "channel",
        ),
    ],
)
def test_bad_reports_name_the_field_and_write_nothing(world, api_client, payload, field):
    api_client.force_authenticate(world.grid_worker_a)
    r = api_client.post("/api/v1/hazards/", payload, format="json")
    assert r.status_code == 400 and field in r.data, r.data
    assert HazardCase.objects.count() == 0


def test_a_place_outside_jurisdiction_cannot_be_reported_by_staff(world, api_client):
    api_client.force_authenticate(world.grid_worker_b)
    r = api_client.post(
        "/api/v1/hazards/", {"description": "x", "category": "other", "place": world.shop_a.pk}
    )
    assert r.status_code == 400 and "place" in r.data


def test_filters(world, make_case, api_client):
    from firegrid.hazards import actions

    a, b = make_case(), make_case(place=world.hotel_b)
    actions.reject(b, actor=world.street_officer, reason="x")
    api_client.force_authenticate(world.street_officer)

    def ids(query):
        return {row["id"] for row in api_client.get(f"/api/v1/hazards/?{query}").data["results"]}

    assert ids("open=1") == {a.pk} and ids("open=0") == {b.pk}
    assert ids("status=rejected") == {b.pk}
    assert ids(f"region={world.grid_b.code}") == {b.pk}
    assert ids(f"region={world.community.code}") == {a.pk, b.pk}
    assert ids("category=evacuation") == {a.pk, b.pk} and ids("category=e_bike") == set()
    assert ids("overdue=1") == set()
    assert api_client.get("/api/v1/hazards/?reported_after=not-a-date").status_code == 400


def test_categories_are_listed(world, api_client):
    api_client.force_authenticate(world.grid_worker_a)
    codes = [c["code"] for c in api_client.get("/api/v1/hazard-categories/").data]
    assert "e_bike" in codes and "other" in codes


def test_the_list_counts_only_up_to_a_cap(world, make_case, api_client, monkeypatch):
    from firegrid.core.api import CappedCountPagination

    for _ in range(3):
        make_case()
    api_client.force_authenticate(world.street_officer)
    body = api_client.get("/api/v1/hazards/").data
    assert (body["count"], body["count_capped"]) == (3, False)
    monkeypatch.setattr(CappedCountPagination, "count_cap", 2)
    body = api_client.get("/api/v1/hazards/?limit=1").data
    assert (body["count"], body["count_capped"], len(body["results"])) == (2, True, 1)
