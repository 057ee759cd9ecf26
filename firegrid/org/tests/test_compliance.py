import datetime

from firegrid.core.roles import Role
from firegrid.org.choices import Position, UnitKind
from firegrid.org.compliance import district_compliance, street_compliance
from firegrid.org.models import FireManager, OrgMember, OrgUnit, Region
from firegrid.org.testing import make_user


def codes(report):
    return sorted(g.code for g in report.gaps)


def test_gaps_on_hand_built_street(world):
    report = street_compliance(world.street)
    # 1 officer, 1 qualified (street_officer), 石佛村 without a group, 河滨小区 without a manager
    assert codes(report) == [
        "area_without_manager",
        "community_without_group",
        "few_officers",
        "few_qualified",
    ]
    assert report.has_committee and report.has_station and report.has_team
    assert report.station_officers == 1 and report.qualified_staff == 1
    assert (report.communities, report.communities_with_group) == (2, 1)
    assert (report.areas, report.areas_with_manager) == (2, 1)
    assert report.micro_station_community_pct == 50.0  # 桥河社区 has stations, 石佛村 none
    assert report.micro_station_compound_pct == 50.0  # 桥河小区 has its own, 河滨小区 not
    gap = next(g for g in report.gaps if g.code == "area_without_manager")
    assert gap.object_name == "河滨小区"


def test_gaps_close_as_the_street_is_completed(world):
    OrgMember.objects.create(unit=world.station, name="第二专管员", position=Position.OFFICER)
    make_user("inspector2", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True)
    group = OrgUnit.objects.create(
        kind=UnitKind.COMMUNITY_GROUP, name="石佛村消防工作小组", region=world.community2
    )
    OrgMember.objects.create(unit=group, name="钱组员", position=Position.STAFF)
    FireManager.objects.create(area=world.area_b, name="孙管理员", phone="13800000002")
    report = street_compliance(world.street)
    assert report.gaps == []
    assert report.compliant


def test_expired_qualification_does_not_count(world):
    make_user("inspector2", org_unit=world.station, roles=[(Role.GRID_WORKER, world.grid_a)], qualified=True)
    assert street_compliance(world.street).qualified_staff == 2
    later = datetime.date.today() + datetime.timedelta(days=800)
    assert street_compliance(world.street, on=later).qualified_staff == 0


def test_group_without_staff_and_missing_units(world):
    report = street_compliance(world.street2)
    assert "no_committee" in codes(report) and "no_team" in codes(report)
    assert "few_officers" in codes(report)  # a station with no officers
    assert "community_without_group" in codes(report)
    OrgUnit.objects.create(
        kind=UnitKind.COMMUNITY_GROUP, name="沙溪社区消防工作小组", region=world.community_s2
    )
    assert "group_without_staff" in codes(street_compliance(world.street2))


def test_district_table_has_a_row_per_street(world, django_assert_max_num_queries):
    streets = Region.objects.streets()
    with django_assert_max_num_queries(8):
        rows = district_compliance(streets)
    assert [r.street_code for r in rows] == ["T501", "T502"]


def test_compliance_api_is_scoped(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.get(f"/api/v1/regions/{world.street.pk}/compliance/")
    assert response.status_code == 200
    assert response.json()["station_officers"] == 1
    assert api_client.get(f"/api/v1/regions/{world.street2.pk}/compliance/").status_code == 404
    assert api_client.get(f"/api/v1/regions/{world.grid_a.pk}/compliance/").status_code == 400
