"""Reported indicator values from any HXL-tagged feed (generators, supplies, schools).

HDX files carry a row of HXL hashtags under the header; the value column is
named by its tag (``#indicator+generators+mw``), the date by ``#date`` and an
optional sub-series by ``#adm1+name`` (or another tag). Each row becomes an
``indicator_observation`` entry dated to the start of its period in the
indicator's cadence; an empty value cell is logged as a value of None (the
source says it has no figure), a cell that is not a number is rejected naming
the row. When several rows fall in one period the last one in the file wins
(a feed reporting a running total, as capacity figures are).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ceasefire.errors import DetailedError
from ceasefire.io.base import Rejection
from ceasefire.io.hxl import Columns, tag_row
from ceasefire.log.service import Log
from ceasefire.model.agreement import Indicator
from ceasefire.model.tracker import IndicatorObservationBody
from ceasefire.tracker.entries import append_new, draft
from ceasefire.tracker.periods import period_start


def _column(
    columns: Columns, tag: str, path: Path, required: bool = True
) -> int | None:
    index = columns.find(tag)
    if index is None and required:
        raise DetailedError(
            f"{path}: no column tagged {tag!r}",
            value=tag,
            expected="a column with that HXL tag in the tag row",
        )
    return index


def read(
    path: Path,
    agreement_id: str,
    indicator: Indicator,
    tag: str,
    series_tag: str | None = "#adm1+name",
) -> Iterator[IndicatorObservationBody | Rejection]:
    """Every data row of an HXL file as an observation, or a Rejection naming it."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    found = tag_row(rows)
    if found is None:
        raise DetailedError(
            f"{path}: no HXL tag row in the first rows",
            value=str(path),
            expected="a row of hashtags such as #date, #indicator+…",
        )
    header_at, columns = found
    when = _column(columns, "#date", path)
    value = _column(columns, tag, path)
    series = _column(columns, series_tag, path, required=False) if series_tag else None
    assert when is not None and value is not None
    for number, cells in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in cells):
            continue
        yield _row(
            cells, number, path, agreement_id, indicator, (when, value, series), tag
        )


def _row(
    cells: list[str],
    number: int,
    path: Path,
    agreement_id: str,
    indicator: Indicator,
    at: tuple[int, int, int | None],
    tag: str,
) -> IndicatorObservationBody | Rejection:
    when, value, series = at
    raw = {str(i): c for i, c in enumerate(cells)}
    try:
        day = date.fromisoformat(cells[when].strip()[:10])
    except (ValueError, IndexError):
        return Rejection(
            str(path),
            number,
            "#date",
            cells[when] if when < len(cells) else None,
            "not a date; expected YYYY-MM-DD",
            raw,
        )
    text = cells[value].strip() if value < len(cells) else ""
    try:
        number_value = float(text.replace(",", "")) if text else None
    except ValueError:
        return Rejection(
            str(path),
            number,
            tag,
            text,
            "not a number; expected e.g. 12.5 or an empty cell for no figure",
            raw,
        )
    return IndicatorObservationBody(
        agreement=agreement_id, indicator=indicator.id,
        period_start=period_start(day, indicator.cadence), value=number_value,
        unit=indicator.unit, series=cells[series].strip() or None if series is not None and series < len(cells) else None,
        source=f"{path.name}:{number}",
    )  # fmt: skip


def import_observations(log: Log, bodies: list[IndicatorObservationBody]) -> int:
    """Append observations (a re-import of the same file line adds nothing)."""
    drafts = [
        draft(b, f"indicator:{b.agreement}/{b.indicator}", f"{b.agreement}|{b.indicator}|{b.source}|{b.series}|{b.period_start}|{b.value}")
        for b in bodies
    ]  # fmt: skip
    return append_new(log, drafts)
