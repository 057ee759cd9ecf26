"""GB 35181-2017 cases: every direct element, each counting threshold at and around it, not-judged."""

import pytest

from firegrid.inspections.major_hazard import DeterminationError, determine, load_edition

DOC = load_edition()
DIRECT = [e["id"] for e in DOC["direct"]]
PEOPLE = ["7.3.1", "7.3.2", "7.3.3", "7.3.4", "7.3.5", "7.3.6", "7.3.7", "7.3.8", "7.3.9", "7.5", "7.9.3"]
FLAMMABLE = ["7.1.1", "7.1.2", "7.1.3", "7.4.5", "7.4.6"]
OUTSIDE_BOTH = ["7.2.1", "7.2.2", "7.2.3", "7.6.1", "7.6.2", "7.6.3", "7.7.2", "7.8.2"]


@pytest.mark.parametrize("element", DIRECT)
def test_each_direct_element_alone_is_major(element):
    result = determine([element], kind="shop")
    assert result.major and result.direct == [element]
    assert element in result.clauses


def test_ten_direct_elements_are_shipped():
    assert [f"6.{i}" for i in range(1, 11)] == DIRECT


@pytest.mark.parametrize(("n", "major"), [(2, False), (3, True), (4, True)])
def test_crowded_place_three_of_the_people_elements(n, major):
    result = determine(PEOPLE[:n], kind="mall_market")
    rule_a = next(r for r in result.comprehensive if r["rule"] == "5.3.3a")
    assert rule_a["triggered"] is major and len(rule_a["counted"]) == n
    assert result.major is major


@pytest.mark.parametrize(("n", "major"), [(2, False), (3, True)])
def test_flammable_place_three_of_its_elements(n, major):
    result = determine(FLAMMABLE[:n], kind="fuel_station")
    assert result.major is major
    assert next(r for r in result.comprehensive if r["rule"] == "5.3.3b")["triggered"] is major


@pytest.mark.parametrize(("n", "major"), [(3, False), (4, True), (5, True)])
def test_crowded_flammable_important_any_four(n, major):
    # elements outside rule a's and b's lists, so only rule c can trigger
    result = determine(OUTSIDE_BOTH[:n], kind="office")  # an office counts as important
    assert result.categories == ["important"]
    assert result.major is major
    assert [r["rule"] for r in result.comprehensive] == ["5.3.3c"]


@pytest.mark.parametrize(("n", "major"), [(5, False), (6, True), (7, True)])
def test_other_places_any_six(n, major):
    result = determine(OUTSIDE_BOTH[:n], kind="workshop")
    assert result.categories == ["other"]
    assert [r["rule"] for r in result.comprehensive] == ["5.3.3d"]
    assert result.major is major


def test_other_place_is_not_judged_by_the_crowded_list():
    result = determine(PEOPLE[:4], kind="workshop")
    assert not result.major  # 4 < 6 for other places


def test_not_judged_case_is_never_major():
    result = determine(["6.5", *PEOPLE], kind="mall_market", not_judged="stopped")
    assert not result.major and result.not_judged == "stopped"


def test_elements_corrected_on_the_spot_do_not_count():
    result = determine(PEOPLE[:3], kind="mall_market", corrected_on_spot=[PEOPLE[0]])
    assert not result.major and result.ignored_corrected == [PEOPLE[0]]


def test_an_element_found_twice_counts_once():
    assert not determine(["7.3.1", "7.3.1", "7.3.2"], kind="mall_market").major


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"elements": ["9.9"]}, "unknown"),
        ({"elements": ["7.3.1"], "not_judged": "because"}, "not-judged"),
        ({"elements": [], "edition": "GB 0000"}, "edition"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    elements = kwargs.pop("elements")
    with pytest.raises(DeterminationError, match=message):
        determine(elements, kind="shop", **kwargs)
