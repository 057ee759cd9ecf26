"""The fixed demo logins, created (or completed) with full model validation on every run."""

import datetime

from django.db import transaction

from firegrid.core.roles import Role
from firegrid.org.choices import Position, QualificationKind, RegionLevel, UnitKind
from firegrid.org.demo import DEMO_PASSWORD, DISTRICT_CODE
from firegrid.org.models import OrgMember, OrgUnit, Qualification, Region, RoleAssignment, User

# 古南街道 is the first street; its first community (桥河社区) holds grid workers A and B in its
# first two grids (found by code order, as code widths grow with --scale).
PERSONA_STREET_CODE = f"{DISTRICT_CODE}001"
PERSONA_POLICE_STATION = "古南派出所"
PERSONA_DEPARTMENT = "区教委"


def _unit(kind, region, name=None):
    units = OrgUnit.objects.filter(kind=kind, region=region, is_active=True)
    if name:
        units = units.filter(name=name)
    return units.order_by("pk").first()


def _user(username, full_name, phone, org_unit=None, admin=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "phone": phone,
            "org_unit": org_unit,
            "is_staff": admin,
            "is_superuser": admin,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created


def _assign(user, role, region=None, unit=None, starts_on=None):
    assignment = RoleAssignment.objects.filter(user=user, role=role, region=region, unit=unit).first()
    if assignment is None:
        assignment = RoleAssignment(user=user, role=role, region=region, unit=unit)
        if starts_on:
            assignment.starts_on = starts_on
        assignment.save()  # validates: level, unit kind, street, qualification
    return assignment


def _ensure_qualification(user, today):
    if user.can_inspect(today):
        return
    passed = today - datetime.timedelta(days=200)
    Qualification.objects.create(
        user=user,
        kind=QualificationKind.ENFORCEMENT,
        certificate_no=f"QJXF-{passed.year}-00001",
        training_record="消防法律法规、火灾隐患判定、执法程序与文书（56学时）",
        training_hours=56,
        passed_on=passed,
        expires_on=passed + datetime.timedelta(days=3 * 365),
        issued_by="綦江区消防安全委员会办公室",
    )


def _member(unit, user, position, title):
    OrgMember.objects.get_or_create(
        unit=unit,
        user=user,
        defaults={
            "name": user.full_name,
            "position": position,
            "title": title,
            "phone": user.phone,
            "full_time": True,
        },
    )


@transaction.atomic
def ensure_personas(today=None):
    """Create the demo logins that do not exist yet; returns the usernames created."""
    today = today or datetime.date.today()
    district = Region.objects.get(code=DISTRICT_CODE, level=RegionLevel.DISTRICT)
    street = Region.objects.get(code=PERSONA_STREET_CODE)
    community = street.children.order_by("code").first()
    grid_a, grid_b = community.children.order_by("code")[:2]
    office = _unit(UnitKind.DISTRICT_OFFICE, district)
    detachment = _unit(UnitKind.DETACHMENT, district)
    station = _unit(UnitKind.WORK_STATION, street)
    group = _unit(UnitKind.COMMUNITY_GROUP, community)
    police = OrgUnit.objects.get(kind=UnitKind.POLICE_STATION, name=PERSONA_POLICE_STATION)
    department = OrgUnit.objects.get(kind=UnitKind.DEPARTMENT, name=PERSONA_DEPARTMENT)
    since = today - datetime.timedelta(days=180)
    created = []

    def persona(username, full_name, phone, org_unit=None, admin=False):
        user, new = _user(username, full_name, phone, org_unit, admin)
        if new:
            created.append(username)
        return user

    user = persona("district_admin", "刘建国", "13908270001", office, admin=True)
    _assign(user, Role.DISTRICT_ADMIN, region=district, starts_on=since)

    user = persona("detachment_officer", "张卫东", "13908270002", detachment)
    _ensure_qualification(user, today)  # supervises key units: an enforcement officer
    _assign(user, Role.DETACHMENT_OFFICER, region=district, starts_on=since)

    user = persona("street_officer", "王磊", "13908270003", station)
    _ensure_qualification(user, today)
    _member(station, user, Position.OFFICER, "消防专管员")
    _assign(user, Role.STREET_OFFICER, region=street, starts_on=since)
    _assign(user, Role.INSPECTOR, region=street, starts_on=since)

    for username, full_name, phone, grid in (
        ("grid_worker_a", "李娜", "13908270004", grid_a),
        ("grid_worker_b", "赵勇", "13908270005", grid_b),
    ):
        user = persona(username, full_name, phone, group)
        _assign(user, Role.GRID_WORKER, region=grid, starts_on=since)

    user = persona("community_member", "陈秀英", "13908270006", group)
    _member(group, user, Position.STAFF, "消防工作专职人员")
    _assign(user, Role.COMMUNITY_MEMBER, region=community, starts_on=since)

    user = persona("police_officer", "周强", "13908270007", police)
    _ensure_qualification(user, today)  # 消防民警 hold a police enforcement qualification
    _assign(user, Role.POLICE_OFFICER, unit=police, starts_on=since)

    user = persona("dept_staff", "吴静", "13908270008", department)
    _assign(user, Role.DEPT_STAFF, unit=department, starts_on=since)

    user = persona("unit_owner", "黄明", "13908270009")
    _assign(user, Role.UNIT_OWNER, starts_on=since)
    return created


PERSONA_NOTES = {
    "district_admin": "区消安办 admin, whole district, Django admin",
    "detachment_officer": "消防救援支队, whole district",
    "street_officer": "古南街道 work station, qualified inspector",
    "grid_worker_a": "grid 1 of 桥河社区 (古南街道)",
    "grid_worker_b": "grid 2 of 桥河社区 (古南街道)",
    "community_member": "桥河社区 fire work group",
    "police_officer": "古南派出所 (covers 古南街道)",
    "dept_staff": "区教委 (education sector)",
    "unit_owner": "unit owner, own places only",
}
