"""The shipped task data (data/*.json) and what is built from it.

    sync_catalogues()                store every shipped document as a TaskCatalogue version (once)
    ensure_scheme()                  the shipped scoring scheme, active if none is
    load_key_tasks(year, district)   seed 002's 20 tasks for a year: one per task at the district,
                                     and each street/town's share of the tasks it is named in
    schedule_duties(year)            "双定期", "四个一", the annual inspection for every unit concerned
    ensure_responsibilities()        the responsibility lists of units and leaders, from the templates
All of them are idempotent: running them again adds only what is missing.
"""

import datetime
import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import get_language

from firegrid.org.choices import RegionLevel, UnitKind
from firegrid.org.models import OrgMember, OrgUnit, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
KEY_TASKS_FILE = DATA_DIR / "key-tasks-qijiang-2022.json"
DUTIES_FILE = DATA_DIR / "duties-2023.json"
SCHEME_FILE = DATA_DIR / "scheme-qijiang-2026.1.json"


def read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def text(value):
    """The current language's text of a {"zh-hans": …, "en": …} mapping (or a plain string)."""
    if isinstance(value, dict):
        english = (get_language() or "").startswith("en")
        return (
            (value.get("en") if english else value.get("zh-hans")) or value.get("zh-hans") or value.get("en")
        )
    return value or ""


def sync_catalogues():
    from firegrid.tasks.models import TaskCatalogue

    created = []
    for path in (KEY_TASKS_FILE, DUTIES_FILE):
        doc = read(path)
        row, was_created = TaskCatalogue.objects.get_or_create(
            code=doc["code"],
            version=doc["version"],
            defaults={"name": doc["name"], "source": doc.get("source", "")[:300], "document": doc},
        )
        if was_created:
            created.append(row)
    return created


def catalogue(code):
    from firegrid.tasks.models import TaskCatalogue

    sync_catalogues()
    return TaskCatalogue.objects.filter(code=code).order_by("-version", "-id").first()


def ensure_scheme():
    from firegrid.tasks.models import ScoreScheme
    from firegrid.tasks.scoring import new_scheme_version

    doc = read(SCHEME_FILE)
    if ScoreScheme.objects.filter(version=doc["version"]).exists():
        return None
    return new_scheme_version(doc, activate=not ScoreScheme.objects.filter(is_active=True).exists())


def ensure_reference_data():
    sync_catalogues()
    ensure_scheme()


# ---- key tasks --------------------------------------------------------------------------------------


def _district_units(district):
    units = OrgUnit.objects.filter(region=district, is_active=True)
    return {
        "detachment": [u for u in units if u.kind == UnitKind.DETACHMENT],
        "office": [u for u in units if u.kind == UnitKind.DISTRICT_OFFICE],
        "departments": {u.name: u for u in units if u.kind == UnitKind.DEPARTMENT},
        "police": list(
            OrgUnit.objects.filter(
                kind=UnitKind.POLICE_STATION, region__path__startswith=district.path, is_active=True
            )
        ),
    }


def _street_units(street):
    units = {u.kind: u for u in OrgUnit.objects.filter(region=street, is_active=True).order_by("-id")}
    lead = units.get(UnitKind.COMMITTEE) or units.get(UnitKind.WORK_STATION)
    shared = [u for u in (units.get(UnitKind.COMMITTEE), units.get(UnitKind.WORK_STATION)) if u]
    return lead, shared


def _resolve(item, found):
    """The registry units named by a task (in the order the document names them), and whether the
    streets share it."""
    units, streets = [], False
    for entry in item["units"]:
        kind = entry["kind"]
        if kind == "streets":
            streets = True
        elif kind == "detachment":
            units += found["detachment"]
        elif kind == "police_stations":
            units += found["police"]
        elif kind == "departments":
            units += list(found["departments"].values())
        elif kind == "department" and entry["name"] in found["departments"]:
            units.append(found["departments"][entry["name"]])
    seen, ordered = set(), []
    for unit in units:
        if unit.pk not in seen:
            seen.add(unit.pk)
            ordered.append(unit)
    return ordered, streets


@transaction.atomic
def load_key_tasks(year, district=None, *, actor=None):
    """Create the year's tasks of the breakdown for the district(s); returns how many were created."""
    from firegrid.tasks.models import KeyTask

    cat = catalogue("qijiang-2022-71")
    doc = cat.document
    districts = [district] if district else list(Region.objects.filter(level=RegionLevel.DISTRICT))
    starts, due = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    created = 0
    for region in districts:
        found = _district_units(region)
        streets = list(Region.objects.filter(parent=region, level=RegionLevel.STREET).order_by("code"))
        existing = {
            (t.number, t.region_id): t
            for t in KeyTask.objects.filter(
                catalogue__code=cat.code, year=year, region__path__startswith=region.path
            )
        }
        for item in doc["tasks"]:
            units, shared_by_streets = _resolve(item, found)
            fields = {
                "year": year,
                "number": item["number"],
                "section": item.get("section", ""),
                "catalogue": cat,
                "title": item["title"]["zh-hans"],
                "content": item["content"],
                "source": f"{doc['source'][:200]} · {item.get('section', '')}",
                "responsible_text": item.get("responsible", ""),
                "starts_on": starts,
                "due_on": due,
                "created_by": actor,
            }
            parent = existing.get((item["number"], region.pk))
            if parent is None:
                lead = units[0] if units else (found["office"][0] if found["office"] else None)
                parent = KeyTask.objects.create(region=region, lead_unit=lead, **fields)
                parent.units.set(units or ([lead] if lead else []))
                created += 1
            if not shared_by_streets:
                continue
            for street in streets:
                if (item["number"], street.pk) in existing:
                    continue
                lead, shared = _street_units(street)
                task = KeyTask.objects.create(region=street, parent=parent, lead_unit=lead, **fields)
                task.units.set(shared)
                created += 1
    return created


# ---- recurring duties ---------------------------------------------------------------------------------


def period_bounds(year, period, periods):
    """First and last day of period `period` (1-based) of a year split into `periods` equal parts."""
    months = 12 // periods
    first_month = (period - 1) * months + 1
    start = datetime.date(year, first_month, 1)
    end_month = first_month + months
    end = (
        datetime.date(year + 1, 1, 1) if end_month > 12 else datetime.date(year, end_month, 1)
    ) - datetime.timedelta(days=1)
    return start, end


@transaction.atomic
def schedule_duties(year, units=None):
    """Every duty of the catalogue for every active unit of the kinds it names; returns how many new."""
    from firegrid.tasks.models import Duty

    doc = catalogue("duties").document
    created = []
    existing = set(Duty.objects.filter(year=year).values_list("kind", "unit_id", "period"))
    base = OrgUnit.objects.filter(is_active=True) if units is None else units
    for duty in doc["duties"]:
        periods = int(duty.get("per_year", 1))
        if periods not in (1, 2, 3, 4, 6, 12):
            raise ValueError(f"duty {duty['code']}: per_year must divide 12")
        for unit in base.filter(kind__in=duty["unit_kinds"]).select_related("region"):
            for period in range(1, periods + 1):
                if (duty["code"], unit.pk, period) in existing:
                    continue
                starts_on, due_on = period_bounds(year, period, periods)
                created.append(
                    Duty(
                        kind=duty["code"],
                        group=duty.get("group", ""),
                        title=duty["title"]["zh-hans"],
                        source=duty.get("source", "")[:300],
                        unit=unit,
                        region=unit.region,
                        year=year,
                        period=period,
                        periods=periods,
                        starts_on=starts_on,
                        due_on=due_on,
                    )
                )
    Duty.objects.bulk_create(created, batch_size=2000)
    return len(created)


@transaction.atomic
def ensure_responsibilities(units=None):
    """Give units and their leaders the template responsibilities they lack; returns how many new."""
    from firegrid.tasks.models import Responsibility

    doc = catalogue("duties").document
    base = OrgUnit.objects.filter(is_active=True) if units is None else units
    have = set(Responsibility.objects.values_list("unit_id", "member_id", "title"))
    new = []
    for order, template in enumerate(doc.get("responsibilities", []), start=1):
        title = template["title"]["zh-hans"]
        for unit in base.filter(kind__in=template["unit_kinds"]):
            if template.get("positions"):
                holders = OrgMember.objects.filter(unit=unit, position__in=template["positions"])
                targets = [(unit, m) for m in holders]
            else:
                targets = [(unit, None)]
            for u, member in targets:
                key = (u.pk, member.pk if member else None, title)
                if key in have:
                    continue
                have.add(key)
                new.append(
                    Responsibility(
                        unit=u,
                        member=member,
                        title=title,
                        content=template.get("content", ""),
                        source=template.get("source", "")[:300],
                        order=order,
                    )
                )
    Responsibility.objects.bulk_create(new)
    return len(new)
