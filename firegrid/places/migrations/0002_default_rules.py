import json
from pathlib import Path

from django.db import migrations

RULES = Path(__file__).resolve().parent.parent / "rules" / "qijiang-2026.1.json"


def load(apps, schema_editor):
    GradingRuleSet = apps.get_model("places", "GradingRuleSet")
    document = json.loads(RULES.read_text(encoding="utf-8"))
    if GradingRuleSet.objects.filter(version=document["version"]).exists():
        return
    GradingRuleSet.objects.create(
        version=document["version"],
        name=document["name"],
        effective_from=document["effective_from"],
        document=document,
        notes=document.get("notes", ""),
        is_active=not GradingRuleSet.objects.filter(is_active=True).exists(),
    )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
