"""Outreach in Excel: the scoped xlsx exports of every list, and the all-or-nothing import of online
learning records (xlsx or CSV) exported by a learning platform.

Import: row 1 is the header (Chinese title, English title or key, in any order); every row is read
and every problem is collected as (row, column, message); a file with any problem writes nothing.
Records already imported (same platform and record id) are skipped, so a platform's cumulative
export can be imported again.
"""

import csv
import datetime
import decimal
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from firegrid.core.progress import RowProgress
from firegrid.core.scoping import user_scope
from firegrid.org.models import Region, User
from firegrid.outreach.choices import AudienceGroup
from firegrid.outreach.models import LearningRecord
from firegrid.outreach.scopes import OUTREACH_WRITERS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 20_000
EXPORT_LIMIT = 100_000


class ImportFileError(Exception):
    """The upload cannot be read at all: one message."""


# ---- export ---------------------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, int | float | datetime.date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def write_workbook(title, columns, rows, fileobj, progress=None, total=None):
    """columns: [(header, width)], rows: iterables of values, at most EXPORT_LIMIT of them, written into
    fileobj. `progress(done, total)` is told every few rows (core.progress). Returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, (_header, width) in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append([header for header, _width in columns])
    counter = RowProgress(progress, total)
    for n, row in enumerate(rows):
        if n >= EXPORT_LIMIT:
            break
        sheet.append([_cell(v) for v in row])
        counter.step()
    workbook.save(fileobj)
    return counter.finish()


def workbook_bytes(title, columns, rows):
    """columns: [(header, width)], rows: iterables of values. Returns the xlsx as bytes."""
    out = io.BytesIO()
    write_workbook(title, columns, rows, out)
    return out.getvalue()


# ---- learning-record import -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = True


COLUMNS = [
    Column("platform", "学习平台", "Platform"),
    Column("external_id", "记录编号", "Record id"),
    Column("name", "姓名", "Name"),
    Column("username", "平台账号", "Username", required=False),
    Column("group", "对象类别", "Key group"),
    Column("region_code", "区域编码", "Region code"),
    Column("course", "课程", "Course"),
    Column("hours", "学时", "Hours"),
    Column("completed_on", "完成日期", "Completed on"),
    Column("score", "成绩", "Score", required=False),
]
GROUP_ZH = {
    "street_cadre": "街镇干部",
    "committee_member": "村（居）委成员",
    "grid_worker": "网格员",
    "property_staff": "物管人员",
    "rental_landlord": "群租房业主",
    "crowded_place_manager": "人员密集场所负责人",
    "enforcement_staff": "消防行政执法人员",
    "other": "其他",
}


def _fold(value):
    return "".join(str(value).split()).lower()


def _known_headers():
    known = {}
    for c in COLUMNS:
        for name in (c.key, c.zh, c.en, f"{c.zh} {c.key}"):
            known[_fold(name)] = c
    return known


def _group_lookup():
    lookup = {}
    for code, label in AudienceGroup.choices:
        for name in (code, str(label), GROUP_ZH.get(code, "")):
            if name:
                lookup[_fold(name)] = code
    return lookup


def template_bytes():
    columns = [(f"{c.zh} {c.key}", 16) for c in COLUMNS]
    example = [
        "全民消防学习云平台",
        "EX-0001",
        "张三",
        "",
        "网格员",
        "500110001",
        "家庭消防安全常识",
        2,
        "2026-03-01",
        90,
    ]
    return workbook_bytes("学习记录", columns, [example])


def _read_xlsx(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise ImportFileError(_("This is not an Excel (.xlsx) workbook."))
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportFileError(
                    _("The workbook is too large when unpacked. Split it into smaller files.")
                )
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(
            _("The workbook cannot be read; it may be damaged. Save it again as .xlsx.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        workbook.close()


def _read_csv(head_and_rest):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head_and_rest.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    try:
        return list(csv.reader(io.StringIO(text)))[: MAX_ROWS + 2]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def read_rows(upload):
    """[(row number, {key: value})] and the header problems, from an xlsx or CSV upload."""
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    head = upload.read(4)
    upload.seek(0)
    rows = _read_xlsx(upload) if head == b"PK\x03\x04" else _read_csv(upload.read())
    if not rows:
        raise ImportFileError(_("The file has no header row."))
    known = _known_headers()
    columns = {}
    for index, value in enumerate(rows[0]):
        column = known.get(_fold(value)) if value not in (None, "") else None
        if column is not None and column.key not in columns.values():
            columns[index] = column.key
    missing = [c for c in COLUMNS if c.required and c.key not in columns.values()]
    if missing:
        raise ImportFileError(
            _("Columns missing from the header: %(names)s.")
            % {"names": "、".join(f"{c.zh} ({c.key})" for c in missing)}
        )
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: (row[index] if index < len(row) else None) for index, key in columns.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        out.append((number, values))
    if len(out) > MAX_ROWS:
        raise ImportFileError(_("More than %(n)s rows: split the file.") % {"n": MAX_ROWS})
    return out


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
    created: int = 0
    skipped: int = 0
    dry_run: bool = False
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        data = {
            "rows": self.rows,
            "created": self.created,
            "skipped_existing": self.skipped,
            "dry_run": self.dry_run,
        }
        return data | ({"errors": [e.as_dict() for e in self.errors]} if self.errors else {})


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    return datetime.date.fromisoformat(text) if text else None


def writable_paths(user):
    scope = user_scope(user)
    if scope.superuser:
        return [""]
    return [g.region_path for g in scope.grants_for("add", OUTREACH_WRITERS) if g.region_path]


def import_learning_records(upload, user, *, dry_run=False):
    """Check every row; import all of them, or none when any row has a problem."""
    rows = read_rows(upload)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    title = {c.key: c.zh for c in COLUMNS}
    paths = writable_paths(user)
    groups = _group_lookup()
    regions = {}
    visible_users = User.objects.restrict(user)
    seen = {}
    records = []

    def problem(number, key, message):
        result.errors.append(RowError(number, title[key], message))

    for number, values in rows:
        text = {key: _text(values.get(key)) for key in title}
        for column in COLUMNS:
            if column.required and not text[column.key]:
                problem(number, column.key, _("Required."))
        group = groups.get(_fold(text["group"])) if text["group"] else None
        if text["group"] and group is None:
            problem(number, "group", _("Unknown key group “%(value)s”.") % {"value": text["group"]})
        region = None
        if text["region_code"]:
            if text["region_code"] not in regions:
                regions[text["region_code"]] = Region.objects.filter(code=text["region_code"]).first()
            region = regions[text["region_code"]]
            if region is None:
                problem(
                    number, "region_code", _("No region with code %(code)s.") % {"code": text["region_code"]}
                )
            elif not any(region.path.startswith(p) for p in paths):
                problem(
                    number,
                    "region_code",
                    _("Region %(code)s is outside your jurisdiction.") % {"code": text["region_code"]},
                )
        hours = None
        if text["hours"]:
            try:
                hours = decimal.Decimal(text["hours"]).quantize(decimal.Decimal("0.1"))
                if hours < 0 or hours > 1000:
                    raise decimal.InvalidOperation
            except (decimal.InvalidOperation, ValueError):
                problem(number, "hours", _("Hours are a number from 0 to 1000."))
        completed_on = None
        if text["completed_on"]:
            try:
                completed_on = _date(values.get("completed_on"))
                if completed_on > timezone.localdate():
                    problem(number, "completed_on", _("The date is in the future."))
            except ValueError:
                problem(number, "completed_on", _("Not a date (YYYY-MM-DD)."))
        score = None
        if text["score"]:
            try:
                score = int(decimal.Decimal(text["score"]))
                if not 0 <= score <= 100:
                    raise ValueError
            except (decimal.InvalidOperation, ValueError):
                problem(number, "score", _("A score is a whole number from 0 to 100."))
        account = None
        if text["username"]:
            account = visible_users.filter(username=text["username"]).first()
            if account is None:
                problem(
                    number,
                    "username",
                    _("No user %(name)s in your jurisdiction.") % {"name": text["username"]},
                )
        key = (text["platform"], text["external_id"])
        if all(key):
            if key in seen:
                problem(number, "external_id", _("The same record as row %(row)s.") % {"row": seen[key]})
            seen.setdefault(key, number)
        for column in ("platform", "name", "course"):
            limit = LearningRecord._meta.get_field(column).max_length
            if len(text[column]) > limit:
                problem(number, column, _("At most %(n)s characters.") % {"n": limit})
        if len(text["external_id"]) > 80:
            problem(number, "external_id", _("At most %(n)s characters.") % {"n": 80})
        records.append(
            LearningRecord(
                platform=text["platform"],
                external_id=text["external_id"],
                name=text["name"],
                user=account,
                group=group or "",
                region=region,
                course=text["course"],
                hours=hours,
                completed_on=completed_on,
                score=score,
            )
        )
    if result.errors:
        return result
    existing = set()
    for platform in {r.platform for r in records}:
        ids = [r.external_id for r in records if r.platform == platform]
        existing |= {
            (platform, e)
            for e in LearningRecord.objects.filter(platform=platform, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        }
    new = [r for r in records if (r.platform, r.external_id) not in existing]
    result.skipped = len(records) - len(new)
    result.created = len(new)
    if not dry_run and new:
        with transaction.atomic():
            for record in new:
                record.save()  # one by one: each is audited
    return result
