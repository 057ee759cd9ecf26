"""Place.street: the street-level ancestor of the place's region, copied onto the place so a street's
list is one index range on (street_id, id); filled here for the places that exist."""

import django.db.models.deletion
from django.db import migrations, models

STREET_DEPTH = 2  # /district/street/… (places.streets.STREET_DEPTH)


def fill_streets(apps, schema_editor):
    Region = apps.get_model("org", "Region")
    Place = apps.get_model("places", "Place")
    for pk, path in Region.objects.values_list("pk", "path"):
        if len([c for c in path.split("/") if c]) == STREET_DEPTH:
            Place.objects.filter(region__path__startswith=path).update(street_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("places", "0004_trigram_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="place",
            name="street",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.region",
                verbose_name="street/town",
            ),
        ),
        migrations.RunPython(fill_streets, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="place",
            index=models.Index(fields=["street", "id"], name="place_street_id_idx"),
        ),
    ]
