"""Devices are rewritten in place by the ingest (PostgreSQL HOT updates): no index on a column it writes
with every message, and a fillfactor that leaves room on each page for the new row version.

Upgrade: dropping the index is safe under the previous release (its offline sweep reads the table
without it); the fillfactor applies to pages written from now on, and to the whole table after a
`VACUUM FULL iot_device` in a quiet minute (optional: the table is small).
"""

from django.db import migrations

FILLFACTOR = 70


def _alter_device_table(apps, schema_editor, clause):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has no fillfactor; it rewrites pages anyway
    table = apps.get_model("iot", "Device")._meta.db_table
    schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} {clause}")


def set_fillfactor(apps, schema_editor):
    _alter_device_table(apps, schema_editor, f"SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    _alter_device_table(apps, schema_editor, "RESET (fillfactor)")


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
