from django.db import migrations


def load(apps, schema_editor):
    from firegrid.iot.rules import sync_alarm_rules

    sync_alarm_rules(apps.get_model("iot", "AlarmRule"))


class Migration(migrations.Migration):
    dependencies = [("iot", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
