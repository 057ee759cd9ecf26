"""Reminders before deadlines: a sweep (`firegrid sweep_tasks`, cron or Celery beat) records one
reminder per person for each task or duty falling due within its window, and one when it is late.

Idempotent like hazards.escalation.sweep_overdue: each row remembers which deadline it was reminded
of (moving the deadline reminds again), rows are claimed with SKIP LOCKED on PostgreSQL, and the
mail goes out after commit through the hazards' notifiers (settings.HAZARD_NOTIFIERS)."""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from firegrid.core.roles import Role
from firegrid.org.choices import UnitKind
from firegrid.tasks.models import Duty, KeyTask, TaskReminder

log = logging.getLogger(__name__)
REMIND_DAYS = 7  # how long before a deadline the holders are reminded


def _lock_batch(qs, size):
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.order_by("id")[:size])


def recipients(units):
    """Staff of the units, plus the street officers of streets whose committee or station is among
    them (they keep the street's fire work moving), active accounts only."""
    from firegrid.org.models import RoleAssignment, User

    today = timezone.localdate()
    unit_ids = [u.pk for u in units]
    ids = set(User.objects.filter(org_unit_id__in=unit_ids, is_active=True).values_list("pk", flat=True))
    street_ids = [u.region_id for u in units if u.kind in (UnitKind.COMMITTEE, UnitKind.WORK_STATION)]
    current = RoleAssignment.objects.filter(starts_on__lte=today).exclude(ends_on__lt=today)
    ids |= set(
        current.filter(role=Role.STREET_OFFICER, region_id__in=street_ids).values_list("user_id", flat=True)
    )
    ids |= set(current.filter(unit_id__in=unit_ids).values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _message(kind, what, due_on, url):
    with override(settings.LANGUAGE_CODE):
        if kind == "overdue":
            subject = _("Overdue: %(what)s (due %(due)s)") % {"what": what, "due": due_on}
        else:
            subject = _("Due on %(due)s: %(what)s") % {"what": what, "due": due_on}
        body = "\n".join([subject, settings.PUBLIC_BASE_URL + url])
    return subject[:200], body


def _record(kind, units, what, due_on, url, *, task=None, duty=None):
    subject, body = _message(kind, what, due_on, url)
    rows = [
        TaskReminder.objects.create(
            task=task,
            duty=duty,
            kind=kind,
            due_on=due_on,
            recipient=user,
            address=user.email or "",
            subject=subject,
            body=body,
        )
        for user in recipients(units)
    ]
    ids = [r.pk for r in rows]
    if ids:
        transaction.on_commit(lambda: deliver(ids))
    return len(rows)


def _jobs(today):
    soon = today + datetime.timedelta(days=REMIND_DAYS)
    not_reminded = Q(due_reminded_for__isnull=True) | ~Q(due_reminded_for=F("due_on"))
    not_late_reminded = Q(overdue_reminded_for__isnull=True) | ~Q(overdue_reminded_for=F("due_on"))
    return [
        (
            "due_soon",
            KeyTask.objects.open().filter(not_reminded, due_on__gte=today, due_on__lte=soon),
            "due_reminded_for",
        ),
        (
            "overdue",
            KeyTask.objects.open().filter(not_late_reminded, due_on__lt=today),
            "overdue_reminded_for",
        ),
        (
            "due_soon",
            Duty.objects.open().filter(not_reminded, due_on__gte=today, due_on__lte=soon),
            "due_reminded_for",
        ),
        ("overdue", Duty.objects.open().filter(not_late_reminded, due_on__lt=today), "overdue_reminded_for"),
    ]


def sweep_task_reminders(now=None, batch=500):
    """Record (and after commit send) the reminders due; returns counts. Safe to run twice at once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {
        "tasks_due_soon": 0,
        "tasks_overdue": 0,
        "duties_due_soon": 0,
        "duties_overdue": 0,
        "reminders": 0,
    }
    for kind, qs, flag in _jobs(today):
        model = qs.model
        label = ("tasks_" if model is KeyTask else "duties_") + kind
        while True:
            with transaction.atomic():
                rows = _lock_batch(qs, batch)
                for row in rows:
                    if model is KeyTask:
                        units = list(row.units.all())
                        counts["reminders"] += _record(
                            kind, units, str(row), row.due_on, row.get_absolute_url(), task=row
                        )
                    else:
                        counts["reminders"] += _record(
                            kind, [row.unit], str(row), row.due_on, row.get_absolute_url(), duty=row
                        )
                    model.objects.filter(pk=row.pk).update(**{flag: row.due_on})
                    counts[label] += 1
            if len(rows) < batch:
                break
    return counts


def deliver(ids):
    """Send recorded reminders through every notifier; failures are recorded, never raised."""
    notifiers = [import_string(path)() for path in settings.HAZARD_NOTIFIERS]
    for reminder in TaskReminder.objects.filter(pk__in=ids, sent_at__isnull=True):
        errors = []
        for notifier in notifiers:
            try:
                notifier.send(reminder)
            except Exception as exc:  # a broken mail server must not break the sweep
                log.warning("task reminder %s via %s failed: %s", reminder.pk, type(notifier).__name__, exc)
                errors.append(f"{type(notifier).__name__}: {exc}"[:300])
        TaskReminder.objects.filter(pk=reminder.pk).update(
            sent_at=None if errors else timezone.now(), error="; ".join(errors)[:300]
        )
