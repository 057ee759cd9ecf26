"""State changes of places: saving (with grid and grade derived), and grading rule sets."""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.org.models import Region
from firegrid.places.choices import KIND_SECTOR
from firegrid.places.grading import grade
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent, normalise_address

RULES_DIR = Path(__file__).resolve().parent / "rules"
DEFAULT_RULES = RULES_DIR / "qijiang-2026.1.json"
GRADE_FIELDS = [
    "risk_level",
    "authority",
    "is_key_unit",
    "inspections_per_year",
    "flags",
    "grade_reasons",
    "ruleset",
    "graded_at",
    "next_inspection_due",
]


def read_rules_file(path=DEFAULT_RULES):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def locate_grid(lat, lng):
    """The grid containing the point, or a ValidationError naming the coordinates."""
    grid = Region.objects.locate(lat, lng)
    if grid is None:
        message = _("The coordinates %(lat)s, %(lng)s lie outside every grid of the district.") % {
            "lat": lat,
            "lng": lng,
        }
        raise ValidationError({"lat": message, "lng": message})
    return grid


def next_due(place):
    if place.last_inspected_on is None:
        return None  # never inspected: due now
    return place.last_inspected_on + datetime.timedelta(days=365 // max(1, place.inspections_per_year))


def _grade_snapshot(place):
    return {
        "risk_level": place.risk_level,
        "authority": place.authority,
        "is_key_unit": place.is_key_unit,
        "inspections_per_year": place.inspections_per_year,
        "flags": place.flag_list,
        "rules": [r["id"] for r in place.grade_reasons or []],
    }


def apply_grade(place, ruleset):
    """Set the place's grade from the rule set; returns (old, new) snapshots."""
    old = _grade_snapshot(place)
    result = grade(place, ruleset.document)
    place.risk_level = result.risk_level
    place.authority = result.authority
    place.is_key_unit = result.is_key_unit
    place.inspections_per_year = result.inspections_per_year
    place.flags = "".join(f"|{f}" for f in result.flags) + ("|" if result.flags else "")
    place.grade_reasons = result.reasons
    place.ruleset = ruleset
    place.graded_at = timezone.now()
    place.next_inspection_due = next_due(place)
    return old, _grade_snapshot(place)


def prepare_place(place):
    """Derive what the user does not type: grid from coordinates, address key, sector."""
    if place.lat is None or place.lng is None:
        raise ValidationError({"lat": _("Give the coordinates of the place.")})
    place.region = locate_grid(place.lat, place.lng)
    place.address_key = normalise_address(place.address)
    place.sector = KIND_SECTOR.get(place.kind, "")
    place.full_clean(exclude=["region"])


@transaction.atomic
def save_place(place, *, actor=None):
    """Validate, derive and grade a place, save it and record a grade change if there is one."""
    created = place.pk is None
    prepare_place(place)
    ruleset = GradingRuleSet.active()
    old = new = None
    if ruleset is not None:
        old, new = apply_grade(place, ruleset)
    place.save()
    if new is not None and (created or old != new):
        PlaceGradeEvent.objects.create(
            place=place,
            actor=actor,
            cause="created" if created else "attributes",
            ruleset=ruleset,
            old={} if created else old,
            new=new,
        )
    return place


def mark_inspected(place, on, outcome=""):
    """Inspections call this when the place's authority has inspected it."""
    place.last_inspected_on = on
    place.last_inspection_outcome = outcome
    place.next_inspection_due = next_due(place)
    place.save(
        update_fields=["last_inspected_on", "last_inspection_outcome", "next_inspection_due", "updated_at"]
    )


def regrade_all(ruleset, *, actor=None, batch_size=2000, progress=None):
    """Regrade every place by the rule set, in batches; returns how many grades changed."""
    changed = 0
    total = Place.objects.count()
    done = 0
    last_id = 0
    while True:
        batch = list(Place.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        last_id = batch[-1].pk
        updates, events = [], []
        for place in batch:
            graded_by = place.ruleset_id
            old, new = apply_grade(place, ruleset)
            if old != new:
                updates.append(place)
                events.append(
                    PlaceGradeEvent(
                        place=place, actor=actor, cause="rules", ruleset=ruleset, old=old, new=new
                    )
                )
            elif graded_by != ruleset.pk:
                updates.append(place)  # same grade, now decided by the new rule set
        Place.objects.bulk_update(updates, GRADE_FIELDS, batch_size=batch_size)
        PlaceGradeEvent.objects.bulk_create(events, batch_size=batch_size)
        changed += len(events)
        done += len(batch)
        if progress:
            progress(done, total)
    return changed


@transaction.atomic
def activate_ruleset(ruleset, *, actor=None, progress=None):
    """Make the rule set the one in force and regrade every place by it."""
    GradingRuleSet.objects.filter(is_active=True).exclude(pk=ruleset.pk).update(is_active=False)
    ruleset.is_active = True
    ruleset.save()
    return regrade_all(ruleset, actor=actor, progress=progress)


def new_ruleset_version(document, *, actor=None, activate=True, progress=None):
    """Store an edited rule-set document as a new version (validated), and put it in force."""
    ruleset = GradingRuleSet(
        version=str(document.get("version", "")),
        name=str(document.get("name", "")),
        effective_from=document.get("effective_from"),
        document=document,
        notes=str(document.get("notes", "")),
        created_by=actor,
    )
    ruleset.full_clean()
    ruleset.save()
    changed = activate_ruleset(ruleset, actor=actor, progress=progress) if activate else 0
    return ruleset, changed
