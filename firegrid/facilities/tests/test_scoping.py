"""Who sees what: street officers, community members and grid workers their region's facilities,
district-wide roles all, police, departments, owners and nobody none; lists, details, API, export,
map layer."""

import io

import pytest
from openpyxl import load_workbook

from firegrid.facilities.tests.conftest import make_facility

pytestmark = pytest.mark.django_db

ALL = {"桥河一号消火栓", "桥河消防水池", "河滨消火栓", "沙溪消火栓"}
EXPECTED = {
    "district_admin": ALL,
    "street_officer": {"桥河一号消火栓", "桥河消防水池", "河滨消火栓"},
    "street2_officer": {"沙溪消火栓"},
    "grid_worker_a": {"桥河一号消火栓", "桥河消防水池"},
    "grid_worker_b": {"河滨消火栓"},
    "police_officer": set(),
    "dept_staff": set(),
    "unit_owner": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_lists_details_api_export_and_map_layer(facilities, client, api_client, persona):
    user = getattr(facilities, persona)
    expected = EXPECTED[persona]
    by_name = {
        f.name: f
        for f in (facilities.hydrant_a, facilities.pool_a, facilities.hydrant_b, facilities.hydrant_s2)
    }

    client.force_login(user)
    page = client.get("/facilities/").content.decode()
    for name in ALL:
        assert (name in page) is (name in expected), (persona, name)
    for name, facility in by_name.items():
        status = client.get(f"/facilities/{facility.pk}/").status_code
        assert status == (200 if name in expected else 404), (persona, name)

    api_client.force_authenticate(user)
    listed = {f["name"] for f in api_client.get("/api/v1/facilities/?limit=500").json()["results"]}
    assert listed == expected
    for name, facility in by_name.items():
        status = api_client.get(f"/api/v1/facilities/{facility.pk}/").status_code
        assert status == (200 if name in expected else 404), (persona, name)

    layer = api_client.get("/api/v1/facilities/geojson/").json()
    assert {f["properties"]["name"] for f in layer["features"]} == expected
    for feature in layer["features"]:
        assert feature["properties"]["url"] == f"/facilities/{feature['id']}/"

    export = client.get("/facilities/ledger/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)} == expected
    api_export = api_client.get("/api/v1/facilities/ledger/export/")
    sheet = load_workbook(io.BytesIO(b"".join(api_export.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)} == expected


@pytest.mark.parametrize(
    ("persona", "can_survey"),
    [
        ("grid_worker_a", True),
        ("street_officer", True),
        ("district_admin", True),
        ("grid_worker_b", False),
        ("police_officer", False),
        ("nobody", False),
    ],
)
def test_who_may_survey_grid_as_hydrant(facilities, client, persona, can_survey):
    client.force_login(getattr(facilities, persona))
    url = f"/facilities/{facilities.hydrant_a.pk}/survey/"
    assert client.get(url).status_code == (200 if can_survey else 404)
    response = client.post(url, {"kind": "survey", "status_after": "working"})
    assert response.status_code == (302 if can_survey else 404)


def test_only_street_and_district_staff_edit_and_register(facilities, client, api_client):
    client.force_login(facilities.grid_worker_a)
    assert client.get(f"/facilities/{facilities.hydrant_a.pk}/edit/").status_code == 404
    assert client.get("/facilities/new/").status_code == 404
    api_client.force_authenticate(facilities.grid_worker_a)
    response = api_client.patch(
        f"/api/v1/facilities/{facilities.hydrant_a.pk}/", {"owner": "x"}, format="json"
    )
    assert response.status_code == 404
    api_client.force_authenticate(facilities.street_officer)
    # a street officer cannot register a facility in the other street
    response = api_client.post(
        "/api/v1/facilities/", {"name": "越界", "kind": "hydrant", "lat": 28.05, "lng": 106.55}, format="json"
    )
    assert response.status_code in (400, 403)
    response = api_client.post(
        "/api/v1/facilities/", {"name": "新栓", "kind": "hydrant", "lat": 28.05, "lng": 106.06}, format="json"
    )
    assert response.status_code == 201 and response.json()["region"] == "T5010101"


def test_check_records_follow_the_facility_scope(facilities, api_client):
    from firegrid.facilities import actions

    actions.record_check(facilities.hydrant_s2, actor=facilities.street2_officer, status_after="working")
    api_client.force_authenticate(facilities.street_officer)
    assert api_client.get("/api/v1/facilities/checks/").json()["results"] == []
    api_client.force_authenticate(facilities.street2_officer)
    assert len(api_client.get("/api/v1/facilities/checks/").json()["results"]) == 1
    api_client.force_authenticate(facilities.nobody)
    assert api_client.get("/api/v1/facilities/checks/").json()["results"] == []


def test_a_new_facility_from_another_street_is_not_written(facilities):
    # the service itself does not scope; the API and pages check the saved row is writable
    facility = make_facility("沙溪二号", "hydrant", 28.04, 106.54)
    assert facility.region == facilities.grid_s2


def test_the_map_registry_draws_the_facility_layers(world):
    from firegrid.dashboard.map_layers import page_layers

    layers = {layer["name"]: layer for layer in page_layers()}
    assert layers["facilities"]["url"] == "/api/v1/facilities/geojson/"
    assert layers["facilities"]["style"]["colour_by"] == "status"
    assert layers["water_gaps"]["url"] == "/api/v1/facilities/coverage/geojson/"
