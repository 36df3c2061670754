"""A mission store for the map tests and the screenshot script.

Real UCDP GED events of January 2015 and three hand-written patrol reports
(as tests/test_web_map.py), evaluated against Minsk II; DeepStateMap's daily
occupied area on the Alaska terms' baseline (15 Aug 2025) and the four days
of tests/test_frontline.py; and the Air Force's statements of 1–10 September
2025. Those slices are cut from ../shared/data into a temporary folder at run
time, so none is committed (the Air Force file's licence is not stated).
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from click.testing import CliRunner

from ceasefire.cli import cli
from tests.test_frontline import BASELINE, DAILY, DAYS
from tests.test_frontline import _raw_days as raw_days

REPO = Path(__file__).resolve().parent.parent
UCDP = REPO / "tests/data/reports/ucdp-ged-2015.jsonl"
PATROLS = REPO / "tests/data/reports/patrols-2015-03-05.jsonl"
MINSK = REPO / "examples/minsk-ii.yaml"
ALASKA = REPO / "examples/alaska-terms.yaml"
AIR_FORCE = "missile-drone-attacks/missile_attacks_daily_2022-09_2026-04.csv.gz"
STRIKES_FROM, STRIKES_TO = "2025-09-01", "2025-09-10"
GUARANTOR = "guarantor-token-for-map-tests"
ANALYST = "analyst-token-for-map-tests"
TOKENS = {GUARANTOR: "guarantor", ANALYST: "analyst"}
__all__ = ["BASELINE", "DAILY", "DAYS", "build_store", "raw_days", "strike_rows"]


def strike_rows(
    path: Path, first: str = STRIKES_FROM, last: str = STRIKES_TO
) -> list[dict[str, str]]:
    """The Air Force's rows starting between ``first`` and ``last`` (inclusive)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if first <= r["time_start"][:10] <= last]


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def build_store(
    folder: Path,
    daily: Path,
    air_force: Path,
    days: list[str] | None = None,
    strikes: tuple[str, str] = (STRIKES_FROM, STRIKES_TO),
    evaluate_alaska: bool = False,
) -> tuple[str, dict[str, str]]:
    """The store's URL, and the DeepState lines imported (by day).

    ``days``: DeepState's days besides the baseline (default ``DAYS``);
    ``strikes``: the first and last day of the Air Force's rows.
    """
    lines = raw_days(daily, {BASELINE, *(days or DAYS)})
    sliced = folder / "deepstate_slice.geojson"
    sliced.write_text(
        '{"type":"FeatureCollection","name":"deepstatemap_occupied_daily","features":[\n'
        + ",\n".join(lines[d] for d in sorted(lines))
        + "\n]}\n"
    )
    csv_slice = folder / "missile_attacks_daily_slice.csv"
    csv_slice.write_text(_csv(strike_rows(air_force, *strikes)))
    url = f"sqlite:///{folder / 'mission.db'}"
    steps = [
        ["log", "append", "--db", url, str(UCDP), str(PATROLS)],
        ["evaluate", "--agreement", str(MINSK), "--db", url, "-o", "/dev/null"],
        ["import", "--db", url, str(sliced)],
        ["import", "--db", url, str(csv_slice)],
    ]
    if evaluate_alaska:
        steps.append(
            ["evaluate", "--agreement", str(ALASKA), "--db", url, "-o", "/dev/null"]
        )
    for args in steps:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return url, lines
