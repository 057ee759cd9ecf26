"""The scoped, filtered export, streamed into an xlsx laid out like the template plus read-only columns."""

import tempfile

from django.db import models
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from firegrid.core.progress import RowProgress
from firegrid.places.choices import Authority, PlaceKind, PlaceStatus, RiskLevel
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.ledger.columns import (
    COLUMNS,
    DATA_SHEET,
    EXPORT_EXTRA,
    HEADER_FILL,
    HEADER_FONT,
    KEY_FONT,
    NO,
    REQUIRED_FILL,
    YES,
)
from firegrid.places.models import Place

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


def write_export(queryset, fileobj, progress=None):
    """Stream the places into an xlsx (openpyxl write-only: memory stays flat however many rows).
    `progress(done, total)` is told every few rows (core.progress); returns the number of rows."""
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
    counter = RowProgress(progress, queryset.count)
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
        counter.step()
    wb.save(fileobj)
    return counter.finish()


def export_file(user, params):
    """(open temporary file holding the xlsx, download filename). The caller streams and closes it."""
    queryset = export_queryset(user, params)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    write_export(queryset, out)
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return out, f"places-{stamp}.xlsx"
