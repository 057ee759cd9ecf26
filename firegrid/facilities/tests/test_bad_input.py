"""Bad input is a clear error naming the field, and nothing is written."""

import pytest
from django.core.exceptions import ValidationError

from firegrid.facilities import actions
from firegrid.facilities.choices import FacilityKind, FacilityStatus
from firegrid.facilities.models import Facility, FacilityCheck
from firegrid.facilities.tests.conftest import make_facility

pytestmark = pytest.mark.django_db


def test_coordinates_outside_the_district_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_facility("远方消火栓", FacilityKind.HYDRANT, 30.5, 110.2)
    assert "outside" in " ".join(exc.value.message_dict["lat"])
    assert not Facility.objects.exists()


def test_the_grid_is_derived_from_the_point(world):
    facility = make_facility("桥河消火栓", FacilityKind.HYDRANT, 28.05, 106.15)
    assert facility.region == world.grid_b


def test_negative_pool_volume_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_facility("水池", FacilityKind.POOL, 28.05, 106.05, volume_m3=-1)
    assert "volume_m3" in exc.value.message_dict
    assert not Facility.objects.exists()


def test_negative_volume_is_refused_by_the_database_too(world):
    from django.db import IntegrityError, transaction

    facility = make_facility("水池", FacilityKind.POOL, 28.05, 106.05, volume_m3=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.filter(pk=facility.pk).update(volume_m3=-5)


def test_a_status_change_without_a_check_record_is_refused(facilities):
    hydrant = facilities.hydrant_a
    hydrant.status = FacilityStatus.DAMAGED
    with pytest.raises(ValidationError) as exc:
        hydrant.save()
    assert "check record" in " ".join(exc.value.message_dict["status"])
    with pytest.raises(ValidationError):
        actions.save_facility(hydrant)
    hydrant.refresh_from_db()
    assert hydrant.status == FacilityStatus.WORKING
    assert not FacilityCheck.objects.exists()


def test_other_attributes_change_freely(facilities):
    hydrant = facilities.hydrant_a
    hydrant.owner = "区自来水公司"
    actions.save_facility(hydrant)
    hydrant.refresh_from_db()
    assert hydrant.owner == "区自来水公司"


def test_a_check_record_is_immutable(facilities):
    check = actions.record_check(
        facilities.hydrant_a, actor=facilities.street_officer, status_after="working"
    )
    check.note = "改写"
    with pytest.raises(ValidationError):
        check.save()
    with pytest.raises(ValidationError):
        check.delete()


def test_api_bad_input_answers_400_naming_the_field(facilities, api_client):
    api_client.force_authenticate(facilities.street_officer)
    url = "/api/v1/facilities/"
    outside = api_client.post(url, {"name": "x", "kind": "hydrant", "lat": 30.5, "lng": 110.2}, format="json")
    assert outside.status_code == 400 and "lat" in outside.json()
    negative = api_client.post(
        url, {"name": "x", "kind": "pool", "lat": 28.05, "lng": 106.05, "volume_m3": -3}, format="json"
    )
    assert negative.status_code == 400 and "volume_m3" in negative.json()
    status = api_client.patch(f"{url}{facilities.hydrant_a.pk}/", {"status": "damaged"}, format="json")
    assert status.status_code == 400
    assert "check record" in " ".join(status.json()["status"])
    facilities.hydrant_a.refresh_from_db()
    assert facilities.hydrant_a.status == "working"
    assert Facility.objects.count() == 4


def test_page_form_shows_the_errors(facilities, client):
    client.force_login(facilities.street_officer)
    response = client.post(
        "/facilities/new/", {"name": "x", "kind": "pool", "status": "working", "lat": 30.5, "lng": 110.2}
    )
    assert response.status_code == 200
    assert "outside" in response.content.decode()
    response = client.post(
        "/facilities/new/",
        {"name": "x", "kind": "pool", "status": "working", "lat": 28.05, "lng": 106.05, "volume_m3": -1},
    )
    assert response.status_code == 200
    assert Facility.objects.count() == 4
    # the status field of an existing facility is not editable: a posted status is ignored
    response = client.post(
        f"/facilities/{facilities.hydrant_a.pk}/edit/",
        {"name": "桥河一号消火栓", "kind": "hydrant", "status": "missing", "lat": 28.03, "lng": 106.03},
    )
    assert response.status_code == 302
    facilities.hydrant_a.refresh_from_db()
    assert facilities.hydrant_a.status == "working"


def test_bad_survey_input_is_refused(facilities):
    with pytest.raises(ValidationError) as exc:
        actions.record_check(facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="broken")
    assert "status_after" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.record_check(
            facilities.hydrant_a, actor=facilities.grid_worker_a, status_after="working", pressure_mpa=-0.2
        )
    assert "pressure_mpa" in exc.value.message_dict
    assert not FacilityCheck.objects.exists()
