"""New cases: reports from the public or staff, and findings of inspections."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.hazards import deadlines
from firegrid.hazards.actions import actor_label, record_event
from firegrid.hazards.choices import STAFF_CHANNELS, CaseStatus, Channel, EventKind, Level, Severity, Source
from firegrid.hazards.models import AttachmentKind, HazardCase, HazardCategory
from firegrid.hazards.uploads import check_photos, store_upload
from firegrid.inspections.choices import InspectionKind

MAX_DESCRIPTION = 4000
PUBLIC_LABEL = _("Member of the public")


def locate(*, place=None, lat=None, lng=None):
    """(region, lat, lng) of a report: the place's grid, or the grid containing the point."""
    from firegrid.org.models import Region

    if place is not None:
        return place.region, place.lat, place.lng
    if lat is None or lng is None:
        raise ValidationError({"location": _("Say where the hazard is: pick a place or give a location.")})
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationError(
            {"location": _("The location is not a valid latitude and longitude.")}
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError({"location": _("The location is not a valid latitude and longitude.")})
    region = Region.objects.locate(lat, lng)
    if region is None:
        raise ValidationError({"location": _("That location is outside the district's grids.")})
    return region, lat, lng


@transaction.atomic
def report(
    *,
    description,
    category,
    place=None,
    lat=None,
    lng=None,
    address="",
    photos=(),
    source=Source.PUBLIC,
    channel=Channel.WEB,
    actor=None,
    anonymous=False,
    reporter_name="",
    reporter_phone="",
    reporter_email="",
    external_ref="",
    attributes=None,
    is_public=None,
):
    """A hazard reported by anyone: checked, located, stored with its photos, or nothing at all."""
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = _("Describe the hazard.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("The description is longer than %(n)s characters.") % {"n": MAX_DESCRIPTION}
    if not isinstance(category, HazardCategory) or not category.is_active:
        errors["category"] = _("Choose a hazard category.")
    if errors:
        raise ValidationError(errors)
    cleaned = check_photos(photos)
    if place is None and (lat is None or lng is None):
        gps = next((c[4] for c in cleaned if c[4]), None)  # a geotagged photo says where
        if gps:
            lat, lng = gps
    region, lat, lng = locate(place=place, lat=lat, lng=lng)
    now = timezone.now()
    # recorded by staff (found on patrol, a 12345/96119 call typed in), or sent in by the public
    staff = channel in STAFF_CHANNELS and actor is not None and getattr(actor, "is_authenticated", False)
    if anonymous:
        reporter_name = reporter_phone = reporter_email = ""
    case = HazardCase(
        place=place,
        region=region,
        sector=place.sector if place else "",
        authority=place.authority if place else "",
        lat=lat,
        lng=lng,
        address=(address or (place.address if place else ""))[:300],
        description=description,
        category=category,
        severity=Severity.GENERAL,
        source=source,
        channel=channel,
        external_ref=external_ref[:60],
        status=CaseStatus.REPORTED,
        level=Level.GRID,
        step_due=deadlines.step_due(CaseStatus.REPORTED, now=now),
        reporter=None if staff else (actor if actor is not None and actor.is_authenticated else None),
        anonymous=bool(anonymous),
        reporter_name=reporter_name[:60],
        reporter_phone=reporter_phone[:40],
        reporter_email=reporter_email,
        attributes=attributes or {},
        is_public=source in (Source.PUBLIC, Source.INSPECTION, Source.PATROL)
        if is_public is None
        else is_public,
        created_at=now,
    )
    case.full_clean(
        exclude=["category", "region", "place", "finding", "department", "duplicate_of", "reporter"]
    )
    case.save()
    event = record_event(
        case,
        EventKind.REPORTED,
        actor=actor if staff else None,
        label=actor_label(actor) if staff else str(PUBLIC_LABEL),
        to_status=CaseStatus.REPORTED,
        data={"channel": channel, "source": source},
        at=now,
    )
    for upload, clean in zip(photos, cleaned, strict=True):
        store_upload(
            case, upload, kind=AttachmentKind.PHOTO, user=actor if staff else None, event=event, cleaned=clean
        )
    return case


SOURCE_OF_KIND = {
    InspectionKind.PATROL: Source.PATROL,
    InspectionKind.SELF_CHECK: Source.SELF_CHECK,
}


def category_for_item(checklist, item_code):
    """The category whose checklist sections contain the item's section (else "other")."""
    section = next(
        (
            s.get("code")
            for s in checklist.document.get("sections", [])
            for i in s["items"]
            if i["code"] == item_code
        ),
        None,
    )
    categories = list(HazardCategory.objects.filter(is_active=True))
    for category in categories:
        if section and section in (category.checklist_sections or []):
            return category
    return next((c for c in categories if c.code == "other"), None) or categories[-1]


def open_from_finding(record, *, actor):
    """An inspection finding not corrected on the spot becomes a confirmed case."""
    inspection = record.inspection
    place = record.place
    now = timezone.now()
    major = record.severity == Severity.MAJOR
    category = (
        category_for_item(record.answer.checklist, record.answer.item_code)
        if record.answer_id
        else (HazardCategory.objects.get(code="other"))
    )
    source = SOURCE_OF_KIND.get(inspection.kind, Source.INSPECTION)
    case = HazardCase.objects.create(
        place=place,
        region=place.region,
        sector=place.sector,
        authority=place.authority,
        lat=place.lat,
        lng=place.lng,
        address=place.address,
        description=record.description,
        category=category,
        severity=record.severity,
        clauses=record.clauses,
        source=source,
        channel=Channel.STAFF,
        status=CaseStatus.CONFIRMED,
        level=Level.STREET if major else Level.GRID,
        finding=record,
        responsible_party=place.responsible_person or place.name,
        responsible_phone=place.responsible_phone,
        step_due=deadlines.step_due(CaseStatus.CONFIRMED, now=now),
        is_public=source != Source.SELF_CHECK,
        created_at=now,
        confirmed_at=now,
    )
    data = {"inspection": inspection.pk, "item": record.answer.item_code if record.answer_id else ""}
    record_event(case, EventKind.REPORTED, actor=actor, to_status=CaseStatus.REPORTED, data=data, at=now)
    record_event(
        case,
        EventKind.CONFIRMED,
        actor=actor,
        from_status=CaseStatus.REPORTED,
        to_status=CaseStatus.CONFIRMED,
        data={"severity": record.severity},
        at=now,
    )
    return case


def sync_severity(record, *, actor, reason=""):
    """An officer's decision on the GB 35181 proposal changed a finding's severity: follow it."""
    from firegrid.hazards.actions import _save

    case = HazardCase.objects.select_for_update().filter(finding=record).first()
    if case is None or case.severity == record.severity:
        return
    old = case.severity
    fields = {"severity": record.severity}
    if record.severity == Severity.MAJOR and case.level == Level.GRID:
        fields["level"] = Level.STREET
    _save(case, fields)
    record_event(
        case,
        EventKind.SEVERITY,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=reason,
        data={"from": old, "to": record.severity},
    )
