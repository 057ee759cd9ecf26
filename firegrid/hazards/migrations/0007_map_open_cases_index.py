"""The map's open-hazard layer as an index-only scan (bench_dashboard.py), PostgreSQL only.

The layer reads the open cases with a location in the user's regions, newest first, with what it
draws and what decides "overdue". Without this index a street's layer read every open case of the
district from the heap (a bitmap scan of the status index, ~18,000 heap pages at 1e6 cases) before
keeping the street's; with it each of the street's regions is one index-only range, the region's
open located cases in id order, with every column the layer reads.

Partial like `hazard_open_region_idx` of 0006 (the same frozen list of open statuses, which
firegrid.dashboard.tests.test_map checks against OPEN_STATUSES) and only for located cases. Raw SQL
outside the model state (INCLUDE and the partial IN list are PostgreSQL's): SQLite and the
autodetector are unaffected.
"""

from django.db import migrations

TABLE = "hazards_hazardcase"
# OPEN_STATUSES when this was written
OPEN = ("confirmed", "ordered", "rectified", "rectifying", "reinspected", "reopened", "reported")
NAME = "hazard_open_map_idx"
DEFINITION = (
    "(region_id, id) INCLUDE (lat, lng, tracking_code, severity, status, level, category_id, step_due,"
    " department_id, checked_in_at, checkin_due, supervision_due)"
    " WHERE status IN ({statuses}) AND lat IS NOT NULL AND lng IS NOT NULL"
).format(statuses=", ".join(f"'{s}'" for s in OPEN))


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {TABLE} {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("hazards", "0006_dashboard_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
