"""Trigram indexes for the case search on PostgreSQL (the API's `search=`: icontains on tracking code,
description and address, ORed, so each needs one for the planner to avoid a scan of every case).

At 1e6 cases (bench/bench_hazards.py) a search scanned the whole table: 0.5–1.2 s a request. With
these, an address or code fragment takes milliseconds; a phrase in 45,000 descriptions is left
with the exact count of the page (~0.3 s). SQLite has no trigram indexes; there this does nothing.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS hazard_code_trgm ON hazards_hazardcase "
    "USING gin (UPPER(tracking_code::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS hazard_description_trgm ON hazards_hazardcase "
    "USING gin (UPPER(description::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS hazard_address_trgm ON hazards_hazardcase "
    "USING gin (UPPER(address::text) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS hazard_code_trgm",
    "DROP INDEX IF EXISTS hazard_description_trgm",
    "DROP INDEX IF EXISTS hazard_address_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("hazards", "0003_notice_sequence")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
