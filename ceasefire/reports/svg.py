"""Small inline SVG drawings for the implementation report: sparklines, a Gantt.

Drawn as text (no matplotlib): a sparkline breaks its line at a gap, so a
missing week never looks like a zero; the Gantt marks slips and today.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

STATUS_COLOURS = {
    "met": "#2e7d32", "in_progress": "#1f6fb2", "partly_met": "#e0a100",
    "disputed": "#8e44ad", "lapsed": "#c0392b", "not_started": "#9aa5b1",
}  # fmt: skip


def sparkline(
    values: list[float | None],
    target: float | None = None,
    width: int = 170,
    height: int = 32,
) -> str:
    """A line over the values, broken at None; a dashed line at the target."""
    known = [v for v in values if v is not None]
    if not known:
        return f'<svg class="spark" width="{width}" height="{height}"><text x="2" y="{height - 10}" font-size="8" fill="#888">no data</text></svg>'
    low = min([*known, target] if target is not None else known)
    high = max([*known, target] if target is not None else known)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return round(height - 3 - (v - low) / span * (height - 6), 1)

    paths: list[list[str]] = []
    current: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                paths.append(current)
            current = []
        else:
            current.append(f"{round(i * step, 1)},{y(v)}")
    if current:
        paths.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(p)}" fill="none" stroke="#1f3b73" stroke-width="1.3"/>' if len(p) > 1
        else f'<circle cx="{p[0].split(",")[0]}" cy="{p[0].split(",")[1]}" r="1.5" fill="#1f3b73"/>'
        for p in paths
    )  # fmt: skip
    goal = (
        f'<line x1="0" x2="{width}" y1="{y(target)}" y2="{y(target)}" stroke="#2e7d32" stroke-dasharray="3,2" stroke-width="0.8"/>'
        if target is not None
        else ""
    )
    return f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{goal}{lines}</svg>'


def gantt(rows: list[dict[str, Any]], today: datetime, width: int = 680) -> str:
    """Bars from start to deadline, coloured by status; slips outlined red; today's line."""
    dated = [r for r in rows if r["due"]]
    if not dated:
        return "<p>No dated commitments.</p>"
    moments = [
        datetime.fromisoformat(r[k])
        for r in dated
        for k in ("start", "due", "met_at")
        if r[k]
    ] + [today]
    first, last = min(moments), max(moments)
    label_w, row_h = 210, 15
    scale = (width - label_w - 10) / max((last - first).total_seconds(), 1)

    def x(moment: datetime) -> float:
        return round(label_w + (moment - first).total_seconds() * scale, 1)

    parts = []
    for i, r in enumerate(dated):
        top = 14 + i * row_h
        due = datetime.fromisoformat(r["due"])
        start = datetime.fromisoformat(r["start"]) if r["start"] else first
        label = ("   " if r["milestone"] else "") + r["step"].split("/")[-1]
        colour = STATUS_COLOURS[r["status"]]
        outline = ' stroke="#c0392b" stroke-width="1.6"' if r["slipped"] else ""
        parts.append(
            f'<text x="{4 + (10 if r["milestone"] else 0)}" y="{top + 10}" font-size="8">{escape(label)} ({escape(r["party"])})</text>'
        )
        parts.append(
            f'<rect x="{x(start)}" y="{top + 2}" width="{max(x(due) - x(start), 2)}" height="{row_h - 5}" fill="{colour}" fill-opacity="0.8"{outline}/>'
        )
        if r["met_at"]:
            parts.append(
                f'<circle cx="{x(datetime.fromisoformat(r["met_at"]))}" cy="{top + 7}" r="3" fill="#fff" stroke="#2e7d32"/>'
            )
    height = 20 + len(dated) * row_h
    parts.append(
        f'<line x1="{x(today)}" x2="{x(today)}" y1="4" y2="{height}" stroke="#c0392b" stroke-width="1.2"/>'
    )
    parts.append(
        f'<text x="{x(today) + 2}" y="10" font-size="8" fill="#c0392b">today {today:%Y-%m-%d}</text>'
    )
    for moment in (first, last):
        parts.append(
            f'<text x="{x(moment) - (0 if moment == first else 50)}" y="{height + 10}" font-size="7" fill="#555">{moment:%Y-%m-%d}</text>'
        )
    return f'<svg class="gantt" width="{width}" height="{height + 14}" viewBox="0 0 {width} {height + 14}">{"".join(parts)}</svg>'
