"""The seed's ancient-town thresholds (seed 002 task 8), as rule data, and their boundaries."""

import pytest

from firegrid.facilities import rules
from firegrid.facilities.choices import FacilityKind
from firegrid.facilities.models import FacilityRuleSet
from firegrid.facilities.tests.conftest import make_facility
from firegrid.org.testing import make_region

pytestmark = pytest.mark.django_db


def outcomes(facility):
    return {r.rule["id"]: r.outcome for r in rules.evaluate(facility)}


@pytest.fixture
def ancient(world):
    world.street.is_ancient_town = True
    world.street.save()
    return world


def test_the_rules_come_from_the_shipped_file_with_their_source(world):
    ruleset = FacilityRuleSet.active()
    assert ruleset is not None and ruleset.version == "2022.1"
    by_id = {r["id"]: r for r in ruleset.document["rules"]}
    assert by_id["ancient_pipe_dn100"]["min"] == 100
    assert by_id["ancient_pool_500m3"]["min"] == 500
    for rule in by_id.values():
        assert rule["evidence"] == "V" and "2022" in rule["source"]


@pytest.mark.parametrize(("diameter", "expected"), [(99, "fail"), (100, "pass"), (150, "pass")])
def test_pipe_diameter_boundary_in_an_ancient_town(ancient, diameter, expected):
    pipe = make_facility("古镇管网", FacilityKind.PIPE_NETWORK, 28.05, 106.05, pipe_diameter_mm=diameter)
    assert outcomes(pipe) == {"ancient_pipe_dn100": expected}


@pytest.mark.parametrize(("volume", "expected"), [(499, "fail"), (499.9, "fail"), (500, "pass")])
def test_pool_volume_boundary_in_an_ancient_town(ancient, volume, expected):
    pool = make_facility("古镇水池", FacilityKind.POOL, 28.05, 106.05, volume_m3=volume)
    assert outcomes(pool) == {"ancient_pool_500m3": expected}


def test_a_missing_value_is_flagged_not_passed(ancient):
    pool = make_facility("古镇水池", FacilityKind.POOL, 28.05, 106.05)
    assert outcomes(pool) == {"ancient_pool_500m3": "missing"}


def test_the_rules_do_not_apply_outside_ancient_towns(ancient):
    # the other street is not an ancient town
    pipe = make_facility("沙溪管网", FacilityKind.PIPE_NETWORK, 28.05, 106.55, pipe_diameter_mm=80)
    pool = make_facility("沙溪水池", FacilityKind.POOL, 28.05, 106.55, volume_m3=100)
    assert outcomes(pipe) == {} and outcomes(pool) == {}


def test_towns_named_in_the_seed_are_ancient_without_the_flag(world):
    town = make_region("T503", "东溪镇", "street", world.district, (106.0, 28.5, 0.3), kind="town")
    community = make_region("T50301", "东溪社区", "community", town, (106.0, 28.5, 0.2))
    make_region("T5030101", "东溪一网格", "grid", community, (106.0, 28.5, 0.1))
    pool = make_facility("东溪水池", FacilityKind.POOL, 28.55, 106.05, volume_m3=499)
    assert outcomes(pool) == {"ancient_pool_500m3": "fail"}
    assert rules.is_ancient_region(town)
    assert not rules.is_ancient_region(world.street)


def test_noncompliant_filter_matches_the_evaluation(ancient):
    bad = make_facility("小水池", FacilityKind.POOL, 28.05, 106.05, volume_m3=499)
    make_facility("大水池", FacilityKind.POOL, 28.06, 106.06, volume_m3=500)
    thin = make_facility("细管网", FacilityKind.PIPE_NETWORK, 28.07, 106.07, pipe_diameter_mm=99)
    make_facility("粗管网", FacilityKind.PIPE_NETWORK, 28.07, 106.08, pipe_diameter_mm=100)
    make_facility("外街小水池", FacilityKind.POOL, 28.05, 106.55, volume_m3=10)
    from firegrid.facilities.models import Facility

    found = set(Facility.objects.filter(rules.noncompliant_q()).values_list("name", flat=True))
    assert found == {bad.name, thin.name}


def test_per_town_compliance_view(ancient, client):
    make_facility("小水池", FacilityKind.POOL, 28.05, 106.05, volume_m3=499)
    make_facility("粗管网", FacilityKind.PIPE_NETWORK, 28.07, 106.08, pipe_diameter_mm=100)
    rows = rules.town_compliance(ancient.street_officer)
    assert [r.region for r in rows] == [ancient.street]
    counts = {rule["id"]: c for rule, c in rows[0].counts}
    assert counts["ancient_pool_500m3"] == {"pass": 0, "fail": 1, "missing": 0}
    assert counts["ancient_pipe_dn100"] == {"pass": 1, "fail": 0, "missing": 0}
    assert not rows[0].compliant
    assert rules.town_compliance(ancient.street2_officer) == []
    assert rules.town_compliance(ancient.nobody) == []

    client.force_login(ancient.street_officer)
    page = client.get("/facilities/compliance/").content.decode()
    assert "小水池" in page and 'data-compliant="no"' in page and "71号" in page


def test_a_rule_set_document_is_checked(world):
    from firegrid.facilities.rules import RuleSetError, check_document, read_rules_file

    doc = read_rules_file()
    doc["rules"][0]["kinds"] = ["volcano"]
    with pytest.raises(RuleSetError):
        check_document(doc)
