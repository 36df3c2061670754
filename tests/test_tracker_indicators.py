"""Indicators computed from the log match independent sums of the raw files."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import EXAMPLES, shared_data

from ceasefire.agreement.load import Agreement, load
from ceasefire.io.intake import import_file
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.agreement import IndicatorFormula
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.tracker.indicators import compute, compute_one, union_seconds

MISSILES = "missile-drone-attacks/missile_attacks_daily_2022-09_2026-04.csv.gz"
ALERTS = "air-raid-alerts/official_data_en_2022-03-15_2024-04-22.csv.gz"
KYIV = ZoneInfo("Europe/Kyiv")
AS_OF = datetime(2026, 5, 1, tzinfo=KYIV)
THREE = ("Kharkivska oblast", "Kyiv City", "Dnipropetrovska oblast")


def _rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _subset(rows: list[dict[str, str]], keep: list[dict[str, str]], out: Path) -> Path:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(keep)
    return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture(scope="module")
def alaska() -> Agreement:
    return load(EXAMPLES / "alaska-terms.yaml")


def test_interception_rate_matches_weekly_sums_of_the_air_force_file(
    tmp_path: Path, alaska: Agreement
) -> None:
    raw = _rows(shared_data(MISSILES))
    # independent: the file's own local dates, plain sums; 2025-09-01 is a Monday
    window = [r for r in raw if "2025-09-01" <= r["time_start"][:10] < "2026-05-01"]
    launched: dict[date, float] = defaultdict(float)
    destroyed: dict[date, float] = defaultdict(float)
    for row in window:
        week = _monday(date.fromisoformat(row["time_start"][:10]))
        launched[week] += float(row["launched"])
        destroyed[week] += float(row["destroyed"])
    subset = _subset(
        raw,
        [r for r in raw if r["time_start"][:10] >= "2025-08-20"],
        tmp_path / "missiles.csv",
    )
    with SQLiteStore(tmp_path / "s.db") as store:
        summary = import_file(Log(store), subset, importer_for(subset))
        assert summary.quarantined == 0
        (series,) = [
            s
            for s in compute(alaska, store, AS_OF)
            if s.indicator.id == "interception-rate"
        ]
    points = dict(series.points)
    assert min(points) == date(2025, 9, 1) and max(points) == date(2026, 4, 27)
    assert len(points) == 35
    for week, value in points.items():
        if launched[week]:
            assert value == pytest.approx(
                100 * destroyed[week] / launched[week], abs=1e-9
            )
        else:  # no statements that week: a gap, not a zero
            assert value is None
    assert points[date(2026, 4, 13)] is None  # the file ends 2026-04-05
    assert sum(v is not None for v in points.values()) == len(
        {_monday(date.fromisoformat(r["time_start"][:10])) for r in window}
    )


def _independent_alert_hours(
    rows: list[dict[str, str]], oblast: str, weeks: list[date]
) -> dict[date, float]:
    """Union of the oblast's alert intervals per Kyiv week, by sweeping minute marks."""
    found: dict[date, float] = {}
    spans = [
        (datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["finished_at"]))
        for r in rows if r["oblast"] == oblast and r["finished_at"]
    ]  # fmt: skip
    for week in weeks:
        start = datetime(week.year, week.month, week.day, tzinfo=KYIV).astimezone(UTC)
        following = week + timedelta(days=7)
        end = datetime(
            following.year, following.month, following.day, tzinfo=KYIV
        ).astimezone(UTC)
        # a different algorithm from the engine's sort-and-merge: boundary events
        events: list[tuple[datetime, int]] = []
        for s, e in spans:
            if s < end and e > start:
                events += [(max(s, start), 1), (min(e, end), -1)]
        events.sort(key=lambda x: (x[0], -x[1]))
        depth, opened, total = 0, start, 0.0
        for moment, step in events:
            if depth == 0 and step == 1:
                opened = moment
            depth += step
            if depth == 0:
                total += (moment - opened).total_seconds()
        found[week] = total / 3600
    return found


def test_alert_hours_match_an_independent_union_for_three_oblasts(
    tmp_path: Path, alaska: Agreement
) -> None:
    raw = _rows(shared_data(ALERTS))
    keep = [
        r
        for r in raw
        if r["oblast"] in THREE and "2022-12-20" <= r["started_at"][:10] <= "2023-04-10"
    ]
    subset = _subset(raw, keep, tmp_path / "alerts.csv")
    formula = IndicatorFormula(
        kind="alert_hours",
        oblasts=list(THREE),
        since=datetime(2023, 1, 2, tzinfo=KYIV),
        until=datetime(2023, 4, 3, tzinfo=KYIV),
    )
    (indicator,) = [i for i in alaska.document.indicators if i.id == "alert-hours"]
    indicator = indicator.model_copy(update={"formula": formula})
    weeks = [date(2023, 1, 2) + timedelta(days=7 * i) for i in range(13)]
    with SQLiteStore(tmp_path / "s.db") as store:
        import_file(Log(store), subset, importer_for(subset))
        found = {
            s.series: dict(s.points)
            for s in compute_one(alaska, store, indicator, AS_OF)
        }
    assert set(found) == set(THREE)
    for oblast in THREE:
        expected = _independent_alert_hours(keep, oblast, weeks)
        assert list(found[oblast]) == weeks
        for week in weeks:
            assert found[oblast][week] == pytest.approx(expected[week], abs=1e-6), (
                oblast,
                week,
            )
    # overlapping raion/hromada alerts are counted once: the union is below the plain sum
    dnipro = [r for r in keep if r["oblast"] == "Dnipropetrovska oblast"]
    plain = (
        sum(
            (
                datetime.fromisoformat(r["finished_at"])
                - datetime.fromisoformat(r["started_at"])
            ).total_seconds()
            for r in dnipro
            if "2023-01-09" <= r["started_at"][:10] < "2023-01-16"
        )
        / 3600
    )
    assert found["Dnipropetrovska oblast"][date(2023, 1, 9)] < plain


def test_periods_outside_the_alert_data_are_gaps_not_zeros(
    tmp_path: Path, alaska: Agreement
) -> None:
    raw = _rows(shared_data(ALERTS))
    keep = [
        r
        for r in raw
        if r["oblast"] == "Kyiv City" and "2024-04-01" <= r["started_at"][:10]
    ]
    subset = _subset(raw, keep, tmp_path / "alerts.csv")
    with SQLiteStore(tmp_path / "s.db") as store:
        import_file(Log(store), subset, importer_for(subset))
        series = [
            s for s in compute(alaska, store, AS_OF) if s.indicator.id == "alert-hours"
        ]
    # the Alaska range starts 2025-09-01; the official file ends 2024-04-22
    assert series and all(v is None for s in series for _, v in s.points)


def test_union_counts_overlaps_once() -> None:
    t = datetime(2024, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert (
        union_seconds(
            [(t, t + 2 * hour), (t + hour, t + 3 * hour), (t + 5 * hour, t + 6 * hour)]
        )
        == 4 * 3600
    )
