"""Historical replay: an agreement against a war's recorded events.

``replay`` imports event files (UCDP GED by default) into a fresh store with
the ordinary importer, evaluates the agreement, and summarises verdicts by
clause, year and oblast, with a map and a chart. The Minsk II replay over
UCDP GED 2015–22 is in docs/compliance.md.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from ceasefire.agreement import render_map  # noqa: E402
from ceasefire.agreement.load import Agreement, load  # noqa: E402
from ceasefire.compliance.evaluate import Evaluator  # noqa: E402
from ceasefire.compliance.run import Run, evaluate_store  # noqa: E402
from ceasefire.geo import boundaries  # noqa: E402
from ceasefire.geo.crs import local_projection  # noqa: E402
from ceasefire.io.intake import import_file  # noqa: E402
from ceasefire.io.registry import importer_for  # noqa: E402
from ceasefire.log.service import Log  # noqa: E402
from ceasefire.model.verdict import Verdict  # noqa: E402
from ceasefire.store import open_store  # noqa: E402

UCDP_FILE = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
FIRST_YEAR, LAST_YEAR = 2015, 2022


def default_data() -> Path:
    """The UCDP GED file in ../shared/data (or $CEASEFIRE_SHARED_DATA)."""
    root = os.environ.get("CEASEFIRE_SHARED_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[3] / "shared/data"
    return base / UCDP_FILE


@dataclass
class Replay:
    """What a replay found."""

    agreement: Agreement
    run: Run
    imported: int
    verdicts: list[Verdict] = field(default_factory=list)

    def counts(self, outcome: str = "breach") -> Counter[tuple[str, int, str]]:
        """(clause, year, oblast) → verdicts with ``outcome``, years 2015–22."""
        found: Counter[tuple[str, int, str]] = Counter()
        for v in self.verdicts:
            year = int(v.observed_at[:4])
            if v.verdict == outcome and FIRST_YEAR <= year <= LAST_YEAR:
                found[(v.clause, year, v.admin1 or "unknown")] += 1
        return found


def oblast_names() -> dict[str, str]:
    """ISO 3166-2 code → oblast name (bundled geoBoundaries)."""
    return {
        unit.iso: unit.name.replace(" Oblast", "")
        for unit in boundaries.admin_units(1)
        if unit.iso
    }


def replay(
    agreement_path: Path,
    data: Sequence[Path],
    db_url: str,
    *,
    progress: Callable[[str], None] | None = None,
) -> Replay:
    """Import ``data`` into the store at ``db_url`` and evaluate the agreement."""
    agreement = load(agreement_path)
    store = open_store(db_url)
    try:
        log = Log(store)
        imported = 0
        for path in data:
            if progress:
                progress(f"importing {path.name}")
            summary = import_file(log, path, importer_for(path), "replay")
            imported += summary.imported
        if progress:
            progress("evaluating")
        run = evaluate_store(Evaluator(agreement), store)
        verdicts = list(run.verdicts())
    finally:
        store.close()
    return Replay(agreement, run, imported, verdicts)


# ------------------------------------------------------------ tables


def table_rows(result: Replay) -> list[tuple[str, list[str]]]:
    """Markdown-ready tables: by clause and year, and by oblast and year."""
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    names = oblast_names()
    tables = []
    for outcome in ("breach", "undetermined"):
        counts = result.counts(outcome)
        clauses = sorted({c for c, _, _ in counts})
        lines = [
            "| clause | " + " | ".join(map(str, years)) + " | total |",
            "|---" * (len(years) + 2) + "|",
        ]
        for clause in clauses:
            per = [
                sum(n for (c, y, _), n in counts.items() if c == clause and y == year)
                for year in years
            ]
            lines.append(
                f"| {clause} | " + " | ".join(map(str, per)) + f" | {sum(per)} |"
            )
        tables.append((f"{outcome} by clause and year", lines))
        oblasts = sorted({o for _, _, o in counts})
        lines = [
            "| oblast | " + " | ".join(map(str, years)) + " | total |",
            "|---" * (len(years) + 2) + "|",
        ]
        for oblast in oblasts:
            per = [
                sum(n for (_, y, o), n in counts.items() if o == oblast and y == year)
                for year in years
            ]
            label = f"{names.get(oblast, oblast)} ({oblast})"
            lines.append(
                f"| {label} | " + " | ".join(map(str, per)) + f" | {sum(per)} |"
            )
        tables.append((f"{outcome} by oblast and year (all clauses)", lines))
    tables.append(("breach by attribution (all clauses)", attribution_lines(result)))
    return tables


def attribution_label(verdict: Verdict) -> str:
    """The bound party, or the dyad engaged when no perpetrator is established."""
    if verdict.party is not None:
        return verdict.party
    if verdict.perpetrator_established:
        return "attributed to a party not bound"
    if verdict.dyad:
        return " vs ".join(verdict.dyad) + " (perpetrator not established)"
    return "unattributed"


def attribution_lines(result: Replay) -> list[str]:
    """Breaches per year by who the source holds responsible (or the dyad)."""
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    counts: Counter[tuple[str, int]] = Counter(
        (attribution_label(v), int(v.observed_at[:4]))
        for v in result.verdicts
        if v.verdict == "breach" and FIRST_YEAR <= int(v.observed_at[:4]) <= LAST_YEAR
    )
    lines = [
        "| attribution | " + " | ".join(map(str, years)) + " | total |",
        "|---" * (len(years) + 2) + "|",
    ]
    for label in sorted({label for label, _ in counts}):
        per = [counts[(label, year)] for year in years]
        lines.append(f"| {label} | " + " | ".join(map(str, per)) + f" | {sum(per)} |")
    return lines


# ------------------------------------------------------------ figures


def draw_map(result: Replay, out: Path) -> Path:
    """The agreement's map with breaches (red) and undetermined (grey) on top."""
    agreement = result.agreement
    fig = render_map.draw(agreement)
    union = shapely.union_all(
        [f.shape for f in agreement.features.values()] or [boundaries.country()]
    )
    to_metres, _ = local_projection(union)  # the same projection draw() used
    ax = fig.axes[0]
    legend = ax.get_legend()
    shown = (("undetermined", "#9467bd", 9), ("breach", "#08306b", 9))
    for outcome, colour, size in shown:
        points = [(v.lon, v.lat) for v in result.verdicts if v.verdict == outcome]
        if not points:
            continue
        xy = to_metres(np.asarray(points)) / 1000.0
        ax.scatter(
            xy[:, 0], xy[:, 1], s=size, c=colour, alpha=0.8, zorder=9,
            edgecolors="white", linewidths=0.3, label=f"{outcome} ({len(points):,})",
        )  # fmt: skip
    ax.legend(loc="lower left", fontsize=8, frameon=True, title="verdicts, all years")
    if legend is not None:
        ax.add_artist(legend)  # keep the geometry legend too
    try:
        fig.savefig(out, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    return out


def draw_chart(result: Replay, out: Path) -> Path:
    """Breaches and undetermined verdicts per year, stacked by clause."""
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    bottom = np.zeros(len(years))
    for outcome, hatch in (("breach", ""), ("undetermined", "//")):
        counts = result.counts(outcome)
        for clause in sorted({c for c, _, _ in counts}):
            heights = np.asarray(
                [
                    sum(
                        n
                        for (c, y, _), n in counts.items()
                        if c == clause and y == year
                    )
                    for year in years
                ],
                float,
            )
            ax.bar(
                years, heights, bottom=bottom, hatch=hatch, label=f"{clause}: {outcome}"
            )
            bottom += heights
    doc = result.agreement.document
    ax.set_title(f"{doc.title}: verdicts per year (UCDP GED events)", fontsize=10)
    ax.set_ylabel("incidents")
    ax.set_xticks(years)
    ax.legend(fontsize=8)
    fig.tight_layout()
    try:
        fig.savefig(out, format="png")
    finally:
        plt.close(fig)
    return out
