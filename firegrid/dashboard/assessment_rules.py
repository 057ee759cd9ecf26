"""Priorities of the annual assessment: rules over its figures, each naming the numbers that fired it.

A rule reads the report dict built by `assessment.assess` and adds zero or more recommendations
(rank 1 first). Thresholds are constants here, so they are easy to find and to move into data.
"""

from django.utils.translation import gettext as _

from firegrid.dashboard.assessment import GRID_OVERDUE_MIN, SEASONS

# Thresholds of the priority rules (data, so a later issue can move them to STANDARDS.md).
GROWTH_MIN_PCT = 20  # homestays/tourism places rising this much in a year …
GROWTH_MIN_BASE = 3  # … from at least this many
SEASON_SHARE_MIN_PCT = 30  # a season holding this share of the year's hazards is a focus season
CATEGORY_RISE_MIN_PCT = 30
CATEGORY_RISE_MIN_COUNT = 5
KIND_RATE_MIN_PLACES = 5


def priorities(report):
    """Ranked recommendations, each from one rule with the figures that fired it."""
    out = []

    def add(rank, rule, text):
        out.append({"rank": rank, "rule": rule, "text": text})

    for grid in report["grid_hotspots"]:
        add(
            1 if grid["overdue"] >= GRID_OVERDUE_MIN else 2,
            "grid_hazards",
            _(
                "Grid %(grid)s (%(street)s): %(open)s open hazards, %(overdue)s overdue — "
                "supervise closure first."
            )
            % {
                "grid": grid["name"],
                "street": grid["street"] or "—",
                "open": grid["open"],
                "overdue": grid["overdue"],
            },
        )
    rows = report["units"]["rows"]

    def listing(key, limit=5):
        ranked = sorted((r for r in rows if r[key]), key=lambda r: -r[key])
        text = "、".join(f"{r['name']} {r[key]}" for r in ranked[:limit])
        return text + ("…" if len(ranked) > limit else ""), sum(r[key] for r in ranked)

    names, total = listing("major_open")
    if total:
        add(
            1,
            "major_open",
            _("%(n)s major hazards open (%(where)s) — list them for supervision (挂牌督办).")
            % {"n": total, "where": names},
        )
    names, total = listing("due_high")
    if total:
        add(
            2,
            "high_risk_due",
            _(
                "%(n)s high or major risk places are due for inspection (most: %(where)s) — "
                "inspect them first."
            )
            % {"n": total, "where": names},
        )
    hazards = report["hazards"]
    labels = hazards["season_labels"]
    if hazards["total"]:
        season = max(SEASONS, key=lambda s: hazards["by_season"][s])
        share = hazards["season_share_pct"][season]
        if share is not None and share >= SEASON_SHARE_MIN_PCT:
            top = max(hazards["categories"], key=lambda c: c["by_season"][season], default=None)
            add(
                2,
                "season",
                _(
                    "%(season)s held %(share)s%% of the year's hazards (most: %(category)s) — "
                    "plan that season's "
                    "campaign and patrols early."
                )
                % {"season": labels[season], "share": share, "category": top["name"] if top else "—"},
            )
    for cat in hazards["categories"]:
        if (
            cat["previous"]
            and cat["count"] >= CATEGORY_RISE_MIN_COUNT
            and cat["change_pct"] is not None
            and cat["change_pct"] >= CATEGORY_RISE_MIN_PCT
        ):
            add(
                2,
                "category_rise",
                _(
                    "%(category)s hazards rose %(pct)s%% (%(before)s → %(now)s) — "
                    "a targeted clean-up (专项整治)."
                )
                % {
                    "category": cat["name"],
                    "pct": cat["change_pct"],
                    "before": cat["previous"],
                    "now": cat["count"],
                },
            )
    tourism = report["tourism"]
    for row in tourism["homestays"]:
        if (
            row["start"] >= GROWTH_MIN_BASE
            and row["growth_pct"] is not None
            and row["growth_pct"] >= GROWTH_MIN_PCT
        ):
            add(
                1,
                "homestay_growth",
                _(
                    "Homestays in %(street)s rose %(pct)s%% (%(before)s → %(now)s) — "
                    "focus on them before the "
                    "Spring Festival and summer tourist seasons."
                )
                % {
                    "street": row["street"],
                    "pct": row["growth_pct"],
                    "before": row["start"],
                    "now": row["now"],
                },
            )
    for row in tourism["lodging"]:
        if (
            row["start"] >= GROWTH_MIN_BASE
            and row["growth_pct"] is not None
            and row["growth_pct"] >= GROWTH_MIN_PCT
        ):
            add(
                2,
                "lodging_growth",
                _(
                    "Hotels in %(street)s rose %(pct)s%% (%(before)s → %(now)s) — "
                    "check them before the holiday peaks."
                )
                % {
                    "street": row["street"],
                    "pct": row["growth_pct"],
                    "before": row["start"],
                    "now": row["now"],
                },
            )
    if tourism["ancient_towns"]:
        add(
            2,
            "ancient_towns",
            _(
                "Ancient towns and villages (%(names)s): %(n)s places — "
                "water supply, fire lanes and fire breaks, "
                "one plan per town (一镇一策); tourist-season patrols."
            )
            % {"names": "、".join(tourism["ancient_towns"]), "n": tourism["places_in_ancient_towns"]},
        )
    if tourism["relic_buildings"]:
        add(
            2,
            "relic_buildings",
            _("%(n)s relic buildings: electricity and open-flame checks before festivals and the dry season.")
            % {"n": tourism["relic_buildings"]},
        )
    rates = []
    for kind in report["places"]["kinds"]:
        if kind["total"] >= KIND_RATE_MIN_PLACES and kind["high_or_major"]:
            rates.append(kind)
    if rates:
        top = max(rates, key=lambda k: (k["high_or_major"] / k["total"], k["total"]))
        add(
            3,
            "kind_risk",
            _(
                "%(kind)s: %(n)s of %(total)s places graded high or major risk — "
                "the kind with the highest share."
            )
            % {"kind": top["label"], "n": top["high_or_major"], "total": top["total"]},
        )
    if not report["fires"]["available"]:
        add(
            3,
            "fire_data",
            _("No fire incident records yet: record fires so next year's assessment can weigh fire history."),
        )
    if not report["forest"]["has_data"] and report["forest"]["towns"]:
        add(
            3,
            "forest_data",
            _("%(n)s towns may hold forest: mark forested streets/towns so forest fire risk can be assessed.")
            % {"n": report["forest"]["towns"]},
        )
    out.sort(key=lambda p: p["rank"])
    for number, item in enumerate(out, start=1):
        item["number"] = number
    return out
