"""The closed cases in order of time to close, for the command view's median (bench_dashboard.py),
PostgreSQL only.

The median time to close is the middle of this year's closed cases ordered by `closed_at -
created_at` (dashboard.kpis._median_days: ORDER BY that difference, OFFSET the middle). Without an
index in that order PostgreSQL sorts every closed case of the year (~229,000 for the district at 1e6
cases, ~100–150 ms, spilling to disk at the default work_mem); with this one it walks the entries in
order, keeps this year's and stops at the middle: an index-only scan of about half the closed cases'
entries (~50 ms warm). A street's few cases are still read by region (0006) and sorted.

Expression index on the same difference the ORM writes (`"closed_at" - "created_at"`), with both
columns included so the scan needs no heap (PostgreSQL does not rebuild an expression from the
index for an index-only scan), and the region for a region filter. Partial like the query (closed
cases with a closure time). Raw SQL outside the model state, as 0006–0008: SQLite and the
autodetector are unaffected.
"""

from django.db import migrations

TABLE = "hazards_hazardcase"
NAME = "hazard_time_to_close_idx"
DEFINITION = (
    "((closed_at - created_at)) INCLUDE (created_at, closed_at, region_id)"
    " WHERE status = 'closed' AND closed_at IS NOT NULL"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {TABLE} {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("hazards", "0008_district_dashboard_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
