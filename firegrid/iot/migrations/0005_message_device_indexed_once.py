"""A message's device has no index of its own: the unique (device, message id) and (device, ts) indexes
both lead with it. At 1,000 msgs/s the third index grew by ~2 GB a day and cost every insert.

Django's AlterField would drop and re-add the foreign key (re-checking every stored message) on
PostgreSQL and rebuild the table on SQLite; this drops the one index instead. Safe for the previous
release, which never named the index.
"""

import django.db.models.deletion
from django.db import migrations, models


def drop_device_index(apps, schema_editor):
    message = apps.get_model("iot", "Message")
    table = message._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == ["device_id"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_device_index(apps, schema_editor):
    message = apps.get_model("iot", "Message")
    field = message._meta.get_field("device")
    name = schema_editor._create_index_name(message._meta.db_table, [field.column])
    schema_editor.execute(
        f"CREATE INDEX {schema_editor.quote_name(name)} ON {schema_editor.quote_name(message._meta.db_table)} "
        f"({schema_editor.quote_name(field.column)})"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("iot", "0004_device_updates_in_place"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="device",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="iot.device",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_device_index, create_device_index, elidable=False)],
        ),
    ]
