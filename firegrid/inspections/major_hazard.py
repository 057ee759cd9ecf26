"""Major fire hazard determination (GB 35181): the norm's elements are data, this is the engine.

The software proposes; a qualified officer confirms or overrides with a written reason. Elements
count only when they cannot be corrected on the spot; an element found twice counts once.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
EDITIONS = {"GB 35181-2017": DATA_DIR / "gb35181-2017.json"}


class DeterminationError(ValueError):
    pass


@cache
def load_edition(code="GB 35181-2017"):
    try:
        return json.loads(EDITIONS[code].read_text(encoding="utf-8"))
    except KeyError:
        raise DeterminationError(f"unknown edition {code!r}") from None


@dataclass
class Determination:
    edition: str
    major: bool
    categories: list
    direct: list = field(default_factory=list)
    comprehensive: list = field(default_factory=list)  # every applicable counting rule, triggered or not
    not_judged: str | None = None
    ignored_corrected: list = field(default_factory=list)

    def as_dict(self):
        return {
            "edition": self.edition,
            "major": self.major,
            "categories": self.categories,
            "direct": self.direct,
            "comprehensive": self.comprehensive,
            "not_judged": self.not_judged,
            "ignored_corrected": self.ignored_corrected,
        }

    @property
    def clauses(self):
        """The clauses that make it major, for citing on a notice."""
        cited = list(self.direct)
        for rule in self.comprehensive:
            if rule["triggered"]:
                cited.append(rule["rule"])
        return cited


def categories_for_kind(kind, document):
    found = sorted(name for name, kinds in document.get("categories", {}).items() if kind in kinds)
    return found or ["other"]


def element_ids(document):
    return {e["id"] for e in document["direct"]} | {e["id"] for e in document["comprehensive"]}


def determine(
    elements, *, kind=None, categories=None, corrected_on_spot=(), not_judged=None, edition="GB 35181-2017"
):
    """Judge a set of element ids found at a place of the given kind (or explicit categories)."""
    document = load_edition(edition)
    known = element_ids(document)
    elements = set(elements)
    unknown = sorted(elements - known)
    if unknown:
        raise DeterminationError(f"unknown {edition} element(s): {', '.join(unknown)}")
    if not_judged and not_judged not in {c["id"] for c in document["not_judged"]}:
        raise DeterminationError(f"unknown not-judged case {not_judged!r}")
    categories = sorted(categories) if categories else categories_for_kind(kind, document)
    corrected = sorted(elements & set(corrected_on_spot))
    counted = elements - set(corrected_on_spot)
    result = Determination(
        edition=document["code"], major=False, categories=categories, ignored_corrected=corrected
    )
    if not_judged:
        result.not_judged = not_judged
        return result
    direct_ids = [e["id"] for e in document["direct"]]
    result.direct = [e for e in direct_ids if e in counted]
    for rule in document["counting"]:
        applies_to = rule["category"] if isinstance(rule["category"], list) else [rule["category"]]
        if not set(applies_to) & set(categories):
            continue
        hits = [e for e in rule["elements"] if e in counted]
        result.comprehensive.append(
            {
                "rule": rule["id"],
                "counted": hits,
                "threshold": rule["threshold"],
                "triggered": len(hits) >= rule["threshold"],
            }
        )
    result.major = bool(result.direct) or any(r["triggered"] for r in result.comprehensive)
    return result
