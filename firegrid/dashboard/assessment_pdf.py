"""The annual assessment as an A4 PDF: WeasyPrint, Noto CJK, charts as inline SVG drawn here.

The charts are plain SVG strings (no JavaScript, nothing fetched), so the PDF looks the same on a
closed network. Every label that goes into SVG is escaped.
"""

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Noto Sans CJK SC, sans-serif"
RISK_FILL = {"low": "#3b82f6", "general": "#eab308", "high": "#f97316", "major": "#dc2626"}
PALETTE = ["#c62828", "#9e9e9e", "#1565c0", "#2e7d32"]


def _nice_max(value):
    """A round axis maximum at or above value (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _ticks(top, count=4):
    return [top * i / count for i in range(count + 1)]


def _num(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def hbar_chart(labels, series, *, width=480, bar=12, gap=6, label_width=150, stacked=False):
    """Horizontal bars, one row per label. series: [(name, [values…], colour)]. Returns safe SVG."""
    rows = len(labels)
    per_row = bar if stacked else bar * len(series)
    legend_h = 18 if len(series) > 1 else 0
    height = legend_h + rows * (per_row + gap) + 24
    plot_w = width - label_width - 40
    totals = [
        sum(s[1][i] for s in series) if stacked else max((s[1][i] for s in series), default=0)
        for i in range(rows)
    ]
    top = _nice_max(max(totals, default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="9">'
    ]
    parts += _legend(series, label_width, legend_h)
    y0 = legend_h
    for tick in _ticks(top):
        x = label_width + plot_w * tick / top
        parts.append(
            f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{height - 18}" stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">'
            f"{_num(round(tick, 1))}</text>"
        )
    for i, label in enumerate(labels):
        y = y0 + i * (per_row + gap) + gap / 2
        parts.append(
            f'<text x="{label_width - 4}" y="{y + per_row / 2 + 3:.1f}" text-anchor="end">'
            f"{escape(_shorten(label, 16))}</text>"
        )
        x = label_width
        for k, (_name, values, colour) in enumerate(series):
            w = plot_w * values[i] / top
            by = y if stacked else y + k * bar
            bx = x if stacked else label_width
            if w > 0:
                parts.append(
                    f'<rect x="{bx:.1f}" y="{by:.1f}" width="{w:.1f}" height="{bar}" fill="{colour}"/>'
                )
            if stacked:
                x += w
            elif values[i]:
                parts.append(
                    f'<text x="{bx + w + 2:.1f}" y="{by + bar - 3:.1f}" fill="#333">{values[i]}</text>'
                )
        if stacked and totals[i]:
            parts.append(f'<text x="{x + 2:.1f}" y="{y + bar - 3:.1f}" fill="#333">{totals[i]}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def vbar_chart(labels, series, *, width=480, height=180):
    """Vertical grouped bars, one group per label. series: [(name, [values…], colour)]. Returns safe SVG."""
    legend_h = 18 if len(series) > 1 else 0
    left, bottom = 30, 20
    plot_h = height - legend_h - bottom - 6
    plot_w = width - left - 6
    top = _nice_max(max((v for s in series for v in s[1]), default=0))
    group_w = plot_w / max(1, len(labels))
    bar = max(2.0, (group_w * 0.7) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="9">'
    ]
    parts += _legend(series, left, legend_h)
    base = legend_h + 6 + plot_h
    for tick in _ticks(top):
        y = base - plot_h * tick / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end" fill="#666">'
            f"{_num(round(tick, 1))}</text>"
        )
    for i, label in enumerate(labels):
        gx = left + i * group_w + group_w * 0.15
        for k, (_name, values, colour) in enumerate(series):
            h = plot_h * values[i] / top
            x = gx + k * bar
            if h > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"/>'
                )
            if values[i] and len(series) == 1:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{base - h - 2:.1f}" text-anchor="middle">'
                    f"{values[i]}</text>"
                )
        parts.append(
            f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
            f"{escape(_shorten(label, 8))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def _legend(series, x0, legend_h):
    if not legend_h:
        return []
    parts, x = [], x0
    for name, _values, colour in series:
        parts.append(
            f'<rect x="{x}" y="4" width="9" height="9" fill="{colour}"/>'
            f'<text x="{x + 12}" y="12">{escape(name)}</text>'
        )
        x += 16 + 9 * len(str(name))
    return parts


def _shorten(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def charts(report, top_kinds=12, top_categories=12):
    """The report's charts as SVG strings, keyed by name."""
    from django.utils.translation import gettext as _

    places = report["places"]
    kinds = places["kinds"][:top_kinds]
    risk = [
        (places["risk_labels"][level], [k["by_risk"][level] for k in kinds], RISK_FILL[level])
        for level in ("low", "general", "high", "major")
    ]
    hazards = report["hazards"]
    cats = hazards["categories"][:top_categories]
    year = report["year"]
    seasons = list(hazards["by_season"])
    units = report["units"]["rows"]
    return {
        "places": hbar_chart([k["label"] for k in kinds], risk, stacked=True) if kinds else "",
        "categories": hbar_chart(
            [c["name"] for c in cats],
            [
                (str(year), [c["count"] for c in cats], PALETTE[0]),
                (str(year - 1), [c["previous"] for c in cats], PALETTE[1]),
            ],
            bar=7,
        )
        if cats
        else "",
        "seasons": vbar_chart(
            [hazards["season_labels"][s].split(" (")[0] for s in seasons],
            [(str(year), [hazards["by_season"][s] for s in seasons], PALETTE[0])],
            width=230,
            height=150,
        ),
        "months": vbar_chart(
            [str(m) for m in range(1, 13)],
            [
                (str(year), hazards["by_month"], PALETTE[0]),
                (str(year - 1), hazards["by_month_previous"], PALETTE[1]),
            ],
            width=250,
            height=150,
        ),
        "units": hbar_chart(
            [u["name"] for u in units],
            [
                (_("Open hazards"), [u["open"] for u in units], PALETTE[0]),
                (_("High/major risk places"), [u["high_or_major"] for u in units], RISK_FILL["high"]),
            ],
            bar=6,
            gap=4,
        )
        if units
        else "",
    }


def assessment_html(report):
    return render_to_string("dashboard/reports/assessment_pdf.html", {"r": report, "charts": charts(report)})


def assessment_pdf(report):
    from weasyprint import HTML, URLFetcher  # imported late: loading WeasyPrint takes a moment

    # Everything is inline; the document never fetches a file or a network address.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=assessment_html(report), url_fetcher=fetcher).write_pdf()
