"""Escalation: grid → street (major or overdue), the street's whistle to a department (街镇吹哨)
and its check-in (部门报到), the district's supervision (督办), and the overdue sweep."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.roles import Role
from firegrid.hazards import deadlines, notify
from firegrid.hazards.actions import (
    DISTRICT_HANDLERS,
    GRID_HANDLERS,
    WHISTLERS,
    Conflict,
    Forbidden,
    _check_roles,
    _check_status,
    _check_version,
    _lock,
    _require,
    _save,
    acting_roles,
    handlers,
    record_event,
)
from firegrid.hazards.choices import OPEN_STATUSES, EventKind, Level
from firegrid.hazards.models import HazardCase
from firegrid.org.choices import UnitKind

log = logging.getLogger(__name__)

NEXT_LEVEL = {Level.GRID: Level.STREET, Level.STREET: Level.DISTRICT, Level.DEPARTMENT: Level.DISTRICT}


def _escalate(case, *, to_level, actor=None, reason="", label=None, data=None, now=None):
    from_level = case.level
    _save(case, {"level": to_level})
    return record_event(
        case,
        EventKind.ESCALATED,
        actor=actor,
        label=label,
        from_status=case.status,
        to_status=case.status,
        note=reason,
        data={"from_level": from_level, "to_level": to_level, **(data or {})},
        at=now,
    )


@transaction.atomic
def escalate(case, *, actor, reason, expect_version=None):
    """Hand the case up one level: the grid cannot solve it, or the street needs the district."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, OPEN_STATUSES, _("escalated"))
    if case.level not in NEXT_LEVEL:
        raise Conflict(_("The case is already held by the district."), field="level")
    _check_roles(case, actor, handlers(case) | GRID_HANDLERS, _("escalate"))
    _require(reason, "reason", _("Say why the case goes up."))
    event = _escalate(case, to_level=NEXT_LEVEL[case.level], actor=actor, reason=reason)
    notify.case_changed(case, event)
    return event


@transaction.atomic
def whistle(case, *, actor, department, reason, expect_version=None):
    """街镇吹哨: the street calls in the sector department, which must check in by a deadline."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, OPEN_STATUSES, _("handed to a department"))
    _check_roles(case, actor, WHISTLERS, _("call in a department for"))
    _require(reason, "reason", _("Say what the department is called in for."))
    if department is None or department.kind != UnitKind.DEPARTMENT:
        raise ValidationError({"department": _("Choose an industry department.")})
    if case.sector and case.sector not in (department.sectors or []):
        raise ValidationError(
            {"department": _("%(unit)s does not manage the sector of this place.") % {"unit": department}}
        )
    if case.department_id == department.pk and not case.checked_in_at:
        raise Conflict(_("%(unit)s has been called in already.") % {"unit": department}, field="department")
    now = timezone.now()
    due = deadlines.after(now, "checkin")
    fields = {
        "department": department,
        "level": Level.DEPARTMENT,
        "whistled_at": now,
        "checkin_due": due,
        "checked_in_at": None,
        "checkin_overdue_at": None,
    }
    from_level = case.level
    _save(case, fields)
    event = record_event(
        case,
        EventKind.WHISTLE,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=reason,
        data={
            "department": department.pk,
            "department_name": department.name,
            "checkin_due": due.isoformat(),
            "from_level": from_level,
        },
        at=now,
    )
    notify.case_changed(case, event)
    return event


@transaction.atomic
def check_in(case, *, actor, note="", expect_version=None):
    """部门报到: the department called in takes the case up."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, OPEN_STATUSES, _("checked in to"))
    if not case.department_id or case.checked_in_at:
        raise Conflict(_("No department is waiting to check in on this case."), field="department")
    if Role.DEPT_STAFF not in acting_roles(case, actor):
        raise Forbidden(_("Only staff of %(unit)s may check in.") % {"unit": case.department}, field="actor")
    now = timezone.now()
    _save(case, {"checked_in_at": now})
    late = case.checkin_due is not None and now > case.checkin_due
    return record_event(
        case,
        EventKind.CHECKED_IN,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=note,
        data={"department": case.department_id, "late": late},
        at=now,
    )


@transaction.atomic
def supervise(case, *, actor, reason, due=None, expect_version=None):
    """督办: the district puts the case under supervision with a deadline of its own."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, OPEN_STATUSES, _("supervised"))
    _check_roles(case, actor, DISTRICT_HANDLERS, _("supervise"))
    _require(reason, "reason", _("Say what the district requires."))
    now = timezone.now()
    if due is not None and due <= now:
        raise ValidationError({"due": _("The supervision deadline must be in the future.")})
    due = due or deadlines.after(now, "supervise")
    _save(case, {"supervised_at": now, "supervision_due": due, "supervision_overdue_at": None})
    event = record_event(
        case,
        EventKind.SUPERVISED,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=reason,
        data={"due": due.isoformat()},
        at=now,
    )
    notify.case_changed(case, event)
    return event


# ---- the sweep: a scheduler runs `manage.py sweep_hazards` (later a Celery beat task) ----

SYSTEM = _("System")


def _lock_batch(qs, size):
    """Rows to work on; on PostgreSQL two sweeps at once split the rows instead of doubling up."""
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.order_by("id")[:size])


def _overdue_step(case, now):
    _save(case, {"overdue_at": now})
    record_event(
        case,
        EventKind.OVERDUE,
        label=str(SYSTEM),
        from_status=case.status,
        to_status=case.status,
        data={"step": case.status, "due": case.step_due.isoformat()},
        at=now,
        public=False,
    )
    if case.level == Level.GRID:
        # "一般隐患不出网格" holds only while the grid keeps its deadlines
        _escalate(
            case,
            to_level=Level.STREET,
            label=str(SYSTEM),
            reason=str(_("Overdue in the grid.")),
            now=now,
            data={"overdue": True},
        )


def _checkin_overdue(case, now):
    _save(case, {"checkin_overdue_at": now})
    record_event(
        case,
        EventKind.OVERDUE,
        label=str(SYSTEM),
        from_status=case.status,
        to_status=case.status,
        data={"step": "checkin", "due": case.checkin_due.isoformat(), "department": case.department_id},
        at=now,
        public=False,
    )
    if case.level != Level.DISTRICT:
        _escalate(
            case,
            to_level=Level.DISTRICT,
            label=str(SYSTEM),
            reason=str(_("The department did not check in on time.")),
            now=now,
        )


def _supervision_overdue(case, now):
    _save(case, {"supervision_overdue_at": now})
    record_event(
        case,
        EventKind.OVERDUE,
        label=str(SYSTEM),
        from_status=case.status,
        to_status=case.status,
        data={"step": "supervision", "due": case.supervision_due.isoformat()},
        at=now,
        public=False,
    )


def sweep_overdue(now=None, batch=500):
    """Find overdue steps, escalate, and remind whoever holds each overdue case.

    Safe to run twice at once or twice in a row: every step is flagged when handled, and rows are
    claimed with SKIP LOCKED. Returns counts of what it did.
    """
    now = now or timezone.now()
    counts = {"overdue": 0, "checkin_overdue": 0, "supervision_overdue": 0, "reminded": 0}
    jobs = [
        ("overdue", Q(step_due__lt=now, overdue_at__isnull=True), _overdue_step),
        (
            "checkin_overdue",
            Q(
                department__isnull=False,
                checked_in_at__isnull=True,
                checkin_due__lt=now,
                checkin_overdue_at__isnull=True,
            ),
            _checkin_overdue,
        ),
        (
            "supervision_overdue",
            Q(supervision_due__lt=now, supervision_overdue_at__isnull=True),
            _supervision_overdue,
        ),
    ]
    for name, condition, handle in jobs:
        while True:
            with transaction.atomic():
                cases = _lock_batch(HazardCase.objects.open().filter(condition), batch)
                for case in cases:
                    handle(case, now)
                    counts[name] += 1
            if len(cases) < batch:
                break
    counts["reminded"] = remind_overdue(now, batch=batch)
    return counts


def remind_overdue(now, batch=500):
    """Remind the holders of every overdue case, again every `remind` days until it moves."""
    again = now - datetime.timedelta(days=deadlines.days("remind"))
    overdue = (
        Q(overdue_at__isnull=False)
        | Q(checkin_overdue_at__isnull=False, checked_in_at__isnull=True)
        | Q(supervision_overdue_at__isnull=False)
    )
    due = Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=again)
    sent = 0
    while True:
        with transaction.atomic():
            cases = _lock_batch(
                HazardCase.objects.open().filter(overdue & due).select_related("region"), batch
            )
            for case in cases:
                _save(case, {"last_reminded_at": now})
                sent += notify.remind(case, now=now)
        if len(cases) < batch:
            break
    return sent
