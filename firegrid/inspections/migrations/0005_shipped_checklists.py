import json
from pathlib import Path

from django.db import migrations

CHECKLISTS = Path(__file__).resolve().parent.parent / "data" / "checklists"


def load(apps, schema_editor):
    ChecklistVersion = apps.get_model("inspections", "ChecklistVersion")
    for path in sorted(CHECKLISTS.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        ChecklistVersion.objects.get_or_create(
            code=document["code"],
            version=document["version"],
            defaults={"effective_from": document["effective_from"], "document": document},
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_campaigns")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
