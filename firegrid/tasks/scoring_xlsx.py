"""The year's score cards as an xlsx workbook: a summary sheet and one row per item with its figures."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(streets, units, year, scheme):
    wb = Workbook()
    summary = wb.active
    summary.title = _("Scores")[:31]
    summary.append([_("Scores %(year)s · scheme %(version)s") % {"year": year, "version": scheme.version}])
    summary["A1"].font = Font(bold=True, size=13)
    header = [_("Kind"), _("Code"), _("Name"), _("Score"), _("Out of")]
    summary.append(header)
    for card in [*streets, *units]:
        kind = _("Street/town") if card.kind == "street" else _("Unit")
        summary.append([kind, card.code, card.name, float(card.total), float(card.maximum)])
    items = wb.create_sheet(_("How points were earned")[:31])
    items.append(
        [
            _("Kind"),
            _("Name"),
            _("Item"),
            _("Metric"),
            _("Weight"),
            _("Counted"),
            _("Met"),
            _("Share"),
            _("Points"),
            _("How"),
            _("Source"),
        ]
    )
    for card in [*streets, *units]:
        kind = _("Street/town") if card.kind == "street" else _("Unit")
        for item in card.items:
            how = item.explanation
            if item.details:
                how += " " + "; ".join(f"{label}: {value}" for label, value in item.details)
            items.append(
                [
                    kind,
                    card.name,
                    item.title,
                    item.metric,
                    float(item.weight),
                    item.counted,
                    item.earned,
                    float(round(item.ratio, 4)),
                    float(item.points),
                    how,
                    item.source,
                ]
            )
    for sheet in (summary, items):
        for cell in sheet[2 if sheet is summary else 1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = 14
    items.column_dimensions["J"].width = 60
    for row in items.iter_rows(min_row=2):
        row[9].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out
