"""The periodic review (梳理盘点): every task and duty of a region's year, where it stands today."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone

from firegrid.tasks.choices import ReviewState
from firegrid.tasks.models import Duty, KeyTask


@dataclass
class Row:
    task: object
    state: str
    late_milestones: int = 0


def review(user, region, year, today=None):
    """Tasks and duties the user may see in the region's subtree for the year, with their states,
    counts by state, and counts per lead unit."""
    today = today or timezone.localdate()
    tasks = (
        KeyTask.objects.restrict(user)
        .filter(region__path__startswith=region.path, year=year)
        .select_related("region", "lead_unit")
        .prefetch_related("milestones")
        .order_by("due_on", "number", "region__path", "id")
    )
    rows = []
    for task in tasks:
        late = sum(1 for m in task.milestones.all() if m.done_on is None and m.due_on < today)
        rows.append(Row(task, task.state(today), late))
    counts = Counter(r.state for r in rows)
    by_unit = defaultdict(Counter)
    for r in rows:
        by_unit[r.task.lead_unit.name if r.task.lead_unit_id else "—"][r.state] += 1
    duties = list(
        Duty.objects.restrict(user)
        .filter(region__path__startswith=region.path, year=year)
        .select_related("unit")
        .order_by("due_on", "unit__name", "kind", "period")
    )
    duty_states = [(d, d.state(today)) for d in duties]
    return {
        "rows": rows,
        "counts": {state: counts.get(state, 0) for state in ReviewState.values},
        "by_unit": sorted((name, dict(c)) for name, c in by_unit.items()),
        "duties": duty_states,
        "duty_counts": dict(Counter(s for _d, s in duty_states)),
    }
