from django.db import migrations


def load(apps, schema_editor):
    from firegrid.hazards.categories import sync_categories

    sync_categories(apps.get_model("hazards", "HazardCategory"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
