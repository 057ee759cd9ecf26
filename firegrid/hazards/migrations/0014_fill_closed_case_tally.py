"""Count the existing cases into the tallies again, now with the closed cases' days to close of 0013
(hazards.tally.rebuild): ~10 s at 1e6 cases."""

from django.db import migrations


def fill(apps, schema_editor):
    from firegrid.hazards.tally import rebuild

    rebuild(apps)


def empty(apps, schema_editor):
    apps.get_model("hazards", "ClosedCaseTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0013_closed_case_tally")]

    operations = [migrations.RunPython(fill, empty, elidable=False)]
