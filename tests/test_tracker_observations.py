"""Reported indicators from an HXL feed shaped like HDX files: values, gaps, rejections."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import EXAMPLES

from ceasefire.agreement.load import load
from ceasefire.io.base import Rejection
from ceasefire.log.service import Log
from ceasefire.model.tracker import IndicatorObservationBody
from ceasefire.store.base import Store
from ceasefire.tracker import observations
from ceasefire.tracker.indicators import compute

FEED = Path(__file__).parent / "data" / "tracker" / "generators-hxl.csv"
TAG = "#indicator+generators+mw"


def test_hxl_feed_becomes_a_weekly_series_with_gaps(store: Store) -> None:
    alaska = load(EXAMPLES / "alaska-terms.yaml")
    (indicator,) = [
        i for i in alaska.document.indicators if i.id == "generator-capacity"
    ]
    rows = list(observations.read(FEED, "alaska-terms", indicator, TAG))
    (bad,) = [r for r in rows if isinstance(r, Rejection)]
    assert (bad.row, bad.column, bad.value) == (9, TAG, "n/a")
    bodies = [r for r in rows if isinstance(r, IndicatorObservationBody)]
    log = Log(store)
    assert observations.import_observations(log, bodies) == 6
    assert observations.import_observations(log, bodies) == 0  # re-import adds nothing
    as_of = datetime(2025, 10, 20, tzinfo=ZoneInfo("Europe/Kyiv"))
    found = {
        s.series: dict(s.points)
        for s in compute(alaska, store, as_of)
        if s.indicator.id == "generator-capacity"
    }
    # independent: the file read with csv, the last figure of each Monday-week per oblast
    expected: dict[str, dict[date, float | None]] = {}
    with FEED.open(newline="") as handle:
        for row in list(csv.DictReader(handle))[1:]:
            text = row["Generator capacity installed (MW)"].replace(",", "")
            if text == "n/a":
                continue
            day = date.fromisoformat(row["Reporting date"])
            week = date.fromordinal(day.toordinal() - day.weekday())
            expected.setdefault(row["Oblast"], {})[week] = float(text) if text else None
    assert set(found) == set(expected)
    for oblast, weeks in expected.items():
        for week, value in weeks.items():
            assert found[oblast][week] == value
    assert (
        found["Kharkivska oblast"][date(2025, 9, 1)] == 131.0
    )  # the revised figure wins
    assert (
        found["Kharkivska oblast"][date(2025, 9, 8)] is None
    )  # no report that week: a gap
    assert (
        found["Dnipropetrovska oblast"][date(2025, 9, 15)] is None
    )  # withheld: a gap, not 0
    assert found["Kharkivska oblast"][date(2025, 9, 29)] == 1210.0
