"""Generate the annual plan: every active place, its visits spread over the months, each visit given
to an inspector of the place's authority with the least work so far. Idempotent: running it again
adds only what is missing, so places registered later join the plan."""

import hashlib
import heapq
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.roles import Role
from firegrid.inspections.models import InspectionPlan, PlanItem
from firegrid.org.models import OrgUnit, Region, RoleAssignment, User
from firegrid.places.models import Place


def _offset(code):
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16)


def visit_months(code, visits, first_month=1):
    """Months for a place's visits, evenly spaced over the months left, staggered by the place's code."""
    span = 13 - first_month
    visits = min(visits, span)
    start = _offset(code) % span
    return sorted({first_month + (start + (v * span) // visits) % span for v in range(visits)})


def _street_code(path):
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) > 1 else None


class InspectorPools:
    """Who may carry out a place's visits, by the authority that supervises it."""

    def __init__(self, on):
        current = Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        qualified = set(
            User.objects.qualified_inspectors(on).filter(is_active=True).values_list("pk", flat=True)
        )
        self.street, self.police, self.detachment = defaultdict(set), defaultdict(set), set()
        self.station_paths = []
        for user_id, role, path, unit_id in RoleAssignment.objects.filter(
            current,
            starts_on__lte=on,
            user_id__in=qualified,
            role__in=[Role.INSPECTOR, Role.POLICE_OFFICER, Role.DETACHMENT_OFFICER],
        ).values_list("user_id", "role", "region__path", "unit_id"):
            if role == Role.INSPECTOR and path:
                self.street[_street_code(path) or "*"].add(user_id)
            elif role == Role.POLICE_OFFICER and unit_id:
                self.police[unit_id].add(user_id)
            elif role == Role.DETACHMENT_OFFICER:
                self.detachment.add(user_id)
        for unit_id, path in OrgUnit.objects.filter(kind="police_station").values_list(
            "id", "covered_regions__path"
        ):
            if path:
                self.station_paths.append((path, unit_id))
        self.station_paths.sort(key=lambda p: -len(p[0]))  # the most specific coverage wins

    def key_for(self, authority, path):
        if authority == "detachment":
            return ("detachment",)
        if authority == "police_station":
            for station_path, unit_id in self.station_paths:
                if path.startswith(station_path):
                    return ("police", unit_id)
        return ("street", _street_code(path))

    def members(self, key):
        if key[0] == "detachment":
            return self.detachment
        if key[0] == "police":
            return self.police.get(key[1], set())
        return self.street.get(key[1], set()) | self.street.get("*", set())


@transaction.atomic
def generate_plan(year, region, *, actor, batch_size=5000, progress=None):
    if not Region.objects.restrict(actor, "change").filter(pk=region.pk).exists():
        raise ValidationError(
            {"region": _("You may not plan inspections in %(region)s.") % {"region": region}}
        )
    today = timezone.localdate()
    if year < today.year:
        raise ValidationError({"year": _("A plan is made for this year or a later one.")})
    plan, _created = InspectionPlan.objects.get_or_create(
        year=year, region=region, defaults={"created_by": actor}
    )
    return plan, fill_plan(plan, batch_size=batch_size, progress=progress)


@transaction.atomic
def fill_plan(plan, *, batch_size=5000, progress=None):
    """Add the visits the plan lacks (new places, or places whose grade asks for more); returns how many."""
    today = timezone.localdate()
    year, region = plan.year, plan.region
    first_month = today.month if year == today.year else 1
    pools = InspectorPools(today)
    existing = set(PlanItem.objects.filter(plan=plan).values_list("place_id", "visit"))
    loads = defaultdict(int)
    for inspector_id in PlanItem.objects.filter(plan=plan, inspector__isnull=False).values_list(
        "inspector_id", flat=True
    ):
        loads[inspector_id] += 1
    heaps = {}

    def pick(key):
        if key not in heaps:
            heaps[key] = [(loads[u], u) for u in sorted(pools.members(key))]
            heapq.heapify(heaps[key])
        heap = heaps[key]
        if not heap:
            return None
        load, user_id = heapq.heappop(heap)
        heapq.heappush(heap, (load + 1, user_id))
        return user_id

    places = (
        Place.objects.active()
        .filter(region__path__startswith=region.path)
        .order_by("pk")
        .values_list("pk", "code", "region__path", "authority", "inspections_per_year")
    )
    batch, created, seen = [], 0, 0
    for pk, code, path, authority, per_year in places.iterator(chunk_size=batch_size):
        seen += 1
        key = pools.key_for(authority, path)
        for visit, month in enumerate(visit_months(code, per_year, first_month), start=1):
            if (pk, visit) in existing:
                continue
            batch.append(PlanItem(plan=plan, place_id=pk, month=month, visit=visit, inspector_id=pick(key)))
        if len(batch) >= batch_size:
            PlanItem.objects.bulk_create(batch)
            created += len(batch)
            batch = []
            if progress:
                progress(seen)
    PlanItem.objects.bulk_create(batch)
    created += len(batch)
    plan.generated_at = timezone.now()
    plan.save(update_fields=["generated_at", "updated_at"])
    return created


def extend_current_plans():
    """Nightly: places registered since a plan of this year was made join it. Returns visits added."""
    return sum(fill_plan(plan) for plan in InspectionPlan.objects.filter(year=timezone.localdate().year))


def mark_plan_done(inspection):
    """An enforcement inspection fulfils the place's earliest open visit in that year's plan."""
    item = (
        PlanItem.objects.filter(
            place_id=inspection.place_id, plan__year=inspection.inspected_on.year, done__isnull=True
        )
        .order_by("visit")
        .first()
    )
    if item:
        item.done = inspection
        item.save(update_fields=["done"])


def coverage(places, year, on=None):
    """Figures for a set of places (already scoped): inspected this year, due, never inspected, overdue."""
    on = on or timezone.localdate()
    active = places.filter(status="active")
    items = PlanItem.objects.filter(place__in=active, plan__year=year)
    overdue = items.filter(done__isnull=True, month__lt=on.month) if year == on.year else items.none()
    if year < on.year:
        overdue = items.filter(done__isnull=True)
    total = active.count()
    inspected = active.filter(last_inspected_on__year=year).count()
    return {
        "year": year,
        "places": total,
        "inspected_this_year": inspected,
        "coverage_pct": round(100.0 * inspected / total, 1) if total else None,
        "due": active.due_for_inspection(on).count(),
        "never_inspected": active.filter(last_inspected_on__isnull=True).count(),
        "planned_visits": items.count(),
        "visits_done": items.filter(done__isnull=False).count(),
        "overdue_visits": overdue.count(),
        "unassigned_visits": items.filter(inspector__isnull=True).count(),
    }
