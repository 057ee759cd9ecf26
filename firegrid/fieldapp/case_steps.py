"""Steps on existing hazard cases, recorded offline and synced exactly once.

With today's list the phone downloads the open cases of the user's grids, each with the steps the
user may take on it (the same rules as the case page: `hazards.views.steps`). Offline, a step is
queued with the status the case had on the phone. On sync, inside the transaction that claims the
item's SyncRecord (see `fieldapp.sync`), the case is locked and its status compared: if it moved on
meanwhile (closed by someone else, re-inspected, rejected…) the item is refused as a conflict that
says who moved it and when, so the phone shows it and the worker decides (send the note as a comment
instead, or dismiss it). A case that left the user's grids, a step the user may no longer take (the
case went up to the street) and a bad photo are per-item answers too; nothing is half-written.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.hazards.actions import Conflict, Forbidden, TransitionError, acting_roles
from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, Level, Severity
from firegrid.hazards.models import HazardCase
from firegrid.hazards.uploads import clean_image
from firegrid.hazards.views.steps import STEPS_BY_NAME

KIND = "case_step"
MAX_CASES = 200
MAX_NOTE = 4000
# the loop's steps a worker takes on site; rejecting, escalating and the street's steps stay online
LABELS = {
    "confirm": gettext_lazy("Confirm"),
    "order": gettext_lazy("Order rectification"),
    "start": gettext_lazy("Rectification started"),
    "rectified": gettext_lazy("Report rectified"),
    "reinspect": gettext_lazy("Re-inspect"),
    "close": gettext_lazy("Close the case"),
    "comment": gettext_lazy("Add a note"),
}
STEPS = tuple(LABELS)
# what case_json and the steps' rules (acting_roles, hazards.actions.handlers, Step.applies) read
CASE_FIELDS = (
    "id",
    "tracking_code",
    "version",
    "status",
    "description",
    "address",
    "level",
    "severity",
    "deadline",
    "step_due",
    "authority",
    "department_id",
    "checked_in_at",
    "category__name_zh",
    "category__name_en",
    "place__name",
    "region__name",
    "region__path",
)
PHOTO_STEPS = frozenset({"rectified", "reinspect", "comment"})
# where each step takes the case (re-inspection: passed → re-inspected, failed → rectifying)
TO_STATUS = {
    "confirm": CaseStatus.CONFIRMED,
    "order": CaseStatus.ORDERED,
    "start": CaseStatus.RECTIFYING,
    "rectified": CaseStatus.RECTIFIED,
    "close": CaseStatus.CLOSED,
}


def _refused(status, code, message):
    from firegrid.fieldapp.sync import Refused

    return Refused(status, code, message)


def _bad(message, code="invalid"):
    return _refused(400, code, message)


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(exc.messages)


# ---- what the phone downloads -------------------------------------------------------------------


def steps_table():
    """Each offline step: its label, the statuses it starts from, where it leads, photos or not."""
    table = {}
    for name in STEPS:
        spec = STEPS_BY_NAME[name]
        table[name] = {
            "label": str(LABELS[name]),
            "from": sorted(str(status) for status in spec.statuses),
            "to": str(TO_STATUS.get(name, "")),
            "photos": name in PHOTO_STEPS,
            "note_required": name in ("rectified", "comment"),
        }
    table["reinspect"]["to_passed"] = str(CaseStatus.REINSPECTED)
    table["reinspect"]["to_failed"] = str(CaseStatus.RECTIFYING)
    return table


def allowed_steps(case, user):
    """The offline steps the user's roles allow on this case, whatever its status (the phone filters
    by the status it expects, so it can chain steps: rectified, then re-inspect)."""
    roles = acting_roles(case, user)
    if not roles:
        return []
    return [
        name
        for name in STEPS
        if STEPS_BY_NAME[name].applies(case) and roles & set(STEPS_BY_NAME[name].roles(case))
    ]


def _labels(choices):
    return {value: str(label) for value, label in choices.choices}


def case_json(case, user, *, level_labels=None, severity_labels=None):
    level_labels = level_labels or _labels(Level)
    severity_labels = severity_labels or _labels(Severity)
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "version": case.version,
        "status": case.status,
        "category": case.category.name,
        "description": case.description[:300],
        "place": case.place.name if case.place_id else "",
        "address": case.address,
        "region": case.region.name,
        "level": level_labels.get(case.level, case.level),
        "severity": severity_labels.get(case.severity, case.severity),
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "step_due": timezone.localtime(case.step_due).date().isoformat() if case.step_due else None,
        "steps": allowed_steps(case, user),
    }


def cases_for(user, grids):
    """Open cases for the phone: those of the user's patrol grids, or (staff without grids) those in
    their scope, the most urgent step first."""
    rows = HazardCase.objects.restrict(user).filter(status__in=OPEN_STATUSES, duplicate_of__isnull=True)
    if grids:
        where = Q()
        for grid in grids:
            where |= Q(region__path__startswith=grid.path)
        rows = rows.filter(where)
    # only the columns case_json and the steps' rules read (CASE_FIELDS; not the JSON columns and the
    # region's boundary), and the labels translated once, not per row
    rows = (
        rows.select_related("category", "place", "region")
        .only(*CASE_FIELDS)
        .order_by(F("step_due").asc(nulls_last=True), "-id")
    )
    levels, severities = _labels(Level), _labels(Severity)
    cases = [
        case_json(case, user, level_labels=levels, severity_labels=severities) for case in rows[:MAX_CASES]
    ]
    return [c for c in cases if c["steps"]]


def statuses_table():
    return {value: str(label) for value, label in CaseStatus.choices}


# ---- what the phone sends -----------------------------------------------------------------------


def parse(data):
    """Check the shape of a queued case step; a normalised dict or Refused(400)."""
    try:
        client_id = uuid.UUID(str(data.get("id")))
    except ValueError:
        raise _bad(_("The item has no valid id.")) from None
    step = data.get("step")
    if step not in STEPS:
        raise _bad(_("Unknown step on a case."))
    if not isinstance(data.get("case"), int) or isinstance(data.get("case"), bool):
        raise _bad(_("The item names no case."))
    expected = data.get("status")
    if step != "comment" and expected not in CaseStatus.values:
        raise _bad(_("The item does not say which status the case had on the phone."))
    passed = data.get("passed")
    if step == "reinspect" and not isinstance(passed, bool):
        raise _bad(_("Say whether the re-inspection passed."))
    photos = data.get("photos") or []
    if not isinstance(photos, list) or not all(isinstance(p, str) and p for p in photos):
        raise _bad(_("The photos are not a list."))
    if photos and step not in PHOTO_STEPS:
        raise _bad(_("This step takes no photos."))
    if len(photos) > settings.UPLOAD_MAX_PHOTOS:
        raise _bad(_("At most %(n)s photos.") % {"n": settings.UPLOAD_MAX_PHOTOS}, "photo_invalid")
    deadline = None
    if data.get("deadline"):
        deadline = parse_date(str(data["deadline"]))
        if deadline is None:
            raise _bad(_("The deadline is not a date."))
    return {
        "id": client_id,
        "kind": KIND,
        "case": data["case"],
        "step": step,
        "status": expected if step != "comment" else None,
        "passed": passed if step == "reinspect" else None,
        "note": str(data.get("note") or "").strip()[:MAX_NOTE],
        "deadline": deadline,
        "photos": photos,
    }


def photos(item, files):
    """The step's photos, each checked (content, size) before anything is written; the originals are
    handed to the step, which stores them cleaned (EXIF stripped)."""
    uploads = []
    for number, key in enumerate(item["photos"], start=1):
        upload = files.get(key)
        if upload is None:
            raise _bad(_("Photo %(n)s did not arrive; send again.") % {"n": number})
        try:
            clean_image(upload, field="photo")
        except ValidationError as exc:
            raise _refused(
                400,
                "photo_invalid",
                _("Photo %(n)s: %(problem)s Take it again or remove it, then send.")
                % {"n": number, "problem": _messages(exc)},
            ) from None
        upload.seek(0)
        uploads.append(upload)
    return uploads


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _moved_message(case, item):
    """Who moved the case out of the status the phone had, and when: for the conflict list."""
    event = (
        case.events.filter(to_status=case.status)
        .exclude(from_status=case.status)
        .order_by("-at", "-id")
        .first()
    )
    who = (event.actor_label if event else "") or _("the system")
    values = {
        "code": case.tracking_code,
        "who": who,
        "when": _when(event.at if event else case.updated_at),
        "step": LABELS[item["step"]],
        "status": case.get_status_display(),
        "expected": CaseStatus(item["status"]).label,
    }
    if case.status == CaseStatus.CLOSED:
        text = _("Case %(code)s was closed meanwhile by %(who)s (%(when)s).")
    elif case.status == CaseStatus.REJECTED:
        text = _("Case %(code)s was rejected meanwhile by %(who)s (%(when)s).")
    else:
        text = _(
            "Case %(code)s moved on meanwhile: it is now “%(status)s” (by %(who)s, %(when)s), not "
            "“%(expected)s” as on your phone."
        )
    text = text + " " + _("Your step “%(step)s” was not recorded.")
    code = "case_closed" if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED) else "case_moved"
    return code, text % values


def _check_case(user, item):
    case = HazardCase.objects.filter(pk=item["case"]).first()
    if case is None:
        raise _refused(409, "case_gone", _("This case no longer exists; your step was not recorded."))
    if not HazardCase.objects.restrict(user).filter(pk=case.pk).exists():
        raise _refused(
            409,
            "case_out_of_scope",
            _(
                "Case %(code)s is no longer in your grids (the case was moved or your grid changed), so "
                "your step “%(step)s” was not recorded. Ask your community or street to record it."
            )
            % {"code": case.tracking_code, "step": LABELS[item["step"]]},
        )
    # lock it for the rest of the transaction: the step sees the status compared here
    return (
        HazardCase.objects.select_for_update(of=("self",)).select_related("region", "place").get(pk=case.pk)
    )


def apply(user, item, uploads):
    """Take the step; returns (SyncRecord fields, answer) or raises Refused."""
    case = _check_case(user, item)
    if item["status"] is not None and case.status != item["status"]:
        code, message = _moved_message(case, item)
        raise _refused(409, code, message)
    spec = STEPS_BY_NAME[item["step"]]
    data = {"note": item["note"], "photos": uploads, "passed": item["passed"], "deadline": item["deadline"]}
    try:
        event = spec.run(case, user, data)
    except Forbidden as exc:
        raise _refused(
            409,
            "not_allowed",
            _("Case %(code)s: %(problem)s Your step “%(step)s” was not recorded.")
            % {"code": case.tracking_code, "problem": exc.message, "step": LABELS[item["step"]]},
        ) from None
    except (Conflict, TransitionError) as exc:
        raise _refused(
            409,
            "case_moved",
            _("Case %(code)s: %(problem)s Your step “%(step)s” was not recorded.")
            % {"code": case.tracking_code, "problem": exc.message, "step": LABELS[item["step"]]},
        ) from None
    except ValidationError as exc:
        raise _bad(_messages(exc)) from None
    case.refresh_from_db(fields=["status", "version"])
    result = {
        "status": "applied",
        "case": case.pk,
        "tracking_code": case.tracking_code,
        "case_status": case.status,
        "case_status_label": str(case.get_status_display()),
        "event": event.pk,
        "url": reverse("hazards:detail", args=[case.pk]),
        "message": _("Sent: “%(step)s” on case %(code)s (now %(status)s).")
        % {"step": LABELS[item["step"]], "code": case.tracking_code, "status": case.get_status_display()},
    }
    return {"case": case}, result
