"""Server-rendered SVG charts for the dashboard: pure functions, data in, SVG markup out.

No JavaScript and no charting library: the portal serves every asset itself. Every text that
comes from data is escaped here, so callers may mark the returned markup safe.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

#: The level colours of `static/portal/portal.css` (SVG fills cannot read CSS custom properties
#: through presentation attributes), plus a light grey for customers not rated yet.
LEVEL_COLOURS: dict[str, str] = {
    "green": "#15803d",
    "blue": "#1d4ed8",
    "yellow": "#eab308",
    "red": "#b91c1c",
    "black": "#111827",
    "unrated": "#6b7280",
    "": "#cbd5e1",
}
INK, MUTED, GRID, ACCENT = "#1f2937", "#6b7280", "#e5e7eb", "#0b5cad"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str = ACCENT


def nice_ceiling(value: int, max_ticks: int = 5) -> tuple[int, int]:
    """An axis maximum ≥ value and its step: the smallest round step (1, 2, 5 × 10ⁿ) giving ≤ max_ticks."""
    if value <= 0:
        return 4, 1
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            step = m * magnitude
            ticks = -(-value // step)
            if ticks <= max_ticks:
                return step * ticks, step
        magnitude *= 10


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    ident = f"chart-{zlib.crc32((title + desc).encode()):08x}"
    return (
        # Its own width, shrunk to fit narrower screens by the portal's CSS (.chart): no style attribute,
        # which the Content-Security-Policy would refuse.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'font-size="12" font-family="inherit">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _y_axis(top: int, bottom: int, left: int, right: int, maximum: int, step: int) -> list[str]:
    parts = []
    for tick in range(0, maximum + 1, step):
        y = bottom - (bottom - top) * tick / maximum
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    return parts


def bar_chart(bars: Sequence[Bar], *, title: str, width: int = 560, height: int = 240) -> str:
    """A vertical bar chart with the value above each bar and its label below."""
    top, bottom, left, right = 20, height - 30, 40, width - 10
    maximum, step = nice_ceiling(max((b.value for b in bars), default=0))
    body = _y_axis(top, bottom, left, right, maximum, step)
    slot = (right - left) / max(len(bars), 1)
    bar_width = min(56.0, slot * 0.6)
    for i, bar in enumerate(bars):
        x = left + slot * i + (slot - bar_width) / 2
        h = (bottom - top) * bar.value / maximum
        label = escape(bar.label)
        body.append(
            f"<g><title>{label}：{bar.value}</title>"
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
            f'fill="{escape(bar.colour)}" rx="2"/>'
            f'<text x="{x + bar_width / 2:.1f}" y="{bottom - h - 5:.1f}" text-anchor="middle" fill="{INK}">'
            f"{bar.value}</text>"
            f'<text x="{x + bar_width / 2:.1f}" y="{bottom + 18}" text-anchor="middle" fill="{INK}">{label}</text>'
            "</g>"
        )
    body.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    desc = "；".join(f"{b.label} {b.value}" for b in bars)
    return _svg(width, height, title, desc, body)


def daily_chart(points: Sequence[tuple[date, int]], *, title: str, width: int = 560, height: int = 180) -> str:
    """One bar per day; a date label on the last day and every seventh day before it."""
    top, bottom, left, right = 16, height - 28, 40, width - 10
    maximum, step = nice_ceiling(max((n for _, n in points), default=0))
    body = _y_axis(top, bottom, left, right, maximum, step)
    slot = (right - left) / max(len(points), 1)
    bar_width = max(2.0, slot * 0.7)
    last = len(points) - 1
    for i, (day, count) in enumerate(points):
        x = left + slot * i + (slot - bar_width) / 2
        h = (bottom - top) * count / maximum
        body.append(
            f"<g><title>{day.isoformat()}：{count}</title>"
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar_width:.1f}" height="{h:.1f}" fill="{ACCENT}"/>'
            "</g>"
        )
        if (last - i) % 7 == 0:
            body.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{MUTED}">'
                f"{day.month:02d}-{day.day:02d}</text>"
            )
    body.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    total = sum(n for _, n in points)
    span = f"{points[0][0].isoformat()} 至 {points[-1][0].isoformat()}" if points else ""
    return _svg(width, height, title, f"{span}共 {total} 次", body)


def dashboard_charts() -> dict:
    """The dashboard's figures from the shared cache and its two charts, for every page that shows them.

    ``board`` (``selectors.rating_dashboard_cached``: whole-archive counts, never per view; their age is
    told by ``ratings/_dashboard_age.html`` with ``refresh_minutes``), the SVG of
    customers per level and that of the level changes of the last days, both safe to put in a page:
    the charts escape every text they draw.
    """
    from django.utils.safestring import mark_safe

    from .selectors import CHANGE_WINDOW_DAYS, DASHBOARD_REFRESH_SECONDS, rating_dashboard_cached

    board = rating_dashboard_cached()
    level_svg = bar_chart(
        [Bar(row.label, row.count, LEVEL_COLOURS[row.level]) for row in board.level_counts], title="各信用等级用户数"
    )
    daily_svg = daily_chart(board.changes_by_day, title=f"近{CHANGE_WINDOW_DAYS}天每日等级变更次数")
    return {
        "board": board,
        "level_svg": mark_safe(level_svg),
        "daily_svg": mark_safe(daily_svg),
        "refresh_minutes": DASHBOARD_REFRESH_SECONDS // 60,
    }
