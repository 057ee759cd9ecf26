"""Trigram indexes for the place search on PostgreSQL (icontains on name and address).

SQLite has no trigram indexes; there the migration does nothing.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS place_name_trgm ON places_place USING gin (UPPER(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS place_address_trgm ON places_place USING gin (UPPER(address::text) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS place_name_trgm", "DROP INDEX IF EXISTS place_address_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("places", "0003_last_inspection_outcome")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
