"""A covering index of the active places by region, for the command view and the map's grid layer
(bench_dashboard.py), PostgreSQL only.

The dashboard's places pass (count, risk grade, key units, inspection coverage and what is due) and
the grid layer's place KPIs (places, coverage) read only these columns of the active places; a place
row is ~2 KB, so reading them from the table meant a scan of all of it (189 MB at 1e5 places) while
this index is ~5 MB: the district's pass is one index-only scan, a grid's or street's an index-only
range per region, in region order for the grid layer's GROUP BY region.

`id` is included because the figures count it. Raw SQL outside the model state (INCLUDE and partial
indexes are PostgreSQL's): SQLite and the autodetector are unaffected.
"""

from django.db import migrations

NAME = "place_active_region_idx"
DEFINITION = (
    "(region_id) INCLUDE (id, risk_level, is_key_unit, last_inspected_on, next_inspection_due)"
    " WHERE status = 'active'"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON places_place {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("places", "0005_place_street")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
