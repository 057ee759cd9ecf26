"""The overdue sweep: escalates, flags, reminds — and does nothing twice."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from firegrid.hazards import actions, escalation
from firegrid.hazards.choices import EventKind, Level
from firegrid.hazards.escalation import sweep_overdue
from firegrid.hazards.models import HazardCase, Reminder


@pytest.fixture
def emails(world):
    for user in (world.street_officer, world.dept_staff, world.district_admin, world.grid_worker_a):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


def later(days):
    return timezone.now() + datetime.timedelta(days=days)


def test_an_unconfirmed_report_goes_overdue_and_up_to_the_street(
    world, make_case, emails, settings, django_capture_on_commit_callbacks
):
    case = make_case()
    make_case()  # another, same age
    fresh = make_case()
    HazardCase.objects.filter(pk=fresh.pk).update(step_due=later(30))
    now = later(settings.HAZARD_DEADLINE_DAYS["confirm"] + 1)
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_overdue(now=now)
    assert counts["overdue"] == 2 and counts["reminded"] == 2
    case.refresh_from_db()
    assert case.level == Level.STREET and case.overdue_at == now and case.last_reminded_at == now
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["reported", "overdue", "escalated", "reminder"]
    assert case.events.get(kind="overdue").is_public is False
    assert (
        Reminder.objects.filter(case=case, recipient=world.street_officer, sent_at__isnull=False).count() == 1
    )
    assert any("street_officer@example.org" in m.to for m in mail.outbox)
    fresh.refresh_from_db()
    assert fresh.overdue_at is None and fresh.level == Level.GRID


def test_the_sweep_does_nothing_twice(world, make_case, emails, settings):
    case = make_case()
    now = later(settings.HAZARD_DEADLINE_DAYS["confirm"] + 1)
    sweep_overdue(now=now)
    events = case.events.count()
    again = sweep_overdue(now=now + datetime.timedelta(hours=1))
    assert again == {"overdue": 0, "checkin_overdue": 0, "supervision_overdue": 0, "reminded": 0}
    assert case.events.count() == events
    # after the reminder interval the holders are reminded again, and only reminded
    third = sweep_overdue(now=now + datetime.timedelta(days=settings.HAZARD_DEADLINE_DAYS["remind"], hours=1))
    assert third["reminded"] == 1 and third["overdue"] == 0
    assert case.events.filter(kind=EventKind.REMINDER).count() == 2


def test_moving_the_case_on_clears_the_overdue_flag(world, make_case, settings):
    case = make_case()
    sweep_overdue(now=later(settings.HAZARD_DEADLINE_DAYS["confirm"] + 1))
    actions.confirm(case, actor=world.street_officer)
    case.refresh_from_db()
    assert case.overdue_at is None and case.step_due > timezone.now()


def test_rectification_past_its_deadline_is_overdue(world, make_case):
    case = make_case()
    actions.confirm(case, actor=world.grid_worker_a)
    actions.order(case, actor=world.grid_worker_a, deadline=timezone.localdate() + datetime.timedelta(days=2))
    assert sweep_overdue(now=later(1))["overdue"] == 0
    assert sweep_overdue(now=later(4))["overdue"] == 1
    case.refresh_from_db()
    assert case.level == Level.STREET and case.is_overdue(later(4))
    assert HazardCase.objects.overdue(later(4)).filter(pk=case.pk).exists()


def test_a_department_that_does_not_check_in_is_escalated_to_the_district(world, make_case, emails, settings):
    case = make_case(place=world.school_a)
    HazardCase.objects.filter(pk=case.pk).update(step_due=later(365))
    escalation.whistle(case, actor=world.street_officer, department=world.department, reason="请教委处理")
    now = later(settings.HAZARD_DEADLINE_DAYS["checkin"] + 1)
    counts = sweep_overdue(now=now)
    assert counts["checkin_overdue"] == 1
    case.refresh_from_db()
    assert case.level == Level.DISTRICT and case.checkin_overdue_at == now
    recipients = set(
        Reminder.objects.filter(case=case, event__isnull=True).values_list("recipient", flat=True)
    )
    assert world.district_admin.pk in recipients
    HazardCase.objects.filter(pk=case.pk).update(checkin_due=timezone.now() - datetime.timedelta(hours=1))
    escalation.check_in(case, actor=world.dept_staff)
    assert case.events.filter(kind=EventKind.CHECKED_IN).get().data["late"] is True


def test_supervision_past_its_deadline_is_flagged(world, make_case):
    case = make_case()
    HazardCase.objects.filter(pk=case.pk).update(step_due=later(365))
    escalation.supervise(case, actor=world.district_admin, reason="督办", due=later(2))
    counts = sweep_overdue(now=later(3))
    assert counts["supervision_overdue"] == 1
    assert case.events.filter(kind=EventKind.OVERDUE, data__step="supervision").count() == 1


class BrokenNotifier:
    def send(self, reminder):
        raise ConnectionError("SMTP server unreachable")


def test_a_failing_notifier_is_recorded_not_raised(
    world, make_case, emails, settings, django_capture_on_commit_callbacks
):
    settings.HAZARD_NOTIFIERS = ["firegrid.hazards.tests.test_sweep.BrokenNotifier"]
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_overdue(now=later(settings.HAZARD_DEADLINE_DAYS["confirm"] + 1))
    assert counts["reminded"] == 1
    reminder = Reminder.objects.get(case=case)
    assert reminder.sent_at is None and "unreachable" in reminder.error


def test_the_command_prints_what_it_did(world, make_case, capsys):
    case = make_case()
    HazardCase.objects.filter(pk=case.pk).update(step_due=timezone.now() - datetime.timedelta(minutes=1))
    call_command("sweep_hazards")
    out = capsys.readouterr().out
    assert "overdue=1" in out and "reminded=1" in out


def test_overdue_covers_late_check_ins_and_supervision(world, make_case):
    checkin, supervised, fine = make_case(place=world.school_a), make_case(), make_case()
    HazardCase.objects.filter(pk__in=[checkin.pk, supervised.pk, fine.pk]).update(step_due=later(365))
    escalation.whistle(checkin, actor=world.street_officer, department=world.department, reason="x")
    escalation.supervise(supervised, actor=world.district_admin, reason="x", due=later(1))
    now = later(settings_days("checkin") + 2)
    overdue = set(HazardCase.objects.overdue(now).values_list("pk", flat=True))
    assert overdue == {checkin.pk, supervised.pk}
    checkin.refresh_from_db()
    fine.refresh_from_db()
    assert checkin.is_overdue(now) and not fine.is_overdue(now)


def settings_days(name):
    from django.conf import settings

    return settings.HAZARD_DEADLINE_DAYS[name]
