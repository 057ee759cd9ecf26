"""Telling people about cases: who holds a case, reminders recorded as rows, sent after commit
by pluggable notifiers (settings.HAZARD_NOTIFIERS; email by default)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from firegrid.core.roles import Role
from firegrid.hazards.choices import EventKind, Level
from firegrid.hazards.models import Reminder

log = logging.getLogger(__name__)

LEVEL_ROLES = {
    Level.GRID: (Role.GRID_WORKER, Role.COMMUNITY_MEMBER),
    Level.STREET: (Role.STREET_OFFICER,),
    Level.DISTRICT: (Role.DISTRICT_ADMIN,),
}


def holders(case):
    """The people who hold the case at its level (and the district once it supervises)."""
    from firegrid.org.models import RoleAssignment, User

    today = timezone.localdate()
    current = RoleAssignment.objects.filter(starts_on__lte=today).exclude(ends_on__lt=today)
    path = case.region.path
    prefixes = ["/".join(path.split("/")[: i + 1]) + "/" for i in range(1, path.count("/"))]
    roles = list(LEVEL_ROLES.get(case.level, ()))
    if case.supervised_at:
        roles.append(Role.DISTRICT_ADMIN)
    ids = set(current.filter(role__in=roles, region__path__in=prefixes).values_list("user_id", flat=True))
    if case.level == Level.DEPARTMENT and case.department_id:
        ids |= set(
            current.filter(role=Role.DEPT_STAFF, unit=case.department_id).values_list("user_id", flat=True)
        )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _message(case, kind):
    base = settings.PUBLIC_BASE_URL
    with override(settings.LANGUAGE_CODE):
        subject = {
            "overdue": _("Overdue hazard case %(code)s"),
            EventKind.ESCALATED: _("Hazard case %(code)s escalated to you"),
            EventKind.WHISTLE: _("Your department is called in on hazard case %(code)s"),
            EventKind.SUPERVISED: _("Hazard case %(code)s is under district supervision"),
        }.get(kind, _("Hazard case %(code)s")) % {"code": case.tracking_code}
        lines = [
            subject,
            f"{case.category.name}: {case.description[:200]}",
            _("Status: %(status)s; held at: %(level)s")
            % {"status": case.get_status_display(), "level": case.get_level_display()},
        ]
        if case.step_due:
            lines.append(
                _("Due: %(due)s") % {"due": timezone.localtime(case.step_due).strftime("%Y-%m-%d %H:%M")}
            )
        lines.append(f"{base}/hazards/{case.pk}/")
    return subject, "\n".join(lines)


def _record(case, kind, event=None):
    subject, body = _message(case, kind)
    reminders = [
        Reminder.objects.create(
            case=case, event=event, recipient=user, address=user.email or "", subject=subject, body=body
        )
        for user in holders(case)
    ]
    ids = [r.pk for r in reminders]
    if ids:
        transaction.on_commit(lambda: deliver(ids))
    return reminders


def remind(case, *, now=None):
    """Record and (after commit) send a reminder about an overdue case; returns how many."""
    from firegrid.hazards.actions import record_event

    reminders = _record(case, "overdue")
    record_event(
        case,
        EventKind.REMINDER,
        label=str(_("System")),
        from_status=case.status,
        to_status=case.status,
        data={"recipients": [r.recipient_id for r in reminders]},
        at=now,
        public=False,
    )
    return len(reminders)


def case_changed(case, event):
    """Tell the new holders when a case is escalated, whistled to them or supervised."""
    return _record(case, event.kind, event)


def notifiers():
    return [import_string(path)() for path in settings.HAZARD_NOTIFIERS]


def deliver(ids):
    """Send recorded reminders through every notifier; failures are recorded, never raised."""
    for reminder in Reminder.objects.filter(pk__in=ids, sent_at__isnull=True).select_related("recipient"):
        errors = []
        for notifier in notifiers():
            try:
                notifier.send(reminder)
            except Exception as exc:  # a broken mail server must not break the sweep
                log.warning("reminder %s via %s failed: %s", reminder.pk, type(notifier).__name__, exc)
                errors.append(f"{type(notifier).__name__}: {exc}"[:300])
        Reminder.objects.filter(pk=reminder.pk).update(
            sent_at=None if errors else timezone.now(), error="; ".join(errors)[:300]
        )


class EmailNotifier:
    """Sends through Django's email backend (settings.EMAIL_BACKEND)."""

    def send(self, reminder):
        if not reminder.address:
            raise ValueError("no email address")
        send_mail(reminder.subject, reminder.body, None, [reminder.address])
