"""The empty ledger workbook: titles and keys, one example row, dropdowns, and a notes sheet."""

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from firegrid.core.geo import to_shape
from firegrid.core.validators import credit_code_check_char
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region
from firegrid.places.choices import PlaceKind, SelfBuiltUse
from firegrid.places.ledger.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    EXAMPLE_MARK,
    HEADER_FILL,
    HEADER_FONT,
    KEY_FONT,
    NO,
    NOTES_SHEET,
    REQUIRED_FILL,
    TEXT_FORMAT_FIELDS,
    YES,
)
from firegrid.places.ledger.reading import MAX_ROWS, MAX_UPLOAD_BYTES

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
