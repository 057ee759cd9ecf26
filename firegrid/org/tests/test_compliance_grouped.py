"""Compliance counted by grouped queries: the numbers of the `world` district, checked by hand, with
and without the per-community and per-area gaps listed, and as the command view sums them."""

import pytest

from firegrid.core.roles import Role
from firegrid.org.choices import AreaKind, MicroStationOwner, Position, UnitKind
from firegrid.org.compliance import district_compliance, street_code_of
from firegrid.org.models import OrgMember, OrgUnit, Region, ResidentialArea
from firegrid.org.testing import make_user

COUNTS = (
    "has_committee",
    "committee_members",
    "has_station",
    "station_officers",
    "has_team",
    "team_types",
    "qualified_staff",
    "communities",
    "communities_with_group",
    "areas",
    "areas_with_manager",
    "communities_with_micro_station",
    "compounds",
    "compounds_with_micro_station",
    "gap_count",
)


def counts(report):
    return {name: getattr(report, name) for name in COUNTS}


def codes(report):
    return sorted(g.code for g in report.gaps)


# By hand from org.testing.build_world:
# 古南街道 T501: committee (王主任), station with one officer (李专管员), a volunteer team; qualified:
#   street_officer only; 桥河社区 has a staffed group and micro stations in both its grids, 石佛村
#   has neither; compounds 桥河小区 (manager, own micro station) and 河滨小区 (neither).
#   Gaps: few_officers, few_qualified, 石佛村 without a group, 河滨小区 without a manager = 4.
T501 = {
    "has_committee": True,
    "committee_members": 1,
    "has_station": True,
    "station_officers": 1,
    "has_team": True,
    "team_types": ["volunteer"],
    "qualified_staff": 1,
    "communities": 2,
    "communities_with_group": 1,
    "areas": 2,
    "areas_with_manager": 1,
    "communities_with_micro_station": 1,
    "compounds": 2,
    "compounds_with_micro_station": 1,
    "gap_count": 4,
}
# 文龙街道 T502: a station with no members, no committee, no team, nobody qualified (street2_officer
#   is not); 沙溪社区 without a group or micro station; 沙溪小区 has a manager, no micro station.
#   Gaps: no_committee, few_officers (0), no_team, few_qualified (0), 沙溪社区 without a group = 5.
T502 = {
    "has_committee": False,
    "committee_members": 0,
    "has_station": True,
    "station_officers": 0,
    "has_team": False,
    "team_types": [],
    "qualified_staff": 0,
    "communities": 1,
    "communities_with_group": 0,
    "areas": 1,
    "areas_with_manager": 1,
    "communities_with_micro_station": 0,
    "compounds": 1,
    "compounds_with_micro_station": 0,
    "gap_count": 5,
}


@pytest.mark.parametrize("details", [True, False])
def test_world_counts_by_hand(world, details):
    t501, t502 = district_compliance(Region.objects.streets().order_by("code"), details=details)
    assert (t501.street_code, t502.street_code) == ("T501", "T502")
    assert counts(t501) == T501
    assert counts(t502) == T502
    assert t501.micro_station_community_pct == 50.0 and t501.micro_station_compound_pct == 50.0
    assert t502.micro_station_community_pct == 0.0 and t502.micro_station_compound_pct == 0.0
    assert not t501.compliant and not t502.compliant
    if details:
        assert codes(t501) == [
            "area_without_manager",
            "community_without_group",
            "few_officers",
            "few_qualified",
        ]
        assert codes(t502) == [
            "community_without_group",
            "few_officers",
            "few_qualified",
            "no_committee",
            "no_team",
        ]
        assert [len(t501.gaps), len(t502.gaps)] == [t501.gap_count, t502.gap_count]
    else:  # only the street's own gaps are listed; the count has them all
        assert codes(t501) == ["few_officers", "few_qualified"]
        assert codes(t502) == ["few_officers", "few_qualified", "no_committee", "no_team"]


def test_one_street_alone_counts_the_same(world):
    (alone,) = district_compliance([world.street])
    assert counts(alone) == T501


def test_counts_follow_changes_and_a_person_counts_once(world):
    # street_officer also takes a second role in the street: still one qualified person
    from firegrid.org.models import RoleAssignment

    RoleAssignment.objects.create(user=world.street_officer, role=Role.INSPECTOR, region=world.grid_a)
    # a second qualified person, counted through their unit only (no role)
    make_user("inspector2", org_unit=world.station, qualified=True)
    # in 文龙街道, one qualified person with a role and a unit there: counted once
    make_user("inspector3", org_unit=world.station2, roles=[(Role.INSPECTOR, world.street2)], qualified=True)
    OrgMember.objects.create(unit=world.station, name="第二专管员", position=Position.OFFICER)
    # a micro station at 石佛村 itself and a staffed group there
    OrgUnit.objects.create(
        kind=UnitKind.MICRO_STATION,
        name="石佛村微型消防站",
        region=world.community2,
        owner_kind=MicroStationOwner.COMMUNITY,
    )
    group = OrgUnit.objects.create(
        kind=UnitKind.COMMUNITY_GROUP, name="石佛村消防工作小组", region=world.community2
    )
    OrgMember.objects.create(unit=group, name="钱组员", position=Position.STAFF)
    # a villager group without a manager: an area, not a compound
    ResidentialArea.objects.create(kind=AreaKind.VILLAGER_GROUP, name="一组", region=world.community2)
    # an inactive micro station does not count
    OrgUnit.objects.create(
        kind=UnitKind.MICRO_STATION,
        name="河滨小区微型消防站",
        region=world.grid_b,
        owner_kind=MicroStationOwner.COMPOUND,
        residential_area=world.area_b,
        is_active=False,
    )
    t501, t502 = district_compliance(Region.objects.streets().order_by("code"), details=False)
    assert t501.qualified_staff == 2 and t501.station_officers == 2
    assert (t501.communities_with_group, t501.communities_with_micro_station) == (2, 2)
    assert (t501.areas, t501.areas_with_manager, t501.compounds, t501.compounds_with_micro_station) == (
        3,
        1,
        2,
        1,
    )
    assert t501.gap_count == 2  # 河滨小区 and 一组 without a manager
    assert t502.qualified_staff == 1
    listed = district_compliance(Region.objects.streets().order_by("code"))
    assert [len(r.gaps) for r in listed] == [t501.gap_count, t502.gap_count]


def test_street_code_in_sql_is_the_second_code_of_the_path(world):
    rows = (
        Region.objects.annotate(street=street_code_of("path"))
        .filter(level__in=["community", "grid"])
        .values_list("code", "street")
    )
    assert dict(rows) == {
        "T50101": "T501",
        "T50102": "T501",
        "T50201": "T502",
        "T5010101": "T501",
        "T5010102": "T501",
        "T5020101": "T502",
    }


def test_dashboard_sums_the_streets(world, api_client):
    api_client.force_authenticate(world.district_admin)
    org = api_client.get("/api/v1/dashboard/").data["organisation"]
    # 3 communities, 1 with a micro station; 3 compounds, 1 with its own micro station
    assert org["streets"] == 2 and org["compliant_streets"] == 0 and org["gaps"] == 9
    assert org["micro_station_community_pct"] == 33.3 and org["micro_station_compound_pct"] == 33.3
    api_client.force_authenticate(world.grid_worker_a)  # a grid shows its street
    org = api_client.get("/api/v1/dashboard/").data["organisation"]
    assert (org["streets"], org["gaps"], org["micro_station_community_pct"]) == (1, 4, 50.0)
