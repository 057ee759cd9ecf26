"""State changes of hazard cases.

Each transition is one transaction: lock the case, check that the step is allowed from its
status (else 409) and by this user (else 403), write the case with its version bumped, and write
one event on the timeline. Two people acting at once: the second finds the status moved on and
gets a 409; nothing is half-written.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import user_scope
from firegrid.hazards import deadlines, tally
from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, CloseReason, EventKind, Level, Severity
from firegrid.hazards.models import AttachmentKind, HazardCase, HazardEvent, NoticeSequence
from firegrid.places.choices import Authority

GRID_HANDLERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_MEMBER})
STREET_HANDLERS = frozenset({Role.STREET_OFFICER, Role.INSPECTOR, Role.POLICE_OFFICER})
DISTRICT_HANDLERS = frozenset(DISTRICT_WIDE)
WHISTLERS = frozenset({Role.STREET_OFFICER}) | DISTRICT_HANDLERS


class TransitionError(Exception):
    """A step that cannot be taken; `http_status` says why (409 state, 403 person)."""

    http_status = 409

    def __init__(self, message, field="status"):
        super().__init__(str(message))
        self.message = message
        self.field = field


class Conflict(TransitionError):
    http_status = 409


class Forbidden(TransitionError):
    http_status = 403


def actor_label(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def acting_roles(case, user):
    """The roles through which `user` holds this case (its region, its department, its place)."""
    scope = user_scope(user)
    if scope.superuser:
        return set(Role)
    roles = set()
    path = case.region.path
    for grant in scope.grants:
        if grant.role in DISTRICT_WIDE:
            roles.add(grant.role)
        elif grant.role == Role.UNIT_OWNER:
            if case.place_id and case.place.owners.filter(pk=user.pk).exists():
                roles.add(grant.role)
        elif grant.role == Role.DEPT_STAFF:
            if grant.unit_id and grant.unit_id == case.department_id:
                roles.add(grant.role)
        elif grant.role == Role.POLICE_OFFICER and case.authority != Authority.POLICE_STATION:
            continue
        elif grant.region_path and path.startswith(grant.region_path):
            roles.add(grant.role)
    return roles


def handlers(case):
    """Who may move the case along where it is held now ("一般隐患不出网格")."""
    roles = set(STREET_HANDLERS | DISTRICT_HANDLERS)
    if case.level == Level.GRID and case.severity == Severity.GENERAL:
        roles |= GRID_HANDLERS
    if case.department_id and case.checked_in_at:
        roles.add(Role.DEPT_STAFF)
    return roles


def _lock(case):
    return HazardCase.objects.select_for_update().select_related("region").get(pk=case.pk)


def _check_status(case, allowed, action):
    if case.status not in allowed:
        raise Conflict(
            _("The case is %(status)s; it cannot be %(action)s now.")
            % {"status": case.get_status_display(), "action": action}
        )


def _check_roles(case, user, allowed, action):
    if not acting_roles(case, user) & set(allowed):
        raise Forbidden(
            _("You may not %(action)s this case while it is held at the %(level)s level.")
            % {"action": action, "level": case.get_level_display()},
            field="actor",
        )


def _check_version(case, expect_version):
    if expect_version is not None and int(expect_version) != case.version:
        raise Conflict(
            _("The case was changed meanwhile (version %(now)s, you had %(had)s); reload it.")
            % {"now": case.version, "had": expect_version},
            field="version",
        )


def _save(case, fields):
    """Write the locked case; the version guard makes a lost update impossible without row locks."""
    fields = dict(fields)
    counted = tally.moved(case, fields)  # the case counts (hazards.tally), in this transaction
    rows = HazardCase.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if rows != 1:
        raise Conflict(_("The case was changed meanwhile; reload it."), field="version")
    for name, value in fields.items():
        setattr(case, name, value)
    case.version += 1
    counted()


def record_event(
    case,
    kind,
    *,
    actor=None,
    label=None,
    from_status="",
    to_status="",
    note="",
    data=None,
    public=True,
    at=None,
):
    return HazardEvent.objects.create(
        case=case,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=label if label is not None else actor_label(actor),
        note=note or "",
        data=data or {},
        is_public=public,
        at=at or timezone.now(),
    )


def _move(case, actor, kind, to_status, *, note="", data=None, public=True, fields=None, now=None):
    now = now or timezone.now()
    fields = dict(fields or {})
    from_status = case.status
    if to_status and to_status != from_status:
        fields["status"] = to_status
        fields.setdefault(
            "step_due", deadlines.step_due(to_status, now=now, deadline=fields.get("deadline", case.deadline))
        )
        fields["overdue_at"] = None
    _save(case, fields)
    return record_event(
        case,
        kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status or from_status,
        note=note,
        data=data,
        public=public,
        at=now,
    )


def _attach(case, event, files, kind, user):
    from firegrid.hazards.uploads import store_upload

    for upload in files or ():
        store_upload(case, upload, kind=kind, user=user, event=event)


def _require(value, field, message):
    if not (value or "").strip():
        raise ValidationError({field: message})


@transaction.atomic
def confirm(case, *, actor, severity=None, category=None, note="", expect_version=None):
    """A report is real: confirm it (the severity may be set; major needs street-level staff)."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.REPORTED}, _("confirmed"))
    _check_roles(case, actor, handlers(case), _("confirm"))
    fields = {"confirmed_at": timezone.now()}
    severity = severity or case.severity
    if severity == Severity.MAJOR:
        if not acting_roles(case, actor) & (STREET_HANDLERS | DISTRICT_HANDLERS):
            raise Forbidden(
                _("Only street-level or district staff may confirm a major hazard."), field="severity"
            )
        fields["severity"] = severity
        if case.level == Level.GRID:
            fields["level"] = Level.STREET  # major hazards go to the street
    if category is not None:
        fields["category"] = category
    return _move(
        case,
        actor,
        EventKind.CONFIRMED,
        CaseStatus.CONFIRMED,
        note=note,
        fields=fields,
        data={"severity": severity},
    )


@transaction.atomic
def reject(
    case, *, actor, reason, close_reason=CloseReason.NOT_HAZARD, duplicate_of=None, expect_version=None
):
    """Not a hazard, a duplicate, or not ours (say whose): closed honestly, with the reason shown."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.REPORTED, CaseStatus.CONFIRMED}, _("rejected"))
    _check_roles(case, actor, handlers(case), _("reject"))
    _require(reason, "reason", _("Give the reason for rejecting the report."))
    if close_reason not in (CloseReason.NOT_HAZARD, CloseReason.DUPLICATE, CloseReason.NOT_RESPONSIBLE):
        raise ValidationError({"close_reason": _("Choose why the report is rejected.")})
    if close_reason == CloseReason.DUPLICATE and duplicate_of is None:
        raise ValidationError({"duplicate_of": _("Name the case this one duplicates.")})
    fields = {"close_reason": close_reason, "closed_at": timezone.now(), "step_due": None}
    if duplicate_of is not None:
        fields["duplicate_of"] = duplicate_of
    return _move(
        case,
        actor,
        EventKind.REJECTED,
        CaseStatus.REJECTED,
        note=reason,
        fields=fields,
        data={"close_reason": close_reason},
    )


@transaction.atomic
def order(
    case, *, actor, deadline=None, responsible_party="", responsible_phone="", note="", expect_version=None
):
    """Order rectification by a deadline (责令限期改正); the notice gets its number here."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.CONFIRMED}, _("ordered to be rectified"))
    _check_roles(case, actor, handlers(case), _("order rectification of"))
    today = timezone.localdate()
    deadline = deadline or deadlines.default_deadline(case.severity, today)
    if deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    party = responsible_party or case.responsible_party
    if not party and case.place_id:
        party = case.place.responsible_person or case.place.name
    fields = {
        "deadline": deadline,
        "responsible_party": party,
        "responsible_phone": responsible_phone
        or case.responsible_phone
        or (case.place.responsible_phone if case.place_id else ""),
        "notice_number": case.notice_number or NoticeSequence.next_number(case.street_code, today.year),
    }
    return _move(
        case,
        actor,
        EventKind.ORDERED,
        CaseStatus.ORDERED,
        note=note,
        fields=fields,
        data={"deadline": deadline.isoformat(), "notice_number": fields["notice_number"]},
    )


@transaction.atomic
def start(case, *, actor, note="", expect_version=None):
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.ORDERED}, _("started"))
    _check_roles(case, actor, handlers(case) | {Role.UNIT_OWNER}, _("start rectifying"))
    return _move(case, actor, EventKind.STARTED, CaseStatus.RECTIFYING, note=note)


@transaction.atomic
def rectified(case, *, actor, note, files=(), expect_version=None):
    """The responsible party reports the hazard fixed, with evidence (a note, and photos)."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.ORDERED, CaseStatus.RECTIFYING}, _("reported as rectified"))
    _check_roles(case, actor, handlers(case) | {Role.UNIT_OWNER}, _("report rectification of"))
    _require(note, "note", _("Say what was done to rectify the hazard."))
    event = _move(case, actor, EventKind.RECTIFIED, CaseStatus.RECTIFIED, note=note)
    _attach(case, event, files, AttachmentKind.EVIDENCE, actor)
    return event


@transaction.atomic
def reinspect(case, *, actor, passed, note="", deadline=None, inspection=None, files=(), expect_version=None):
    """Check the rectification on site: passed → re-inspected (ready to close); failed → rectifying."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.RECTIFIED}, _("re-inspected"))
    _check_roles(case, actor, handlers(case), _("re-inspect"))
    if not passed:
        _require(note, "note", _("Say what is still wrong."))
    data = {"passed": bool(passed)}
    if inspection is not None:
        data["inspection"] = inspection.pk
    if passed:
        event = _move(case, actor, EventKind.REINSPECTED_PASS, CaseStatus.REINSPECTED, note=note, data=data)
    else:
        today = timezone.localdate()
        deadline = deadline or deadlines.default_deadline(case.severity, today)
        if deadline < today:
            raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
        data["deadline"] = deadline.isoformat()
        event = _move(
            case,
            actor,
            EventKind.REINSPECTED_FAIL,
            CaseStatus.RECTIFYING,
            note=note,
            data=data,
            fields={"deadline": deadline},
        )
    _attach(case, event, files, AttachmentKind.EVIDENCE, actor)
    return event


@transaction.atomic
def close(case, *, actor, note="", expect_version=None):
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.REINSPECTED}, _("closed"))
    _check_roles(case, actor, handlers(case), _("close"))
    fields = {"close_reason": CloseReason.FIXED, "closed_at": timezone.now(), "step_due": None}
    return _move(
        case,
        actor,
        EventKind.CLOSED,
        CaseStatus.CLOSED,
        note=note,
        fields=fields,
        data={"close_reason": CloseReason.FIXED},
    )


@transaction.atomic
def comment(case, *, actor, note, public=False, files=()):
    """A note on the timeline; staff notes are internal unless marked public."""
    case = _lock(case)
    if not HazardCase.objects.restrict(actor).filter(pk=case.pk).exists():
        raise Forbidden(_("You may not comment on this case."), field="actor")
    _require(note, "note", _("Write the comment."))
    event = record_event(
        case,
        EventKind.COMMENT,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=note,
        public=public,
    )
    _attach(case, event, files, AttachmentKind.PHOTO, actor)
    return event


def is_open(case):
    return case.status in OPEN_STATUSES
