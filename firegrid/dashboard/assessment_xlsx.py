"""The annual assessment as xlsx: one sheet per section, with native Excel bar charts (openpyxl.chart).

The workbook holds the same figures as the PDF, as numbers a reader can sort and re-chart.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FDE7E7")
TITLE_FONT = Font(bold=True, size=14, color="B71C1C")


def _safe(value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in ("=", "+", "-", "@"):
            value = "'" + value  # text, never a formula
    return value


def _sheet(wb, title, header, rows, widths=None):
    """A sheet with a header row and data rows; returns it. Titles are cut to Excel's 31 characters."""
    ws = wb.create_sheet(title[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼")))
    ws.append([_safe(h) for h in header])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in rows:
        ws.append([_safe(v) for v in row])
    for index, width in enumerate(widths or [28] + [12] * (len(header) - 1), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "B2"
    return ws


def _bar(ws, title, rows, cols, anchor, *, horizontal=True, stacked=False, height=9, width=18):
    """A native bar chart of columns `cols` (1-based, header row as series names) over data rows 2…rows+1."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.height, chart.width = height, width
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    data = Reference(ws, min_col=cols[0], max_col=cols[-1], min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    if horizontal:
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    ws.add_chart(chart, anchor)
    return chart


def build_workbook(report):
    wb = Workbook()
    wb.remove(wb.active)
    year = report["year"]
    region = report["region"]
    places, hazards, tourism = report["places"], report["hazards"], report["tourism"]

    ws = _sheet(
        wb,
        _("Overview"),
        [_("Figure"), _("Value")],
        [
            [_("Region"), region["name"]],
            [_("Region code"), region["code"]],
            [_("Year"), year],
            [_("Generated"), timezone.localtime(report["generated_at"]).replace(tzinfo=None)],
            [_("Places in use"), places["total"]],
            [_("Key fire safety units"), places["key_units"]],
            *[[label, places["by_risk"][level]] for level, label in places["risk_labels"].items()],
            [_("Hazards reported this year"), hazards["total"]],
            [_("Hazards reported last year"), hazards["previous_total"]],
            [_("Major hazards this year"), hazards["major"]],
            [_("Hazards open now"), hazards["open_now"]],
            [_("Overdue now"), hazards["overdue_now"]],
        ],
        widths=[30, 22],
    )
    ws.insert_rows(1)
    ws["A1"] = _safe(f"{region['name']} {year}")
    ws["A1"].font = TITLE_FONT
    ws.freeze_panes = None

    levels = list(places["risk_labels"])
    ws = _sheet(
        wb,
        _("Places by kind and grade"),
        [_("Kind"), *places["risk_labels"].values(), _("Total")],
        [[k["label"], *[k["by_risk"][lv] for lv in levels], k["total"]] for k in places["kinds"]],
    )
    if places["kinds"]:
        _bar(
            ws,
            _("Places by kind and risk grade"),
            len(places["kinds"]),
            [2, 3, 4, 5],
            "H2",
            stacked=True,
            height=max(9, len(places["kinds"]) * 0.5),
        )

    seasons = list(hazards["by_season"])
    ws = _sheet(
        wb,
        _("Hazards by category"),
        [
            _("Category"),
            str(year),
            str(year - 1),
            _("Change %"),
            _("Major"),
            *[hazards["season_labels"][s] for s in seasons],
        ],
        [
            [
                c["name"],
                c["count"],
                c["previous"],
                c["change_pct"],
                c["major"],
                *[c["by_season"][s] for s in seasons],
            ]
            for c in hazards["categories"]
        ],
    )
    if hazards["categories"]:
        _bar(
            ws,
            _("Hazards by category, this year and last"),
            len(hazards["categories"]),
            [2, 3],
            "L2",
            height=max(9, len(hazards["categories"]) * 0.6),
        )

    ws = _sheet(
        wb,
        _("Hazards by season"),
        [_("Season"), str(year)],
        [[hazards["season_labels"][s], hazards["by_season"][s]] for s in seasons],
        widths=[22, 12, 12, 12],
    )
    _bar(ws, _("Hazards by season"), len(seasons), [2], "E2", horizontal=False, height=7, width=14)
    start = len(seasons) + 4
    ws.cell(start, 1, _("Month")).font = HEADER_FONT
    ws.cell(start, 2, str(year)).font = HEADER_FONT
    ws.cell(start, 3, str(year - 1)).font = HEADER_FONT
    for m in range(12):
        ws.cell(start + 1 + m, 1, m + 1)
        ws.cell(start + 1 + m, 2, hazards["by_month"][m])
        ws.cell(start + 1 + m, 3, hazards["by_month_previous"][m])
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = "col", _("Hazards by month"), 7, 16
    chart.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=start, max_row=start + 12), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=start + 12))
    ws.add_chart(chart, f"E{start}")

    units = report["units"]["rows"]
    ws = _sheet(
        wb,
        _("By region"),
        [
            _("Region"),
            _("Code"),
            _("Places"),
            _("High/major risk"),
            _("High/major due for inspection"),
            _("Hazards this year"),
            _("Open"),
            _("Overdue"),
            _("Major open"),
            _("Ancient town"),
        ],
        [
            [
                u["name"],
                u["code"],
                u["places"],
                u["high_or_major"],
                u["due_high"],
                u["hazards_year"],
                u["open"],
                u["overdue"],
                u["major_open"],
                _("yes") if u["is_ancient_town"] else "",
            ]
            for u in units
        ],
    )
    if units:
        _bar(
            ws,
            _("Open hazards and high/major risk places"),
            len(units),
            [4],
            "L2",
            height=max(9, len(units) * 0.5),
        )
    _sheet(
        wb,
        _("Priority grids"),
        [_("Grid"), _("Code"), _("Street/town"), _("Open"), _("Overdue"), _("Major open")],
        [
            [g["name"], g["code"], g["street"], g["open"], g["overdue"], g["major_open"]]
            for g in report["grid_hotspots"]
        ],
    )

    fires = report["fires"]
    rows = [
        [
            f.get("date"),
            f.get("region"),
            f.get("place"),
            f.get("cause"),
            f.get("deaths"),
            f.get("injuries"),
            f.get("loss_yuan"),
        ]
        for f in fires["rows"]
    ]
    if not rows:
        rows = [[_("No fire records yet") if not fires["available"] else _("No fires recorded this year")]]
    _sheet(
        wb,
        _("Fire history"),
        [_("Date"), _("Region"), _("Place"), _("Cause"), _("Deaths"), _("Injuries"), _("Loss (yuan)")],
        rows,
    )

    forest = report["forest"]
    _sheet(
        wb,
        _("Tourism and forest"),
        [_("Factor"), _("Value")],
        [
            [_("Ancient towns and villages"), "、".join(tourism["ancient_towns"])],
            [_("Places in ancient towns and villages"), tourism["places_in_ancient_towns"]],
            [_("Towns"), tourism["towns"]],
            [_("Villages"), tourism["villages"]],
            [_("Homestays in self-built houses"), tourism["homestays_total"]],
            *[[k["label"], k["count"]] for k in tourism["kinds"]],
            *[
                [
                    _("Homestays: %(street)s (1 January → now)") % {"street": h["street"]},
                    f"{h['start']} → {h['now']}",
                ]
                for h in tourism["homestays"]
            ],
            [_("Forest data"), _("recorded") if forest["has_data"] else _("not recorded yet")],
            *(
                [[_("Forested streets/towns"), "、".join(forest["forested_streets"])]]
                if forest["has_data"]
                else [[_("Needed"), item] for item in forest["needed"]]
            ),
        ],
        widths=[40, 60],
    )
    _sheet(
        wb,
        _("Priorities"),
        [_("No."), _("Rank"), _("Rule"), _("Recommendation")],
        [[p["number"], p["rank"], p["rule"], p["text"]] for p in report["priorities"]],
        widths=[6, 6, 16, 110],
    )
    return wb


def assessment_xlsx(report):
    out = io.BytesIO()
    build_workbook(report).save(out)
    return out.getvalue()
