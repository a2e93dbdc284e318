"""Server-rendered SVG charts: the same picture on the page and in the PDF. No script, no inline style
(the CSP forbids both); colours are SVG presentation attributes."""

import datetime
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

GRADE_COLOURS = {
    "excellent": "#198754",
    "good": "#20c997",
    "pass": "#0d6efd",
    "fail": "#dc3545",
    "": "#adb5bd",
}
FONT = 'font-family="Noto Sans SC, Microsoft YaHei, sans-serif"'


def plan_vs_built(rows: list[tuple[int, int, int]], title: str = "") -> SafeString:
    """Grouped bars per year: planned stations and stations built (rows: year, planned, built)."""
    title = title or _("建设计划与建成情况")
    width, height, left, bottom, top = 520, 240, 40, 40, 30
    highest = max([1] + [max(planned, built) for _, planned, built in rows])
    band = (width - left - 20) / max(1, len(rows))
    bar = min(38, band / 3)
    scale = (height - bottom - top) / highest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#6c757d"/>',
    ]
    for tick in range(highest + 1):
        y = height - bottom - tick * scale
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT} '
            f'fill="#6c757d">{tick}</text>'
        )
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e9ecef"/>')
    year_label = _("{year}年度")
    for index, (year, planned, built) in enumerate(rows):
        x = left + index * band + band / 2 - bar
        for offset, value, colour, label in (
            (0, planned, "#9ec5fe", _("{year}年度计划{value}个")),
            (bar, built, "#0d6efd", _("{year}年度建成{value}个")),
        ):
            h = value * scale
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{height - bottom - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(label.format(year=year, value=value))}</title></rect>'
            )
            parts.append(
                f'<text x="{x + offset + bar / 2 - 1:.1f}" y="{height - bottom - h - 4:.1f}" '
                f'text-anchor="middle" font-size="11" {FONT}>{value}</text>'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="12" '
            f"{FONT}>{escape(year_label.format(year=year))}</text>"
        )
    legend_y = 14
    planned_label, built_label = escape(_("计划建站")), escape(_("已建成"))
    parts.append(
        f'<rect x="{width - 150}" y="{legend_y - 9}" width="10" height="10" fill="#9ec5fe"/>'
        f'<text x="{width - 136}" y="{legend_y}" font-size="11" {FONT}>{planned_label}</text>'
        f'<rect x="{width - 80}" y="{legend_y - 9}" width="10" height="10" fill="#0d6efd"/>'
        f'<text x="{width - 66}" y="{legend_y}" font-size="11" {FONT}>{built_label}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above


@dataclass
class TimelineBar:
    start: datetime.date
    end: datetime.date
    label: str
    grade: str
    tooltip: str


@dataclass
class TimelineRow:
    name: str
    bars: list[TimelineBar]


def timeline(rows: list[TimelineRow], first_year: int, last_year: int, today: datetime.date) -> SafeString:
    """Each station's contract years on a time axis, coloured by the year's grade, labelled by contractor."""
    label_width, row_height, top = 130, 24, 26
    width = 900
    span_days = (datetime.date(last_year + 1, 1, 1) - datetime.date(first_year, 1, 1)).days
    scale = (width - label_width - 10) / span_days
    height = top + row_height * len(rows) + 30

    def x_of(day: datetime.date) -> float:
        return label_width + (day - datetime.date(first_year, 1, 1)).days * scale

    title = escape(_("社工站合同年度时间轴"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-label="{title}"><title>{title}</title>'
    ]
    for year in range(first_year, last_year + 2):
        x = x_of(datetime.date(year, 1, 1))
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24}" stroke="#dee2e6"/>')
        if year <= last_year:
            parts.append(
                f'<text x="{x + 4:.1f}" y="{top - 10}" font-size="11" {FONT} fill="#6c757d">{year}</text>'
            )
    for index, row in enumerate(rows):
        y = top + index * row_height
        parts.append(f'<text x="4" y="{y + 15}" font-size="12" {FONT}>{escape(row.name)}</text>')
        for bar in row.bars:
            x1, x2 = x_of(max(bar.start, datetime.date(first_year, 1, 1))), x_of(bar.end)
            parts.append(
                f'<rect x="{x1:.1f}" y="{y + 3}" width="{max(2, x2 - x1 - 1):.1f}" height="{row_height - 6}" rx="3" '
                f'fill="{GRADE_COLOURS.get(bar.grade, "#adb5bd")}"><title>{escape(bar.tooltip)}</title></rect>'
            )
            if x2 - x1 > 34:
                parts.append(
                    f'<text x="{x1 + 4:.1f}" y="{y + 16}" font-size="10" fill="#fff" {FONT}>'
                    f"{escape(bar.label)}</text>"
                )
    today_x = x_of(today)
    today_label = escape(_("今天"))
    parts.append(
        f'<line x1="{today_x:.1f}" y1="{top - 6}" x2="{today_x:.1f}" y2="{height - 24}" stroke="#fd7e14" '
        f'stroke-dasharray="4 3"/><text x="{today_x + 3:.1f}" y="{height - 26}" font-size="10" '
        f'fill="#fd7e14" {FONT}>{today_label}</text>'
    )
    legend_x = label_width
    for grade, text in (
        ("excellent", _("优秀")),
        ("good", _("良好")),
        ("pass", _("合格")),
        ("fail", _("不合格")),
        ("", _("未评估")),
    ):
        parts.append(
            f'<rect x="{legend_x}" y="{height - 16}" width="10" height="10" fill="{GRADE_COLOURS[grade]}"/>'
            f'<text x="{legend_x + 14}" y="{height - 7}" font-size="11" {FONT}>{escape(text)}</text>'
        )
        legend_x += 70
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
