"""Figures and the change map of docs/frontline.md, from a store holding DeepState's daily maps.

Run: .venv/bin/python scripts/frontline_figures.py sqlite:///mission.db
(after `ceasefire import --db sqlite:///mission.db deepstate_occupied_daily_….geojson.gz`).
Writes docs/img/frontline-change.png and prints the table of the four dates.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import shapely  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ceasefire.agreement.load import load  # noqa: E402
from ceasefire.control.run import changes  # noqa: E402
from ceasefire.store import open_store  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DAYS = [date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1), date(2026, 8, 22)]
COLOURS = {"ru": "#c0392b", "ua": "#2471a3"}


def _draw(ax: plt.Axes, shape: shapely.Geometry, **style: object) -> None:
    for part in shapely.get_parts(shape):
        if part.geom_type == "Polygon":
            ax.fill(*part.exterior.xy, **style)


def main(db: str) -> None:
    agreement = load(REPO / "examples" / "alaska-terms.yaml")
    with open_store(db) as store:
        found = {
            c.day: c for c in changes(agreement, store, "deepstate") if c.day in DAYS
        }
    print(
        "| day | baseline | ru gained km² | ua gained km² | noise km² (ru/ua) | "
        "southern sector net (ru) | withdrawal zone ru | pullback zone ua |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for day, c in sorted(found.items()):
        ru, ua = c.gains["ru"], c.gains["ua"]
        print(
            f"| {day} | {c.baseline} | {ru.km2:,.2f} | {ua.km2:,.2f} | "
            f"{ru.noise_km2:.3f}/{ua.noise_km2:.3f} | "
            f"{ru.by_zone['southern_sector'] - ua.by_zone['southern_sector']:,.1f} | "
            f"{ru.by_zone['ua_withdrawal_zone']:,.1f} | {ua.by_zone['ru_pullback_zone']:,.1f} |"
        )
    last = found[DAYS[-1]]
    fig, ax = plt.subplots(figsize=(10, 7), dpi=110)
    _draw(
        ax, agreement.features["ukraine"].shape, color="#f2f2f2", ec="#999999", lw=0.4
    )
    _draw(ax, agreement.features["occupied_area"].shape, color="#e8d5d2", lw=0)
    for zone, colour in (
        ("ua_withdrawal_zone", "#f5e6a8"),
        ("ru_pullback_zone", "#cfe3f2"),
    ):
        _draw(ax, agreement.features[zone].shape, color=colour, alpha=0.7, lw=0)
    for party, gain in last.gains.items():
        _draw(ax, gain.shape, color=COLOURS[party], lw=0.6, ec=COLOURS[party])
    handles = [
        Patch(
            color=COLOURS[p],
            label=f"held by {p}, not at the baseline: {g.km2:,.0f} km²",
        )
        for p, g in last.gains.items()
    ] + [
        Patch(
            color="#e8d5d2",
            label="held by ru at the baseline (the agreement's simplified freeze-line zone)",
        ),
        Patch(color="#f5e6a8", label="ua withdrawal zone"),
        Patch(color="#cfe3f2", label="ru pullback zone"),
    ]
    ax.set_xlim(33.0, 40.3)
    ax.set_ylim(46.3, 51.0)
    ax.set_aspect(1 / 0.68)
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_title(
        f"Change of control {last.baseline} → {last.day} (DeepStateMap daily maps)"
    )
    out = REPO / "docs" / "img" / "frontline-change.png"
    fig.savefig(out, bbox_inches="tight")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
