"""Today's work for the phone: the user's planned visits still open this month, and the places of
their grids to patrol (least recently inspected first), each with the checklists it needs, and the open
hazard cases of their grids with the steps they may take, all in one JSON document the field app
stores in IndexedDB."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from firegrid.core.roles import Role
from firegrid.core.scoping import user_scope
from firegrid.fieldapp import case_steps
from firegrid.inspections.actions import active_checklists, checklists_for
from firegrid.inspections.choices import InspectionKind
from firegrid.inspections.models import PlanItem
from firegrid.org.models import Region
from firegrid.places.choices import PlaceKind, PlaceStatus
from firegrid.places.models import Place

PATROL_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_MEMBER})
MAX_PLACES = 200


def _text(value):
    if isinstance(value, dict):
        lang = "en" if (get_language() or "").startswith("en") else "zh-hans"
        return value.get(lang) or value.get("zh-hans") or next(iter(value.values()), "")
    return value or ""


def checklist_json(version):
    doc = version.document
    return {
        "key": f"{version.code}@{version.version}",
        "code": version.code,
        "version": version.version,
        "title": _text(doc.get("title")),
        "sections": [
            {
                "code": section.get("code", ""),
                "title": _text(section.get("title")),
                "items": [
                    {"code": item["code"], "text": _text(item.get("text")), "basis": item.get("basis", "")}
                    for item in section["items"]
                ],
            }
            for section in doc.get("sections", [])
        ],
    }


def patrol_grids(user):
    """The grids (or communities) where the user patrols, from their current role grants."""
    paths = [g.region_path for g in user_scope(user).grants if g.role in PATROL_ROLES and g.region_path]
    return list(Region.objects.filter(path__in=paths).order_by("path"))


def labels(choices):
    """{value: label} of a TextChoices in the active language, translated once (not per row)."""
    return {value: str(label) for value, label in choices.choices}


def place_json(place, versions, *, kind, plan_item=None, due="", kind_labels=None):
    return {
        "id": place.pk,
        "code": place.code,
        "name": place.name,
        "kind": (kind_labels or labels(PlaceKind)).get(place.kind, place.kind),
        "address": place.address,
        "lat": place.lat,
        "lng": place.lng,
        "region": place.region.name,
        "visit_kind": kind,
        "plan_item": plan_item,
        "due": due,
        "last_inspected_on": place.last_inspected_on.isoformat() if place.last_inspected_on else None,
        "checklists": [f"{v.code}@{v.version}" for v in versions],
    }


def today_for(user, on=None):
    on = on or timezone.localdate()
    checklists, entries = {}, []
    active, kind_labels, chosen = active_checklists(on), labels(PlaceKind), {}

    def add(place, **kwargs):
        # one read of the checklists for the whole list; places of a kind and flags share the choice
        key = (place.kind, place.flags)
        if key not in chosen:
            chosen[key] = checklists_for(place, on, versions=active)
        versions = chosen[key]
        if not versions:
            return
        for version in versions:
            key = f"{version.code}@{version.version}"
            if key not in checklists:
                checklists[key] = checklist_json(version)
        entries.append(place_json(place, versions, kind_labels=kind_labels, **kwargs))

    items = (
        PlanItem.objects.restrict(user)
        .filter(inspector=user, plan__year=on.year, month__lte=on.month, done__isnull=True)
        .select_related("place__region")
        .order_by("month", "place__name")
    )
    for item in items[:MAX_PLACES]:
        add(item.place, kind=InspectionKind.SUPERVISORY, plan_item=item.pk, due=f"{on.year}-{item.month:02d}")
    grids = patrol_grids(user)
    if grids:
        where = Q()
        for grid in grids:
            where |= Q(region__path__startswith=grid.path)
        places = (
            Place.objects.restrict(user)
            .filter(where, status=PlaceStatus.ACTIVE)
            .select_related("region")
            .order_by("last_inspected_on", "name")
        )
        for place in places[:MAX_PLACES]:
            add(place, kind=InspectionKind.PATROL)
    return {
        "date": on.isoformat(),
        "generated_at": timezone.now().isoformat(),
        "user": user.get_username(),
        "grids": [{"id": g.pk, "name": g.name} for g in grids],
        "places": entries,
        "checklists": checklists,
        # open hazard cases the user may take a step on offline (`fieldapp.case_steps`)
        "cases": case_steps.cases_for(user, grids),
        "case_steps": case_steps.steps_table(),
        "case_statuses": case_steps.statuses_table(),
    }
