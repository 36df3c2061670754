"""HXL-tagged CSV, both ways: columns are found by their #hashtags, not their names.

An HXL file has a row of hashtags (``#date+occurred``, ``#geo +lat``) under
or instead of its header; it may sit in any of the first 25 rows. A tag
*pattern* such as ``#affected+killed`` matches a column whose hashtag is
``affected`` and whose attributes include ``killed``; among several matches
we take the one with the fewest extra attributes (so ``#affected+killed``
does not pick ``#affected+killed+civilians``), then the leftmost.

Why not libhxl: it reads the tag row the same way but brings ``six`` and a
web-fetching layer, and we need only "find the column for a pattern", about
forty lines here, tested directly (tests/test_io_hxl.py). Its validation
schemas would not help: our own checks name the row, column and value.

Reading (``IMPORTER``):

- **date** ``#date+occurred`` (else any ``#date``) → observed start; a bare
  date is midnight UTC at day precision. ``#date+end``, ``#date+reported``
  and ``#date+precision`` when present.
- **place** ``#geo+lat``, ``#geo+lon``; radius ``#geo+precision`` (metres),
  else 10 km: plain HXL has no precision tag. ``#loc+name`` → place,
  ``#adm1+code``/``#adm2+name`` → oblast code and raion.
- **event type** ``#event+type``: a value of our vocabulary is taken as is;
  an ACLED event type with its sub-type in ``#event+type+sub`` goes through
  ACLED's table (``acled.EVENTS``, as ACLED publishes HXL on HDX); anything
  else is quarantined by name.
- **id** ``#meta+id`` when it is one of our report ids (our own exports),
  else ``stable_id("hxl", #event+code)``; without ``#event+code`` the hash
  of the row's tagged cells, so a re-import still adds nothing.
- **casualties** ``#affected+killed``, ``#affected+injured``,
  ``#affected+killed+civilians``, ``#affected+injured+civilians``.
- **narrative** ``#description``; **source** ``#meta+source+type`` (else
  media), ``#meta+source+code`` (else ``hxl``), ``#meta+source+name``.
- Every other tagged column is kept in properties under its tag; untagged
  columns are not data in HXL and are left out.

Writing (``to_hxl``) produces exactly those columns, so a round trip keeps
them; it loses what they do not carry (source grades and origin, weapon,
attribution, target, personnel, evidence, supersedes, properties).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, ClassVar, Literal

from ceasefire.io import acled
from ceasefire.io.base import (
    Importer,
    Rejection,
    Row,
    RowError,
    csv_row_problem,
    parse_float,
    readable,
    stable_id,
    to_row,
)
from ceasefire.io.flat import as_report
from ceasefire.model.report import Report
from ceasefire.model.vocabulary import EVENT_TYPES

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
SCAN_ROWS = 25
DEFAULT_RADIUS_M = 10_000.0

# (header, tag, field) of what we write and read back.
SCHEMA: tuple[tuple[str, str, str], ...] = (
    ("report id", "#meta+id", "id"),
    ("event code", "#event+code", "source_report_id"),
    ("date", "#date+occurred", "observed.start"),
    ("end", "#date+end", "observed.end"),
    ("time precision", "#date+precision", "observed.precision"),
    ("reported", "#date+reported", "reported_at"),
    ("latitude", "#geo+lat", "location.lat"),
    ("longitude", "#geo+lon", "location.lon"),
    ("radius (m)", "#geo+precision", "location.precision_m"),
    ("place", "#loc+name", "location.place"),
    ("oblast", "#adm1+code", "location.admin1"),
    ("raion", "#adm2+name", "location.admin2"),
    ("event type", "#event+type", "event_type"),
    ("killed", "#affected+killed", "casualties.killed"),
    ("injured", "#affected+injured", "casualties.injured"),
    ("civilians killed", "#affected+killed+civilians", "casualties.civilians_killed"),
    ("civilians injured", "#affected+injured+civilians", "casualties.civilians_injured"),
    ("description", "#description", "narrative"),
    ("source type", "#meta+source+type", "source.type"),
    ("source", "#meta+source+code", "source.id"),
    ("source name", "#meta+source+name", "source.name"),
)  # fmt: skip


def parse_tag(text: str) -> tuple[str, frozenset[str]] | None:
    """``"#Geo +Lat"`` → ("geo", {"lat"}); None if the cell is not a hashtag."""
    tag = re.sub(r"\s+", "", text).lower()
    if not TAG.match(tag):
        return None
    hashtag, *attributes = tag[1:].split("+")
    return hashtag, frozenset(attributes)


@dataclass(frozen=True)
class Columns:
    """A file's tag row: which column index carries which tag."""

    tags: tuple[tuple[str, frozenset[str]] | None, ...]

    def find(self, pattern: str) -> int | None:
        """The column matching ``pattern`` with the fewest extra attributes."""
        return _find(self, pattern)

    def search(self, pattern: str) -> int | None:
        """``find`` without the cache."""
        wanted = parse_tag(pattern)
        assert wanted is not None, pattern
        best: tuple[int, int] | None = None
        for index, tag in enumerate(self.tags):
            if tag and tag[0] == wanted[0] and wanted[1] <= tag[1]:
                extra = len(tag[1] - wanted[1])
                if best is None or extra < best[0]:
                    best = (extra, index)
        return None if best is None else best[1]

    def name(self, index: int) -> str:
        """The normalised tag of column ``index``."""
        tag = self.tags[index]
        assert tag is not None
        return "#" + "+".join([tag[0], *sorted(tag[1])])


@lru_cache(maxsize=1024)
def _find(columns: Columns, pattern: str) -> int | None:
    return columns.search(pattern)  # once per file and pattern, not per row


@lru_cache(maxsize=16)
def _used(columns: Columns) -> frozenset[int]:
    """Columns that ``SCHEMA`` reads (the rest go to properties)."""
    found = (columns.find(tag) for _, tag, _ in SCHEMA)
    return frozenset(i for i in found if i is not None)


def tag_row(rows: list[list[str]]) -> tuple[int, Columns] | None:
    """The first row whose non-empty cells are all hashtags, and its columns."""
    for number, row in enumerate(rows[:SCAN_ROWS]):
        cells = [cell for cell in row if cell.strip()]
        if cells and all(parse_tag(cell) for cell in cells):
            return number, Columns(tuple(parse_tag(cell) for cell in row))
    return None


def _time(column: str, value: str) -> tuple[datetime, bool]:
    """An ISO date or datetime (naive = UTC) and whether it had a time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RowError(
            column, value, "not a date; expected YYYY-MM-DD or ISO 8601"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, "T" in value or " " in value.strip()


def _event_type(columns: Columns, cells: list[str]) -> str:
    value = _get(columns, cells, "#event+type")
    if value in EVENT_TYPES:
        return value
    sub = _get(columns, cells, "#event+type+sub")
    if (value, sub) in acled.EVENTS:
        return acled.EVENTS[(value, sub)]
    raise RowError(
        "#event+type",
        f"{value}: {sub}" if sub else value,
        "unknown event type; expected one of ours (" + ", ".join(EVENT_TYPES) + ")"
        " or an ACLED event type with its #event+type+sub",
    )


def _get(columns: Columns, cells: list[str], pattern: str, strip: bool = True) -> str:
    index = columns.find(pattern)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip() if strip else cells[index]


def _int(columns: Columns, cells: list[str], pattern: str) -> int | None:
    value = _get(columns, cells, pattern)
    if not value:
        return None
    if not value.isdigit():
        raise RowError(pattern, value, "not a whole number; expected 0 or more")
    return int(value)


def _content_key(columns: Columns, cells: list[str]) -> str:
    """The hash of a row's tagged cells: the id of a row without #event+code."""
    tagged = (
        c for i, c in enumerate(cells) if i < len(columns.tags) and columns.tags[i]
    )
    return "sha256-" + hashlib.sha256("\x1f".join(tagged).encode()).hexdigest()[:32]


@lru_cache(maxsize=16)
def _columns(keys: tuple[str, ...]) -> Columns:
    return Columns(tuple(parse_tag(key.partition("@")[0]) for key in keys))


def to_report(row: dict[str, str]) -> Report:
    """One data row, keyed by its columns' tags (``read`` builds such rows)."""
    columns, cells = _columns(tuple(row)), list(row.values())
    date_tag = (
        "#date+occurred" if columns.find("#date+occurred") is not None else "#date"
    )
    if not _get(columns, cells, date_tag):
        raise RowError(date_tag, "", "missing date; expected YYYY-MM-DD")
    start, timed = _time(date_tag, _get(columns, cells, date_tag))
    end = _get(columns, cells, "#date+end")
    reported = _get(columns, cells, "#date+reported")
    for pattern in ("#geo+lat", "#geo+lon"):
        if not _get(columns, cells, pattern):
            raise RowError(pattern, "", "missing coordinate; expected a number")
    radius = _get(columns, cells, "#geo+precision")
    code = _get(columns, cells, "#event+code", strip=False)
    code = code if code.strip() else ""
    own_id = _get(columns, cells, "#meta+id")
    used = _used(columns)
    extra = {
        columns.name(i): cell.strip()
        for i, cell in enumerate(cells)
        if i < len(columns.tags) and columns.tags[i] and i not in used and cell.strip()
    }
    key = code or _content_key(columns, cells)
    casualties = {
        field.split(".")[1]: value
        for _, tag, field in SCHEMA
        if field.startswith("casualties.")
        and (value := _int(columns, cells, tag)) is not None
    }
    data: dict[str, Any] = {
        "id": own_id if ULID.match(own_id) else stable_id("hxl", key, start),
        "source_report_id": code or (None if ULID.match(own_id) else key),
        "source": {
            "type": _get(columns, cells, "#meta+source+type") or "media",
            "id": _get(columns, cells, "#meta+source+code", strip=False) or "hxl",
            "name": _get(columns, cells, "#meta+source+name", strip=False) or None,
        },
        "observed": {
            "start": start,
            "end": _time("#date+end", end)[0] if end else None,
            "precision": _get(columns, cells, "#date+precision")
            or ("minute" if timed else "day"),
        },
        "reported_at": _time("#date+reported", reported)[0] if reported else start,
        "location": {
            "lat": parse_float("#geo+lat", _get(columns, cells, "#geo+lat"), -90, 90),
            "lon": parse_float("#geo+lon", _get(columns, cells, "#geo+lon"), -180, 180),
            "precision_m": parse_float("#geo+precision", radius, 0, 1e7)
            if radius
            else DEFAULT_RADIUS_M,
            "place": _get(columns, cells, "#loc+name", strip=False) or None,
            "admin1": _get(columns, cells, "#adm1+code", strip=False) or None,
            "admin2": _get(columns, cells, "#adm2+name", strip=False) or None,
        },
        "event_type": _event_type(columns, cells),
        "casualties": casualties or None,
        "narrative": _get(columns, cells, "#description", strip=False),
        "properties": extra,
    }
    return Report.model_validate(data)


@dataclass(frozen=True)
class HxlImporter(Importer):
    """Recognises a CSV with an HXL tag row carrying a date and coordinates."""

    unit: ClassVar[Literal["line", "record"]] = "record"

    def detect(self, header: list[str]) -> bool:
        """Decided by ``detect_file``: the tag row may not be the first."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True for a .csv (or .csv.gz) whose tag row has #date, #geo+lat, #geo+lon."""
        if not path.name.lower().endswith((".csv", ".csv.gz")) or not path.is_file():
            return False
        try:
            head = _head(path)
        except (OSError, UnicodeError, csv.Error):
            return False
        found = tag_row(head)
        if found is not None and found[0] and acled.IMPORTER.detect(head[found[0] - 1]):
            return False  # ACLED's HDX copies: its column names say more than its tags
        return found is not None and all(
            found[1].find(p) is not None for p in ("#date", "#geo+lat", "#geo+lon")
        )

    def read(self, path: Path) -> Iterator[Row]:
        """Every row after the tag row as a Report or a Rejection (1-based)."""
        head = _head(path)
        found = tag_row(head)
        if found is None:
            raise ValueError(f"{path}: no HXL tag row in the first {SCAN_ROWS} rows")
        skip, columns = found
        keys = _keys(columns, head[skip - 1] if skip else [])
        for number, cells in enumerate(_cells(path), start=-skip):
            if number <= 0:
                continue  # the header and tag rows
            row = dict(zip(keys, cells, strict=False))
            if len(cells) != len(keys):
                yield Rejection(
                    str(path),
                    number,
                    None,
                    len(cells),
                    f"{len(cells)} cells; expected {len(keys)} (as in the tag row)",
                    readable(row),
                )
                continue
            problem = csv_row_problem(row)  # bytes that are not UTF-8
            if problem is not None:
                yield Rejection(str(path), number, *problem, readable(row))
                continue
            yield to_row(self.to_report, row, str(path), number, row)


def _keys(columns: Columns, headers: list[str]) -> list[str]:
    """Unique row keys: the tag, or ``header@index`` for untagged columns."""
    keys: list[str] = []
    for i, tag in enumerate(columns.tags):
        header = headers[i] if i < len(headers) else ""
        header = header.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        key = columns.name(i) if tag else f"{header}@{i}"
        keys.append(f"{key}@{i}" if key in keys else key)
    return keys


def _cells(path: Path) -> Iterator[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(
        path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as handle:  # a bad byte costs its row (csv_row_problem), not the file
        yield from csv.reader(handle)


def _head(path: Path) -> list[list[str]]:
    rows = []
    for row in _cells(path):
        rows.append(row)
        if len(rows) == SCAN_ROWS:
            break
    return rows


IMPORTER = HxlImporter(
    "hxl",
    "HXL-tagged CSV (#date, #geo+lat, #geo+lon, #event+type …)",
    frozenset({"#date", "#geo+lat", "#geo+lon"}),
    to_report,
)


# ------------------------------------------------------------------ writing


def hxl_row(report: Report) -> list[str]:
    """One report as the cells of ``SCHEMA``."""
    data = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    cells = []
    for _, _, field in SCHEMA:
        head, _, tail = field.partition(".")
        value = data.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, dict) else None
        cells.append("" if value is None else str(value))
    return cells


def to_hxl(reports: Iterable[Report | dict[str, Any]], out: IO[bytes]) -> int:
    """Write a header row, a tag row and one row per report; return how many."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow([header for header, _, _ in SCHEMA])
    writer.writerow([tag for _, tag, _ in SCHEMA])
    count = 0
    for report in reports:
        writer.writerow(hxl_row(as_report(report)))
        count += 1
    text.flush()
    text.detach()
    return count


def from_hxl(path: Path) -> Iterator[Row]:
    """Reports (or rejections) from an HXL-tagged CSV."""
    yield from IMPORTER.read(path)
