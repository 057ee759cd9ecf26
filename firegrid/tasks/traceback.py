"""Responsibility trace-back (责任倒查): after a fire at a place, one report of the place's history —
its grade and grade changes, inspections (and planned visits missed), hazard cases and their handling
with every overdue step and who held the case then, and the tasks, duties and supervisions of the
units responsible for its street that fell in the period.

Everything is read through the viewer's scope (`restrict(user)`), so the report shows no row the
viewer could not open; a district admin sees the whole history. Who held a case at a level on a day
comes from the role assignments current on that day.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from firegrid.core.roles import Role
from firegrid.hazards.choices import EventKind, Level, Severity
from firegrid.hazards.models import HazardCase
from firegrid.hazards.notify import LEVEL_ROLES
from firegrid.inspections.models import Inspection, PlanItem
from firegrid.org.choices import RegionLevel
from firegrid.org.models import RoleAssignment
from firegrid.places.models import Place, PlaceGradeEvent
from firegrid.tasks.choices import TaskStatus
from firegrid.tasks.models import Duty, KeyTask, Supervision
from firegrid.tasks.models.tasks import task_state

YEARS_BACK = 3


def levels_over_time(case, events):
    """[(event, level the case was held at when the event happened)] walking the timeline forward."""
    level = Level.GRID
    out = []
    for event in events:
        data = event.data or {}
        made_major = (event.kind == EventKind.CONFIRMED and data.get("severity") == Severity.MAJOR) or (
            event.kind == EventKind.SEVERITY and data.get("to") == Severity.MAJOR
        )
        if made_major and level == Level.GRID:
            level = Level.STREET  # major hazards go to the street
        out.append((event, level))
        if event.kind == EventKind.ESCALATED and data.get("to_level"):
            level = data["to_level"]
        elif event.kind == EventKind.WHISTLE:
            level = Level.DEPARTMENT
    return out


def holders_on(case, level, day, department_id=None):
    """Names of the people holding the case at `level` on `day` (role assignments current that day)."""
    current = RoleAssignment.objects.filter(starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    if level == Level.DEPARTMENT or department_id:
        rows = current.filter(role=Role.DEPT_STAFF, unit_id=department_id or case.department_id)
    else:
        path = case.region.path
        prefixes = ["/".join(path.split("/")[: i + 1]) + "/" for i in range(1, path.count("/"))]
        rows = current.filter(role__in=LEVEL_ROLES.get(level, ()), region__path__in=prefixes)
    return sorted({str(r.user) for r in rows.select_related("user")})


def _case_history(case, cutoff):
    events = [e for e in case.events.select_related("actor").order_by("at", "id") if e.at <= cutoff]
    timeline, overdue = [], []
    for event, level in levels_over_time(case, events):
        timeline.append({"event": event, "level": level})
        if event.kind == EventKind.OVERDUE:
            data = event.data or {}
            step = data.get("step", "")
            department = data.get("department") if step == "checkin" else None
            held_at = Level.DEPARTMENT if department else (Level.DISTRICT if step == "supervision" else level)
            day = timezone.localtime(event.at).date()
            overdue.append(
                {
                    "at": event.at,
                    "step": step,
                    "due": data.get("due", ""),
                    "level": held_at,
                    "level_label": Level(held_at).label if held_at in Level.values else held_at,
                    "holders": holders_on(case, held_at, day, department),
                }
            )
    return timeline, overdue


def build(user, place, *, at=None, incident=None, years=YEARS_BACK):
    """The trace-back of a place up to `at` (the fire's time; now by default), `years` years back."""
    at = at or (incident.occurred_at if incident else timezone.now())
    day = timezone.localtime(at).date()
    since = datetime.date(day.year - years, 1, 1)
    place = Place.objects.restrict(user).select_related("region__parent__parent", "ruleset").get(pk=place.pk)
    street = place.region.ancestor(RegionLevel.STREET)
    grades = list(
        PlaceGradeEvent.objects.filter(place=place, at__lte=at).select_related("ruleset").order_by("at", "id")
    )
    inspections = list(
        Inspection.objects.restrict(user)
        .filter(place=place, inspected_on__gte=since, inspected_on__lte=day)
        .prefetch_related("inspectors", "hazards")
        .order_by("inspected_on", "id")
    )
    visits = list(
        PlanItem.objects.filter(place=place, plan__year__gte=since.year, plan__year__lte=day.year)
        .select_related("plan", "inspector", "done")
        .order_by("plan__year", "visit")
    )
    missed = [
        v
        for v in visits
        if (v.done is None or v.done.inspected_on > day)
        and (v.plan.year < day.year or (v.plan.year == day.year and v.month < day.month))
    ]
    cases = []
    for case in (
        HazardCase.objects.restrict(user)
        .filter(place=place, created_at__lte=at, created_at__date__gte=since)
        .select_related("category", "region", "department")
        .order_by("created_at", "id")
    ):
        timeline, overdue = _case_history(case, at)
        cases.append(
            {"case": case, "timeline": timeline, "overdue": overdue, "open_at_fire": _open_at(timeline)}
        )
    task_q = Q(places=place)
    if street is not None:
        task_q |= Q(region=street) | Q(region=street.parent)
    tasks = list(
        KeyTask.objects.restrict(user)
        .filter(task_q, year__gte=since.year, starts_on__lte=day)
        .select_related("region", "lead_unit")
        .distinct()
        .order_by("year", "number", "region__path")
    )
    task_rows = [
        {
            "task": t,
            "names_place": t.places.filter(pk=place.pk).exists(),
            "state": state_on(t.status, t.due_on, t.completed_on, day),
        }
        for t in tasks
    ]
    units_q = Q(region=street) if street is not None else Q(pk__in=[])
    duties = list(
        Duty.objects.restrict(user)
        .filter(units_q, year__gte=since.year, starts_on__lte=day)
        .select_related("unit")
        .order_by("year", "due_on", "unit__name")
    )
    supervisions = list(
        Supervision.objects.restrict(user)
        .filter(
            Q(region=street) | Q(task__places=place) if street else Q(task__places=place),
            held_on__gte=since,
            held_on__lte=day,
        )
        .select_related("unit", "task")
        .distinct()
        .order_by("held_on")
    )
    overdue_steps = sum(len(c["overdue"]) for c in cases)
    return {
        "place": place,
        "street": street,
        "incident": incident,
        "at": at,
        "since": since,
        "grades": grades,
        "inspections": inspections,
        "missed_visits": missed,
        "cases": cases,
        "overdue_steps": overdue_steps,
        "tasks": task_rows,
        "duties": [{"duty": d, "state": state_on(TaskStatus.OPEN, d.due_on, d.done_on, day)} for d in duties],
        "supervisions": supervisions,
        "summary": {
            "grade_changes": len(grades),
            "inspections": len(inspections),
            "missed_visits": len(missed),
            "cases": len(cases),
            "open_cases": sum(1 for c in cases if c["open_at_fire"]),
            "overdue_steps": overdue_steps,
            "late_tasks": sum(1 for t in task_rows if t["state"] in ("late", "done_late")),
        },
    }


def state_on(status, due_on, completed_on, day):
    """A deadline's state as it stood on `day`: work finished after that day was not done then."""
    if completed_on and completed_on > day:
        status, completed_on = TaskStatus.OPEN, None
    return task_state(status, due_on, completed_on, day)


def _open_at(timeline):
    closing = {EventKind.CLOSED, EventKind.REJECTED}
    return not any(row["event"].kind in closing for row in timeline)


def report_pdf(html):
    from weasyprint import HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
