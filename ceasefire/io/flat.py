"""Flat CSV of our report schema: one column per field, lossless both ways.

Nested objects become dotted columns (``source.type``, ``location.lon``,
``weapon.class`` …); the list and open-ended fields, ``actors``, ``damage``,
``evidence`` and ``properties``, are JSON text in their cell. An empty cell is an absent
value, and an object whose cells are all empty is absent. So ``to_csv`` then
``from_csv`` gives back equal reports, with their own ids: importing an
exported file into another log adds the same reports, and into the same log
adds nothing.

The file opens in a spreadsheet as it is; the header is how ``ceasefire
import`` recognises it (format ``csv``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ceasefire.io.base import Importer, Row, RowError
from ceasefire.model.report import Report

COLUMNS: tuple[str, ...] = (
    "id", "source_report_id",
    "source.type", "source.id", "source.name", "source.reliability",
    "source.credibility", "source.derived_from",
    "observed.start", "observed.end", "observed.precision", "reported_at",
    "location.lon", "location.lat", "location.precision_m", "location.place",
    "location.admin1", "location.admin2",
    "event_type",
    "weapon.class", "weapon.model", "weapon.calibre_mm", "weapon.range_km",
    "weapon.count",
    "direction_of_fire_deg",
    "attribution.party", "attribution.confidence", "actors",
    "target.category", "target.name",
    "personnel.category", "personnel.nationality", "personnel.count",
    "casualties.killed", "casualties.injured", "casualties.civilians_killed",
    "casualties.civilians_injured", "damage",
    "narrative", "evidence", "supersedes", "properties",
)  # fmt: skip
FLOATS = frozenset(
    {
        "location.lon",
        "location.lat",
        "location.precision_m",
        "weapon.calibre_mm",
        "weapon.range_km",
        "direction_of_fire_deg",
    }
)
INTS = frozenset(
    {"source.credibility", "weapon.count", "personnel.count"}
    | {c for c in COLUMNS if c.startswith("casualties.")}
)
JSON = frozenset({"actors", "damage", "evidence", "properties"})
DETECT = frozenset(
    {"id", "source.type", "observed.start", "location.lon", "event_type"}
)


def as_report(report: Report | dict[str, Any]) -> Report:
    """A report, validating a logged body (the store gives dicts)."""
    return report if isinstance(report, Report) else Report.model_validate(report)


def flatten(report: Report) -> dict[str, str]:
    """The report as one cell per column (empty for absent)."""
    data = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    cells: dict[str, str] = {}
    for column in COLUMNS:
        head, _, tail = column.partition(".")
        value = data.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, dict) else None
        if column in JSON:
            cells[column] = orjson.dumps(value).decode() if value else ""
        else:
            cells[column] = "" if value is None else str(value)
    return cells


def _cell(column: str, text: str) -> Any:
    if column in JSON:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            raise RowError(column, text, "not JSON; expected a JSON value") from None
    try:
        if column in FLOATS:
            return float(text)
        if column in INTS:
            return int(text)
    except ValueError:
        kind = "a number" if column in FLOATS else "a whole number"
        raise RowError(column, text, f"not {kind}") from None
    return text


def unflatten(row: dict[str, str]) -> Report:
    """A flat row (as written by ``to_csv``) as a report."""
    data: dict[str, Any] = {}
    for column in COLUMNS:
        text = row.get(column) or ""
        if not text:
            continue
        head, _, tail = column.partition(".")
        value = _cell(column, text)
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[head] = value
    return Report.model_validate(data)


def to_csv(reports: Iterable[Report | dict[str, Any]], out: IO[bytes]) -> int:
    """Write the reports as flat CSV with a header; return how many."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.DictWriter(text, COLUMNS)
    writer.writeheader()
    count = 0
    for report in reports:
        writer.writerow(flatten(as_report(report)))
        count += 1
    text.flush()
    text.detach()
    return count


def from_csv(path: Path) -> Iterator[Row]:
    """Reports (or rejections) from a flat CSV written by ``to_csv``."""
    yield from IMPORTER.read(path)


IMPORTER = Importer(
    "csv", "ceasefire flat CSV (one column per report field)", DETECT, unflatten
)
