"""A visit finding opens a hazard case; devices link to IoT devices; visits recorded through the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.iot.models import Device
from firegrid.outreach import actions

TODAY = datetime.date.today()


def test_visit_finding_opens_hazard_cases(homes):
    w = homes
    visit = actions.record_visit(
        w.home_a,
        actor=w.grid_worker_a,
        outcome="completed",
        alarms_present="no",
        alarms_installed=1,
        hazards=["wiring", "e_bike_indoors"],
        referrals=["electrical_repair"],
        follow_up_needed=True,
        follow_up_by=TODAY + datetime.timedelta(days=7),
    )
    cases = {c.category.code: c for c in visit.hazard_cases.all()}
    assert set(cases) == {"electrical", "e_bike"}
    for case in cases.values():
        assert case.source == "patrol" and case.region == w.grid_a and case.status == "reported"
        assert case.attributes["home_visit"] == visit.pk
    assert cases["e_bike"].attributes["where"] == "home"
    w.home_a.refresh_from_db()
    assert w.home_a.last_visited_on == TODAY


def test_visit_through_the_api(homes, api_client):
    w = homes
    api_client.force_authenticate(w.grid_worker_a)
    response = api_client.post(
        "/api/v1/outreach/visits/",
        {
            "household": w.home_a.pk,
            "outcome": "completed",
            "alarms_present": "yes",
            "alarms_working": "all",
            "hazards": ["blocked_exit"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["hazard_cases"]) == 1
    # a visit is a record: not edited afterwards
    assert (
        api_client.patch(
            f"/api/v1/outreach/visits/{response.json()['id']}/", {"notes": "x"}, format="json"
        ).status_code
        == 405
    )
    # findings only for a completed visit
    response = api_client.post(
        "/api/v1/outreach/visits/",
        {"household": w.home_a.pk, "outcome": "not_home", "hazards": ["wiring"]},
        format="json",
    )
    assert response.status_code == 400 and "outcome" in response.json()


def test_devices_link_to_iot_devices_of_the_grid(homes, api_client):
    w = homes
    alarm = Device(ident="smoke-home-a", kind="smoke_detector", region=w.grid_a)
    alarm.set_key()
    alarm.save()
    other = Device(ident="smoke-grid-b", kind="smoke_detector", region=w.grid_b)
    other.set_key()
    other.save()
    device = actions.install_device(w.home_a, actor=w.grid_worker_a, kind="smoke_alarm", iot_device=alarm)
    assert alarm.home_device == device
    with pytest.raises(ValidationError) as exc:
        actions.install_device(w.home_a, actor=w.street_officer, kind="smoke_alarm", iot_device=other)
    assert "another grid" in str(exc.value)
    with pytest.raises(ValidationError):
        actions.install_device(w.home_a, actor=w.street_officer, kind="simple_sprinkler", iot_device=other)
    api_client.force_authenticate(w.grid_worker_a)
    response = api_client.post(
        "/api/v1/outreach/devices/",
        {"household": w.home_a.pk, "kind": "leakage_protector", "iot_ident": "no-such"},
        format="json",
    )
    assert response.status_code == 400 and "iot_device" in response.json()
    response = api_client.post(
        "/api/v1/outreach/devices/",
        {"household": w.home_a.pk, "kind": "simple_sprinkler", "installed_by": "街道"},
        format="json",
    )
    assert response.status_code == 201
