"""The few cases with a department check-in or a district supervision deadline, by that deadline,
PostgreSQL only (raw SQL outside the model state, as 0006–0009).

The command view counts the overdue cases of a district or street from hazards.tally up to the
start of the current hour and the cases whose deadline fell in this hour directly: open cases with
a step (hazard_status_due_idx), check-in or supervision deadline in [hour start, now). Without these
two small partial indexes that OR of three ranges is a scan of the whole table.
"""

from django.db import migrations

TABLE = "hazards_hazardcase"


def indexes():
    return [
        (
            "hazard_checkin_due_idx",
            "(checkin_due) WHERE department_id IS NOT NULL AND checked_in_at IS NULL",
        ),
        ("hazard_supervision_due_idx", "(supervision_due) WHERE supervision_due IS NOT NULL"),
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
    dependencies = [("hazards", "0011_fill_case_tally")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
