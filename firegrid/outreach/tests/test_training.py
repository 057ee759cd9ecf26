"""Training gates inspection: a grid worker without a valid certificate cannot be an inspector;
a certificate issued from a passed session is what lets them; an enforcement-staff session
certified by the detachment gives the enforcement qualification."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.core.roles import Role
from firegrid.inspections.actions import start_inspection
from firegrid.org.testing import make_user
from firegrid.outreach import actions
from firegrid.outreach.models import Attendance, TrainingSession

TODAY = datetime.date.today()


def session(world, audience="grid_worker", days_ago=3):
    return TrainingSession.objects.create(
        topic="网格员消防业务培训",
        audience=audience,
        held_on=TODAY - datetime.timedelta(days=days_ago),
        trainer="区消防救援支队",
        organiser="綦江区消防救援支队",
        region=world.street,
    )


def test_untrained_grid_worker_cannot_be_an_inspector(world):
    w = world
    newcomer = make_user("grid_worker_new", org_unit=w.group, roles=[(Role.GRID_WORKER, w.grid_a)])
    with pytest.raises(ValidationError) as exc:
        start_inspection(w.shop_a, "patrol", [newcomer], actor=newcomer)
    assert "no valid fire safety training certificate" in str(exc.value.message_dict["inspectors"])
    # trained and passed: the certificate makes them an inspector of a patrol
    attendance = Attendance.objects.create(
        session=session(w), user=newcomer, name="新网格员", group="grid_worker", result="passed", score=88
    )
    certificate = actions.issue_certificate(attendance, actor=w.street_officer)
    assert certificate.qualification.kind == "training" and newcomer.is_trained()
    inspection = start_inspection(w.shop_a, "patrol", [newcomer], actor=newcomer)
    assert list(inspection.inspectors.all()) == [newcomer]
    # but a training certificate is no enforcement qualification
    with pytest.raises(ValidationError):
        start_inspection(w.shop_a, "supervisory", [newcomer], actor=w.street_officer)
    # revoked: no longer trained
    actions.revoke_certificate(certificate, actor=w.street_officer)
    assert not newcomer.is_trained()
    with pytest.raises(ValidationError):
        start_inspection(w.shop_a, "patrol", [newcomer], actor=newcomer)


def test_expired_certificate_does_not_count(world):
    w = world
    old = session(w, days_ago=800)
    old.certificate_valid_days = 365
    old.save()
    attendance = Attendance.objects.create(
        session=old, user=w.grid_worker_b, name="b", group="grid_worker", result="passed"
    )
    w.grid_worker_b.qualifications.all().delete()
    actions.issue_certificate(attendance, actor=w.street_officer, issued_on=old.held_on)
    with pytest.raises(ValidationError):
        start_inspection(w.hotel_b, "patrol", [w.grid_worker_b], actor=w.grid_worker_b)


def test_enforcement_session_gives_the_enforcement_qualification(world):
    w = world
    officer = make_user("new_enforcer", org_unit=w.station, roles=[(Role.STREET_OFFICER, w.street)])
    assert not officer.can_inspect()
    attendance = Attendance.objects.create(
        session=session(w, audience="enforcement_staff"),
        user=officer,
        name="新执法员",
        group="enforcement_staff",
        result="passed",
    )
    # a street officer may not issue it: the fire rescue agency or district office does
    with pytest.raises(ValidationError):
        actions.issue_certificate(attendance, actor=w.street_officer)
    detachment = make_user("detachment", roles=[(Role.DETACHMENT_OFFICER, w.district)])
    actions.issue_certificate(attendance, actor=detachment)
    assert officer.can_inspect() and officer.is_trained()
    start_inspection(w.mall_a, "supervisory", [officer], actor=officer)


def test_nobody_certifies_themselves_and_grid_workers_do_not_certify(world):
    w = world
    attendance = Attendance.objects.create(
        session=session(w), user=w.street_officer, name="s", group="street_cadre", result="passed"
    )
    with pytest.raises(ValidationError):
        actions.issue_certificate(attendance, actor=w.street_officer)
    other = Attendance.objects.create(
        session=session(w), name="张房东", group="rental_landlord", result="passed"
    )
    with pytest.raises(ValidationError):
        actions.issue_certificate(other, actor=w.grid_worker_a)
    certificate = actions.issue_certificate(other, actor=w.district_admin)
    assert certificate.qualification is None and certificate.is_valid()
