"""Devices are rewritten in place by the ingest (PostgreSQL HOT updates): no index on a column it writes
with every message, and a fillfactor that leaves room on each page for the new row version.

Upgrade: dropping the index is safe under the previous release (its offline sweep reads the table
without it); the fillfactor applies to pages written from now on, and to the whole table after a
`VACUUM FULL iot_device` in a quiet minute (optional: the table is small).
"""

from django.db import migrations

FILLFACTOR = 70


def set_fillfactor(apps, schema_editor, value=FILLFACTOR):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has no fillfactor; it rewrites pages anyway
    table = apps.get_model("iot", "Device")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(f"ALTER TABLE {quote(table)} SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("iot", "Device")._meta.db_table
    schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("iot", "0003_gb26875"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="device",
            name="device_status_seen_idx",
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
