"""The survey (摸底排查): what was found sets the status; a fault opens a hazard case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from firegrid.facilities import actions
from firegrid.facilities.models import FacilityCheck
from firegrid.facilities.tests.conftest import jpeg_bytes
from firegrid.hazards.models import HazardCase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_damaged_hydrant_gets_its_status_and_a_hazard_case(facilities):
    hydrant = facilities.hydrant_a
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    check = actions.record_check(
        hydrant, actor=facilities.grid_worker_a, status_after="damaged", damage="栓口漏水", photo=photo
    )
    hydrant.refresh_from_db()
    assert hydrant.status == "damaged" and hydrant.last_checked_on is not None
    assert (check.status_before, check.status_after) == ("working", "damaged")
    case = check.hazard_case
    assert case is not None
    assert case.source == "patrol" and case.category.code == "public_water"
    assert case.region == facilities.grid_a and case.status == "reported"
    assert "栓口漏水" in case.description and hydrant.code in case.description
    assert case.attachments.count() == 1  # the survey photo
    assert check.photo and check.photo_type == "image/jpeg"


def test_a_working_hydrant_opens_nothing(facilities):
    check = actions.record_check(
        facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="working", pressure_mpa=0.25
    )
    assert check.hazard_case is None and check.faults == []
    assert not HazardCase.objects.exists()


@pytest.mark.parametrize(("pressure", "fault"), [(0.09, True), (0.10, False)])
def test_low_pressure_is_a_fault(facilities, pressure, fault):
    check = actions.record_check(
        facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="working", pressure_mpa=pressure
    )
    assert bool(check.hazard_case) is fault


def test_blocked_access_is_a_fault(facilities):
    check = actions.record_check(
        facilities.pool_a, actor=facilities.grid_worker_a, status_after="working", access="blocked"
    )
    assert check.hazard_case.category.code == "public_water"


def test_a_second_fault_continues_the_open_case(facilities):
    first = actions.record_check(facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="damaged")
    second = actions.record_check(
        facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="missing"
    )
    assert second.hazard_case == first.hazard_case
    assert HazardCase.objects.count() == 1


def test_maintenance_brings_it_back(facilities):
    actions.record_check(facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="damaged")
    actions.record_check(
        facilities.hydrant_a,
        actor=facilities.street_officer,
        status_after="working",
        kind="maintenance",
        note="更换闷盖",
    )
    facilities.hydrant_a.refresh_from_db()
    assert facilities.hydrant_a.status == "working"
    assert list(facilities.hydrant_a.checks.values_list("status_after", flat=True)) == ["working", "damaged"]


def test_the_survey_page(facilities, client):
    client.force_login(facilities.grid_worker_a)
    url = f"/facilities/{facilities.hydrant_a.pk}/survey/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="pressure_mpa"' in form.content.decode()
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(
        url, {"kind": "survey", "status_after": "missing", "note": "消火栓被拆除", "photo": photo}
    )
    assert response.status_code == 302
    facilities.hydrant_a.refresh_from_db()
    assert facilities.hydrant_a.status == "missing"
    check = FacilityCheck.objects.get()
    detail = client.get(f"/facilities/{facilities.hydrant_a.pk}/").content.decode()
    assert check.hazard_case.tracking_code in detail
    photo_response = client.get(f"/facilities/checks/{check.pk}/photo/")
    assert photo_response.status_code == 200 and photo_response["Content-Type"] == "image/jpeg"
    # a file that is not an image is a form error, nothing recorded
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(url, {"kind": "survey", "status_after": "working", "photo": bad})
    assert response.status_code == 200 and FacilityCheck.objects.count() == 1


def test_the_survey_api(facilities, api_client):
    api_client.force_authenticate(facilities.grid_worker_a)
    url = f"/api/v1/facilities/{facilities.hydrant_a.pk}/checks/"
    response = api_client.post(url, {"status_after": "damaged", "pressure_mpa": 0.05}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status_before"] == "working" and body["hazard_case"]
    assert len(body["faults"]) == 2
    listing = api_client.get(url).json()
    assert [c["id"] for c in listing["results"]] == [body["id"]]
    # grid worker B cannot see, so cannot survey, grid A's hydrant
    api_client.force_authenticate(facilities.grid_worker_b)
    assert api_client.post(url, {"status_after": "working"}, format="json").status_code == 404
    # the police have no facility scope
    api_client.force_authenticate(facilities.police_officer)
    response = api_client.post(url, {"status_after": "working"}, format="json")
    assert response.status_code == 404, response.content
