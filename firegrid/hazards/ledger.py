"""The hazard ledger (隐患台账): the user's cases, filtered like the list, as xlsx.

Laid out like the place ledger: row 1 the Chinese column titles, row 2 the column keys, one row
per case from row 3. The reporter's columns are there only for users who may see reporters
(hazards.privacy), and filled only on the rows where they may.
"""

import tempfile
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from firegrid.core.progress import RowProgress
from firegrid.hazards.choices import CaseStatus, Channel, CloseReason, Level, Severity, Source
from firegrid.hazards.filtersets import HazardCaseFilter
from firegrid.hazards.models import HazardCase
from firegrid.hazards.privacy import may_see_reporter
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region

SHEET = "隐患台账"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FDE7E7")
KEY_FONT = Font(color="808080", size=9)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    width: int = 14


COLUMNS = [
    Column("tracking_code", "编号", 13),
    Column("status", "状态", 14),
    Column("severity", "隐患等级", 10),
    Column("level", "处置层级", 10),
    Column("category", "类别", 16),
    Column("description", "隐患描述", 40),
    Column("place", "场所", 22),
    Column("address", "地址", 28),
    Column("grid", "网格", 14),
    Column("street", "街镇", 12),
    Column("source", "来源", 10),
    Column("channel", "渠道", 12),
    Column("external_ref", "渠道编号", 14),
    Column("reported_at", "上报时间", 17),
    Column("deadline", "整改期限", 12),
    Column("overdue", "是否逾期", 9),
    Column("notice_number", "通知书编号", 14),
    Column("closed_at", "办结时间", 17),
    Column("close_reason", "办结原因", 14),
    Column("department", "报到部门", 14),
]
REPORTER_COLUMNS = [
    Column("reporter_name", "举报人", 12),
    Column("reporter_phone", "举报人电话", 14),
    Column("reporter_email", "举报人邮箱", 20),
]


class LedgerFilterError(Exception):
    def __init__(self, errors):
        super().__init__(str(errors))
        self.errors = errors


def ledger_queryset(user, params, request=None):
    filterset = HazardCaseFilter(params, queryset=HazardCase.objects.restrict(user), request=request)
    if not filterset.is_valid():
        raise LedgerFilterError({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    return filterset.qs.select_related("category", "place", "region", "department").order_by(
        "created_at", "id"
    )


def _text(value):
    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell(ws, value, **style):
    cell = WriteOnlyCell(ws, value=_text(value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"  # text, never a formula (no formula injection through a description)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _streets():
    return {r.code: r.name for r in Region.objects.filter(level=RegionLevel.STREET).only("code", "name")}


def write_ledger(user, queryset, fileobj, now=None, progress=None):
    """Write the cases into an xlsx (write-only: memory stays flat however many rows). Returns the count.
    `progress(done, total)` is told every few rows (core.progress)."""
    now = now or timezone.now()
    reporters = may_see_reporter(user)
    columns = COLUMNS + (REPORTER_COLUMNS if reporters else [])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "B3"
    ws.append([_cell(ws, c.zh, font=HEADER_FONT, fill=HEADER_FILL) for c in columns])
    ws.append([_cell(ws, c.key, font=KEY_FONT) for c in columns])
    labels = {
        "status": dict(CaseStatus.choices),
        "severity": dict(Severity.choices),
        "level": dict(Level.choices),
        "source": dict(Source.choices),
        "channel": dict(Channel.choices),
        "close_reason": dict(CloseReason.choices),
    }
    streets = _streets()
    counter = RowProgress(progress, queryset.count)
    for case in queryset.iterator(chunk_size=1000):
        codes = [c for c in case.region.path.split("/") if c]
        street = streets.get(codes[1]) if len(codes) > 1 else ""
        record = {
            "tracking_code": case.tracking_code,
            "category": case.category.name,
            "description": case.description,
            "place": case.place.name if case.place_id else "",
            "address": case.address,
            "grid": case.region.name,
            "street": street or "",
            "external_ref": case.external_ref,
            "reported_at": _local(case.created_at),
            "deadline": case.deadline,
            "overdue": "是" if case.is_overdue(now) else "否",
            "notice_number": case.notice_number,
            "closed_at": _local(case.closed_at),
            "department": case.department.name if case.department_id else "",
        }
        for name, mapping in labels.items():
            value = getattr(case, name)
            record[name] = str(mapping.get(value, value)) if value else ""
        if reporters:
            visible = may_see_reporter(user, case) and not case.anonymous
            for column in REPORTER_COLUMNS:
                record[column.key] = getattr(case, column.key) if visible else ""
        ws.append([_cell(ws, record[c.key]) for c in columns])
        counter.step()
    wb.save(fileobj)
    return counter.finish()


def ledger_file(user, params, request=None):
    """(open temporary file holding the xlsx, download filename). The caller streams and closes it."""
    queryset = ledger_queryset(user, params, request=request)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    write_ledger(user, queryset, out)
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return out, f"hazards-{stamp}.xlsx"
