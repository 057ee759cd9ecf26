"""The grading engine: rule sets are data (JSON), this module only evaluates them.

A rule set names defaults and a list of rules. Each rule has an id, a bilingual title, the
source it comes from (with [V] seen in the norm / [R] recalled), a condition over the place's
attributes and an outcome. Every rule whose condition holds contributes: the highest risk level,
the strongest authority, the most inspections a year and the union of flags win, and every
matching rule is cited in the grade's reasons.
"""

import datetime
import operator
from dataclasses import dataclass, field

from firegrid.places.choices import AUTHORITY_ORDER, RISK_ORDER, Authority, PlaceKind, RiskLevel

ATTRIBUTES = {
    "kind",
    "status",
    "building_area",
    "area_above_ground",
    "area_underground",
    "height_m",
    "floors_above",
    "floors_below",
    "built_year",
    "beds",
    "rooms",
    "children",
    "boarding_beds",
    "staff_count",
    "occupants",
    "self_built_uses",
    "households",
    "has_fire_control_room",
}
COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
OPERATORS = {"eq", "ne", "in", "not_in", "contains_any", "present", *COMPARE}
OUTCOME_KEYS = {"risk_level", "authority", "key_unit", "inspections_per_year", "flags"}


class RuleSetError(ValueError):
    pass


@dataclass
class Grade:
    risk_level: str
    authority: str
    is_key_unit: bool
    inspections_per_year: int
    flags: list
    reasons: list = field(default_factory=list)

    def summary(self):
        return {
            "risk_level": self.risk_level,
            "authority": self.authority,
            "is_key_unit": self.is_key_unit,
            "inspections_per_year": self.inspections_per_year,
            "flags": self.flags,
            "rules": [r["id"] for r in self.reasons],
        }


def _check_condition(cond, where):
    if not isinstance(cond, dict) or not cond:
        raise RuleSetError(f"{where}: a condition must be an object")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if not isinstance(cond[key], list) or not cond[key]:
            raise RuleSetError(f"{where}: '{key}' needs a non-empty list")
        for i, sub in enumerate(cond[key]):
            _check_condition(sub, f"{where}.{key}[{i}]")
        return
    if "not" in cond:
        _check_condition(cond["not"], f"{where}.not")
        return
    attr = cond.get("attr")
    if attr not in ATTRIBUTES:
        raise RuleSetError(f"{where}: unknown attribute {attr!r}")
    ops = set(cond) - {"attr"}
    if len(ops) != 1 or not ops <= OPERATORS:
        raise RuleSetError(f"{where}: use exactly one operator of {sorted(OPERATORS)}")
    op = ops.pop()
    value = cond[op]
    if op in COMPARE and not isinstance(value, int | float):
        raise RuleSetError(f"{where}: '{op}' compares with a number")
    if op in {"in", "not_in", "contains_any"} and not isinstance(value, list):
        raise RuleSetError(f"{where}: '{op}' needs a list")
    if attr == "kind":
        kinds = value if isinstance(value, list) else [value]
        unknown = [k for k in kinds if k not in PlaceKind.values]
        if unknown:
            raise RuleSetError(f"{where}: unknown place kind(s) {unknown}")


def _check_outcome(then, where, flags):
    if not isinstance(then, dict) or not then:
        raise RuleSetError(f"{where}: 'then' must be a non-empty object")
    extra = set(then) - OUTCOME_KEYS
    if extra:
        raise RuleSetError(f"{where}: unknown outcome key(s) {sorted(extra)}")
    if "risk_level" in then and then["risk_level"] not in RiskLevel.values:
        raise RuleSetError(f"{where}: risk_level must be one of {RiskLevel.values}")
    if "authority" in then and then["authority"] not in Authority.values:
        raise RuleSetError(f"{where}: authority must be one of {Authority.values}")
    n = then.get("inspections_per_year", 1)
    if not isinstance(n, int) or not 1 <= n <= 52:
        raise RuleSetError(f"{where}: inspections_per_year must be a whole number from 1 to 52")
    for flag in then.get("flags", []):
        if flag not in flags:
            raise RuleSetError(f"{where}: flag {flag!r} is not declared in 'flags'")


def compile_ruleset(document):
    """Validate a rule-set document; raises RuleSetError naming the offending place in it."""
    if not isinstance(document, dict):
        raise RuleSetError("the rule set must be a JSON object")
    for key in ("version", "name", "effective_from", "rules"):
        if key not in document:
            raise RuleSetError(f"missing '{key}'")
    try:
        datetime.date.fromisoformat(str(document["effective_from"]))
    except ValueError:
        raise RuleSetError("effective_from must be a date like 2026-01-01") from None
    defaults = document.get("defaults", {})
    _check_outcome(defaults or {"risk_level": "low"}, "defaults", set())
    flags = document.get("flags", {})
    if not isinstance(flags, dict):
        raise RuleSetError("'flags' must map flag codes to their labels")
    seen = set()
    for i, rule in enumerate(document["rules"]):
        where = f"rules[{i}]"
        if not isinstance(rule, dict):
            raise RuleSetError(f"{where}: a rule must be an object")
        rule_id = rule.get("id")
        if not rule_id or rule_id in seen:
            raise RuleSetError(f"{where}: each rule needs a unique 'id'")
        seen.add(rule_id)
        where = f"rule {rule_id}"
        if not rule.get("source"):
            raise RuleSetError(f"{where}: cite the 'source' of the rule")
        if rule.get("evidence") not in ("V", "R"):
            raise RuleSetError(f"{where}: 'evidence' is V (seen in the norm) or R (recalled)")
        _check_condition(rule.get("when"), f"{where}.when")
        _check_outcome(rule.get("then"), f"{where}.then", set(flags))
    return document


def _value(place, attr):
    return getattr(place, attr, None)


def holds(cond, place):
    if "all" in cond:
        return all(holds(c, place) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, place) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], place)
    value = _value(place, cond["attr"])
    ((op, expected),) = ((k, v) for k, v in cond.items() if k != "attr")
    if op == "present":
        return (value not in (None, "", [])) == bool(expected)
    if op == "eq":
        return value == expected
    if op == "ne":
        return value != expected
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    if op == "contains_any":
        return bool(set(value or []) & set(expected))
    if value is None:
        return False  # an unknown number satisfies no comparison
    return COMPARE[op](value, expected)


def grade(place, document):
    defaults = document.get("defaults", {})
    risk = defaults.get("risk_level", RiskLevel.LOW)
    authority = defaults.get("authority", Authority.STREET)
    per_year = defaults.get("inspections_per_year", 1)
    key_unit = bool(defaults.get("key_unit", False))
    flags, reasons = set(), []
    for rule in document["rules"]:
        if not holds(rule["when"], place):
            continue
        then = rule["then"]
        if "risk_level" in then and RISK_ORDER.index(then["risk_level"]) > RISK_ORDER.index(risk):
            risk = then["risk_level"]
        if "authority" in then and AUTHORITY_ORDER.index(then["authority"]) > AUTHORITY_ORDER.index(
            authority
        ):
            authority = then["authority"]
        per_year = max(per_year, then.get("inspections_per_year", per_year))
        key_unit = key_unit or bool(then.get("key_unit"))
        flags.update(then.get("flags", []))
        reasons.append(
            {
                "id": rule["id"],
                "title": rule.get("title", {}),
                "source": rule["source"],
                "evidence": rule["evidence"],
            }
        )
    if key_unit:
        authority = Authority.DETACHMENT  # seed 002 task 12: key units are supervised by the detachment
    return Grade(str(risk), str(authority), key_unit, per_year, sorted(flags), reasons)
