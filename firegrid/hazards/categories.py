"""The shipped hazard categories (data/categories.json), loaded by a migration and `sync_categories`."""

import json
from pathlib import Path

CATEGORIES_FILE = Path(__file__).parent / "data" / "categories.json"
FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "group",
    "keywords",
    "checklist_sections",
    "place_kinds",
    "attributes",
    "public",
    "order",
)


def shipped_categories():
    return json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))["categories"]


def sync_categories(model=None):
    """Create missing categories and add new ones; edits made in the admin are kept."""
    if model is None:
        from firegrid.hazards.models import HazardCategory as model
    created = 0
    for row in shipped_categories():
        defaults = {name: row[name] for name in FIELDS if name in row}
        _obj, was_created = model.objects.get_or_create(code=row["code"], defaults=defaults)
        created += was_created
    return created
