import datetime
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    TaskCatalogue = apps.get_model("tasks", "TaskCatalogue")
    ScoreScheme = apps.get_model("tasks", "ScoreScheme")
    for name in ("key-tasks-qijiang-2022.json", "duties-2023.json"):
        doc = json.loads((DATA / name).read_text(encoding="utf-8"))
        TaskCatalogue.objects.get_or_create(
            code=doc["code"],
            version=doc["version"],
            defaults={"name": doc["name"], "source": doc.get("source", "")[:300], "document": doc},
        )
    doc = json.loads((DATA / "scheme-qijiang-2026.1.json").read_text(encoding="utf-8"))
    if not ScoreScheme.objects.filter(version=doc["version"]).exists():
        ScoreScheme.objects.create(
            version=doc["version"],
            name=doc["name"],
            effective_from=datetime.date.fromisoformat(doc["effective_from"]),
            document=doc,
            notes=doc.get("notes", ""),
            is_active=not ScoreScheme.objects.filter(is_active=True).exists(),
        )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
