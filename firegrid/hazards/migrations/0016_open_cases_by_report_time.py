"""The case list's open cases newest first, PostgreSQL only.

The list orders by report time (newest first) and filters by the user's regions; its common views are
the open cases, the open major ones, and the open ones of one street. Without this index PostgreSQL
walked every case by report time and kept the user's open ones: a street officer's open major cases
(148 of a district's 200,000) took 31-59 ms, a street's open cases picked by region 10-33 ms. With it
the walk is of the open cases only, with the region, severity and category in the index: 6 and 2 ms.

Partial like `hazard_open_region_idx` of 0006 (the same frozen list of open statuses, which
firegrid.hazards.tests.test_search checks against OPEN_STATUSES). Raw SQL outside the model state
(INCLUDE and the partial IN list are PostgreSQL's): SQLite and the autodetector are unaffected.
Upgrade: built CONCURRENTLY (writes go on while it builds; ~1 s at 200,000 cases), so the migration is
not atomic; the previous release's queries are unchanged by the index.
"""

from django.db import migrations

TABLE = "hazards_hazardcase"
# OPEN_STATUSES when this was written
OPEN = ("confirmed", "ordered", "rectified", "rectifying", "reinspected", "reopened", "reported")
NAME = "hazard_open_created_idx"
DEFINITION = "(created_at, id) INCLUDE (region_id, severity, category_id) WHERE status IN ({statuses})".format(
    statuses=", ".join(f"'{s}'" for s in OPEN)
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {TABLE} {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction
    dependencies = [("hazards", "0015_search_code_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
