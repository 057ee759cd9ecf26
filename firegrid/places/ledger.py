"""Excel ledgers (台账) of places: the xlsx template, the all-or-nothing import, the scoped export.

Import reads every row first and collects every problem as (row as Excel numbers it, column title,
message); a file with any problem writes nothing. A clean file is created in one transaction with
the same derived values, grade events and audit rows as `actions.save_place`, in bulk.

The sheet layout is shared by template, import and export: row 1 holds the Chinese column titles,
row 2 the field keys (English), data starts on row 3. Import finds the columns by title or key, so
their order does not matter and extra columns (the export's grade columns) are ignored.
"""

import datetime
import io
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from shapely import STRtree
from shapely.geometry import Point

from firegrid.core.geo import to_shape
from firegrid.core.models import AuditEvent
from firegrid.core.validators import credit_code_check_char, validate_credit_code
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region
from firegrid.places import actions
from firegrid.places.choices import KIND_SECTOR, Authority, PlaceKind, PlaceStatus, RiskLevel, SelfBuiltUse
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent, normalise_address

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 250 * 1024 * 1024  # a zip bomb stops here, before any XML is parsed
MAX_ROWS = 20_000
HEADER_SCAN_ROWS = 10
MAX_BLANK_RUN = 1000  # this many empty rows in a row end the data (formatted-but-empty sheets)
EXAMPLE_MARK = "【示例】"  # rows whose name starts with this are the template's example, skipped
DATA_SHEET = "场所台账"
NOTES_SHEET = "填写说明"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str  # the Place field
    zh: str
    en: str
    type: str = "text"  # text, number, integer, kind, uses, bool
    required: bool = False
    width: int = 14
    note: str = ""  # bilingual note for the notes sheet and the header comment

    @property
    def title(self):
        """How errors name the column: '经度 lng'."""
        return f"{self.zh} {self.key}"


COLUMNS = [
    Column("name", "名称", "Name", required=True, width=24),
    Column(
        "kind",
        "类型",
        "Kind",
        "kind",
        required=True,
        width=26,
        note="选择下拉项，或填类型代码（见下表）。 Pick from the list, or type a kind code (table below).",
    ),
    Column(
        "address",
        "地址",
        "Address",
        required=True,
        width=32,
        note="用于查重：去掉空格、标点，全角数字视同半角。 Used to find duplicates, ignoring spaces, "
        "punctuation and full-width digits.",
    ),
    Column(
        "lat",
        "纬度",
        "Latitude",
        "number",
        required=True,
        width=12,
        note="十进制度，如 29.0283。所在网格由坐标自动确定。 Decimal degrees; the grid is derived.",
    ),
    Column("lng", "经度", "Longitude", "number", required=True, width=12, note="十进制度，如 106.6512。"),
    Column(
        "credit_code",
        "统一社会信用代码",
        "Unified social credit code",
        width=22,
        note="18位，按 GB 32100 校验；无则留空。 18 characters, check digit per GB 32100; blank if none.",
    ),
    Column("responsible_person", "消防安全责任人", "Responsible person"),
    Column("responsible_phone", "责任人电话", "Responsible person's phone"),
    Column("manager_name", "消防安全管理人", "Manager"),
    Column("manager_phone", "管理人电话", "Manager's phone"),
    Column("building_area", "建筑面积(㎡)", "Building area (m²)", "number", note="不能为负。 Not negative."),
    Column("area_above_ground", "地上面积(㎡)", "Area above ground (m²)", "number"),
    Column("area_underground", "地下面积(㎡)", "Area underground (m²)", "number"),
    Column("height_m", "建筑高度(m)", "Height (m)", "number"),
    Column("floors_above", "地上层数", "Floors above ground", "integer"),
    Column("floors_below", "地下层数", "Floors below ground", "integer"),
    Column("built_year", "建成年份", "Year built", "integer", note="如 1998。 E.g. 1998."),
    Column("beds", "床位数", "Beds", "integer"),
    Column("rooms", "客房数", "Guest rooms", "integer"),
    Column("children", "在园(托)儿童数", "Children enrolled", "integer"),
    Column("boarding_beds", "寄宿床位数", "Boarding beds", "integer"),
    Column("staff_count", "从业人员数", "Workers", "integer"),
    Column(
        "occupants",
        "居住/工作/培训人数",
        "People staying, working or training",
        "integer",
        width=18,
        note="自建房同时居住、工作或培训的最多人数。 For self-built houses: the most people at once.",
    ),
    Column(
        "self_built_uses",
        "自建房用途",
        "Self-built house uses",
        "uses",
        width=18,
        note="仅自建房填写；多个用逗号分隔。 Self-built houses only; codes separated by commas: "
        + ", ".join(SelfBuiltUse.values),
    ),
    Column("households", "户数", "Households", "integer"),
    Column(
        "has_fire_control_room", "消防控制室", "Fire control room", "bool", width=10, note="是/否。 Yes/no."
    ),
    Column(
        "public_commitment",
        "消防安全承诺",
        "Public fire safety commitment",
        width=40,
        note="将在场所码公开页显示。 Shown on the place's public code page.",
    ),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = [c.key for c in COLUMNS if c.required]
AREA_FIELDS = {"building_area", "area_above_ground", "area_underground", "height_m"}
TEXT_FORMAT_FIELDS = {"credit_code", "responsible_phone", "manager_phone"}
# the model's derived fields whose errors belong to a column the user typed
DERIVED_FIELD_COLUMN = {"address_key": "address", "sector": "kind", "region": "lat"}

# export only: read-only columns after the editable ones (import ignores them)
EXPORT_EXTRA = [
    ("code", "场所码", "Place code", 15),
    ("region_code", "网格编码", "Grid code", 14),
    ("region_name", "所属网格", "Grid", 16),
    ("status", "状态", "Status", 10),
    ("risk_level", "风险等级", "Risk level", 14),
    ("authority", "监管主体", "Supervising authority", 16),
    ("is_key_unit", "重点单位", "Key fire safety unit", 10),
    ("flags", "标记", "Flags", 24),
    ("inspections_per_year", "年检查次数", "Inspections per year", 10),
    ("last_inspected_on", "最近检查日期", "Last inspected on", 13),
    ("next_inspection_due", "下次检查到期", "Next inspection due", 13),
]


class LedgerFileError(Exception):
    """The upload is not a readable ledger at all (not xlsx, too big, no header): one message."""


@dataclass
class RowError:
    row: int
    column: str
    message: str
    order: int = 0  # column position, to sort a row's errors like the sheet

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0  # data rows read (the example row not counted)
    skipped: int = 0  # example rows
    errors: list = field(default_factory=list)
    created: list = field(default_factory=list)  # (row, Place) in sheet order
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
            "places": [{"row": row, "code": place.code, "name": place.name} for row, place in self.created],
        }


# ---- reading values --------------------------------------------------------------------------------


def _fold(value):
    """NFKC (full-width digits and punctuation become ASCII), trimmed, case-folded, no inner spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).casefold()


class Problem(Exception):
    """One cell's value cannot be used; the message says why."""


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return str(value).strip()


def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool | datetime.date | datetime.time | datetime.timedelta):
        raise Problem(_("Enter a number."))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise Problem(
                _("“%(value)s” is not a number (write digits only, without units).")
                % {"value": str(value)[:40]}
            ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Problem(_("Enter a number."))
    return number


def _integer(value):
    number = _number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise Problem(_("Enter a whole number."))
    if number < 0:
        raise Problem(_("This cannot be negative."))
    return int(number)


def _choice_lookup(choices):
    """Code or label, in any of the site's languages, → code."""
    lookup = {}
    for code, label in choices.choices:
        lookup[_fold(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup.setdefault(_fold(str(label)), code)
        with translation.override(None):
            lookup.setdefault(_fold(str(label)), code)
    return lookup


BOOL_WORDS = {
    **dict.fromkeys(["是", "有", "y", "yes", "true", "1", "√", "✓"], True),
    **dict.fromkeys(["否", "无", "没有", "n", "no", "false", "0", "×", "✗"], False),
}


class RowReader:
    """Turns the raw cells of one row into Place field values, raising Problem per cell."""

    def __init__(self):
        self.kinds = _choice_lookup(PlaceKind)
        self.uses = _choice_lookup(SelfBuiltUse)

    def read(self, column, raw):
        kind = column.type
        if kind == "text":
            return _text(raw)
        if kind == "number":
            number = _number(raw)
            if number is not None and number < 0 and column.key in AREA_FIELDS:
                raise Problem(_("An area or height cannot be negative."))
            return number
        if kind == "integer":
            return _integer(raw)
        if kind == "kind":
            text = _text(raw)
            if not text:
                return ""
            code = self.kinds.get(_fold(text))
            if code is None:
                raise Problem(
                    _("Unknown kind “%(kind)s”: use a kind code or name from the sheet %(sheet)s.")
                    % {"kind": text[:60], "sheet": NOTES_SHEET}
                )
            return code
        if kind == "uses":
            text = unicodedata.normalize("NFKC", _text(raw))
            uses, unknown = [], []
            for token in re.split(r"[,;、\s/|]+", text):
                if not token:
                    continue
                code = self.uses.get(_fold(token))
                if code is None:
                    unknown.append(token)
                elif code not in uses:
                    uses.append(code)
            if unknown:
                raise Problem(
                    _("Unknown self-built use(s) %(uses)s: choose from %(choices)s.")
                    % {"uses": ", ".join(unknown)[:80], "choices": ", ".join(SelfBuiltUse.values)}
                )
            return uses
        if kind == "bool":
            if raw is None or raw == "":
                return False
            if isinstance(raw, bool):
                return raw
            answer = BOOL_WORDS.get(_fold(_text(raw)))
            if answer is None:
                raise Problem(_("Write 是 or 否 (yes or no)."))
            return answer
        raise AssertionError(kind)


# ---- reading the file --------------------------------------------------------------------------------


def _sniff(head):
    """A clear message for an upload that is not a zip (so not an xlsx) at all."""
    if not head:
        return _("The file is empty.")
    if head.startswith(b"MZ"):
        return _("This is a program (an .exe file), not an Excel workbook. Upload the .xlsx ledger.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _(
            "This is an old .xls workbook (or a password-protected one). Open it in Excel or WPS, "
            "remove any password and save it as .xlsx."
        )
    if head.startswith(b"%PDF"):
        return _("This is a PDF, not an Excel workbook. Upload the .xlsx ledger.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable >= 0.95 * len(text):
            return _(
                "This is a text (CSV) file, not an Excel workbook. Open it in Excel or WPS and save it "
                "as .xlsx, or fill in the template."
            )
    return _("This file is not an Excel (.xlsx) workbook. Upload the .xlsx ledger, e.g. the template.")


def _header_map(cells, known):
    """{column index: key} of the cells that name a ledger column."""
    found = {}
    for index, value in enumerate(cells):
        if value is None:
            continue
        key = known.get(_fold(value))
        if key is not None and key not in found.values():
            found[index] = key
    return found


def _header_lookup():
    known = {}
    for c in COLUMNS:
        for name in (c.zh, c.key, c.en, c.title, f"{c.zh}{c.en}"):
            known[_fold(name)] = c.key
    return known


def read_ledger(fileobj):
    """Open an uploaded ledger: [(Excel row number, {key: raw value})], or LedgerFileError."""
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
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise LedgerFileError(
            _("The file is damaged or incomplete (it cannot be unpacked). Save it again from Excel.")
        ) from None
    if "xl/workbook.xml" not in names:
        raise LedgerFileError(
            _("This is a zip archive or another Office file, not an Excel (.xlsx) workbook.")
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise LedgerFileError(
            _("The workbook is too large when unpacked. Split the ledger into smaller files.")
        )
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on broken files; all mean "unreadable"
        raise LedgerFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel, save it again as .xlsx.")
        ) from None
    try:
        return _read_rows(workbook)
    except LedgerFileError:
        raise
    except Exception:  # a broken sheet found while streaming its rows
        raise LedgerFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel, save it again as .xlsx.")
        ) from None
    finally:
        workbook.close()


def _read_rows(workbook):
    known = _header_lookup()
    width = len(COLUMNS) + len(EXPORT_EXTRA) + 40
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # a chart sheet
        rows = sheet.iter_rows(min_row=1, max_col=width, values_only=True)
        header, header_row = None, 0
        for number, cells in enumerate(rows, start=1):
            found = _header_map(cells, known)
            if header is None:
                if len(found) >= 3:
                    header, header_row = found, number
                elif number >= HEADER_SCAN_ROWS:
                    break
                continue
            if number == header_row + 1 and len(found) >= 3:
                continue  # the second header row (field keys)
            return _data_rows(header, number, cells, rows)
        if header is not None:
            _check_header(header)
            return []
    raise LedgerFileError(
        _(
            "No header row found: the first sheet must start with the column titles of the template "
            "(e.g. %(titles)s). Download the template and copy your rows into it."
        )
        % {"titles": "、".join(COLUMN_BY_KEY[k].zh for k in REQUIRED)}
    )


def _check_header(header):
    missing = [COLUMN_BY_KEY[k].title for k in REQUIRED if k not in header.values()]
    if missing:
        raise LedgerFileError(
            _("The sheet lacks the required column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )


def _data_rows(header, first_number, first_cells, rows):
    _check_header(header)
    data, blank_run = [], 0
    number, cells = first_number, first_cells
    while True:
        values = {key: cells[index] for index, key in header.items() if index < len(cells)}
        if any(v is not None and str(v).strip() != "" for v in values.values()):
            blank_run = 0
            data.append((number, values))
            if len(data) > MAX_ROWS:
                raise LedgerFileError(
                    _("The sheet has more than %(max)s rows. Split the ledger into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
        else:
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
        try:
            cells = next(rows)
        except StopIteration:
            break
        number += 1
    return data


# ---- where a place lies ------------------------------------------------------------------------------


class GridLocator:
    """Region.objects.locate(lat, lng) for many points: the grids are loaded and indexed once."""

    def __init__(self):
        self.grids = list(
            Region.objects.filter(level=RegionLevel.GRID, min_lat__isnull=False).order_by("path")
        )
        self.shapes = [to_shape(g.boundary) for g in self.grids]
        self.tree = STRtree(self.shapes) if self.shapes else None

    def locate(self, lat, lng):
        if self.tree is None:
            return None
        point = Point(float(lng), float(lat))
        for index in sorted(self.tree.query(point)):  # grids are in path order, like locate()
            if self.shapes[index].covers(point):
                return self.grids[index]
        return None


# ---- validation --------------------------------------------------------------------------------------


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(field_name, values):
    """{value: code of an existing place} for values of a field, queried in chunks.

    Deliberately not restricted to the user's scope: a duplicate is a duplicate anywhere in the
    district. Only the place code (public, printed on its sign) is named, nothing private."""
    found = {}
    for chunk in _chunks(values):
        for value, code in Place.objects.filter(**{f"{field_name}__in": chunk}).values_list(
            field_name, "code"
        ):
            found.setdefault(value, code)
    return found


def validate_rows(rows, user, *, progress=None):
    """Check every row; return ([(row, unsaved Place)], [RowError]). Nothing is written."""
    reader = RowReader()
    locator = GridLocator()
    writable = set(
        Region.objects.restrict(user, "change").filter(level=RegionLevel.GRID).values_list("pk", flat=True)
    )
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    errors, places = [], []
    seen_codes, seen_keys = {}, {}

    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = {}  # key → message: the first problem of each column

        def problem(key, message, row_errors=row_errors):
            key = DERIVED_FIELD_COLUMN.get(key, key)
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
        if values.get("credit_code"):
            values["credit_code"] = _fold(values["credit_code"]).upper()
            try:
                validate_credit_code(values["credit_code"])
            except ValidationError as exc:
                problem("credit_code", " ".join(exc.messages))

        place = Place(**{k: v for k, v in values.items() if k not in row_errors})
        lat, lng = values.get("lat"), values.get("lng")
        if "lat" not in row_errors and "lng" not in row_errors and lat is not None and lng is not None:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                problem("lat", _("Latitude must lie between -90 and 90, longitude between -180 and 180."))
            else:
                grid = locator.locate(lat, lng)
                if grid is None:
                    message = _(
                        "The coordinates %(lat)s, %(lng)s lie outside every grid of the district."
                    ) % {"lat": lat, "lng": lng}
                    if -90 <= lng <= 90 and locator.locate(lng, lat) is not None:
                        message += " " + _("Latitude and longitude may be swapped.")
                    problem("lng", message)
                elif grid.pk not in writable:
                    problem(
                        "lng", _("The place lies in %(grid)s, outside your jurisdiction.") % {"grid": grid}
                    )
                else:
                    place.region = grid
        place.address_key = normalise_address(place.address)
        place.sector = KIND_SECTOR.get(place.kind, "")
        try:
            place.full_clean(
                exclude=["region", *row_errors], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problem("" if name == "__all__" else name, " ".join(messages))

        if place.credit_code:
            if place.credit_code in seen_codes:
                problem(
                    "credit_code",
                    _("Same credit code as row %(row)s.") % {"row": seen_codes[place.credit_code]},
                )
            else:
                seen_codes[place.credit_code] = number
        if place.address_key:
            if place.address_key in seen_keys:
                problem("address", _("Same address as row %(row)s.") % {"row": seen_keys[place.address_key]})
            else:
                seen_keys[place.address_key] = number

        for key, message in row_errors.items():
            column = COLUMN_BY_KEY.get(key)
            errors.append(RowError(number, column.title if column else "", message, order.get(key, -1)))
        if not row_errors:
            places.append((number, place))
        if progress and done % 1000 == 0:
            progress(done, len(rows))

    errors.extend(_duplicates_of_existing(rows, seen_codes, seen_keys, order))
    errors.sort(key=lambda e: (e.row, e.order))
    return places, errors


def _duplicates_of_existing(rows, seen_codes, seen_keys, order):
    errors = []
    codes = set(seen_codes) | {c.lower() for c in seen_codes}
    by_code = {k.upper(): v for k, v in _existing("credit_code", codes).items()}
    for credit_code, number in seen_codes.items():
        if credit_code in by_code:
            errors.append(
                RowError(
                    number,
                    COLUMN_BY_KEY["credit_code"].title,
                    _("A place with this credit code is already registered (place code %(code)s).")
                    % {"code": by_code[credit_code]},
                    order["credit_code"],
                )
            )
    by_key = _existing("address_key", seen_keys)
    for key, number in seen_keys.items():
        if key in by_key:
            errors.append(
                RowError(
                    number,
                    COLUMN_BY_KEY["address"].title,
                    _("A place at this address is already registered (place code %(code)s).")
                    % {"code": by_key[key]},
                    order["address"],
                )
            )
    return errors


# ---- writing -----------------------------------------------------------------------------------------


def create_places(places, *, actor=None, source="system", progress=None):
    """Create validated places in one transaction: grade, grade events and audit rows as save_place."""
    ruleset = GradingRuleSet.active()
    snapshots = []
    for place in places:
        snapshots.append(actions.apply_grade(place, ruleset)[1] if ruleset is not None else None)
    with transaction.atomic():
        if not connection.features.can_return_rows_from_bulk_insert:
            for done, place in enumerate(places, start=1):
                actions.save_place(place, actor=actor)
                if progress and done % 1000 == 0:
                    progress(done, len(places))
            return places
        content_type = ContentType.objects.get_for_model(Place, for_concrete_model=False)
        actor = actor if getattr(actor, "is_authenticated", False) else None
        for done, batch in enumerate(_chunks(range(len(places)), 1000), start=1):
            batch_places = [places[i] for i in batch]
            Place.objects.bulk_create(batch_places)
            PlaceGradeEvent.objects.bulk_create(
                PlaceGradeEvent(
                    place=places[i], actor=actor, cause="created", ruleset=ruleset, old={}, new=snapshots[i]
                )
                for i in batch
                if snapshots[i] is not None
            )
            AuditEvent.objects.bulk_create(_audit_event(p, content_type, actor, source) for p in batch_places)
            if progress:
                progress(min(done * 1000, len(places)), len(places))
    return places


def _audit_event(place, content_type, actor, source):
    """The AuditEvent that core.audit records when a place is created with save()."""
    values = place.audit_values()
    place._audit_snapshot = values
    return AuditEvent(
        content_type=content_type,
        object_id=str(place.pk),
        object_repr=str(place)[:200],
        action="create",
        actor=actor,
        source=source,
        changes={name: [None, value] for name, value in values.items() if value not in (None, "")},
    )


def import_places(fileobj, user, *, source="page", dry_run=False, progress=None):
    """Read, validate every row, and (if all is well and not a dry run) create every place.

    Raises LedgerFileError for an unreadable file; row problems come back in result.errors, and
    then nothing has been written.
    """
    rows = read_ledger(fileobj)
    result = ImportResult(dry_run=dry_run)
    data = []
    for number, raw in rows:
        if _text(raw.get("name")).startswith(EXAMPLE_MARK):
            result.skipped += 1
        else:
            data.append((number, raw))
    result.rows = len(data)
    if not data:
        raise LedgerFileError(_("The sheet has no rows of places under its header."))
    places, result.errors = validate_rows(data, user, progress=progress)
    if result.errors or dry_run:
        return result
    create_places([p for _n, p in places], actor=user, source=source, progress=progress)
    result.created = places
    return result


# ---- the template ------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")
KEY_FONT = Font(color="6B7280", size=9)
EXAMPLE_FONT = Font(italic=True, color="6B7280")


def _example_point(user):
    """A point inside a grid the user may write to (else any grid), for the example row."""
    grids = Region.objects.filter(level=RegionLevel.GRID, min_lat__isnull=False).order_by("path")
    grid = grids.restrict(user, "change").first() or grids.first()
    if grid is None:
        return 29.0283, 106.6512
    point = to_shape(grid.boundary).representative_point()
    return round(point.y, 6), round(point.x, 6)


def kind_rows():
    """(code, Chinese name, English name) of every kind."""
    rows = []
    for code, label in PlaceKind.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override(None):
            en = str(label)
        rows.append((code, zh, en))
    return rows


def build_template(user=None):
    """The empty ledger as xlsx bytes: headers, one example row, dropdowns, and a notes sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    notes = wb.create_sheet(NOTES_SHEET)
    kinds = kind_rows()

    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        title = ws.cell(row=1, column=index, value=column.zh)
        title.font = HEADER_FONT
        title.fill = REQUIRED_FILL if column.required else HEADER_FILL
        title.alignment = Alignment(wrap_text=True, vertical="center")
        title.comment = Comment(
            f"{column.en}{' (required / 必填)' if column.required else ''}"
            + (f"\n{column.note}" if column.note else ""),
            "firegrid",
            width=260,
            height=110,
        )
        key = ws.cell(row=2, column=index, value=column.key)
        key.font = KEY_FONT
        ws.column_dimensions[letter].width = column.width
        if column.key in TEXT_FORMAT_FIELDS:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "B3"
    ws.row_dimensions[1].height = 30

    lat, lng = _example_point(user)
    first17 = "91500222MA61ABCDE"
    example = {
        "name": f"{EXAMPLE_MARK}桥河便利店",
        "kind": next(zh for code, zh, _en in kinds if code == PlaceKind.SHOP),
        "address": "古南街道桥河路12号",
        "lat": lat,
        "lng": lng,
        "credit_code": first17 + credit_code_check_char(first17),
        "responsible_person": "张三",
        "responsible_phone": "13800000000",
        "manager_name": "李四",
        "manager_phone": "13900000000",
        "building_area": 80,
        "floors_above": 1,
        "built_year": 2005,
        "staff_count": 3,
        "has_fire_control_room": NO,
        "public_commitment": "我单位承诺遵守消防法规，保持疏散通道畅通。",
    }
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=3, column=index, value=example.get(column.key))
        cell.font = EXAMPLE_FONT
        if column.key in TEXT_FORMAT_FIELDS:
            cell.number_format = "@"

    # notes: general rules, one line per column, then the kinds the dropdown offers
    lines = [
        ("场所台账填写说明 · How to fill in the place ledger",),
        (
            "第1行为中文列名，第2行为字段代码，请勿修改；从第3行起每行一个场所。",
            "Row 1 holds the titles and row 2 the field keys: keep them. One place per row from row 3.",
        ),
        (
            f"名称以“{EXAMPLE_MARK}”开头的行是示例，不会导入。",
            f"Rows whose name starts with {EXAMPLE_MARK} are examples and are not imported.",
        ),
        (
            "导入时先检查每一行；任何一行有错，整个文件都不写入，并列出每个错误的行号和列。",
            "Every row is checked first; if any row has an error nothing is written, and each error is "
            "listed by row and column.",
        ),
        (
            "统一社会信用代码或（规范化后的）地址与已登记场所或本文件其他行相同，视为重复。",
            "A credit code or (normalised) address already registered, or used by another row, "
            "is a duplicate.",
        ),
        (
            f"每个文件不超过 {MAX_ROWS} 行、{MAX_UPLOAD_BYTES // (1024 * 1024)} MB。",
            f"At most {MAX_ROWS:,} rows and {MAX_UPLOAD_BYTES // (1024 * 1024)} MB per file.",
        ),
        (
            "风险等级、监管主体和检查频次由分级规则自动计算，无需填写。",
            "Risk level, supervising authority and inspection frequency are computed by the grading rules.",
        ),
        (),
    ]
    columns_header = len(lines) + 1
    lines += [
        ("列", "列名 Title", "字段 Key", "English", "必填 Required", "格式 Format", "说明 Notes"),
    ]
    formats = {
        "text": "文本 text",
        "number": "数字 number",
        "integer": "整数 whole number",
        "kind": "类型 kind",
        "uses": "代码，逗号分隔 codes, comma-separated",
        "bool": "是/否 yes/no",
    }
    for index, column in enumerate(COLUMNS, start=1):
        lines.append(
            (
                get_column_letter(index),
                column.zh,
                column.key,
                column.en,
                "是 yes" if column.required else "",
                formats[column.type],
                column.note,
            )
        )
    lines += [(), ("类型 Kinds", "代码 Code", "名称 Name", "English")]
    kinds_from = len(lines) + 1
    lines += [("", code, zh, en) for code, zh, en in kinds]
    kinds_to = len(lines)
    lines += [(), ("自建房用途 Self-built uses", "代码 Code", "名称 Name")]
    for code, label in SelfBuiltUse.choices:
        with translation.override("zh-hans"):
            lines.append(("", code, str(label)))
    for line in lines:
        notes.append(list(line))
    notes["A1"].font = Font(bold=True, size=13)
    for row in (columns_header, kinds_from - 1, kinds_to + 2):
        for cell in notes[row]:
            cell.font = HEADER_FONT
    for letter, width in zip("ABCDEFG", (10, 26, 24, 34, 12, 22, 60), strict=True):
        notes.column_dimensions[letter].width = width

    kind_column = get_column_letter(COLUMNS.index(COLUMN_BY_KEY["kind"]) + 1)
    kind_list = DataValidation(
        type="list",
        formula1=f"'{NOTES_SHEET}'!$C${kinds_from}:$C${kinds_to}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # a kind code typed by hand is accepted too
        errorTitle="类型 Kind",
        error="请从列表选择，或填写类型代码。Pick a kind from the list, or type its code.",
        showInputMessage=True,
        promptTitle="类型 Kind",
        prompt="从列表选择场所类型 Pick the kind",
    )
    kind_list.add(f"{kind_column}3:{kind_column}{MAX_ROWS + 2}")
    ws.add_data_validation(kind_list)
    bool_column = get_column_letter(COLUMNS.index(COLUMN_BY_KEY["has_fire_control_room"]) + 1)
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    yes_no.add(f"{bool_column}3:{bool_column}{MAX_ROWS + 2}")
    ws.add_data_validation(yes_no)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- export ------------------------------------------------------------------------------------------

EXPORT_VALUES = [c.key for c in COLUMNS] + [
    "code",
    "region__code",
    "region__name",
    "status",
    "risk_level",
    "authority",
    "is_key_unit",
    "flags",
    "inspections_per_year",
    "last_inspected_on",
    "next_inspection_due",
]


class ExportFilterError(Exception):
    def __init__(self, errors):
        super().__init__(str(errors))
        self.errors = errors


def search_places(queryset, terms):
    """The API's search: every term matches name or address (contains), or credit code or place code."""
    for term in (terms or "").replace(",", " ").split():
        queryset = queryset.filter(
            models.Q(name__icontains=term)
            | models.Q(address__icontains=term)
            | models.Q(credit_code=term)
            | models.Q(code=term)
        )
    return queryset


def export_queryset(user, params):
    """The places the user may see, narrowed like the list: PlaceFilter params and ?search=."""
    filterset = PlaceFilter(params, queryset=Place.objects.restrict(user))
    if not filterset.is_valid():
        raise ExportFilterError({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    return search_places(filterset.qs, params.get("search")).order_by("region__path", "name", "id")


def _cell(ws, value, **style):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula (no formula injection through a place name)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _clean_text(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write_export(queryset, fileobj):
    """Stream the places into an xlsx (openpyxl write-only: memory stays flat however many rows)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    extra_keys = [k for k, *_rest in EXPORT_EXTRA]
    widths = [c.width for c in COLUMNS] + [w for *_rest, w in EXPORT_EXTRA]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "B3"
    ws.append(
        [
            _cell(ws, c.zh, font=HEADER_FONT, fill=REQUIRED_FILL if c.required else HEADER_FILL)
            for c in COLUMNS
        ]
        + [_cell(ws, zh, font=HEADER_FONT, fill=HEADER_FILL) for _k, zh, _en, _w in EXPORT_EXTRA]
    )
    ws.append([_cell(ws, key, font=KEY_FONT) for key in [c.key for c in COLUMNS] + extra_keys])

    kinds = dict(PlaceKind.choices)
    labels = {
        "kind": {k: str(v) for k, v in kinds.items()},
        "status": {k: str(v) for k, v in PlaceStatus.choices},
        "risk_level": {k: str(v) for k, v in RiskLevel.choices},
        "authority": {k: str(v) for k, v in Authority.choices},
    }
    count = 0
    for row in queryset.values_list(*EXPORT_VALUES).iterator(chunk_size=2000):
        record = dict(zip(EXPORT_VALUES, row, strict=True))
        for name, mapping in labels.items():
            record[name] = mapping.get(record[name], record[name])
        record["self_built_uses"] = ",".join(record["self_built_uses"] or [])
        record["has_fire_control_room"] = YES if record["has_fire_control_room"] else NO
        record["is_key_unit"] = YES if record["is_key_unit"] else NO
        record["flags"] = ",".join(f for f in (record["flags"] or "").split("|") if f)
        values = [_clean_text(record[k]) for k in EXPORT_VALUES]
        ws.append([_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in values])
        count += 1
    wb.save(fileobj)
    return count


def export_file(user, params):
    """(open temporary file holding the xlsx, download filename). The caller streams and closes it."""
    queryset = export_queryset(user, params)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    write_export(queryset, out)
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return out, f"places-{stamp}.xlsx"
