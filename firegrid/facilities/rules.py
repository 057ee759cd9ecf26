"""The facility rules as data (rules/*.json, a FacilityRuleSet version in the database): which
regions are ancient towns, the thresholds facilities there must meet, and the survey pressure.

    check_document(doc)        raises RuleSetError naming what is wrong with a rule document
    ancient_regions()          the towns and villages the rules treat as ancient
    evaluate(facility, ...)    the outcome of every applicable rule for one facility
    noncompliant_q(...)        the same as a queryset filter
    town_compliance(user)      one row per ancient town: counts per rule, failing facilities, plans
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from firegrid.facilities.choices import FacilityKind
from firegrid.org.choices import RegionLevel

RULES_DIR = Path(__file__).resolve().parent / "rules"
DEFAULT_RULES = RULES_DIR / "qijiang-2022.1.json"
PASS, FAIL, MISSING = "pass", "fail", "missing"
RULE_FIELDS = {"pipe_diameter_mm", "volume_m3", "length_m"}


class RuleSetError(Exception):
    pass


def read_rules_file(path=DEFAULT_RULES):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def check_document(doc):
    """Raise RuleSetError unless the document has the shape the engine reads."""
    if not isinstance(doc, dict):
        raise RuleSetError(_("The rules must be a JSON object."))
    for key in ("version", "name", "effective_from", "rules"):
        if key not in doc:
            raise RuleSetError(_("The rules lack “%(key)s”.") % {"key": key})
    names = (doc.get("ancient_towns") or {}).get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise RuleSetError(_("ancient_towns.names must be a list of town names."))
    seen = set()
    for index, rule in enumerate(doc["rules"], start=1):
        where = _("Rule %(n)s") % {"n": index}
        if not isinstance(rule, dict):
            raise RuleSetError(_("%(where)s is not an object.") % {"where": where})
        for key in ("id", "kinds", "field", "min", "source"):
            if key not in rule:
                raise RuleSetError(_("%(where)s lacks “%(key)s”.") % {"where": where, "key": key})
        if rule["id"] in seen:
            raise RuleSetError(_("Rule id %(id)s appears twice.") % {"id": rule["id"]})
        seen.add(rule["id"])
        if rule["field"] not in RULE_FIELDS:
            raise RuleSetError(
                _("%(where)s: field must be one of %(fields)s.")
                % {"where": where, "fields": ", ".join(sorted(RULE_FIELDS))}
            )
        unknown = [k for k in rule["kinds"] if k not in FacilityKind.values]
        if unknown:
            raise RuleSetError(
                _("%(where)s: unknown kind(s) %(kinds)s.") % {"where": where, "kinds": ", ".join(unknown)}
            )
        if not isinstance(rule["min"], int | float) or isinstance(rule["min"], bool) or rule["min"] < 0:
            raise RuleSetError(_("%(where)s: min must be a number ≥ 0.") % {"where": where})
        if rule.get("scope", "ancient_town") not in ("ancient_town", "all"):
            raise RuleSetError(_("%(where)s: scope must be ancient_town or all.") % {"where": where})
    pressures = (doc.get("survey") or {}).get("min_pressure_mpa", {})
    if not isinstance(pressures, dict) or any(
        k not in FacilityKind.values or not isinstance(v, int | float) or v < 0 for k, v in pressures.items()
    ):
        raise RuleSetError(_("survey.min_pressure_mpa must map facility kinds to pressures ≥ 0."))


def active_document():
    """The active rule set's document (the shipped file if the database has none)."""
    from firegrid.facilities.models import FacilityRuleSet

    ruleset = FacilityRuleSet.active()
    return ruleset.document if ruleset is not None else read_rules_file()


def rule_title(rule):
    zh = (get_language() or "").startswith("zh")
    return rule.get("title_zh" if zh else "title_en") or rule.get("title_en") or rule["id"]


def min_pressure(kind, doc=None):
    doc = doc or active_document()
    return ((doc.get("survey") or {}).get("min_pressure_mpa") or {}).get(kind)


# ---- which regions are ancient towns -------------------------------------------------------------


def _ancient_q(doc):
    q = models.Q(is_ancient_town=True)
    for name in (doc.get("ancient_towns") or {}).get("names", []):
        q |= models.Q(level=RegionLevel.STREET, name__startswith=name)
    return q & models.Q(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])


def ancient_regions(doc=None):
    """Towns named by the rules or marked is_ancient_town, and villages marked so, in path order."""
    from firegrid.org.models import Region

    doc = doc or active_document()
    return list(Region.objects.filter(_ancient_q(doc)).order_by("path"))


def ancient_paths(doc=None):
    """Paths of the ancient regions, without those inside another ancient region."""
    paths = sorted(r.path for r in ancient_regions(doc))
    kept = []
    for path in paths:
        if not any(path.startswith(p) for p in kept):
            kept.append(path)
    return kept


def is_ancient_region(region, doc=None):
    """Whether the region lies in (or is) an ancient town or village."""
    return any(region.path.startswith(p) for p in ancient_paths(doc))


def in_ancient_q(paths, prefix="region__"):
    q = models.Q(pk__in=[])
    for path in paths:
        q |= models.Q(**{f"{prefix}path__startswith": path})
    return q


# ---- evaluating facilities -----------------------------------------------------------------------


@dataclass
class RuleResult:
    rule: dict
    outcome: str  # pass, fail, missing
    value: object = None

    @property
    def title(self):
        return rule_title(self.rule)

    @property
    def ok(self):
        return self.outcome == PASS


def applicable_rules(facility, doc, ancient):
    for rule in doc.get("rules", []):
        if facility.kind not in rule["kinds"]:
            continue
        if rule.get("scope", "ancient_town") == "ancient_town" and not ancient:
            continue
        yield rule


def evaluate(facility, doc=None, paths=None):
    """Every rule that applies to the facility, with its outcome. A planned facility is held to the
    rules too: the plan should meet them before it is built."""
    doc = doc or active_document()
    paths = ancient_paths(doc) if paths is None else paths
    ancient = any(facility.region.path.startswith(p) for p in paths) if facility.region_id else False
    results = []
    for rule in applicable_rules(facility, doc, ancient):
        value = getattr(facility, rule["field"])
        if value is None:
            results.append(RuleResult(rule, MISSING))
        else:
            results.append(RuleResult(rule, PASS if value >= rule["min"] else FAIL, value))
    return results


def rule_q(rule, outcome):
    """Facilities of the rule's kinds whose value has the outcome (ignoring where they are)."""
    base = models.Q(kind__in=rule["kinds"])
    name = rule["field"]
    if outcome == MISSING:
        return base & models.Q(**{f"{name}__isnull": True})
    if outcome == FAIL:
        return base & models.Q(**{f"{name}__lt": rule["min"]})
    return base & models.Q(**{f"{name}__gte": rule["min"]})


def noncompliant_q(doc=None, paths=None, include_missing=True):
    """Facilities that fail (or lack the value for) a rule that applies to them."""
    doc = doc or active_document()
    paths = ancient_paths(doc) if paths is None else paths
    q = models.Q(pk__in=[])
    for rule in doc.get("rules", []):
        failing = rule_q(rule, FAIL)
        if include_missing:
            failing |= rule_q(rule, MISSING)
        if rule.get("scope", "ancient_town") == "ancient_town":
            failing &= in_ancient_q(paths)
        q |= failing
    return q


@dataclass
class TownRow:
    region: object
    counts: list = field(default_factory=list)  # [(rule, {pass, fail, missing})]
    failing: list = field(default_factory=list)  # facilities failing or lacking a value
    policies: list = field(default_factory=list)
    facilities: int = 0

    @property
    def compliant(self):
        return all(c[FAIL] == 0 and c[MISSING] == 0 for _rule, c in self.counts)

    @property
    def has_policy(self):
        return bool(self.policies)


def town_compliance(user, doc=None, year=None):
    """Per ancient town/village the user sees facilities of: rule counts, failing facilities, plans."""
    from firegrid.facilities.models import AncientTownPolicy, Facility

    doc = doc or active_document()
    year = year or timezone.localdate().year
    visible = Facility.objects.restrict(user)
    rows = []
    for region in ancient_regions(doc):
        facilities = visible.filter(region__path__startswith=region.path)
        total = facilities.count()
        policies = list(
            AncientTownPolicy.objects.restrict(user)
            .filter(region=region, year__gte=year - 1)
            .order_by("-year")
        )
        if not total and not policies and not _sees_region(user, region):
            continue
        row = TownRow(region=region, facilities=total, policies=policies)
        for rule in doc.get("rules", []):
            counts = {o: facilities.filter(rule_q(rule, o)).count() for o in (PASS, FAIL, MISSING)}
            row.counts.append((rule, counts))
        row.failing = list(
            facilities.filter(noncompliant_q(doc, [region.path]))
            .select_related("region")
            .order_by("kind", "name")[:200]
        )
        rows.append(row)
    return rows


def _sees_region(user, region):
    from firegrid.core.scoping import user_scope
    from firegrid.facilities.models import FACILITY_ROLES

    scope = user_scope(user)
    if scope.superuser:
        return True
    if scope.roles & FACILITY_ROLES & {"district_admin", "detachment_officer"}:
        return True
    return any(
        g.role in FACILITY_ROLES and g.region_path and region.path.startswith(g.region_path)
        for g in scope.grants
    )
