"""What the pages show of checklists and the GB 35181 proposal, in the current language."""

from django.utils.translation import gettext_lazy as _

from firegrid.inspections.choices import AnswerResult
from firegrid.inspections.major_hazard import DeterminationError, load_edition
from firegrid.places.forms import localised

CATEGORY_LABELS = {
    "crowded": _("crowded place"),
    "flammable": _("flammable and explosive goods place"),
    "important": _("important place"),
    "other": _("other place"),
}


def edition(code=None):
    try:
        return load_edition(code or "GB 35181-2017")
    except DeterminationError:
        return load_edition()


def element_texts(document):
    return {e["id"]: localised(e["text"], e["id"]) for e in document["direct"] + document["comprehensive"]}


def explain(determination):
    """The stored proposal with the norm's wording: direct elements, each counting rule with the
    elements counted against its threshold, the not-judged case and what was corrected on the spot."""
    if not determination:
        return None
    document = edition(determination.get("edition"))
    texts = element_texts(document)
    rules = {rule["id"]: rule for rule in document["counting"]}
    cases = {case["id"]: localised(case["text"], case["id"]) for case in document["not_judged"]}

    def elements(ids):
        return [{"id": e, "text": texts.get(e, e)} for e in ids]

    counting = []
    for row in determination.get("comprehensive", []):
        rule = rules.get(row["rule"], {})
        counting.append(
            {
                "id": row["rule"],
                "title": localised(rule.get("title"), row["rule"]),
                "counted": elements(row["counted"]),
                "count": len(row["counted"]),
                "threshold": row["threshold"],
                "triggered": row["triggered"],
            }
        )
    not_judged = determination.get("not_judged")
    return {
        "edition": document["code"],
        "edition_title": localised(document.get("title"), ""),
        "major": bool(determination.get("major")),
        "categories": [CATEGORY_LABELS.get(c, c) for c in determination.get("categories", [])],
        "direct": elements(determination.get("direct", [])),
        "counting": counting,
        "not_judged": {"id": not_judged, "text": cases.get(not_judged, not_judged)} if not_judged else None,
        "ignored_corrected": elements(determination.get("ignored_corrected", [])),
    }


def checklist_blocks(inspection, answers, *, all_items=True, versions=None):
    """The inspection's checklists as [{title, sections: [{title, items: [...]}]}], each item with its
    text, basis, GB 35181 elements (ticked from the answer, else from the item's list) and answer.
    versions: the inspection's checklist versions if already read (else read here)."""
    texts = element_texts(edition())
    by_key = {(a.checklist_id, a.item_code): a for a in answers}
    blocks = []
    versions = sorted(
        inspection.checklists.all() if versions is None else versions,
        key=lambda v: (bool(v.document.get("place_kinds") or v.document.get("flags")), v.code),
    )
    for version in versions:  # the lists for every kind of place first, then the special ones
        sections = []
        for section in version.document["sections"]:
            items = []
            for item in section["items"]:
                answer = by_key.get((version.pk, item["code"]))
                if answer is None and not all_items:
                    continue
                failed = answer is not None and answer.result == AnswerResult.FAIL
                ticked = set(answer.elements) if failed else set(item["gb35181"])
                offered = list(item["gb35181"]) + sorted(ticked - set(item["gb35181"]))
                items.append(
                    {
                        "checklist": version.code,
                        "code": item["code"],
                        "key": f"{version.code}-{item['code']}",
                        "text": localised(item["text"], item["code"]),
                        "basis": item["basis"],
                        "critical": item["critical"],
                        "elements": [
                            {"id": e, "text": texts.get(e, e), "ticked": e in ticked} for e in offered
                        ],
                        "answer": answer,
                    }
                )
            if items:
                sections.append({"title": localised(section["title"], section["code"]), "items": items})
        if sections:
            blocks.append(
                {
                    "code": version.code,
                    "version": version.version,
                    "title": localised(version.document.get("title"), version.code),
                    "sections": sections,
                }
            )
    return blocks


# (checklist version id, its updated_at) -> its number of items: a version's document (tens of KB of JSON)
# is read once per process for a tap's "n of m answered", not at every tap
_item_counts = {}


def item_count(inspection, versions=None, keys=None):
    """How many items the inspection's checklist versions hold: from `versions` when read already, else
    from their (pk, updated_at) `keys` (read here when not given) and a per-process count per key."""
    if versions is not None:
        return sum(len(v.items()) for v in versions)
    if keys is None:
        keys = list(inspection.checklists.order_by().values_list("pk", "updated_at"))
    if all(key in _item_counts for key in keys):
        return sum(_item_counts[key] for key in keys)
    versions = list(inspection.checklists.all())
    for version in versions:
        _item_counts[(version.pk, version.updated_at)] = len(version.items())
    return sum(len(v.items()) for v in versions)


def filter_summary(filters):
    """A campaign's or draw's place filters as (label, value) pairs a person can read."""
    from firegrid.places.choices import PlaceKind, RiskLevel
    from firegrid.places.forms import flag_labels

    def labels(choices, values):
        values = values if isinstance(values, list) else [values]
        known = dict(choices.choices)
        return ", ".join(str(known.get(v, v)) for v in values)

    rows = []
    for name, value in (filters or {}).items():
        if value in (None, "", []):
            continue
        if name == "kind":
            rows.append((_("Place kinds"), labels(PlaceKind, value)))
        elif name == "risk_level":
            rows.append((_("Risk levels"), labels(RiskLevel, value)))
        elif name == "is_key_unit":
            rows.append((_("Key unit"), _("yes") if str(value).lower() in ("true", "1") else _("no")))
        elif name == "flag":
            rows.append((_("Flag"), flag_labels().get(value, value)))
        else:
            rows.append((name, value if isinstance(value, str) else ", ".join(map(str, value))))
    return rows
