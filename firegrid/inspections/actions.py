"""Inspections as state changes: start, answer, submit (with the GB 35181 proposal), decide."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.roles import Role
from firegrid.hazards import reports as hazard_reports
from firegrid.inspections.campaign_actions import campaign_checklists, record_campaign_inspection
from firegrid.inspections.checklists import applies_to, shipped_checklists
from firegrid.inspections.choices import (
    ENFORCEMENT_KINDS,
    AnswerResult,
    InspectionKind,
    InspectionStatus,
    Outcome,
    Severity,
)
from firegrid.inspections.draw_actions import link_inspection
from firegrid.inspections.major_hazard import DeterminationError, determine, element_ids, load_edition
from firegrid.inspections.models import Answer, ChecklistVersion, HazardRecord, Inspection
from firegrid.inspections.plan_actions import mark_plan_done
from firegrid.places.actions import mark_inspected
from firegrid.places.models import Place

CHECKLIST_DIR = Path(__file__).resolve().parent / "data" / "checklists"
FIELD_ROLES = {Role.GRID_WORKER, Role.COMMUNITY_MEMBER, Role.STREET_OFFICER}


def sync_shipped_checklists():
    """Store every shipped checklist file as a version (once); returns the versions created."""
    created = []
    for document in shipped_checklists():
        version, was_created = ChecklistVersion.objects.get_or_create(
            code=document["code"],
            version=document["version"],
            defaults={"effective_from": document["effective_from"], "document": document},
        )
        if was_created:
            created.append(version)
    return created


def active_checklists(on=None):
    """The active checklist versions in force on the date, newest first within each code (one query):
    pass them to `checklists_for` when choosing for many places."""
    on = on or timezone.localdate()
    return list(
        ChecklistVersion.objects.filter(is_active=True, effective_from__lte=on).order_by(
            "code", "-effective_from", "-id"
        )
    )


def checklists_for(place, on=None, *, versions=None):
    """The active version of each checklist that applies to the place, newest in force on the date.

    versions: `active_checklists(on)`, read once for a list of places (else read here)."""
    if versions is None:
        versions = active_checklists(on)
    chosen = {}
    for version in versions:
        if version.code not in chosen and applies_to(version.document, place.kind, place.flag_list):
            chosen[version.code] = version
    return list(chosen.values())


def _check_inspectors(kind, place, inspectors, on):
    if not inspectors:
        raise ValidationError({"inspectors": _("Name at least one inspector.")})
    if kind in ENFORCEMENT_KINDS:
        unqualified = [str(u) for u in inspectors if not u.can_inspect(on)]
        if unqualified:
            raise ValidationError(
                {
                    "inspectors": _("%(names)s have no valid enforcement qualification on %(date)s.")
                    % {"names": ", ".join(unqualified), "date": on}
                }
            )
    elif kind == InspectionKind.SELF_CHECK:
        owners = set(place.owners.values_list("pk", flat=True))
        if any(u.pk not in owners for u in inspectors):
            raise ValidationError({"inspectors": _("A self-inspection is made by the place's own people.")})
    if kind != InspectionKind.SELF_CHECK:
        # grid workers too must have passed training before they inspect (seed 002 §三(四))
        untrained = [str(u) for u in inspectors if not u.is_trained(on)]
        if untrained:
            raise ValidationError(
                {
                    "inspectors": _("%(names)s have no valid fire safety training certificate on %(date)s.")
                    % {"names": ", ".join(untrained), "date": on}
                }
            )


@transaction.atomic
def start_inspection(
    place, kind, inspectors, *, actor, on=None, lat=None, lng=None, previous=None, notes="", campaign=None
):
    on = on or timezone.localdate()
    if not Place.objects.restrict(actor).filter(pk=place.pk).exists():
        raise ValidationError({"place": _("This place is not in your jurisdiction.")})
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("Unknown inspection kind.")})
    _check_inspectors(kind, place, inspectors, on)
    if kind == InspectionKind.REINSPECTION and (previous is None or previous.place_id != place.pk):
        raise ValidationError({"previous": _("A re-inspection names an earlier inspection of this place.")})
    if (kind == InspectionKind.CAMPAIGN) != (campaign is not None):
        raise ValidationError({"campaign": _("A campaign inspection names its campaign, and only it does.")})
    lists = checklists_for(place, on)
    if campaign is not None:
        if not campaign.targets.filter(place=place).exists():
            raise ValidationError({"campaign": _("This place is not a target of the campaign.")})
        lists += [v for v in campaign_checklists(campaign) if v.code not in {x.code for x in lists}]
    if not lists:
        raise ValidationError({"place": _("No checklist applies to this place.")})
    inspection = Inspection.objects.create(
        place=place,
        kind=kind,
        inspected_on=on,
        lat=lat,
        lng=lng,
        previous=previous,
        notes=notes,
        campaign=campaign,
    )
    # a new inspection has none yet: add (set would first read what there is, for nothing)
    inspection.inspectors.add(*inspectors)
    inspection.checklists.add(*lists)
    return inspection


def _locked_draft(inspection, actor=None):
    """The inspection re-read and locked for this transaction; a draft, and the actor one of its
    inspectors (asked in the same statement)."""
    locked = Inspection.objects.select_for_update()
    check_actor = actor is not None and not actor.is_superuser
    if check_actor:
        mine = Inspection.inspectors.through.objects.filter(inspection_id=OuterRef("pk"), user_id=actor.pk)
        locked = locked.annotate(actor_is_inspector=Exists(mine))
    locked = locked.get(pk=inspection.pk)
    if locked.status != InspectionStatus.DRAFT:
        raise ValidationError({"status": _("This inspection has been submitted and cannot change.")})
    if check_actor and not locked.actor_is_inspector:
        raise ValidationError({"inspectors": _("Only the inspection's own inspectors record and submit it.")})
    return locked


# (checklist version id, its updated_at) -> the codes of its items: a tap checks its item against them
# without reading the version's JSON document again (read once per process and version)
_codes = {}


def _item_codes(version_id, updated_at):
    codes = _codes.get((version_id, updated_at))
    if codes is None:
        version = ChecklistVersion.objects.get(pk=version_id)
        codes = _codes[(version.pk, version.updated_at)] = frozenset(version.items())
    return codes


@transaction.atomic
def record_answer(
    inspection,
    *,
    checklist,
    item_code,
    result,
    note="",
    photo=None,
    elements=(),
    corrected_on_spot=False,
    actor=None,
):
    """Answer one item; the item must be in the checklist version the inspection uses."""
    inspection = _locked_draft(inspection, actor)
    # every version the inspection uses, read once: this item's, and the keys of all for the count of
    # items the form shows after a tap (answer.checklist_keys)
    versions = list(inspection.checklists.order_by("pk").values_list("pk", "updated_at", "version", "code"))
    version = next((v for v in versions if v[3] == checklist), None)
    if version is None:
        raise ValidationError(
            {"checklist": _("Checklist %(code)s is not used by this inspection.") % {"code": checklist}}
        )
    if item_code not in _item_codes(*version[:2]):
        raise ValidationError(
            {
                "item_code": _("Item %(item)s is not in checklist %(list)s version %(version)s.")
                % {"item": item_code, "list": checklist, "version": version[2]}
            }
        )
    if result not in AnswerResult.values:
        raise ValidationError({"result": _("Answer pass, fail or na.")})
    elements = sorted(set(elements or []))
    unknown = [e for e in elements if e not in element_ids(load_edition())]
    if unknown:
        raise ValidationError(
            {"elements": _("Unknown GB 35181 element(s): %(ids)s") % {"ids": ", ".join(unknown)}}
        )
    if elements and result != AnswerResult.FAIL:
        raise ValidationError({"elements": _("Only a failed item can evidence a major-hazard element.")})
    values = {"result": result, "note": note, "elements": elements, "corrected_on_spot": corrected_on_spot}
    # the inspection row is locked (_locked_draft), so two taps on one item cannot race: a read and an
    # insert or update, without update_or_create's savepoints and row lock (four statements fewer a tap)
    key = {"inspection": inspection, "checklist_id": version[0], "item_code": item_code}
    answer = Answer.objects.filter(**key).first()
    if answer is None:
        answer = Answer.objects.create(**key, **values)
    else:
        for name, value in values.items():
            setattr(answer, name, value)
        answer.save(update_fields=list(values))
    if photo is not None:
        answer.photo = photo
        answer.save(update_fields=["photo"])
    answer.checklist_keys = [(pk, updated_at) for pk, updated_at, _version, _code in versions]
    return answer


@transaction.atomic
def record_details(inspection, *, actor, lat=None, lng=None, notes="", commitment=None):
    """The location stamp, notes and (self-checks only) the public commitment of a draft."""
    inspection = _locked_draft(inspection, actor)
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if commitment is not None and inspection.kind != InspectionKind.SELF_CHECK:
        raise ValidationError({"commitment": _("Only a self-inspection carries a public commitment.")})
    inspection.lat, inspection.lng, inspection.notes = lat, lng, notes
    if commitment is not None:
        inspection.commitment = commitment
    inspection.save(update_fields=["lat", "lng", "notes", "commitment", "updated_at"])
    return inspection


@transaction.atomic
def submit_inspection(inspection, *, actor, not_judged=None):
    """Close the inspection: propose a severity per GB 35181, record hazards, count for coverage."""
    inspection = _locked_draft(inspection, actor)
    answers = list(inspection.answers.select_related("checklist"))
    failed = [a for a in answers if a.result == AnswerResult.FAIL]
    found = {e for a in failed for e in a.elements}
    corrected = {e for a in failed if a.corrected_on_spot for e in a.elements}
    try:
        result = determine(
            found, kind=inspection.place.kind, corrected_on_spot=corrected, not_judged=not_judged
        )
    except DeterminationError as exc:
        raise ValidationError({"not_judged": str(exc)}) from None
    cited = set(result.direct) | {
        e for rule in result.comprehensive if rule["triggered"] for e in rule["counted"]
    }
    for answer in failed:
        item = answer.checklist.items()[answer.item_code]
        record = HazardRecord.objects.create(
            inspection=inspection,
            answer=answer,
            place=inspection.place,
            description=(item["text"].get("zh-hans") or answer.item_code)
            + (f"：{answer.note}" if answer.note else ""),
            severity=Severity.MAJOR if result.major and set(answer.elements) & cited else Severity.GENERAL,
            clauses=sorted(set(answer.elements) & cited) or answer.elements,
            corrected_on_spot=answer.corrected_on_spot,
        )
        if not record.corrected_on_spot:
            hazard_reports.open_from_finding(record, actor=actor)
    inspection.determination = result.as_dict()
    inspection.outcome = Outcome.MAJOR if result.major else (Outcome.HAZARDS if failed else Outcome.PASSED)
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.save()
    if inspection.kind in ENFORCEMENT_KINDS:
        mark_inspected(inspection.place, inspection.inspected_on, inspection.outcome)
        link_inspection(inspection)
        mark_plan_done(inspection)
    if inspection.campaign_id:
        record_campaign_inspection(inspection)
    if inspection.kind == InspectionKind.SELF_CHECK and inspection.commitment:
        Place.objects.filter(pk=inspection.place_id).update(public_commitment=inspection.commitment)
    return inspection


@transaction.atomic
def decide_major(inspection, *, officer, major, reason=""):
    """An officer confirms or overrides the proposal; an override needs a written reason."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ValidationError({"status": _("Submit the inspection before deciding.")})
    if not officer.can_inspect():
        raise ValidationError({"officer": _("Only qualified enforcement staff decide on major hazards.")})
    proposed = bool(inspection.determination.get("major"))
    if bool(major) != proposed and not reason.strip():
        raise ValidationError({"decision_reason": _("Give the reason for overriding the proposal.")})
    inspection.major_confirmed = bool(major)
    inspection.decided_by = officer
    inspection.decision_reason = reason
    if inspection.outcome != Outcome.PASSED:
        inspection.outcome = Outcome.MAJOR if major else Outcome.HAZARDS
    inspection.save()
    if inspection.kind in ENFORCEMENT_KINDS:
        Place.objects.filter(pk=inspection.place_id, last_inspected_on=inspection.inspected_on).update(
            last_inspection_outcome=inspection.outcome
        )
    hazards = inspection.hazards.filter(corrected_on_spot=False)
    if not major:
        hazards.filter(severity=Severity.MAJOR).update(severity=Severity.GENERAL)
    elif not hazards.filter(severity=Severity.MAJOR).exists():
        hazards.update(severity=Severity.MAJOR)  # overridden to major: every open finding is part of it
    for record in hazards:
        hazard_reports.sync_severity(record, actor=officer, reason=reason)
    return inspection
