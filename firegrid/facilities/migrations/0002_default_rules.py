import datetime
import json
from pathlib import Path

from django.db import migrations

RULES = Path(__file__).resolve().parent.parent / "rules" / "qijiang-2022.1.json"


def load(apps, schema_editor):
    FacilityRuleSet = apps.get_model("facilities", "FacilityRuleSet")
    document = json.loads(RULES.read_text(encoding="utf-8"))
    if FacilityRuleSet.objects.filter(version=document["version"]).exists():
        return
    FacilityRuleSet.objects.create(
        version=document["version"],
        name=document["name"],
        effective_from=datetime.date.fromisoformat(document["effective_from"]),
        document=document,
        notes=document.get("notes", ""),
        is_active=not FacilityRuleSet.objects.filter(is_active=True).exists(),
    )


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
