import pytest

from firegrid.inspections import actions
from firegrid.inspections.models import ChecklistVersion
from firegrid.inspections.tests.test_inspection_flow import GENERAL


@pytest.fixture
def general(world):
    return ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )


def test_patrol_through_the_api(world, general, api_client):
    api_client.force_authenticate(world.grid_worker_a)
    response = api_client.post(
        "/api/v1/inspections/",
        {
            "place": world.shop_a.pk,
            "kind": "patrol",
            "inspectors": [world.grid_worker_a.pk],
            "lat": 28.05,
            "lng": 106.05,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    inspection_id = response.json()["id"]
    assert set(response.json()["checklists"]) == {"general", "t-general"}
    bad = api_client.post(
        f"/api/v1/inspections/{inspection_id}/answers/",
        [
            {"checklist": "t-general", "item_code": "EV-01", "result": "pass"},
            {"checklist": "t-general", "item_code": "NOPE", "result": "fail"},
        ],
        format="json",
    )
    assert bad.status_code == 400 and "item_code" in bad.json()
    assert api_client.get(f"/api/v1/inspections/{inspection_id}/").json()["answers"] == []  # all or nothing
    ok = api_client.post(
        f"/api/v1/inspections/{inspection_id}/answers/",
        [
            {
                "checklist": "t-general",
                "item_code": "EV-02",
                "result": "fail",
                "elements": ["7.3.6"],
                "note": "应急灯损坏",
            }
        ],
        format="json",
    )
    assert ok.status_code == 201, ok.content
    submitted = api_client.post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["outcome"] == "hazards" and len(body["hazards"]) == 1
    again = api_client.post(
        f"/api/v1/inspections/{inspection_id}/answers/",
        [{"checklist": "t-general", "item_code": "EV-01", "result": "pass"}],
        format="json",
    )
    assert again.status_code == 400 and "status" in again.json()


def test_unqualified_inspector_is_a_400(world, general, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/inspections/",
        {"place": world.shop_a.pk, "kind": "supervisory", "inspectors": [world.grid_worker_a.pk]},
        format="json",
    )
    assert response.status_code == 400 and "inspectors" in response.json()


def test_only_the_inspectors_answer(world, general, api_client):
    inspection = actions.start_inspection(
        world.shop_a, "supervisory", [world.street_officer], actor=world.street_officer
    )
    api_client.force_authenticate(world.grid_worker_a)
    response = api_client.post(
        f"/api/v1/inspections/{inspection.pk}/answers/",
        [{"checklist": "t-general", "item_code": "EV-01", "result": "pass"}],
        format="json",
    )
    assert response.status_code == 400 and "inspectors" in response.json()


def test_inspections_are_scoped(world, general, api_client):
    shop = actions.start_inspection(
        world.shop_a, "supervisory", [world.street_officer], actor=world.street_officer
    )
    hotel = actions.start_inspection(
        world.hotel_b, "supervisory", [world.street_officer], actor=world.street_officer
    )
    expectations = {
        "grid_worker_a": {shop.pk},
        "grid_worker_b": {hotel.pk},
        "police_officer": {hotel.pk},
        "street_officer": {shop.pk, hotel.pk},
        "street2_officer": set(),
        "unit_owner": {shop.pk},
        "dept_staff": set(),
    }
    for persona, expected in expectations.items():
        api_client.force_authenticate(getattr(world, persona))
        listed = {row["id"] for row in api_client.get("/api/v1/inspections/").json()["results"]}
        assert listed == expected, persona
        for inspection in (shop, hotel):
            status = api_client.get(f"/api/v1/inspections/{inspection.pk}/").status_code
            assert status == (200 if inspection.pk in expected else 404), persona
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/inspections/").status_code == 401


def test_decision_override_needs_a_reason(world, general, api_client):
    inspection = actions.start_inspection(
        world.mall_a, "supervisory", [world.street_officer], actor=world.street_officer
    )
    actions.record_answer(
        inspection, checklist="t-general", item_code="EV-04", result="fail", elements=["6.6"]
    )
    actions.submit_inspection(inspection, actor=world.street_officer)
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        f"/api/v1/inspections/{inspection.pk}/decide/", {"major": False}, format="json"
    )
    assert response.status_code == 400 and "decision_reason" in response.json()
    response = api_client.post(f"/api/v1/inspections/{inspection.pk}/decide/", {"major": True}, format="json")
    assert response.status_code == 200 and response.json()["major_confirmed"] is True
