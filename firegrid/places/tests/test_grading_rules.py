"""One test per shipped grading rule, on each side of its boundary."""

import pytest

from firegrid.places.actions import read_rules_file
from firegrid.places.grading import RuleSetError, compile_ruleset, grade
from firegrid.places.models import Place

DOC = read_rules_file()

# rule id, kind, attributes that just meet the rule, attributes that just miss it
CASES = [
    ("key-mall-1000", "mall_market", {"building_area": 1000}, {"building_area": 999.9}),
    ("key-hotel-50-rooms", "hotel", {"rooms": 50}, {"rooms": 49}),
    ("key-entertainment-200", "entertainment", {"building_area": 200}, {"building_area": 199}),
    ("key-entertainment-200", "internet_cafe", {"building_area": 250}, {"building_area": 150}),
    ("key-hospital-50-beds", "hospital", {"beds": 50}, {"beds": 49}),
    ("key-elderly-50-beds", "elderly_care", {"beds": 50}, {"beds": 49}),
    ("key-boarding-school-100", "school", {"boarding_beds": 100}, {"boarding_beds": 99}),
    ("key-childcare-50", "childcare", {"children": 50}, {"children": 49}),
    ("key-high-rise-public", "office", {"height_m": 24.1}, {"height_m": 24}),
    ("key-labour-intensive-100", "factory", {"staff_count": 100}, {"staff_count": 99}),
    ("key-public-venue-2000", "public_venue", {"building_area": 2000}, {"building_area": 1999}),
    ("key-transport-hub-500", "transport_hub", {"building_area": 500}, {"building_area": 499}),
    ("key-underground-1000", "underground_works", {"area_underground": 1000}, {"area_underground": 999}),
    (
        "seed-self-built-over-10",
        "self_built_house",
        {"self_built_uses": ["homestay"], "occupants": 11},
        {"self_built_uses": ["homestay"], "occupants": 10},
    ),
    (
        "seed-self-built-over-10",
        "self_built_house",
        {"self_built_uses": ["training"], "occupants": 30},
        {"self_built_uses": ["own_use"], "occupants": 30},
    ),
    (
        "seed-self-built-business",
        "self_built_house",
        {"self_built_uses": ["rental"]},
        {"self_built_uses": ["own_use"]},
    ),
    ("seed-large-mall", "mall_market", {"area_above_ground": 1000}, {"area_above_ground": 999}),
    ("seed-large-mall", "mall_market", {"area_underground": 500}, {"area_underground": 499}),
    ("seed-old-compound", "residential_compound", {"built_year": 1999}, {"built_year": 2000}),
    ("nine-small-flag", "restaurant", {"building_area": 299}, {"building_area": 300}),
    ("high-rise-residential", "residential_compound", {"height_m": 27.5}, {"height_m": 27}),
]
# rules that hold for a whole kind: (rule id, a kind it covers, a kind it does not)
KIND_CASES = [
    ("key-fuel-station", "fuel_station", "shop"),
    ("seed-joint-control", "relic_building", "school"),
    ("seed-three-in-one", "three_in_one", "shop"),
    ("seed-nine-small-yearly", "clinic", "hospital"),
    ("police-small-crowded", "internet_cafe", "restaurant"),
    ("vulnerable-occupants", "elderly_care", "hotel"),
    ("high-rise-residential", "high_rise_residential", "residential_compound"),
    ("group-rental", "group_rental", "shop"),
    ("esports-hotel", "esports_hotel", "hotel"),
    ("warehouse-recycling", "recycling_site", "shop"),
    ("converted-commercial", "converted_commercial", "factory"),
]


def place(kind, **attrs):
    return Place(kind=kind, name="t", address="t", lat=28.5, lng=106.5, **attrs)


def rule_ids(result):
    return {r["id"] for r in result.reasons}


def test_every_shipped_rule_has_a_test():
    tested = {c[0] for c in CASES} | {c[0] for c in KIND_CASES}
    assert tested == {r["id"] for r in DOC["rules"]}


@pytest.mark.parametrize(("rule_id", "kind", "meets", "misses"), CASES)
def test_rule_boundary(rule_id, kind, meets, misses):
    assert rule_id in rule_ids(grade(place(kind, **meets), DOC))
    assert rule_id not in rule_ids(grade(place(kind, **misses), DOC))


@pytest.mark.parametrize(("rule_id", "kind", "other"), KIND_CASES)
def test_rule_by_kind(rule_id, kind, other):
    assert rule_id in rule_ids(grade(place(kind), DOC))
    assert rule_id not in rule_ids(grade(place(other), DOC))


def test_key_unit_goes_to_the_detachment_with_reasons_cited():
    result = grade(place("hotel", rooms=80), DOC)
    assert result.is_key_unit and result.authority == "detachment" and result.risk_level == "high"
    reason = next(r for r in result.reasons if r["id"] == "key-hotel-50-rooms")
    assert "公通字〔2001〕97号" in reason["source"] and reason["evidence"] == "R"


def test_small_hotel_goes_to_the_police_and_plain_shop_to_the_street():
    assert grade(place("hotel", rooms=10), DOC).authority == "police_station"
    shop = grade(place("shop", building_area=80), DOC)
    assert (shop.authority, shop.risk_level, shop.is_key_unit) == ("street", "low", False)
    assert shop.flags == ["nine_small"]


def test_self_built_over_10_gets_key_control_and_licence_check():
    result = grade(place("self_built_house", self_built_uses=["business"], occupants=12), DOC)
    assert {"key_control", "licence_check", "self_built_business"} <= set(result.flags)
    assert result.risk_level == "high" and result.inspections_per_year == 2


def test_unknown_numbers_match_no_comparison():
    result = grade(place("mall_market"), DOC)
    assert "key-mall-1000" not in rule_ids(result) and "seed-large-mall" not in rule_ids(result)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["rules"][0]["when"].update({"all": [{"attr": "colour", "eq": "red"}]}),
            "unknown attribute",
        ),
        (lambda d: d["rules"][0].update({"source": ""}), "source"),
        (lambda d: d["rules"][0]["then"].update({"risk_level": "apocalyptic"}), "risk_level"),
        (lambda d: d["rules"][1].update({"id": d["rules"][0]["id"]}), "unique"),
        (lambda d: d["rules"][0]["then"].update({"flags": ["undeclared"]}), "not declared"),
        (lambda d: d.update({"effective_from": "someday"}), "effective_from"),
        (lambda d: d["rules"][0]["when"]["all"][0].update({"in": ["spaceport"]}), "unknown place kind"),
    ],
)
def test_bad_rule_sets_are_rejected_with_the_place_named(mutate, message):
    import copy

    document = copy.deepcopy(DOC)
    mutate(document)
    with pytest.raises(RuleSetError, match=message):
        compile_ruleset(document)
