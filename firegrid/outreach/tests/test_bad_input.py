"""The issue's bad input: a visit outside the visitor's area, a certificate without a passed session,
a household without recorded consent. Each a clear 400 or form error, and nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.hazards.models import HazardCase
from firegrid.org.models import Qualification
from firegrid.outreach import actions
from firegrid.outreach.models import Attendance, Certificate, HomeVisit, Household, TrainingSession

TODAY = datetime.date.today()


def counts():
    return HomeVisit.objects.count(), HazardCase.objects.count(), Household.objects.count()


def test_visit_outside_the_visitors_area_is_refused_everywhere(homes, client, api_client):
    w = homes
    before = counts()
    with pytest.raises(ValidationError) as exc:
        actions.record_visit(w.home_a, actor=w.grid_worker_b, outcome="completed", hazards=["wiring"])
    assert "outside your area" in str(exc.value.message_dict["household"])
    client.force_login(w.grid_worker_b)
    response = client.post(
        "/outreach/visits/new/",
        {
            "household": w.home_a.pk,
            "visited_on": TODAY.isoformat(),
            "outcome": "completed",
            "hazards": ["wiring"],
        },
    )
    assert response.status_code == 400
    assert "outside your area" in response.content.decode()
    api_client.force_authenticate(w.street2_officer)
    response = api_client.post(
        "/api/v1/outreach/visits/",
        {"household": w.home_a.pk, "outcome": "completed", "hazards": ["wiring"]},
        format="json",
    )
    assert response.status_code == 400 and "household" in response.json()
    assert counts() == before


def test_certificate_without_a_passed_session_is_refused(world, client, api_client):
    w = world
    session = TrainingSession.objects.create(
        topic="网格员消防业务培训",
        audience="grid_worker",
        held_on=TODAY - datetime.timedelta(days=2),
        trainer="区消防救援支队",
        region=w.street,
    )
    failed = Attendance.objects.create(
        session=session, user=w.grid_worker_b, name="grid_worker_b", group="grid_worker", result="failed"
    )
    absent = Attendance.objects.create(
        session=session, name="张房东", group="rental_landlord", result="absent"
    )
    qualifications = Qualification.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.issue_certificate(failed, actor=w.street_officer)
    assert "no passed session" in str(exc.value)
    client.force_login(w.street_officer)
    response = client.post(f"/outreach/attendance/{absent.pk}/certificate/", {"number": ""})
    assert response.status_code == 400 and "no passed session" in response.content.decode()
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(f"/api/v1/outreach/attendance/{failed.pk}/certificate/", {}, format="json")
    assert response.status_code == 400 and "attendance" in response.json()
    # a session that has not been held cannot be passed at all
    future = TrainingSession.objects.create(
        topic="下月培训",
        audience="grid_worker",
        trainer="x",
        held_on=TODAY + datetime.timedelta(days=5),
        region=w.street,
    )
    response = api_client.post(
        "/api/v1/outreach/attendance/",
        {"session": future.pk, "name": "某人", "group": "grid_worker", "result": "passed"},
        format="json",
    )
    assert response.status_code == 400 and "result" in response.json()
    assert Certificate.objects.count() == 0 and Qualification.objects.count() == qualifications


def _household_post(grid, **overrides):
    data = {
        "grid": grid.pk,
        "name": "陈奶奶",
        "address": "桥河路1号",
        "elderly_alone": "on",
        "residents": 1,
        "consent_by": "",
        "consent_relation": "",
        "consent_on": "",
        "is_active": "on",
    }
    return data | overrides


def test_household_without_recorded_consent_is_refused(world, client, api_client):
    w = world
    client.force_login(w.grid_worker_a)
    response = client.post("/outreach/households/new/", _household_post(w.grid_a))
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["form"].errors
    assert {"consent_by", "consent_relation", "consent_on", "consent_scope"} <= set(errors)
    # consent given, but not to keeping the details: still refused
    response = client.post(
        "/outreach/households/new/",
        _household_post(
            w.grid_a,
            consent_by="陈奶奶",
            consent_relation="self",
            consent_on=TODAY.isoformat(),
            consent_scope=["visits"],
        ),
    )
    assert "consent_scope" in response.context["form"].errors
    api_client.force_authenticate(w.grid_worker_a)
    response = api_client.post(
        "/api/v1/outreach/households/",
        {"grid": w.grid_a.code, "name": "陈奶奶", "address": "桥河路1号", "elderly_alone": True},
        format="json",
    )
    assert response.status_code == 400
    assert {"consent_by", "consent_on", "consent_scope"} <= set(response.json())
    # a left-behind child's consent comes from a guardian
    response = api_client.post(
        "/api/v1/outreach/households/",
        {
            "grid": w.grid_a.code,
            "name": "小明",
            "address": "桥河路2号",
            "left_behind_child": True,
            "consent_by": "小明",
            "consent_relation": "self",
            "consent_on": TODAY.isoformat(),
            "consent_scope": ["register"],
        },
        format="json",
    )
    assert response.status_code == 400 and "consent_relation" in response.json()
    assert Household.objects.count() == 0


def test_visit_refused_when_consent_does_not_cover_visits(homes):
    w = homes
    w.home_a.consent_scope = ["register"]
    w.home_a.save()
    with pytest.raises(ValidationError) as exc:
        actions.record_visit(w.home_a, actor=w.grid_worker_a, outcome="completed")
    assert "not consented" in str(exc.value)
    assert HomeVisit.objects.count() == 0


def test_helper_must_work_where_the_household_is(world):
    from firegrid.outreach.tests.conftest import make_household

    with pytest.raises(ValidationError) as exc:
        make_household(world.grid_a, "错配", helper=world.grid_worker_b)
    assert "helper" in exc.value.message_dict
