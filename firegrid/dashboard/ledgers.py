"""Ledgers (台账) of the registries as xlsx, scoped to the user and narrowed to a region.

The places ledger (places.ledger) and the hazard ledger (hazards.ledger) exist already and keep
their own pages; the ones here cover the rest: regions, org units with members, residential areas
with fire managers, staff with roles and qualifications, inspections, devices and alarms.

Laid out like the others: row 1 the Chinese column titles, row 2 the column keys, data from row 3,
written with openpyxl's write-only mode so memory stays flat.
"""

import tempfile
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from firegrid.core.progress import RowProgress
from firegrid.core.roles import Role
from firegrid.inspections.choices import InspectionKind, InspectionStatus, Outcome
from firegrid.inspections.models import Inspection
from firegrid.iot.choices import AlarmKind, AlarmStatus, DeviceKind, DeviceStatus
from firegrid.iot.models import Alarm, Device
from firegrid.org.choices import (
    AreaKind,
    MicroStationOwner,
    Position,
    QualificationKind,
    RegionKind,
    RegionLevel,
    Sector,
    TeamType,
    UnitKind,
)
from firegrid.org.models import FireManager, OrgMember, OrgUnit, Qualification, Region, ResidentialArea, User

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FDE7E7")
KEY_FONT = Font(color="808080", size=9)
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    width: int = 14


@dataclass
class Sheet:
    title: str
    columns: list
    rows: object  # an iterable of dicts keyed by column key
    count: object = None  # how many rows (a queryset's count), asked only when progress is reported


def _text(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _cell(ws, value, **style):
    cell = WriteOnlyCell(ws, value=_text(value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"  # text, never a formula
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def write_workbook(sheets, fileobj, progress=None):
    """The common writer: each Sheet as titles, keys, rows. Returns the number of data rows.
    `progress(done, total)` is told every few rows (core.progress), the total over every sheet."""
    wb = Workbook(write_only=True)
    counter = RowProgress(progress, lambda: sum(s.count() for s in sheets if s.count is not None))
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "B3"
        ws.append([_cell(ws, c.zh, font=HEADER_FONT, fill=HEADER_FILL) for c in sheet.columns])
        ws.append([_cell(ws, c.key, font=KEY_FONT) for c in sheet.columns])
        for row in sheet.rows:
            ws.append([_cell(ws, row.get(c.key)) for c in sheet.columns])
            counter.step()
    wb.save(fileobj)
    return counter.finish()


def _labels(choices):
    return {k: str(v) for k, v in choices.choices}


def _yes(value):
    return YES if value else NO


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# ---- the ledgers ---------------------------------------------------------------------------------------


def regions_ledger(user, region, year):
    levels, kinds = _labels(RegionLevel), _labels(RegionKind)
    places = dict(
        Region.objects.restrict(user)
        .filter(path__startswith=region.path)
        .annotate(n=Count("places"))
        .values_list("pk", "n")
    )

    qs = Region.objects.restrict(user).filter(path__startswith=region.path).select_related("parent")

    def rows():
        for r in qs.order_by("path").iterator(chunk_size=1000):
            yield {
                "code": r.code,
                "name": r.name,
                "level": levels.get(r.level, r.level),
                "kind": kinds.get(r.kind, r.kind),
                "parent": r.parent.code if r.parent_id else "",
                "parent_name": r.parent.name if r.parent_id else "",
                "population": r.population,
                "is_ancient_town": _yes(r.is_ancient_town),
                "has_boundary": _yes(r.boundary),
                "places": places.get(r.pk, 0),
            }

    columns = [
        Column("code", "区划代码", 14),
        Column("name", "名称", 18),
        Column("level", "层级", 10),
        Column("kind", "类型", 10),
        Column("parent", "上级代码", 14),
        Column("parent_name", "上级名称", 16),
        Column("population", "人口", 10),
        Column("is_ancient_town", "古镇古村", 9),
        Column("has_boundary", "有边界", 8),
        Column("places", "场所数", 8),
    ]
    return [Sheet("行政区划台账", columns, rows(), qs.count)]


def _units(user, region):
    return OrgUnit.objects.restrict(user).filter(region__path__startswith=region.path)


def units_ledger(user, region, year):
    kinds, teams, owners = _labels(UnitKind), _labels(TeamType), _labels(MicroStationOwner)
    sectors, positions = _labels(Sector), _labels(Position)

    units = _units(user, region)
    members = (
        OrgMember.objects.restrict(user)
        .filter(unit__in=_units(user, region))
        .select_related("unit", "unit__region")
        .order_by("unit__region__path", "unit__name", "position", "name")
    )

    def unit_rows():
        qs = units.select_related("region", "residential_area").annotate(n=Count("members"))
        for u in qs.order_by("region__path", "kind", "name").iterator(chunk_size=1000):
            yield {
                "name": u.name,
                "kind": kinds.get(u.kind, u.kind),
                "region": u.region.name,
                "region_code": u.region.code,
                "phone": u.phone,
                "address": u.address,
                "team_type": teams.get(u.team_type, ""),
                "sectors": "、".join(sectors.get(s, s) for s in u.sectors or []),
                "owner_kind": owners.get(u.owner_kind, ""),
                "residential_area": u.residential_area.name if u.residential_area_id else "",
                "duty_phone": u.duty_phone,
                "established_on": u.established_on,
                "is_active": _yes(u.is_active),
                "members": u.n,
            }

    def member_rows():
        for m in members.iterator(chunk_size=1000):
            yield {
                "unit": m.unit.name,
                "region": m.unit.region.name,
                "name": m.name,
                "position": positions.get(m.position, m.position),
                "title": m.title,
                "phone": m.phone,
                "full_time": _yes(m.full_time),
                "since": m.since,
            }

    return [
        Sheet(
            "组织机构台账",
            [
                Column("name", "名称", 26),
                Column("kind", "类型", 18),
                Column("region", "所在区划", 14),
                Column("region_code", "区划代码", 14),
                Column("phone", "电话", 14),
                Column("address", "地址", 24),
                Column("team_type", "队伍性质", 10),
                Column("sectors", "主管行业", 16),
                Column("owner_kind", "微型站建设主体", 12),
                Column("residential_area", "所属小区", 14),
                Column("duty_phone", "值班电话", 12),
                Column("established_on", "成立日期", 11),
                Column("is_active", "在用", 6),
                Column("members", "成员数", 7),
            ],
            unit_rows(),
            units.count,
        ),
        Sheet(
            "成员",
            [
                Column("unit", "机构", 26),
                Column("region", "所在区划", 14),
                Column("name", "姓名", 10),
                Column("position", "职务", 12),
                Column("title", "职称/岗位", 16),
                Column("phone", "电话", 14),
                Column("full_time", "专职", 6),
                Column("since", "任职日期", 11),
            ],
            member_rows(),
            members.count,
        ),
    ]


def areas_ledger(user, region, year):
    kinds = _labels(AreaKind)
    managers = {
        m.area_id: m
        for m in FireManager.objects.restrict(user).filter(area__region__path__startswith=region.path)
    }

    qs = (
        ResidentialArea.objects.restrict(user)
        .filter(region__path__startswith=region.path)
        .select_related("region")
        .order_by("region__path", "name")
    )

    def rows():
        for a in qs.iterator(chunk_size=1000):
            m = managers.get(a.pk)
            yield {
                "name": a.name,
                "kind": kinds.get(a.kind, a.kind),
                "region": a.region.name,
                "region_code": a.region.code,
                "address": a.address,
                "households": a.households,
                "built_year": a.built_year,
                "manager": m.name if m else "",
                "manager_phone": m.phone if m else "",
                "appointed_on": m.appointed_on if m else None,
                "has_manager": _yes(m),
            }

    columns = [
        Column("name", "名称", 20),
        Column("kind", "类型", 12),
        Column("region", "所在区划", 14),
        Column("region_code", "区划代码", 14),
        Column("address", "地址", 24),
        Column("households", "户数", 8),
        Column("built_year", "建成年份", 9),
        Column("manager", "消防管理员", 10),
        Column("manager_phone", "管理员电话", 14),
        Column("appointed_on", "任命日期", 11),
        Column("has_manager", "已配管理员", 9),
    ]
    return [Sheet("小区村组台账", columns, rows(), qs.count)]


def _staff(user, region):
    inside = Q(role_assignments__region__path__startswith=region.path) | Q(
        org_unit__region__path__startswith=region.path
    )
    ids = User.objects.filter(inside).values("pk")
    return User.objects.restrict(user).filter(pk__in=ids, is_active=True)


def staff_ledger(user, region, year):
    roles, kinds = _labels(Role), _labels(QualificationKind)
    today = timezone.localdate()

    staff = _staff(user, region)
    qualifications = (
        Qualification.objects.restrict(user)
        .filter(user__in=_staff(user, region))
        .select_related("user")
        .order_by("user__username", "-expires_on")
    )

    def staff_rows():
        qs = (
            staff.select_related("org_unit")
            .prefetch_related("role_assignments__region", "role_assignments__unit")
            .with_can_inspect(today)
            .order_by("username")
        )
        for u in qs:
            current = [a for a in u.role_assignments.all() if a.is_current(today)]
            yield {
                "username": u.username,
                "full_name": u.full_name,
                "phone": u.phone,
                "org_unit": u.org_unit.name if u.org_unit_id else "",
                "roles": "；".join(
                    f"{roles.get(a.role, a.role)}@{(a.region or a.unit or '')}" for a in current
                ),
                "can_inspect": _yes(u.has_valid_enforcement),
            }

    def qualification_rows():
        for q in qualifications:
            yield {
                "username": q.user.username,
                "full_name": q.user.full_name,
                "kind": kinds.get(q.kind, q.kind),
                "certificate_no": q.certificate_no,
                "training_hours": q.training_hours,
                "passed_on": q.passed_on,
                "expires_on": q.expires_on,
                "issued_by": q.issued_by,
                "valid": _yes(q.is_valid(today)),
            }

    return [
        Sheet(
            "人员台账",
            [
                Column("username", "账号", 16),
                Column("full_name", "姓名", 10),
                Column("phone", "电话", 14),
                Column("org_unit", "所在机构", 24),
                Column("roles", "角色及范围", 40),
                Column("can_inspect", "执法资格有效", 10),
            ],
            staff_rows(),
            staff.count,
        ),
        Sheet(
            "资格证书",
            [
                Column("username", "账号", 16),
                Column("full_name", "姓名", 10),
                Column("kind", "类别", 18),
                Column("certificate_no", "证书编号", 16),
                Column("training_hours", "培训学时", 8),
                Column("passed_on", "取得日期", 11),
                Column("expires_on", "有效期至", 11),
                Column("issued_by", "发证机关", 16),
                Column("valid", "有效", 6),
            ],
            qualification_rows(),
            qualifications.count,
        ),
    ]


def inspections_ledger(user, region, year):
    kinds, statuses, outcomes = _labels(InspectionKind), _labels(InspectionStatus), _labels(Outcome)

    inspections = Inspection.objects.restrict(user).filter(
        place__region__path__startswith=region.path, inspected_on__year=year
    )

    def rows():
        qs = (
            inspections.select_related("place", "place__region")
            .prefetch_related("inspectors")
            .annotate(found=Count("hazards", distinct=True))
            .order_by("inspected_on", "id")
        )
        for i in qs.iterator(chunk_size=1000):
            yield {
                "inspected_on": i.inspected_on,
                "kind": kinds.get(i.kind, i.kind),
                "status": statuses.get(i.status, i.status),
                "place": i.place.name,
                "place_code": i.place.code,
                "grid": i.place.region.name,
                "inspectors": "、".join(str(u) for u in i.inspectors.all()),
                "outcome": outcomes.get(i.outcome, ""),
                "hazards": i.found,
                "major_confirmed": "" if i.major_confirmed is None else _yes(i.major_confirmed),
                "submitted_at": _local(i.submitted_at),
            }

    columns = [
        Column("inspected_on", "检查日期", 11),
        Column("kind", "检查类型", 14),
        Column("status", "状态", 8),
        Column("place", "场所", 22),
        Column("place_code", "场所码", 14),
        Column("grid", "网格", 14),
        Column("inspectors", "检查人员", 18),
        Column("outcome", "检查结果", 12),
        Column("hazards", "发现隐患", 8),
        Column("major_confirmed", "重大隐患", 8),
        Column("submitted_at", "提交时间", 17),
    ]
    return [Sheet(f"检查台账{year}", columns, rows(), inspections.count)]


def devices_ledger(user, region, year):
    kinds, statuses = _labels(DeviceKind), _labels(DeviceStatus)
    alarm_kinds, alarm_statuses = _labels(AlarmKind), _labels(AlarmStatus)

    devices = (
        Device.objects.restrict(user)
        .filter(region__path__startswith=region.path)
        .select_related("place", "region")
        .order_by("region__path", "ident")
    )
    alarms = (
        Alarm.objects.restrict(user)
        .filter(region__path__startswith=region.path, first_at__year=year)
        .select_related("device", "place", "region")
        .order_by("first_at", "id")
    )

    def device_rows():
        for d in devices.iterator(chunk_size=1000):
            yield {
                "ident": d.ident,
                "name": d.name,
                "kind": kinds.get(d.kind, d.kind),
                "place": d.place.name if d.place_id else "",
                "grid": d.region.name,
                "location": d.location,
                "installed_on": d.installed_on,
                "is_active": _yes(d.is_active),
                "status": statuses.get(d.status, d.status),
                "last_seen_at": _local(d.last_seen_at),
            }

    def alarm_rows():
        for a in alarms.iterator(chunk_size=1000):
            yield {
                "first_at": _local(a.first_at),
                "device": a.device.ident,
                "kind": alarm_kinds.get(a.kind, a.kind),
                "status": alarm_statuses.get(a.status, a.status),
                "text": a.text,
                "value": a.value,
                "count": a.count,
                "place": a.place.name if a.place_id else "",
                "grid": a.region.name,
                "acknowledged_at": _local(a.acknowledged_at),
                "cleared_at": _local(a.cleared_at),
            }

    return [
        Sheet(
            "物联设备台账",
            [
                Column("ident", "设备编号", 18),
                Column("name", "名称", 18),
                Column("kind", "类型", 16),
                Column("place", "场所", 22),
                Column("grid", "网格", 14),
                Column("location", "安装位置", 16),
                Column("installed_on", "安装日期", 11),
                Column("is_active", "在用", 6),
                Column("status", "状态", 8),
                Column("last_seen_at", "最后通信", 17),
            ],
            device_rows(),
            devices.count,
        ),
        Sheet(
            f"告警{year}",
            [
                Column("first_at", "首次告警", 17),
                Column("device", "设备编号", 18),
                Column("kind", "类型", 8),
                Column("status", "状态", 10),
                Column("text", "内容", 24),
                Column("value", "数值", 8),
                Column("count", "次数", 6),
                Column("place", "场所", 22),
                Column("grid", "网格", 14),
                Column("acknowledged_at", "确认时间", 17),
                Column("cleared_at", "解除时间", 17),
            ],
            alarm_rows(),
            alarms.count,
        ),
    ]


@dataclass(frozen=True)
class Ledger:
    name: str
    title: str
    build: object
    yearly: bool = False


LEDGERS = {
    ledger.name: ledger
    for ledger in [
        Ledger("regions", _("Regions"), regions_ledger),
        Ledger("units", _("Org units with members"), units_ledger),
        Ledger("areas", _("Residential areas with fire managers"), areas_ledger),
        Ledger("staff", _("Staff with roles and qualifications"), staff_ledger),
        Ledger("inspections", _("Inspections"), inspections_ledger, yearly=True),
        Ledger("devices", _("IoT devices and alarms"), devices_ledger, yearly=True),
    ]
}


def ledger_file(name, user, region, year):
    """(open temporary file holding the xlsx, download filename). The caller streams and closes it."""
    ledger = LEDGERS[name]
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    write_workbook(ledger.build(user, region, year), out)
    out.seek(0)
    suffix = f"-{year}" if ledger.yearly else ""
    return out, f"{name}-{region.code}{suffix}.xlsx"
