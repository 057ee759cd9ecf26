"""The facility ledger (设施台账) in Excel: template, all-or-nothing import, scoped export.

The same approach as the place ledger (firegrid.places.ledger): row 1 holds the Chinese column titles,
row 2 the field keys, data starts on row 3; columns are found by title or key. Import reads every
row first and collects every problem as (Excel row, column title, message); a file with any problem
writes nothing. The upload checks (size, zip, not-an-xlsx messages) are the place ledger's.
"""

import datetime
import io
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from firegrid.core.progress import RowProgress
from firegrid.facilities.choices import FacilityKind, FacilityStatus
from firegrid.facilities.models import Facility
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region
from firegrid.places.ledger.cells import Problem, _choice_lookup, _fold, _number, _text
from firegrid.places.ledger.importer import GridLocator
from firegrid.places.ledger.reading import (
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    LedgerFileError,
    _sniff,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "设施台账"
EXAMPLE_MARK = "【示例】"
MAX_ROWS = 20_000
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")
KEY_FONT = Font(color="6B7280", size=9)


# The ledger is a Chinese document whatever the page language: the Chinese names of kinds and
# statuses are part of its format (accepted on import, listed in the notes, written on export).
KIND_ZH = {
    "hydrant": "市政消火栓",
    "pool": "消防水池",
    "tank": "消防水箱",
    "pipe_network": "消防给水管网",
    "intake_point": "天然水源取水点",
    "pump_room": "取水泵房",
    "water_dock": "消防车取水码头",
    "station_full_time": "政府专职消防站",
    "station_volunteer": "志愿消防站",
    "fire_lane": "消防车通道",
    "small_engine_road": "小型消防车/消防摩托车通道",
    "firebreak": "防火隔离带",
    "lookout_tower": "火情瞭望塔",
    "monitoring_post": "监测哨",
    "checkpoint": "林区检查站",
    "heli_water_point": "直升机取水点",
    "helipad": "直升机停机坪",
}
STATUS_ZH = {"working": "完好", "damaged": "损坏", "missing": "缺失", "planned": "规划"}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    type: str = "text"  # text, number, integer, kind, status, date
    required: bool = False
    width: int = 14

    @property
    def title(self):
        return f"{self.zh} {self.key}"


COLUMNS = [
    Column("name", "名称", "Name", required=True, width=24),
    Column("kind", "类型", "Kind", "kind", required=True, width=22),
    Column("status", "状态", "Status", "status", width=10),
    Column("lat", "纬度", "Latitude", "number", required=True, width=12),
    Column("lng", "经度", "Longitude", "number", required=True, width=12),
    Column("address", "位置", "Address or landmark", width=28),
    Column("owner", "权属单位", "Owner", width=18),
    Column("maintainer", "维护单位", "Maintained by", width=18),
    Column("contact_name", "联系人", "Contact"),
    Column("contact_phone", "联系电话", "Contact phone"),
    Column("installed_on", "建成日期", "Installed on", "date", width=12),
    Column("volume_m3", "容积(m³)", "Volume (m³)", "number", width=10),
    Column("pipe_diameter_mm", "管径(mm)", "Pipe diameter (mm)", "integer", width=10),
    Column("length_m", "长度(m)", "Length (m)", "number", width=10),
    Column("device_idents", "物联设备编号", "IoT device ids", width=18),
    Column("notes", "备注", "Notes", width=30),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = [c.key for c in COLUMNS if c.required]
EXPORT_EXTRA = [
    ("code", "设施编码", 12),
    ("region__code", "网格编码", 14),
    ("region__name", "所属网格", 16),
    ("last_checked_on", "最近检查", 12),
]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    created: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        data = {"rows": self.rows, "skipped_example_rows": self.skipped, "dry_run": self.dry_run}
        if self.errors:
            return data | {"errors": [e.as_dict() for e in self.errors]}
        return data | {
            "created": len(self.created),
            "facilities": [{"row": n, "code": f.code, "name": f.name} for n, f in self.created],
        }


# ---- the template ------------------------------------------------------------------------------


def _labels(choices, language):
    if language == "zh-hans":
        names = KIND_ZH if choices is FacilityKind else STATUS_ZH
        return [names[code] for code, _label in choices.choices]
    with translation.override(language):
        return [str(label) for _code, label in choices.choices]


def build_template():
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=column.zh)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        ws.cell(row=2, column=index, value=column.key).font = KEY_FONT
        ws.column_dimensions[cell.column_letter].width = column.width
    example = {
        "name": f"{EXAMPLE_MARK}桥河路1号消火栓",
        "kind": _labels(FacilityKind, "zh-hans")[0],
        "status": _labels(FacilityStatus, "zh-hans")[0],
        "lat": 29.0283,
        "lng": 106.6512,
        "address": "桥河路1号旁",
        "owner": "区自来水公司",
        "pipe_diameter_mm": 150,
        "installed_on": "2020-05-01",
    }
    for index, column in enumerate(COLUMNS, start=1):
        ws.cell(row=3, column=index, value=example.get(column.key)).font = Font(italic=True, color="6B7280")
    notes = wb.create_sheet("填写说明")
    notes.append(["设施台账填写说明 · How to fill in the facility ledger"])
    notes.append(
        [
            "第1行为列名，第2行为字段代码，请勿修改；从第3行起每行一个设施。",
            "One facility per row from row 3.",
        ]
    )
    notes.append(
        [
            "任何一行有错，整个文件都不写入，并列出每个错误的行号和列。",
            "If any row has an error nothing is written.",
        ]
    )
    notes.append(
        ["所在网格由坐标自动确定，坐标须在本区范围内。", "The grid is derived from the coordinates."]
    )
    notes.append([])
    notes.append(["类型 Kind", "代码 Code", "English"])
    kinds_from = notes.max_row + 1
    for (code, _label), zh, en in zip(
        FacilityKind.choices, _labels(FacilityKind, "zh-hans"), _labels(FacilityKind, None), strict=True
    ):
        notes.append([zh, code, en])
    kinds_to = notes.max_row
    notes.append([])
    notes.append(["状态 Status", "代码 Code", "English"])
    for (code, _label), zh, en in zip(
        FacilityStatus.choices, _labels(FacilityStatus, "zh-hans"), _labels(FacilityStatus, None), strict=True
    ):
        notes.append([zh, code, en])
    kind_list = DataValidation(
        type="list",
        formula1=f"'填写说明'!$A${kinds_from}:$A${kinds_to}",
        allow_blank=True,
        errorStyle="warning",
    )
    kind_list.add(f"B3:B{MAX_ROWS + 2}")
    ws.add_data_validation(kind_list)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- reading -----------------------------------------------------------------------------------


def _known_headers():
    known = {}
    for c in COLUMNS:
        for name in (c.zh, c.key, c.en, c.title):
            known[_fold(name)] = c.key
    return known


def read_rows(fileobj):
    """[(Excel row number, {key: raw value})] of an uploaded ledger, or LedgerFileError."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise LedgerFileError(
            _("The file is larger than %(mb)s MB. Split the ledger into smaller files.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    head = fileobj.read(512)
    fileobj.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        raise LedgerFileError(_sniff(head))
    try:
        with zipfile.ZipFile(fileobj) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise LedgerFileError(
                    _("This is a zip archive or another Office file, not an Excel (.xlsx) workbook.")
                )
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise LedgerFileError(
                    _("The workbook is too large when unpacked. Split the ledger into smaller files.")
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise LedgerFileError(
            _("The file is damaged or incomplete (it cannot be unpacked). Save it again from Excel.")
        ) from None
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = list(
            sheet.iter_rows(min_row=1, max_col=len(COLUMNS) + len(EXPORT_EXTRA) + 20, values_only=True)
        )
        workbook.close()
    except Exception:  # openpyxl raises many kinds of errors on broken files; all mean "unreadable"
        raise LedgerFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel, save it again as .xlsx.")
        ) from None
    known = _known_headers()
    header, header_row = None, 0
    for number, cells in enumerate(rows[:10], start=1):
        found = {i: known[_fold(v)] for i, v in enumerate(cells) if v is not None and _fold(v) in known}
        if len(found) >= 3:
            header, header_row = found, number
            break
    if header is None:
        raise LedgerFileError(
            _(
                "No header row found: the sheet must start with the column titles of the template "
                "(%(titles)s)."
            )
            % {"titles": "、".join(COLUMN_BY_KEY[k].zh for k in REQUIRED)}
        )
    missing = [COLUMN_BY_KEY[k].title for k in REQUIRED if k not in header.values()]
    if missing:
        raise LedgerFileError(
            _("The sheet lacks the required column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )
    data = []
    for number, cells in enumerate(rows[header_row:], start=header_row + 1):
        values = {key: cells[i] for i, key in header.items() if i < len(cells)}
        if number == header_row + 1 and all(_fold(v or "") == _fold(k) for k, v in values.items() if v):
            continue  # the keys row
        if any(v is not None and str(v).strip() != "" for v in values.values()):
            data.append((number, values))
    if len(data) > MAX_ROWS:
        raise LedgerFileError(
            _("The sheet has more than %(max)s rows. Split the ledger into smaller files.")
            % {"max": f"{MAX_ROWS:,}"}
        )
    return data


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Problem(_("“%(value)s” is not a date (write YYYY-MM-DD).") % {"value": text[:40]}) from None


class RowReader:
    def __init__(self):
        self.kinds = _choice_lookup(FacilityKind) | {_fold(zh): code for code, zh in KIND_ZH.items()}
        self.statuses = _choice_lookup(FacilityStatus) | {_fold(zh): code for code, zh in STATUS_ZH.items()}
        self.statuses |= {_fold("正常"): "working", _fold("在用"): "working"}

    def read(self, column, raw):
        if column.type == "text":
            return _text(raw)
        if column.type == "number":
            return _number(raw)
        if column.type == "integer":
            number = _number(raw)
            if number is None:
                return None
            if not number.is_integer():
                raise Problem(_("Enter a whole number."))
            return int(number)
        if column.type == "date":
            return _date(raw)
        lookup = self.kinds if column.type == "kind" else self.statuses
        text = _text(raw)
        if not text:
            return ""
        code = lookup.get(_fold(text))
        if code is None:
            raise Problem(
                _("Unknown value “%(value)s”: use a code or name from the notes sheet.")
                % {"value": text[:60]}
            )
        return code


def validate_rows(rows, user):
    """Check every row; ([(row, unsaved Facility)], [RowError]). Nothing is written."""
    reader = RowReader()
    locator = GridLocator()
    writable = set(
        Region.objects.restrict(user, "change").filter(level=RegionLevel.GRID).values_list("pk", flat=True)
    )
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    errors, facilities, seen = [], [], {}
    for number, raw in rows:
        row_errors = {}

        def problem(key, message, row_errors=row_errors):
            row_errors.setdefault(key if key in COLUMN_BY_KEY else "", message)

        values = {}
        for column in COLUMNS:
            if column.key not in raw:
                continue
            try:
                values[column.key] = reader.read(column, raw[column.key])
            except Problem as exc:
                problem(column.key, str(exc))
        for key in REQUIRED:
            if key not in row_errors and values.get(key) in (None, ""):
                problem(key, _("This column is required."))
        if not values.get("status"):
            values["status"] = FacilityStatus.WORKING
        facility = Facility(**{k: v for k, v in values.items() if k not in row_errors})
        lat, lng = values.get("lat"), values.get("lng")
        if "lat" not in row_errors and "lng" not in row_errors and lat is not None and lng is not None:
            grid = locator.locate(lat, lng) if (-90 <= lat <= 90 and -180 <= lng <= 180) else None
            if grid is None:
                problem(
                    "lat",
                    _("The coordinates %(lat)s, %(lng)s lie outside the district.")
                    % {"lat": lat, "lng": lng},
                )
            elif grid.pk not in writable:
                problem(
                    "lat", _("The facility lies in %(grid)s, outside your jurisdiction.") % {"grid": grid}
                )
            else:
                facility.region = grid
        try:
            facility.full_clean(
                exclude=["region", "plan", *row_errors], validate_unique=False, validate_constraints=False
            )
        except Exception as exc:  # ValidationError: name the column it belongs to
            for name, messages in getattr(exc, "message_dict", {"": [str(exc)]}).items():
                problem("" if name == "__all__" else name, " ".join(messages))
        if not row_errors:
            key = (facility.kind, round(facility.lat, 5), round(facility.lng, 5))
            if key in seen:
                problem("lat", _("Same kind at the same point as row %(row)s.") % {"row": seen[key]})
            else:
                seen[key] = number
        for key, message in sorted(row_errors.items(), key=lambda kv: order.get(kv[0], -1)):
            column = COLUMN_BY_KEY.get(key)
            errors.append(RowError(number, column.title if column else "", message))
        if not row_errors:
            facilities.append((number, facility))
    errors.extend(_existing_duplicates(facilities))
    errors.sort(key=lambda e: e.row)
    return facilities, errors


def _existing_duplicates(facilities):
    """A facility of the same kind already registered at the same point (≈1 m) is a duplicate."""
    errors = []
    for number, f in facilities:
        twin = (
            Facility.objects.filter(
                kind=f.kind, lat__range=(f.lat - 1e-5, f.lat + 1e-5), lng__range=(f.lng - 1e-5, f.lng + 1e-5)
            )
            .values_list("code", flat=True)
            .first()
        )
        if twin:
            errors.append(
                RowError(
                    number,
                    COLUMN_BY_KEY["lat"].title,
                    _("A facility of this kind is already registered here (code %(code)s).") % {"code": twin},
                )
            )
    return errors


def import_facilities(fileobj, user, *, dry_run=False):
    """Read, validate every row and, if all is well and not a dry run, create every facility in one
    transaction. LedgerFileError for an unreadable file; row problems in result.errors."""
    rows = read_rows(fileobj)
    result = ImportResult(dry_run=dry_run)
    data = []
    for number, raw in rows:
        if _text(raw.get("name")).startswith(EXAMPLE_MARK):
            result.skipped += 1
        else:
            data.append((number, raw))
    result.rows = len(data)
    if not data:
        raise LedgerFileError(_("The sheet has no rows of facilities under its header."))
    facilities, result.errors = validate_rows(data, user)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for _row, facility in facilities:
            facility.save()  # one by one: each gets its audit record
    result.created = facilities
    return result


# ---- export ------------------------------------------------------------------------------------


def _clean(value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


EXPORT_ORDER = ("region__path", "kind", "name", "id")


def write_export(queryset, fileobj, progress=None):
    """The facilities as an xlsx (write-only); `progress(done, total)` every few rows. Returns the count."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)

    def cell(value, **style):
        c = WriteOnlyCell(ws, value=_clean(value))
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"  # text, never a formula
        for name, setting in style.items():
            setattr(c, name, setting)
        return c

    ws.append(
        [cell(c.zh, font=HEADER_FONT, fill=REQUIRED_FILL if c.required else HEADER_FILL) for c in COLUMNS]
        + [cell(zh, font=HEADER_FONT, fill=HEADER_FILL) for _k, zh, _w in EXPORT_EXTRA]
    )
    ws.append(
        [cell(c.key, font=KEY_FONT) for c in COLUMNS]
        + [cell(k, font=KEY_FONT) for k, _zh, _w in EXPORT_EXTRA]
    )
    names = [c.key for c in COLUMNS] + [k for k, _zh, _w in EXPORT_EXTRA]
    kinds, statuses = KIND_ZH, STATUS_ZH
    counter = RowProgress(progress, queryset.count)
    for row in queryset.values_list(*names).iterator(chunk_size=2000):
        record = dict(zip(names, row, strict=True))
        record["kind"] = kinds.get(record["kind"], record["kind"])
        record["status"] = statuses.get(record["status"], record["status"])
        ws.append([cell(record[n]) for n in names])
        counter.step()
    wb.save(fileobj)
    return counter.finish()


def export_file(queryset):
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    write_export(queryset.order_by(*EXPORT_ORDER), out)
    out.seek(0)
    return out, f"facilities-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
