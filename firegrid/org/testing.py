"""A small hand-built district for tests of every app: two streets, grids A and B of one community,
one persona per role. Kept here (not in conftest) so other apps' tests can build on it."""

import datetime
from types import SimpleNamespace

from firegrid.core.roles import Role
from firegrid.org.choices import AreaKind, MicroStationOwner, Position, RegionLevel, TeamType, UnitKind
from firegrid.org.models import (
    FireManager,
    OrgMember,
    OrgUnit,
    Qualification,
    Region,
    ResidentialArea,
    RoleAssignment,
    User,
)

PASSWORD = "firegrid-test-pass-2026"


def square(lng, lat, size):
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


def make_region(code, name, level, parent=None, box=None, **extra):
    region = Region(
        code=code, name=name, level=level, parent=parent, boundary=square(*box) if box else None, **extra
    )
    region.full_clean()
    region.save()
    return region


def make_user(username, *, org_unit=None, roles=(), qualified=False, trained=False):
    """qualified: a valid enforcement qualification (which also counts as training passed);
    trained: a valid fire safety training certificate, what a grid worker needs to patrol."""
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=username, org_unit=org_unit
    )
    if trained:
        today = datetime.date.today()
        Qualification.objects.create(
            user=user,
            kind="training",
            certificate_no=f"T-{username}",
            passed_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=700),
        )
    if qualified:
        today = datetime.date.today()
        Qualification.objects.create(
            user=user,
            kind="enforcement",
            certificate_no=f"Q-{username}",
            passed_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=700),
        )
    for role, where in roles:
        kwargs = {"unit": where} if isinstance(where, OrgUnit) else {"region": where}
        RoleAssignment.objects.create(user=user, role=role, **kwargs)
    return user


def ensure_reference_data():
    """Rule sets and checklists come with migrations; transactional tests flush them, so restore them."""
    from firegrid.facilities.actions import ensure_facility_rules
    from firegrid.hazards.categories import sync_categories
    from firegrid.inspections.actions import sync_shipped_checklists
    from firegrid.iot.rules import sync_alarm_rules
    from firegrid.places.actions import new_ruleset_version, read_rules_file
    from firegrid.places.models import GradingRuleSet
    from firegrid.tasks.catalogue import ensure_reference_data as ensure_task_reference_data

    if not GradingRuleSet.objects.filter(is_active=True).exists():
        new_ruleset_version(read_rules_file())
    sync_shipped_checklists()
    sync_categories()
    sync_alarm_rules()
    ensure_facility_rules()
    ensure_task_reference_data()


# the personas build_world() makes, as attribute names of the world
PERSONAS = (
    "district_admin",
    "street_officer",
    "street2_officer",
    "grid_worker_a",
    "grid_worker_b",
    "police_officer",
    "dept_staff",
    "unit_owner",
    "nobody",
)


def build_world():
    ensure_reference_data()
    w = SimpleNamespace()
    w.district = make_region("T500", "测试区", RegionLevel.DISTRICT, box=(106.0, 28.0, 1.0))
    w.street = make_region(
        "T501", "古南街道", RegionLevel.STREET, w.district, (106.0, 28.0, 0.5), kind="street"
    )
    w.street2 = make_region(
        "T502", "文龙街道", RegionLevel.STREET, w.district, (106.5, 28.0, 0.5), kind="street"
    )
    w.community = make_region("T50101", "桥河社区", RegionLevel.COMMUNITY, w.street, (106.0, 28.0, 0.2))
    w.community2 = make_region(
        "T50102", "石佛村", RegionLevel.COMMUNITY, w.street, (106.2, 28.0, 0.2), kind="village"
    )
    w.community_s2 = make_region("T50201", "沙溪社区", RegionLevel.COMMUNITY, w.street2, (106.5, 28.0, 0.2))
    w.grid_a = make_region("T5010101", "桥河一网格", RegionLevel.GRID, w.community, (106.0, 28.0, 0.1))
    w.grid_b = make_region("T5010102", "桥河二网格", RegionLevel.GRID, w.community, (106.1, 28.0, 0.1))
    w.grid_s2 = make_region("T5020101", "沙溪一网格", RegionLevel.GRID, w.community_s2, (106.5, 28.0, 0.1))

    unit = OrgUnit.objects.create
    w.office = unit(kind=UnitKind.DISTRICT_OFFICE, name="区消安办", region=w.district)
    w.committee = unit(kind=UnitKind.COMMITTEE, name="古南街道消防安全委员会", region=w.street)
    w.station = unit(kind=UnitKind.WORK_STATION, name="古南街道消防工作站", region=w.street)
    w.team = unit(
        kind=UnitKind.FIRE_TEAM, name="古南街道志愿消防队", region=w.street, team_type=TeamType.VOLUNTEER
    )
    w.group = unit(kind=UnitKind.COMMUNITY_GROUP, name="桥河社区消防工作小组", region=w.community)
    w.station2 = unit(kind=UnitKind.WORK_STATION, name="文龙街道消防工作站", region=w.street2)
    w.police = unit(kind=UnitKind.POLICE_STATION, name="古南派出所", region=w.street)
    w.police.covered_regions.set([w.street])
    w.department = unit(kind=UnitKind.DEPARTMENT, name="区教委", region=w.district, sectors=["education"])
    w.committee_member = OrgMember.objects.create(unit=w.committee, name="王主任", position=Position.DIRECTOR)
    w.station_member = OrgMember.objects.create(unit=w.station, name="李专管员", position=Position.OFFICER)
    w.group_member = OrgMember.objects.create(unit=w.group, name="赵组长", position=Position.LEADER)

    area = ResidentialArea.objects.create
    w.area_a = area(kind=AreaKind.COMPOUND, name="桥河小区", region=w.grid_a, built_year=1998)
    w.area_b = area(kind=AreaKind.COMPOUND, name="河滨小区", region=w.grid_b, built_year=2010)
    w.area_s2 = area(kind=AreaKind.COMPOUND, name="沙溪小区", region=w.grid_s2)
    w.manager_a = FireManager.objects.create(area=w.area_a, name="张管理员", phone="13800000001")
    w.manager_s2 = FireManager.objects.create(area=w.area_s2, name="周管理员", phone="13800000003")
    w.micro_a = unit(
        kind=UnitKind.MICRO_STATION,
        name="桥河小区微型消防站",
        region=w.grid_a,
        owner_kind=MicroStationOwner.COMPOUND,
        residential_area=w.area_a,
        duty_phone="119",
    )
    w.micro_b = unit(
        kind=UnitKind.MICRO_STATION,
        name="河滨微型消防站",
        region=w.grid_b,
        owner_kind=MicroStationOwner.COMMUNITY,
    )

    w.district_admin = make_user(
        "district_admin", org_unit=w.office, roles=[(Role.DISTRICT_ADMIN, w.district)]
    )
    w.street_officer = make_user(
        "street_officer", org_unit=w.station, roles=[(Role.STREET_OFFICER, w.street)], qualified=True
    )
    w.street2_officer = make_user(
        "street2_officer", org_unit=w.station2, roles=[(Role.STREET_OFFICER, w.street2)]
    )
    w.grid_worker_a = make_user(
        "grid_worker_a", org_unit=w.group, roles=[(Role.GRID_WORKER, w.grid_a)], trained=True
    )
    w.grid_worker_b = make_user(
        "grid_worker_b", org_unit=w.group, roles=[(Role.GRID_WORKER, w.grid_b)], trained=True
    )
    w.police_officer = make_user("police_officer", org_unit=w.police, roles=[(Role.POLICE_OFFICER, w.police)])
    w.dept_staff = make_user("dept_staff", org_unit=w.department, roles=[(Role.DEPT_STAFF, w.department)])
    w.unit_owner = make_user("unit_owner", roles=[(Role.UNIT_OWNER, None)])
    w.nobody = make_user("nobody")
    build_places(w)
    w.grid_worker_b_role = w.grid_worker_b.role_assignments.get()
    w.dept_staff_role = w.dept_staff.role_assignments.get()
    w.street_officer_qualification = w.street_officer.qualifications.get()
    return w


def make_place(name, kind, lat, lng, *, owners=(), **attrs):
    from firegrid.places.actions import save_place
    from firegrid.places.models import Place

    place = save_place(Place(name=name, kind=kind, lat=lat, lng=lng, address=f"{name}地址", **attrs))
    if owners:
        place.owners.set(owners)
    return place


def build_places(w):
    """Places in grid A, grid B and the other street; coordinates fall inside those grids."""
    w.shop_a = make_place("桥河便利店", "shop", 28.05, 106.05, building_area=80, owners=[w.unit_owner])
    w.hotel_b = make_place("河滨旅馆", "hotel", 28.05, 106.15, rooms=12)  # police-supervised
    w.mall_a = make_place("古南商场", "mall_market", 28.02, 106.02, building_area=5000, area_underground=600)
    w.school_a = make_place("桥河小学", "school", 28.08, 106.08, boarding_beds=20)  # education sector
    w.shop_s2 = make_place("沙溪超市", "shop", 28.05, 106.55, building_area=150)
