"""State changes of outreach as service functions: certificates (and the staff qualification they
carry), home visits (a hazard found opens a case), devices, the best-volunteer selection."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.roles import Role
from firegrid.core.scoping import user_scope
from firegrid.org.choices import QualificationKind, RegionLevel
from firegrid.outreach.choices import (
    HAZARD_ATTRIBUTES,
    HAZARD_CATEGORY,
    AttendanceResult,
    AudienceGroup,
    ConsentScope,
    HomeHazard,
    SelectionStatus,
    VisitOutcome,
)
from firegrid.outreach.models import (
    Attendance,
    BestVolunteerSelection,
    Certificate,
    HomeDevice,
    HomeVisit,
    Household,
    SelectionEntry,
    Volunteer,
)
from firegrid.outreach.scopes import CARE_ROLES

# Who may certify a pass: the district office, the fire rescue detachment, the street's officer. An
# enforcement-staff certificate becomes an enforcement qualification, so only the district office or
# the fire rescue agency issue it (seed 002 §三(四): "须经消防救援机构培训合格").
CERTIFIERS = frozenset({Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER, Role.STREET_OFFICER})
ENFORCEMENT_CERTIFIERS = frozenset({Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER})


def _roles(user):
    return user_scope(user).roles


def _superuser(user):
    return bool(getattr(user, "is_superuser", False))


def helper_covers(user, grid, on=None):
    """Whether the user holds a caring role (grid worker, community group, street officer) over the grid."""
    on = on or timezone.localdate()
    for assignment in user.role_assignments.select_related("region").filter(role__in=CARE_ROLES):
        if assignment.region_id and assignment.is_current(on) and assignment.region.contains(grid):
            return True
    return False


# ---- training ---------------------------------------------------------------------------------


def certificate_kind(session):
    if session.audience == AudienceGroup.ENFORCEMENT_STAFF:
        return QualificationKind.ENFORCEMENT
    return QualificationKind.TRAINING


@transaction.atomic
def issue_certificate(attendance, *, actor, number="", issued_on=None, issued_by=""):
    """A certificate for a passed attendance of a session that has been held. Refused, writing
    nothing, for anyone who did not pass. A holder who is a platform user also gets the staff
    Qualification it stands for, which is what lets them inspect."""
    from firegrid.org.models import Qualification

    issued_on = issued_on or timezone.localdate()
    found = (
        Attendance.objects.restrict(actor, "change")
        .select_related("session", "user")
        .filter(pk=getattr(attendance, "pk", attendance))
        .first()
    )
    if found is None:
        raise ValidationError({"attendance": _("This attendance is not in your jurisdiction.")})
    attendance = found
    session = attendance.session
    roles = _roles(actor)
    if not (_superuser(actor) or roles & CERTIFIERS):
        raise ValidationError(
            {
                "attendance": _(
                    "Only the district office, the detachment or a street officer certify training."
                )
            }
        )
    if attendance.result != AttendanceResult.PASSED:
        raise ValidationError(
            {
                "attendance": _(
                    "%(name)s has no passed session: a certificate is issued only to those who passed."
                )
                % {"name": attendance.name}
            }
        )
    if not session.is_held(issued_on) or issued_on < session.held_on:
        raise ValidationError({"issued_on": _("A certificate is issued on or after the day of the session.")})
    if Certificate.objects.filter(attendance=attendance).exists():
        raise ValidationError({"attendance": _("A certificate has already been issued for this attendance.")})
    if attendance.user_id and attendance.user_id == actor.pk:
        raise ValidationError({"attendance": _("Nobody certifies their own training.")})
    kind = certificate_kind(session)
    if kind == QualificationKind.ENFORCEMENT and not (_superuser(actor) or roles & ENFORCEMENT_CERTIFIERS):
        raise ValidationError(
            {
                "attendance": _(
                    "An enforcement-staff certificate is issued by the district office or the fire "
                    "rescue detachment."
                )
            }
        )
    expires_on = issued_on + datetime.timedelta(days=session.certificate_valid_days)
    number = (number or "").strip() or f"PX{issued_on:%Y}-{session.pk:04d}-{attendance.pk:05d}"
    certificate = Certificate(
        attendance=attendance,
        number=number[:60],
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=(issued_by or session.organiser or "")[:120],
    )
    certificate.full_clean(exclude=["attendance", "qualification"])
    certificate.save()
    if attendance.user_id:
        certificate.qualification = Qualification.objects.create(
            user=attendance.user,
            kind=kind,
            certificate_no=certificate.number,
            training_record=f"{session.topic} · {session.held_on} · {session.trainer}"[:2000],
            training_hours=int(session.hours),
            passed_on=issued_on,
            expires_on=expires_on,
            issued_by=certificate.issued_by,
        )
        certificate.save(update_fields=["qualification", "updated_at"])
    return certificate


@transaction.atomic
def revoke_certificate(certificate, *, actor, on=None):
    found = (
        Certificate.objects.restrict(actor, "change").select_for_update().filter(pk=certificate.pk).first()
    )
    if found is None:
        raise ValidationError({"certificate": _("This certificate is not in your jurisdiction.")})
    if found.revoked_on:
        raise ValidationError({"certificate": _("This certificate has already been revoked.")})
    found.revoked_on = on or timezone.localdate()
    qualification = found.qualification
    found.qualification = None
    found.save()
    if qualification is not None:
        qualification.delete()  # the holder no longer counts as trained
    return found


# ---- households and visits ------------------------------------------------------------------


def _household_for(actor, household, *, need):
    found = (
        Household.objects.restrict(actor, "change")
        .select_related("grid")
        .filter(pk=getattr(household, "pk", household))
        .first()
    )
    if found is None:
        raise ValidationError(
            {
                "household": _(
                    "This household is outside your area: you record visits and devices only for "
                    "households in your grid, community or street."
                )
            }
        )
    if not found.is_active:
        raise ValidationError({"household": _("This household is no longer registered.")})
    if not found.consents_to(need):
        label = ConsentScope(need).label
        raise ValidationError(
            {"household": _("The household has not consented to this (%(what)s).") % {"what": label}}
        )
    return found


def _grid_point(grid):
    from shapely.geometry import shape

    if not grid.boundary:
        return None
    point = shape(grid.boundary).representative_point()
    return round(point.y, 6), round(point.x, 6)


def _open_cases(visit, household, *, actor, photos):
    """One hazard case per hazard found. The case names the grid, not the household: hazard cases
    are seen more widely than the household (see scopes.py); the visit links back to them."""
    from firegrid.hazards import reports
    from firegrid.hazards.choices import Channel, Source
    from firegrid.hazards.models import HazardCategory

    if not visit.hazards:
        return []
    point = _grid_point(household.grid) or (visit.lat, visit.lng)
    if point[0] is None:
        raise ValidationError(
            {"hazards": _("The grid has no boundary: give the visit's location to report hazards.")}
        )
    categories = {c.code: c for c in HazardCategory.objects.filter(is_active=True)}
    cases = []
    for i, code in enumerate(visit.hazards):
        category = categories.get(HAZARD_CATEGORY[code]) or categories.get("other")
        description = _("Found on a door-knocking home visit (敲门行动) on %(date)s: %(hazard)s.") % {
            "date": visit.visited_on,
            "hazard": HomeHazard(code).label,
        }
        case = reports.report(
            description=description,
            category=category,
            lat=point[0],
            lng=point[1],
            address=_("%(grid)s — a household on the home-visit list") % {"grid": household.grid.name},
            photos=photos if i == 0 else (),
            source=Source.PATROL,
            channel=Channel.STAFF,
            actor=actor,
            attributes=dict(HAZARD_ATTRIBUTES.get(code, {})) | {"home_visit": visit.pk},
            is_public=False,
        )
        cases.append(case)
    return cases


@transaction.atomic
def record_visit(household, *, actor, visited_on=None, outcome, photos=(), **findings):
    """Record a "敲门行动" visit by the actor. The household must be in the actor's caring scope and
    have consented to visits; each hazard found opens a hazard case (source "patrol")."""
    household = _household_for(actor, household, need=ConsentScope.VISITS)
    visit = HomeVisit(
        household=household,
        visitor=actor,
        visited_on=visited_on or timezone.localdate(),
        outcome=outcome,
        **findings,
    )
    visit.hazards = list(dict.fromkeys(visit.hazards or []))
    visit.referrals = list(dict.fromkeys(visit.referrals or []))
    if outcome != VisitOutcome.COMPLETED:
        visit.alarms_present = visit.alarms_present or ""
    visit.full_clean(exclude=["household", "visitor", "hazard_cases"])
    visit.save()
    cases = _open_cases(visit, household, actor=actor, photos=photos)
    if cases:
        visit.hazard_cases.set(cases)
    if outcome == VisitOutcome.COMPLETED and (
        household.last_visited_on is None or household.last_visited_on < visit.visited_on
    ):
        household.last_visited_on = visit.visited_on
        household.save(update_fields=["last_visited_on", "updated_at"])
    return visit


@transaction.atomic
def install_device(household, *, actor, kind, installed_on=None, iot_device=None, **fields):
    from firegrid.iot.models import Device

    household = _household_for(actor, household, need=ConsentScope.DEVICES)
    if iot_device is not None and not Device.objects.restrict(actor).filter(pk=iot_device.pk).exists():
        raise ValidationError({"iot_device": _("This IoT device is not in your jurisdiction.")})
    device = HomeDevice(
        household=household,
        kind=kind,
        installed_on=installed_on or timezone.localdate(),
        iot_device=iot_device,
        **fields,
    )
    device.full_clean(exclude=["household"])
    device.save()
    return device


def find_iot_device(user, ident):
    from firegrid.iot.models import Device

    ident = (ident or "").strip()
    if not ident:
        return None
    device = Device.objects.restrict(user).filter(ident=ident).first()
    if device is None:
        raise ValidationError(
            {"iot_device": _("No IoT device %(ident)s in your jurisdiction.") % {"ident": ident}}
        )
    return device


def household_summary(user, on=None):
    """Counts per street for the district view (and per community for a street): never names.
    Whoever holds a district, street or community grant gets the counts of that area."""
    from firegrid.org.models import Region

    scope = user_scope(user)
    paths = [
        g.region_path
        for g in scope.grants
        if g.region_path
        and g.role
        in (Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER, Role.STREET_OFFICER, Role.COMMUNITY_MEMBER)
    ]
    if scope.superuser:
        paths = list(Region.objects.filter(level=RegionLevel.DISTRICT).values_list("path", flat=True))
    if not paths:
        return []
    q = Q()
    for p in paths:
        q |= Q(grid__path__startswith=p)
    year_start = (on or timezone.localdate()).replace(month=1, day=1)
    rows = {}
    households = Household._base_manager.filter(q, is_active=True)
    areas = Region.objects.filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])
    area_by_path = {r.path: r for r in areas}
    level = RegionLevel.STREET if any(p.count("/") <= 2 for p in paths) else RegionLevel.COMMUNITY

    def area_of(path):
        parts = [p for p in path.split("/") if p]
        depth = 2 if level == RegionLevel.STREET else 3
        return area_by_path.get("/" + "/".join(parts[:depth]) + "/")

    for row in households.values(
        "grid__path", "elderly_alone", "left_behind_child", "disability", "last_visited_on"
    ):
        area = area_of(row["grid__path"])
        if area is None:
            continue
        r = rows.setdefault(
            area.pk,
            {
                "area": area,
                "households": 0,
                "elderly_alone": 0,
                "left_behind_child": 0,
                "disability": 0,
                "visited": 0,
                "devices": 0,
            },
        )
        r["households"] += 1
        for flag in ("elderly_alone", "left_behind_child", "disability"):
            r[flag] += bool(row[flag])
        if row["last_visited_on"] and row["last_visited_on"] >= year_start:
            r["visited"] += 1
    for row in HomeDevice._base_manager.filter(household__in=households, removed_on__isnull=True).values(
        "household__grid__path"
    ):
        area = area_of(row["household__grid__path"])
        if area is not None and area.pk in rows:
            rows[area.pk]["devices"] += 1
    return sorted(rows.values(), key=lambda r: r["area"].path)


# ---- volunteers ---------------------------------------------------------------------------------


def volunteer_ranking(region, year):
    """Active volunteers of the region's subtree, with the year's hours, activities and kinds."""
    return list(
        Volunteer.objects.filter(region__path__startswith=region.path, is_active=True)
        .annotate(
            year_hours=Sum("hours__hours", filter=Q(hours__activity__held_on__year=year)),
            year_activities=Count(
                "hours__activity", filter=Q(hours__activity__held_on__year=year), distinct=True
            ),
            year_kinds=Count(
                "hours__activity__kind", filter=Q(hours__activity__held_on__year=year), distinct=True
            ),
        )
        .filter(year_hours__gt=0)
        .order_by("-year_hours", "-year_activities", "-year_kinds", "name", "pk")
    )


def _may_select(actor, region):
    from firegrid.org.models import Region

    if region.level not in (RegionLevel.DISTRICT, RegionLevel.STREET):
        raise ValidationError({"region": _("The selection is made for a street/town or the whole district.")})
    if not Region.objects.restrict(actor, "change").filter(pk=region.pk).exists():
        raise ValidationError({"region": _("This region is not in your jurisdiction.")})
    roles = _roles(actor)
    wanted = Role.DISTRICT_ADMIN if region.level == RegionLevel.DISTRICT else Role.STREET_OFFICER
    if not (_superuser(actor) or wanted in roles or Role.DISTRICT_ADMIN in roles):
        raise ValidationError(
            {"region": _("Only the district office or the street's officer make this selection.")}
        )


@transaction.atomic
def compute_selection(region, year, *, actor, places=3, min_hours=8):
    """Rank the year's volunteers by hours (then activities, then kinds of activity) and propose the
    top `places` with at least `min_hours`. A proposal may be recomputed until it is confirmed."""
    _may_select(actor, region)
    selection = BestVolunteerSelection.objects.select_for_update().filter(year=year, region=region).first()
    if selection is not None and selection.status == SelectionStatus.CONFIRMED:
        raise ValidationError(
            {"year": _("The %(year)s selection has been confirmed and cannot change.") % {"year": year}}
        )
    if selection is None:
        selection = BestVolunteerSelection(year=year, region=region)
    selection.places = places
    selection.min_hours = min_hours
    selection.full_clean(exclude=["region", "confirmed_by"], validate_unique=False)
    selection.save()
    selection.entries.all().delete()
    proposed = 0
    entries = []
    for rank, volunteer in enumerate(volunteer_ranking(region, year), start=1):
        eligible = volunteer.year_hours >= selection.min_hours
        pick = eligible and proposed < selection.places
        proposed += pick
        entries.append(
            SelectionEntry(
                selection=selection,
                volunteer=volunteer,
                rank=rank,
                hours=volunteer.year_hours,
                activities=volunteer.year_activities,
                kinds=volunteer.year_kinds,
                selected=pick,
            )
        )
    SelectionEntry.objects.bulk_create(entries)
    return selection


@transaction.atomic
def confirm_selection(selection, *, actor, volunteer_ids=None, note=""):
    """Confirm the proposal, or a changed choice among the ranked candidates (a change needs a note)."""
    selection = (
        BestVolunteerSelection.objects.select_for_update().select_related("region").get(pk=selection.pk)
    )
    _may_select(actor, selection.region)
    if selection.status == SelectionStatus.CONFIRMED:
        raise ValidationError({"status": _("This selection has already been confirmed.")})
    entries = {e.volunteer_id: e for e in selection.entries.all()}
    proposed = {v for v, e in entries.items() if e.selected}
    chosen = proposed if volunteer_ids is None else {int(v) for v in volunteer_ids}
    errors = {}
    if not chosen:
        errors["volunteers"] = _("Select at least one volunteer.")
    elif not chosen <= set(entries):
        errors["volunteers"] = _("Only ranked candidates can be selected.")
    elif len(chosen) > selection.places:
        errors["volunteers"] = _("Select at most %(n)s.") % {"n": selection.places}
    elif any(entries[v].hours < selection.min_hours for v in chosen):
        errors["volunteers"] = _("A selected volunteer gave fewer than %(h)s hours this year.") % {
            "h": selection.min_hours
        }
    if not errors and chosen != proposed and not (note or "").strip():
        errors["note"] = _("Say why the choice differs from the ranking.")
    if errors:
        raise ValidationError(errors)
    for volunteer_id, entry in entries.items():
        if entry.selected != (volunteer_id in chosen):
            entry.selected = volunteer_id in chosen
            entry.save(update_fields=["selected"])
    selection.status = SelectionStatus.CONFIRMED
    selection.confirmed_by = actor
    selection.confirmed_at = timezone.now()
    selection.note = (note or "").strip()
    selection.save()
    return selection
