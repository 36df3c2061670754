"""The daily report's pictures: the day's map and two charts, as PNG bytes.

The map is the agreement map of ``ceasefire agreement map`` (render_map.draw)
with the day's reports on top, so both documents look alike.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ceasefire.agreement import translate  # noqa: E402
from ceasefire.agreement.load import Agreement  # noqa: E402
from ceasefire.agreement.render_map import draw  # noqa: E402
from ceasefire.geo import boundaries  # noqa: E402
from ceasefire.geo.crs import local_projection  # noqa: E402
from ceasefire.reports.daily import DailyReport  # noqa: E402
from ceasefire.reports.words import Words  # noqa: E402

BREACH = "#c0392b"
REPORTED = "#1f3b73"
PREVIOUS = "#b9c3cf"
CURRENT = "#1f3b73"


def _png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()


def day_map(
    report: DailyReport, agreement: Agreement, words: Words | None = None
) -> bytes:
    """The agreement's geometry with the day's reports; breaches in red."""
    w = words or Words(report.lang)
    fig = draw(agreement)
    ax = fig.axes[0]
    _translate_legend(ax, agreement, w.lang)
    # the same local projection render_map.draw uses, so points land on its lines
    union = shapely.union_all(
        [f.shape for f in agreement.features.values()] or [boundaries.country()]
    )
    to_metres, _ = local_projection(union)
    if report.events:
        xy = to_metres(np.array([(e.lon, e.lat) for e in report.events])) / 1000.0
        breach = np.array([e.id in report.breach_incidents for e in report.events])
        ax.scatter(
            xy[~breach, 0],
            xy[~breach, 1],
            s=16,
            color=REPORTED,
            edgecolor="white",
            linewidth=0.5,
            zorder=9,
        )
        ax.scatter(
            xy[breach, 0],
            xy[breach, 1],
            s=34,
            color=BREACH,
            edgecolor="black",
            linewidth=0.6,
            zorder=10,
        )
        _include(ax, xy)
    ax.set_title(
        f"{report.agreement_title}\n"
        + w.plain(
            "map_title",
            day=report.day.isoformat(),
            edition=w.plain(f"edition_{report.edition}_lower"),
        ),
        fontsize=11,
    )
    legend = ax.get_legend()
    handles = [*legend.legend_handles] if legend else []
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=REPORTED,
            label=w.plain("legend_report", n=report.total),
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=BREACH,
            label=w.plain("legend_breach", n=len(report.breaches)),
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    return _png(fig)


def _translate_legend(ax, agreement: Agreement, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The geometry labels of the map's legend in ``lang`` (its translations block)."""
    legend = ax.get_legend()
    if legend is None:
        return
    doc = agreement.document
    names = {
        f.label: translate.text(doc, lang, "geometries", f.id, f.label)
        for f in agreement.features.values()
    }
    for text in legend.get_texts():
        text.set_text(names.get(text.get_text(), text.get_text()))


def _include(ax, xy: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    """Widen the view so that every report is on the map."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    pad = 15.0
    ax.set_xlim(min(x0, xy[:, 0].min() - pad), max(x1, xy[:, 0].max() + pad))
    ax.set_ylim(min(y0, xy[:, 1].min() - pad), max(y1, xy[:, 1].max() + pad))


def type_chart(report: DailyReport, words: Words | None = None) -> bytes:
    """Reports by event type, this period against the previous one."""
    rows = report.by_type[:10] or ()
    fig, ax = plt.subplots(figsize=(4.6, 0.32 * max(len(rows), 4) + 1.0))
    w = words or Words(report.lang)
    labels = [w.event_type(r.event_type) for r in rows][::-1]
    y = np.arange(len(rows))
    ax.barh(
        y + 0.2,
        [r.previous for r in rows][::-1],
        height=0.38,
        color=PREVIOUS,
        label=w.plain("th_previous_day"),
    )
    ax.barh(
        y - 0.2,
        [r.current for r in rows][::-1],
        height=0.38,
        color=CURRENT,
        label=report.day.isoformat(),
    )
    for i, r in enumerate(rows[::-1]):
        ax.text(r.current, i - 0.2, f" {r.current}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlabel(w.plain("axis_reports"), fontsize=9)
    _tidy(ax)
    ax.legend(
        fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=2
    )
    return _png(fig)


def trend_chart(report: DailyReport, words: Words | None = None) -> bytes:
    """Reports and breaches per day over the last two weeks."""
    w = words or Words(report.lang)
    days = [d for d, _, _ in report.trend]
    reports = np.array([n for _, n, _ in report.trend])
    breaches = np.array([b for _, _, b in report.trend])
    fig, ax = plt.subplots(figsize=(4.6, 2.3))
    x = np.arange(len(days))
    ax.bar(
        x,
        reports - np.minimum(breaches, reports),
        color=PREVIOUS,
        label=w.plain("legend_reports"),
    )
    ax.bar(
        x,
        np.minimum(breaches, reports),
        bottom=reports - np.minimum(breaches, reports),
        color=BREACH,
        label=w.plain("legend_breaches"),
    )
    ax.bar(x[-1], reports[-1], fill=False, edgecolor=CURRENT, linewidth=1.5)
    ax.set_xticks(
        x, [w.date(d, short=True) for d in days], fontsize=7, rotation=45, ha="right"
    )
    ax.set_ylabel(w.plain("axis_per_day"), fontsize=9)
    _tidy(ax)
    ax.legend(
        fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=2
    )
    return _png(fig)


def _tidy(ax) -> None:  # type: ignore[no-untyped-def]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.figure.tight_layout()
