"""The reporter's side of the loop, and the staff steps it needs.

- A reporter (anyone holding the tracking code) adds information: a public timeline event.
- "Me too": someone about to report the same hazard follows the open case instead (a CaseFollower).
- "Not fixed": within settings.REOPEN_DAYS of closing (fixed) or rejecting (not a hazard), the
  reporter reopens the case. It goes to the new status REOPENED, not straight back into the loop:
  the staff review it (their reason is on the timeline, the reporter's on the NOT_FIXED event) and
  either confirm the hazard again (→ confirmed, the loop runs again) or close it again with its
  earlier honest reason.
- Staff merge a duplicate into the case it repeats: the duplicate is rejected as a duplicate with
  `duplicate_of`, its reporter and followers follow the original, and both timelines say so.
- Rejecting as "not our responsibility" names whose it is (`referred_to`).

Each step locks the case and writes its event like `hazards.actions`; mail to reporters goes out
after commit and never breaks the step.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from firegrid.hazards import actions, deadlines, notify
from firegrid.hazards.actions import (
    Conflict,
    Forbidden,
    _check_roles,
    _check_status,
    _check_version,
    _lock,
    _move,
    _save,
    handlers,
    record_event,
)
from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, CloseReason, EventKind
from firegrid.hazards.followers import CaseFollower, FollowerSource
from firegrid.hazards.models import AttachmentKind, HazardCase
from firegrid.hazards.reports import PUBLIC_LABEL
from firegrid.hazards.uploads import check_photos, store_upload

log = logging.getLogger(__name__)
MAX_NOTE = 2000
# closed this way, a reporter may say "not fixed"; a duplicate or someone else's hazard is not ours to reopen
REOPENABLE = {CaseStatus.CLOSED: {CloseReason.FIXED}, CaseStatus.REJECTED: {CloseReason.NOT_HAZARD}}


def _note(note, required_message):
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": required_message})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("Write at most %(n)s characters.") % {"n": MAX_NOTE}})
    return note


def _public_photos(case, event, photos, cleaned):
    for upload, clean in zip(photos, cleaned, strict=True):
        store_upload(case, upload, kind=AttachmentKind.PHOTO, event=event, cleaned=clean, public=True)


def recipients(case):
    """Email addresses of everyone following the case: its reporter and its followers."""
    addresses = [case.reporter_email] + list(case.followers.values_list("email", flat=True))
    if case.reporter_id and case.reporter and case.reporter.email:
        addresses.append(case.reporter.email)
    return sorted({a for a in addresses if a})


def inform(case, subject, line, code=None, extra=()):
    """Mail every follower (after commit): what happened and where to follow it."""
    addresses = recipients(case) + list(extra)
    if not addresses:
        return
    code = code or case.tracking_code
    with override(settings.LANGUAGE_CODE):
        body = "\n".join(
            [str(line), _("Follow it at %(url)s") % {"url": f"{settings.PUBLIC_BASE_URL}/track/{code}/"}]
        )
        subject = str(subject)

    def send():
        for address in sorted(set(addresses)):
            try:
                send_mail(subject, body, None, [address])
            except Exception as exc:  # a broken mail server must not break the reporter's step
                log.warning("mail to a follower of %s failed: %s", case.tracking_code, exc)

    transaction.on_commit(send)


@transaction.atomic
def add_information(case, *, note, photos=(), actor=None):
    """The reporter adds what they know now (text and photos): public on the timeline."""
    note = _note(note, _("Write what you want to add."))
    cleaned = check_photos(photos)
    case = _lock(case)
    event = record_event(
        case,
        EventKind.INFO_ADDED,
        label=str(PUBLIC_LABEL),
        from_status=case.status,
        to_status=case.status,
        note=note,
        public=True,
    )
    _public_photos(case, event, photos, cleaned)
    return event


@transaction.atomic
def me_too(case, *, name="", phone="", email="", note="", user=None):
    """Follow an open published case instead of reporting it again; the contact stays private."""
    case = _lock(case)
    if not case.is_public or case.duplicate_of_id:
        raise Conflict(_("This case cannot be followed; report the hazard instead."))
    _check_status(case, OPEN_STATUSES, _("followed"))
    follower = CaseFollower.objects.create(
        case=case,
        source=FollowerSource.ME_TOO,
        user=user if user is not None and user.is_authenticated else None,
        name=(name or "")[:60],
        phone=(phone or "")[:40],
        email=email or "",
        note=(note or "").strip()[:500],
    )
    record_event(
        case,
        EventKind.ME_TOO,
        label=str(PUBLIC_LABEL),
        from_status=case.status,
        to_status=case.status,
        note=follower.note,
        data={"follower": follower.pk},
        public=True,
    )
    return follower


@transaction.atomic
def not_fixed(case, *, note, photos=(), now=None):
    """The reporter says a closed case is not fixed: reopened for the staff's review, with why."""
    now = now or timezone.now()
    note = _note(note, _("Say what is still wrong."))
    cleaned = check_photos(photos)
    case = _lock(case)
    if case.close_reason == CloseReason.DUPLICATE:
        raise Conflict(_("This report was closed as a duplicate: follow the original case instead."))
    if case.close_reason == CloseReason.NOT_RESPONSIBLE:
        raise Conflict(
            _("This hazard is not ours to handle: it is for %(whose)s.")
            % {"whose": case.referred_to or _("another body")}
        )
    if case.close_reason not in REOPENABLE.get(case.status, ()):
        raise Conflict(_("Only a closed case can be reported as not fixed."))
    if case.closed_at and case.closed_at < now - datetime.timedelta(days=settings.REOPEN_DAYS):
        raise Conflict(
            _("This case was closed more than %(n)s days ago: please report the hazard again.")
            % {"n": settings.REOPEN_DAYS}
        )
    data = {"previous_status": case.status, "previous_close_reason": case.close_reason}
    fields = {
        "close_reason": "",
        "closed_at": None,
        "step_due": now + datetime.timedelta(days=deadlines.days("confirm")),
    }
    from_status = case.status
    _save(case, fields | {"status": CaseStatus.REOPENED, "overdue_at": None})
    event = record_event(
        case,
        EventKind.NOT_FIXED,
        label=str(PUBLIC_LABEL),
        from_status=from_status,
        to_status=CaseStatus.REOPENED,
        note=note,
        data=data,
        at=now,
    )
    _public_photos(case, event, photos, cleaned)
    notify.case_changed(case, event)  # the holders are told why it is back
    return event


@transaction.atomic
def review_reopened(case, *, actor, still_hazard, note="", expect_version=None):
    """Staff review a reopened case: still a hazard (→ confirmed) or closed again as it was."""
    case = _lock(case)
    _check_version(case, expect_version)
    _check_status(case, {CaseStatus.REOPENED}, _("reviewed"))
    _check_roles(case, actor, handlers(case), _("review"))
    if still_hazard:
        event = _move(
            case, actor, EventKind.REVIEWED, CaseStatus.CONFIRMED, note=note, data={"still_hazard": True}
        )
        line = _("Your report that the hazard is not fixed was accepted: the case is open again.")
    else:
        note = _note(note, _("Say why the case is closed again."))
        reopened = case.events.filter(kind=EventKind.NOT_FIXED).order_by("-at", "-id").first()
        data = (reopened.data if reopened else {}) or {}
        status = data.get("previous_status") or CaseStatus.CLOSED
        reason = data.get("previous_close_reason") or CloseReason.FIXED
        event = _move(
            case,
            actor,
            EventKind.REVIEWED,
            status,
            note=note,
            data={"still_hazard": False, "close_reason": reason},
            fields={"close_reason": reason, "closed_at": timezone.now(), "step_due": None},
        )
        line = _("The case was reviewed and closed again: %(note)s") % {"note": note}
    inform(case, _("Hazard report %(code)s reviewed") % {"code": case.tracking_code}, line)
    return event


def _follow_original(duplicate, original):
    """The duplicate's reporter and followers follow the original from now on."""
    followers = []
    if (
        duplicate.reporter_id
        or duplicate.reporter_name
        or duplicate.reporter_phone
        or duplicate.reporter_email
    ):
        followers.append(
            CaseFollower(
                case=original,
                source=FollowerSource.MERGED,
                via_case=duplicate,
                user_id=duplicate.reporter_id,
                name=duplicate.reporter_name,
                phone=duplicate.reporter_phone,
                email=duplicate.reporter_email,
            )
        )
    for follower in duplicate.followers.all():
        followers.append(
            CaseFollower(
                case=original,
                source=FollowerSource.MERGED,
                via_case=duplicate,
                user_id=follower.user_id,
                name=follower.name,
                phone=follower.phone,
                email=follower.email,
                note=follower.note,
            )
        )
    CaseFollower.objects.bulk_create(followers)
    return followers


@transaction.atomic
def merge(duplicate, *, into, actor, note="", expect_version=None):
    """Close `duplicate` as a duplicate of `into`; everyone who reported either follows `into`."""
    if into is None or into.pk == duplicate.pk:
        raise ValidationError({"duplicate_of": _("Name the case this one duplicates.")})
    first, second = sorted([duplicate.pk, into.pk])
    locked = {c.pk: c for c in (_lock(HazardCase(pk=first)), _lock(HazardCase(pk=second)))}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    _check_version(duplicate, expect_version)
    _check_status(duplicate, OPEN_STATUSES, _("merged"))
    _check_roles(duplicate, actor, handlers(duplicate), _("merge"))
    if not HazardCase.objects.restrict(actor).filter(pk=into.pk).exists():
        raise Forbidden(_("The original case is not in your jurisdiction."), field="duplicate_of")
    if into.duplicate_of_id:
        raise ValidationError(
            {
                "duplicate_of": _("That case is itself a duplicate: merge into %(code)s instead.")
                % {"code": into.duplicate_of.tracking_code}
            }
        )
    note = (note or "").strip() or _("Merged: the same hazard as %(code)s.") % {"code": into.tracking_code}
    event = _move(
        duplicate,
        actor,
        EventKind.MERGED_INTO,
        CaseStatus.REJECTED,
        note=note,
        data={"close_reason": CloseReason.DUPLICATE, "into": into.pk},
        fields={
            "close_reason": CloseReason.DUPLICATE,
            "duplicate_of": into,
            "closed_at": timezone.now(),
            "step_due": None,
        },
    )
    followers = _follow_original(duplicate, into)
    record_event(
        into,
        EventKind.MERGED,
        actor=actor,
        from_status=into.status,
        to_status=into.status,
        note=_("Another report of the same hazard was merged into this case."),
        data={"duplicate": duplicate.pk, "followers": len(followers)},
    )
    inform(
        duplicate,
        _("Hazard report %(code)s merged") % {"code": duplicate.tracking_code},
        _("Your report is the same hazard as case %(code)s; it is followed there from now on.")
        % {"code": into.tracking_code},
        code=into.tracking_code,
    )
    return event


@transaction.atomic
def reject(
    case,
    *,
    actor,
    reason,
    close_reason=CloseReason.NOT_HAZARD,
    duplicate_of=None,
    referred_to="",
    expect_version=None,
):
    """`actions.reject` with the honest details: a duplicate is merged (its reporters follow the
    original), and "not our responsibility" must say whose."""
    referred_to = (referred_to or "").strip()[:120]
    if close_reason == CloseReason.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Name the case this one duplicates.")})
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for rejecting the report.")})
        locked = _lock(case)
        _check_status(locked, {CaseStatus.REPORTED, CaseStatus.CONFIRMED}, _("rejected"))
        return merge(case, into=duplicate_of, actor=actor, note=reason, expect_version=expect_version)
    if close_reason == CloseReason.NOT_RESPONSIBLE and not referred_to:
        raise ValidationError({"referred_to": _("Say whose responsibility it is.")})
    event = actions.reject(
        case, actor=actor, reason=reason, close_reason=close_reason, expect_version=expect_version
    )
    if close_reason == CloseReason.NOT_RESPONSIBLE:
        HazardCase.objects.filter(pk=case.pk).update(referred_to=referred_to)
        case.referred_to = referred_to
    inform(
        event.case,
        _("Hazard report %(code)s closed") % {"code": event.case.tracking_code},
        f"{CloseReason(close_reason).label}: {reason}" + (f" ({referred_to})" if referred_to else ""),
    )
    return event
