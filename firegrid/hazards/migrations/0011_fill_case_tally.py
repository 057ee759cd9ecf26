"""Count the existing cases into the tallies of 0010 (hazards.tally.rebuild): ~5 s at 1e6 cases."""

from django.db import migrations


def fill(apps, schema_editor):
    from firegrid.hazards.tally import rebuild

    rebuild(apps)


def empty(apps, schema_editor):
    apps.get_model("hazards", "CaseTally").objects.all().delete()
    apps.get_model("hazards", "OpenCaseTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0010_case_tally")]

    operations = [migrations.RunPython(fill, empty, elidable=False)]
