"""Applying what a phone recorded offline, exactly once.

Each item carries the id the phone gave it (a UUID). The first sync of an id claims a SyncRecord row
in the same transaction that starts, answers and submits the inspection (`inspections.actions`, whose
submit opens the hazard cases), and stores the answer sent. A replay of the id (the answer was lost,
the user tapped twice, two tabs) finds the row and gets the same answer; two at once wait on the
unique index, and the loser reads the winner's answer. Anything refused (the place left the user's
grids, the visit was done by someone else, a checklist changed, a bad photo) rolls back entirely and
is answered with a code and a message: nothing is half-written, and the phone keeps the item.
Steps on existing hazard cases (kind "case_step", `fieldapp.case_steps`) go through the same claim.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from firegrid.fieldapp import case_steps
from firegrid.fieldapp.models import SyncRecord
from firegrid.hazards.uploads import clean_image
from firegrid.inspections import actions
from firegrid.inspections.choices import AnswerResult, InspectionKind
from firegrid.inspections.models import PlanItem
from firegrid.places.models import Place

KINDS = {InspectionKind.PATROL, InspectionKind.SUPERVISORY}
MAX_ANSWERS = 500
MAX_AGE_DAYS = 30


class Refused(Exception):
    """An item the server will not apply: `status` 409 (conflict) or 400 (bad input)."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, str(message)

    def answer(self, client_id=None):
        return {
            "id": client_id,
            "status": "conflict" if self.status == 409 else "rejected",
            "code": self.code,
            "message": self.message,
        }


def _bad(message, code="invalid"):
    return Refused(400, code, message)


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(exc.messages)


def parse_item(data):
    """Check the shape of a synced item; returns a normalised dict or raises Refused(400)."""
    if not isinstance(data, dict):
        raise _bad(_("The item is not a JSON object."))
    try:
        client_id = uuid.UUID(str(data.get("id")))
    except ValueError:
        raise _bad(_("The item has no valid id.")) from None
    kind = data.get("kind") or InspectionKind.PATROL
    if kind not in KINDS:
        raise _bad(_("Unknown kind of visit."))
    if not isinstance(data.get("place"), int):
        raise _bad(_("The item names no place."))
    answers = data.get("answers") or []
    if not isinstance(answers, list) or len(answers) > MAX_ANSWERS:
        raise _bad(_("The answers are not a list."))
    for answer in answers:
        if not isinstance(answer, dict) or answer.get("result") not in AnswerResult.values:
            raise _bad(_("An answer is not pass, fail or not applicable."))
    lat, lng = data.get("lat"), data.get("lng")
    if (lat is None) != (lng is None) or any(
        v is not None and not isinstance(v, int | float) for v in (lat, lng)
    ):
        lat = lng = None  # a broken location stamp is dropped, not a reason to lose the patrol
    today = timezone.localdate()
    done_on = parse_date(str(data.get("done_on") or "")) or today
    if done_on > today or done_on < today - datetime.timedelta(days=MAX_AGE_DAYS):
        done_on = today
    plan_item = data.get("plan_item")
    return {
        "id": client_id,
        "kind": kind,
        "place": data["place"],
        "plan_item": plan_item if isinstance(plan_item, int) else None,
        "done_on": done_on,
        "lat": lat,
        "lng": lng,
        "notes": str(data.get("notes") or "")[:4000],
        "answers": answers,
    }


def _photos(answers, files):
    """Every photo checked (content, size) and cleaned before anything is written."""
    cleaned = {}
    for answer in answers:
        key = answer.get("photo")
        if not key:
            continue
        upload = files.get(key)
        if upload is None:
            raise _bad(
                _("A photo of item %(item)s did not arrive; send again.") % {"item": answer.get("item_code")}
            )
        try:
            content, _type, _w, _h, _gps = clean_image(upload, field="photo")
        except ValidationError as exc:
            raise Refused(
                400,
                "photo_invalid",
                _("Photo of item %(item)s: %(problem)s Take it again or remove it, then send.")
                % {"item": answer.get("item_code"), "problem": _messages(exc)},
            ) from None
        cleaned[key] = content
    return cleaned


def _check_place(user, item):
    place = Place.objects.filter(pk=item["place"]).select_related("region").first()
    if place is None:
        raise Refused(409, "place_gone", _("This place no longer exists in the registry."))
    if not Place.objects.restrict(user).filter(pk=place.pk).exists():
        raise Refused(
            409,
            "place_out_of_scope",
            _(
                "%(place)s is no longer in your grids (the place was reassigned or your grid changed), "
                "so this visit was not recorded. It stays on your phone: ask your community to record "
                "it, or discard it."
            )
            % {"place": place.name},
        )
    return place


def _check_plan_item(user, item, place):
    if item["plan_item"] is None:
        if item["kind"] != InspectionKind.PATROL:
            raise _bad(_("A planned inspection names its plan item."))
        return None
    plan_item = PlanItem.objects.filter(pk=item["plan_item"], place=place).select_related("done").first()
    if plan_item is None or plan_item.inspector_id != user.pk:
        raise Refused(409, "plan_reassigned", _("This planned visit is no longer assigned to you."))
    if plan_item.done_id:
        raise Refused(
            409,
            "plan_done",
            _("This planned visit was already recorded (inspection %(n)s on %(date)s).")
            % {"n": plan_item.done_id, "date": plan_item.done.inspected_on},
        )
    return plan_item


def _apply(user, item, photos):
    place = _check_place(user, item)
    _check_plan_item(user, item, place)
    try:
        inspection = actions.start_inspection(
            place,
            item["kind"],
            [user],
            actor=user,
            on=item["done_on"],
            lat=item["lat"],
            lng=item["lng"],
            notes=item["notes"],
        )
        used = {(v.code, v.version) for v in inspection.checklists.all()}
        for answer in item["answers"]:
            if (answer.get("checklist"), answer.get("version")) not in used:
                raise Refused(
                    409,
                    "checklist_changed",
                    _(
                        "The checklist %(code)s changed since you downloaded it. Download today's list "
                        "again and redo this visit."
                    )
                    % {"code": answer.get("checklist")},
                )
            photo = photos.get(answer.get("photo") or "")
            actions.record_answer(
                inspection,
                checklist=answer["checklist"],
                item_code=str(answer.get("item_code")),
                result=answer["result"],
                note=str(answer.get("note") or "")[:500],
                photo=photo,
                corrected_on_spot=bool(answer.get("corrected_on_spot")),
                actor=user,
            )
        inspection = actions.submit_inspection(inspection, actor=user)
    except ValidationError as exc:
        raise Refused(409, "refused", _messages(exc)) from None
    cases = list(inspection.hazards.filter(case__isnull=False).values_list("case__pk", "case__tracking_code"))
    return inspection, {
        "status": "applied",
        "inspection": inspection.pk,
        "url": reverse("inspections:detail", args=[inspection.pk]),
        "outcome": str(inspection.get_outcome_display()),
        "cases": [{"tracking_code": code, "url": reverse("hazards:detail", args=[pk])} for pk, code in cases],
        "message": _("Sent: %(kind)s of %(place)s, %(n)s hazard case(s) opened.")
        % {"kind": inspection.get_kind_display(), "place": place.name, "n": len(cases)},
    }


def _replay(record, user):
    if record.user_id != user.pk:
        raise Refused(409, "id_in_use", _("This item id was already used by someone else."))
    return record.result | {"replayed": True}


def sync_item(user, data, files):
    """Apply one item; returns (http_status, answer). Safe to call any number of times per id."""
    if isinstance(data, dict) and data.get("kind") == case_steps.KIND:
        item = case_steps.parse(data)

        def prepare():
            return case_steps.photos(item, files)

        def apply(prepared):
            return case_steps.apply(user, item, prepared)

    else:
        item = parse_item(data)

        def prepare():
            return _photos(item["answers"], files)

        def apply(prepared):
            inspection, result = _apply(user, item, prepared)
            return {"inspection": inspection}, result

    return _once(user, item, prepare, apply)


def _once(user, item, prepare, apply):
    """Claim the item's id and apply it in one transaction; a replay gets the first answer."""
    existing = SyncRecord.objects.filter(client_id=item["id"]).first()
    if existing is not None:
        return 200, _replay(existing, user)
    prepared = prepare()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = SyncRecord.objects.create(client_id=item["id"], user=user, kind=item["kind"])
            except IntegrityError:
                raise _AlreadyClaimed() from None
            fields, result = apply(prepared)
            result["id"] = str(item["id"])
            for name, value in fields.items():
                setattr(record, name, value)
            record.result = result
            record.save(update_fields=[*fields, "result"])
            return 200, result
    except _AlreadyClaimed:
        # another request with this id committed first (it held the row until then): its answer stands
        return 200, _replay(SyncRecord.objects.get(client_id=item["id"]), user)


class _AlreadyClaimed(Exception):
    pass
