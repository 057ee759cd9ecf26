"""State changes of facilities: saving (grid derived from the point), check records (the only way a
status changes; a fault opens a hazard case), plan evaluations and rule set versions."""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.scoping import user_scope
from firegrid.facilities import rules
from firegrid.facilities.choices import (
    FAULT_CATEGORY,
    FAULT_CATEGORY_DEFAULT,
    FAULT_STATUSES,
    KIND_GROUP,
    Access,
    CheckKind,
    FacilityStatus,
)
from firegrid.facilities.models import (
    SURVEY_ROLES,
    ConstructionPlan,
    Facility,
    FacilityCheck,
    FacilityRuleSet,
    PlanEvaluation,
)
from firegrid.places.actions import locate_grid


def prepare_facility(facility):
    """Derive the grid from the coordinates (a clear error outside the district) and validate."""
    errors = {}
    for name in ("lat", "lng"):
        value = getattr(facility, name)
        if value is None:
            errors[name] = _("Give the coordinates of the facility.")
    if errors:
        raise ValidationError(errors)
    if not (-90 <= facility.lat <= 90 and -180 <= facility.lng <= 180):
        raise ValidationError(
            {"lat": _("Latitude must lie between -90 and 90, longitude between -180 and 180.")}
        )
    facility.region = locate_grid(facility.lat, facility.lng)
    facility.full_clean(exclude=["region", "plan"])


@transaction.atomic
def save_facility(facility, *, actor=None):
    """Validate, locate and save a facility. Its status may be set when it is created; afterwards only
    a check record changes it (Facility.save refuses otherwise)."""
    prepare_facility(facility)
    facility.save()
    return facility


def may_survey(user):
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & SURVEY_ROLES)


def _number(value, name, *, low=None, high=None, integer=False):
    if value in (None, ""):
        return None
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Enter a number.")}) from None
    if number != number:
        raise ValidationError({name: _("Enter a number.")})
    if low is not None and number < low:
        raise ValidationError({name: _("This cannot be below %(n)s.") % {"n": low}})
    if high is not None and number > high:
        raise ValidationError({name: _("This cannot be above %(n)s.") % {"n": high}})
    return number


def find_faults(facility, status_after, *, pressure_mpa=None, access="", doc=None):
    """What on a check counts as a fault, in words: a damaged or missing facility, blocked access,
    a pressure below the rules' minimum for its kind."""
    faults = []
    if status_after in FAULT_STATUSES:
        faults.append(str(FacilityStatus(status_after).label))
    if access in (Access.BLOCKED, Access.OBSTRUCTED):
        faults.append(_("Access: %(a)s") % {"a": Access(access).label})
    minimum = rules.min_pressure(facility.kind, doc)
    if pressure_mpa is not None and minimum is not None and pressure_mpa < minimum:
        faults.append(
            _("Pressure %(p)s MPa below the minimum %(m)s MPa")
            % {"p": f"{pressure_mpa:g}", "m": f"{minimum:g}"}
        )
    return faults


def _fault_category(facility):
    from firegrid.hazards.models import HazardCategory

    code = FAULT_CATEGORY.get(KIND_GROUP.get(facility.kind), FAULT_CATEGORY_DEFAULT)
    active = HazardCategory.objects.filter(is_active=True)
    return active.filter(code=code).first() or active.filter(code="other").first() or active.first()


def _open_case(facility, check_kind, faults, *, actor, damage, note, photo):
    """A fault becomes a hazard case found on patrol; an open case of an earlier check is continued."""
    from firegrid.hazards import reports
    from firegrid.hazards.actions import comment, is_open
    from firegrid.hazards.choices import Channel, Source

    text = _("%(kind)s of %(facility)s (%(code)s): %(faults)s") % {
        "kind": CheckKind(check_kind).label,
        "facility": facility.name,
        "code": facility.code,
        "faults": "; ".join(faults),
    }
    details = "\n".join(x for x in (damage.strip(), note.strip()) if x)
    if details:
        text = f"{text}\n{details}"
    earlier = (
        FacilityCheck.objects.filter(facility=facility, hazard_case__isnull=False)
        .select_related("hazard_case")
        .order_by("-checked_at", "-id")
        .first()
    )
    if earlier is not None and is_open(earlier.hazard_case):
        comment(earlier.hazard_case, actor=actor, note=text)
        return earlier.hazard_case
    if photo is not None:
        photo.seek(0)
    return reports.report(
        description=text[:4000],
        category=_fault_category(facility),
        lat=facility.lat,
        lng=facility.lng,
        address=(facility.address or facility.name)[:300],
        photos=[photo] if photo is not None else (),
        source=Source.PATROL,
        channel=Channel.STAFF,
        actor=actor,
    )


@transaction.atomic
def record_check(
    facility,
    *,
    actor,
    status_after,
    kind=CheckKind.SURVEY,
    pressure_mpa=None,
    water_level_pct=None,
    access="",
    damage="",
    note="",
    photo=None,
    lat=None,
    lng=None,
    at=None,
):
    """Record a check of the facility and set its status from it. A fault (damaged, missing, access
    blocked, pressure too low) opens a hazard case (source "patrol") or comments on the open one.
    Returns the FacilityCheck. Raises ValidationError naming the field on bad input."""
    from firegrid.hazards.uploads import clean_image

    errors = {}
    if status_after not in FacilityStatus.values:
        errors["status_after"] = _("Choose the status found.")
    if kind not in CheckKind.values:
        errors["kind"] = _("Choose the kind of record.")
    if access and access not in Access.values:
        errors["access"] = _("Choose how the facility can be reached.")
    if errors:
        raise ValidationError(errors)
    pressure_mpa = _number(pressure_mpa, "pressure_mpa", low=0, high=5)
    water_level_pct = _number(water_level_pct, "water_level_pct", low=0, high=100, integer=True)
    lat = _number(lat, "lat", low=-90, high=90)
    lng = _number(lng, "lng", low=-180, high=180)
    facility = Facility.objects.select_for_update().select_related("region").get(pk=facility.pk)
    if (
        status_after == FacilityStatus.PLANNED
        and facility.status != FacilityStatus.PLANNED
        and kind != CheckKind.MAINTENANCE
    ):
        raise ValidationError({"status_after": _("A built facility cannot go back to planned on a survey.")})
    cleaned = None
    if photo is not None:
        photo.seek(0)
        cleaned = clean_image(photo, field="photo")
    doc = rules.active_document()
    faults = find_faults(facility, status_after, pressure_mpa=pressure_mpa, access=access, doc=doc)
    case = None
    if faults:
        case = _open_case(facility, kind, faults, actor=actor, damage=damage, note=note, photo=photo)
    check = FacilityCheck(
        facility=facility,
        kind=kind,
        checked_at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(getattr(actor, "full_name", "") or str(actor))[:120] if actor is not None else "",
        status_before=facility.status,
        status_after=status_after,
        pressure_mpa=pressure_mpa,
        water_level_pct=water_level_pct,
        access=access or "",
        damage=(damage or "")[:2000],
        note=(note or "")[:2000],
        faults=faults,
        lat=lat,
        lng=lng,
        hazard_case=case,
    )
    if cleaned is not None:
        content, content_type, _w, _h, _gps = cleaned
        check.photo.save(content.name, content, save=False)
        check.photo_type = content_type
    check.full_clean(exclude=["facility", "actor", "hazard_case", "photo"])
    check.save()
    facility._status_via_check = True
    facility.status = status_after
    facility.last_checked_on = timezone.localtime(check.checked_at).date()
    facility.save()
    return check


@transaction.atomic
def evaluate_plan(plan, *, actor, progress_pct, summary, evaluated_on=None, spent_wan=None):
    """Record a periodic evaluation of a plan; the plan's progress becomes the evaluation's."""
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = _("Write the assessment.")
    try:
        progress_pct = int(progress_pct)
        if not 0 <= progress_pct <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["progress_pct"] = _("Progress is a percentage from 0 to 100.")
    if spent_wan not in (None, ""):
        try:
            spent_wan = decimal.Decimal(str(spent_wan))
            if spent_wan < 0:
                raise decimal.InvalidOperation
        except decimal.InvalidOperation:
            errors["spent_wan"] = _("Enter an amount ≥ 0.")
    else:
        spent_wan = None
    if errors:
        raise ValidationError(errors)
    plan = ConstructionPlan.objects.select_for_update().get(pk=plan.pk)
    evaluation = PlanEvaluation.objects.create(
        plan=plan,
        evaluated_on=evaluated_on or timezone.localdate(),
        progress_pct=progress_pct,
        spent_wan=spent_wan,
        summary=summary.strip(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    latest = plan.evaluations.order_by("-evaluated_on", "-id").first()
    plan.progress_pct = latest.progress_pct
    plan.last_evaluated_on = latest.evaluated_on
    plan.save(update_fields=["progress_pct", "last_evaluated_on", "updated_at"])
    return evaluation


def new_ruleset_version(document, *, activate=True):
    """Store a rule document as a new version (or return the stored one) and make it active."""
    try:
        rules.check_document(document)
    except rules.RuleSetError as exc:
        raise ValidationError({"document": str(exc)}) from None
    ruleset = FacilityRuleSet.objects.filter(version=document["version"]).first()
    with transaction.atomic():
        if ruleset is None:
            ruleset = FacilityRuleSet(
                version=document["version"],
                name=document["name"],
                effective_from=datetime.date.fromisoformat(document["effective_from"]),
                document=document,
                notes=document.get("notes", ""),
            )
        if activate:
            FacilityRuleSet.objects.filter(is_active=True).exclude(pk=ruleset.pk).update(is_active=False)
            ruleset.is_active = True
        ruleset.save()
    return ruleset


def ensure_facility_rules():
    """The shipped rule set, if none is active (transactional tests flush what the migration loaded)."""
    if not FacilityRuleSet.objects.filter(is_active=True).exists():
        new_ruleset_version(rules.read_rules_file())
