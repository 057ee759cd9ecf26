"""Indexes for the command view and the map at ~1e6 cases (bench_dashboard.py), PostgreSQL only.

Covering indexes, led by the region (every figure is of a region's subtree, joined by region id),
let the dashboard's counts read an index instead of the table (a street's cases lie all over it):
open cases with what decides "overdue" (hazard counts, the map's open/overdue KPIs); cases by
report time with status, source and closure (this year's figures, the median time to close, the
monthly "reported" trend); closed cases by closure time (the monthly "closed" trend). They are
raw SQL outside the model state (INCLUDE and a partial IN list are PostgreSQL's), so SQLite and the
autodetector are unaffected; the open-status list must stay that of `OPEN_STATUSES` for the planner
to use the partial index (a test checks it; a change of statuses needs a migration that rebuilds it).
"""

from django.db import migrations

TABLE = "hazards_hazardcase"
# OPEN_STATUSES when this was written (firegrid.dashboard.tests.test_kpis checks they still agree)
OPEN = ("confirmed", "ordered", "rectified", "rectifying", "reinspected", "reopened", "reported")


def open_list():
    return ", ".join(f"'{s}'" for s in OPEN)


def indexes():
    return [
        (
            "hazard_open_region_idx",
            "(region_id) INCLUDE (id, severity, step_due, department_id, checked_in_at, checkin_due,"
            f" supervision_due) WHERE status IN ({open_list()})",
        ),
        ("hazard_region_created_idx", "(region_id, created_at) INCLUDE (id, status, source, closed_at)"),
        ("hazard_region_closed_idx", "(region_id, closed_at) INCLUDE (id) WHERE status = 'closed'"),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in indexes():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in indexes():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("hazards", "0005_reporter_loop")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
