"""Indexes for the district's command view at ~1e6 cases (bench_dashboard.py), PostgreSQL only.

The district is every region there is, so its figures have no region filter (dashboard.kpis.within)
and read the cases by time alone. The indexes of 0006 lead by the region; these lead by the time and
carry every column the district's passes read, so each pass is one index-only range instead of a
walk of the heap (~18,000 pages for a year's ~375,000 cases):

- cases by report time with region, status, source and closure: this year's counts, the monthly
  "reported" trend and the median time to close, in one pass;
- closed cases by closure time: the monthly "closed" trend.

`id` is included because the figures count it (COUNT("id")). Raw SQL outside the model state (INCLUDE
and partial indexes are PostgreSQL's, as in 0006 and 0007): SQLite and the autodetector are
unaffected.
"""

from django.db import migrations

TABLE = "hazards_hazardcase"


def indexes():
    return [
        ("hazard_created_cover_idx", "(created_at) INCLUDE (id, region_id, status, source, closed_at)"),
        ("hazard_closed_cover_idx", "(closed_at) INCLUDE (id, region_id) WHERE status = 'closed'"),
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
    dependencies = [("hazards", "0007_map_open_cases_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
