"""The importer contract: rows in, reports or reasoned rejections out.

An importer never drops a row silently: every row of a file becomes either a
Report or a Rejection naming the file, row, column, value and what was
expected. Report ids are derived from the source's own id, so importing the
same file twice yields the same ids and adds nothing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ceasefire.errors import RowError as RowError  # re-exported
from ceasefire.model.report import Report, new_id

KYIV = ZoneInfo("Europe/Kyiv")
"""The time zone of the calendar days of UCDP, ACLED, CIR, Bellingcat and the
Ukrainian sources: a day of theirs is a Kyiv day (issue 11)."""


@dataclass(frozen=True)
class Rejection:
    """A row that could not become a report, and why."""

    file: str
    row: int
    """Where in the file: for a text file the physical line the row starts on,
    the header being line 1 (so an editor's "go to line" lands on it); for a
    JSON array or a Parquet file the 1-based record number (``unit``)."""
    column: str | None
    value: Any
    reason: str
    raw: dict[str, str]
    unit: str = "line"
    """"line" (``row`` is a physical line) or "record" (a record number)."""

    def __str__(self) -> str:
        place = f":{self.row}" if self.unit == "line" else f" record {self.row}"
        where = f"{self.file}{place}" + (f" [{self.column}]" if self.column else "")
        return f"{where}: {self.reason} (got {self.value!r})"


Row = Report | Rejection


@dataclass(frozen=True)
class Importer:
    """A named format: how to recognise its header and map one row."""

    name: str
    description: str
    required_columns: frozenset[str]
    to_report: Callable[[dict[str, str]], Report]

    def detect(self, header: list[str]) -> bool:
        """True when ``header`` has every column this format needs."""
        return self.required_columns <= set(header)

    def read(self, path: Path) -> Iterator[Row]:
        """Every data row of ``path`` as a Report or a Rejection."""
        for _, row in self.read_numbered(path):
            yield row

    def read_numbered(self, path: Path) -> Iterator[tuple[int, Row]]:
        """(physical line the row starts on, header = 1; the row) for every row."""
        for line, raw in numbered_csv_rows(path):
            problem = csv_row_problem(raw)
            if problem is None:
                yield line, to_row(self.to_report, raw, str(path), line, raw)
            else:
                yield line, Rejection(str(path), line, *problem, readable(raw))


def to_row(
    convert: Callable[[Any], Report],
    record: Any,
    file: str,
    number: int,
    raw: dict[str, str],
    unit: str = "line",
) -> Row:
    """``convert(record)``, or a Rejection naming the column at fault."""
    try:
        return convert(record)
    except RowError as exc:
        return Rejection(file, number, exc.column, exc.value, exc.reason, raw, unit)
    except ValidationError as exc:
        first = exc.errors()[0]
        column = ".".join(str(part) for part in first["loc"])
        value = first.get("input")
        return Rejection(file, number, column, value, first["msg"], raw, unit)
    except KeyError as exc:  # a format forced on a file without its columns
        name = str(exc.args[0])
        reason = f"no column {name!r} in the file; expected the format's header"
        return Rejection(file, number, name, None, reason, raw, unit)


EXTRA = "(fields beyond the header)"
"""csv.DictReader's key for a row's surplus fields."""


def csv_row_problem(raw: dict[str, Any]) -> tuple[str | None, Any, str] | None:
    """(column, value, reason) when a CSV row is unreadable as a whole.

    A row with more or fewer fields than the header (a ragged row) is not
    guessed at; neither is text that is not UTF-8 (read with
    surrogateescape, so one bad byte costs its row, not the file).
    """
    if EXTRA in raw:
        fields = len(raw) - 1 + len(raw[EXTRA])
        return (
            None,
            fields,
            f"{fields} fields; expected {len(raw) - 1} as in the header",
        )
    if None in raw.values():
        fields = sum(value is not None for value in raw.values())
        return None, fields, f"{fields} fields; expected {len(raw)} as in the header"
    try:
        "".join(raw).encode() + "".join(raw.values()).encode()
    except UnicodeEncodeError:
        for column, value in raw.items():
            try:
                value.encode()
            except UnicodeEncodeError as exc:
                byte = value[exc.start].encode("utf-8", "surrogateescape")
                return (
                    _text(column),
                    _text(value),
                    f"not UTF-8 text (byte 0x{byte.hex().upper()}); expected UTF-8:"
                    " re-save the file as UTF-8",
                )
        return None, None, "the header is not UTF-8 text; expected UTF-8"
    return None


def _text(value: str) -> str:
    """Text with undecodable bytes shown as U+FFFD, safe to store as JSON."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def readable(raw: dict[str, Any]) -> dict[str, str]:
    """A CSV row, whatever its problem, as a JSON-safe dict of strings."""
    safe: dict[str, str] = {}
    for column, value in raw.items():
        if isinstance(value, list):
            value = ",".join(value)
        safe[_text(column)] = "" if value is None else _text(value)
    return safe


csv.field_size_limit(2**31 - 1)  # a huge field is data to judge, not a crash


def csv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV file, gzipped or not, as dicts of strings.

    Bytes that are not UTF-8 come through as surrogates and ragged rows with
    EXTRA or None values: ``csv_row_problem`` names them.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(
        path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as handle:
        yield from csv.DictReader(handle, restkey=EXTRA)


def breaks(text: str) -> int:
    """Line breaks inside a (quoted) value: \\n, \\r\\n and a lone \\r count once."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def numbered_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with the physical line each starts on (header = 1).

    A quoted value may span lines, so the row's first line is the reader's
    line count after the row less the line breaks inside its values.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(
        path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as handle:
        reader = csv.DictReader(handle, restkey=EXTRA)
        for raw in reader:
            inside = sum(
                breaks(v) if isinstance(v, str) else sum(map(breaks, v))
                for v in raw.values()
                if v is not None
            )
            yield reader.line_num - inside, raw


def csv_header(path: Path) -> list[str]:
    """The first row of a CSV file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(
        path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as handle:
        header = next(csv.reader(io.StringIO(handle.readline())), [])
    return [_text(name) for name in header]  # printable in messages


def stable_id(source: str, source_id: str, moment: datetime) -> str:
    """A ULID whose time is the event's and whose randomness is the source id's hash."""
    digest = hashlib.sha256(f"{source}:{source_id}".encode()).digest()
    return new_id(int(moment.timestamp() * 1000), digest)


def parse_date(column: str, value: str, zone: ZoneInfo | None = None) -> datetime:
    """A YYYY-MM-DD date (anything after the date ignored) as its midnight.

    The midnight of ``zone`` (the source's time zone; UTC when None): a
    calendar day of a Ukrainian source starts at 00:00 Kyiv, 22:00 or 21:00 UTC.
    """
    try:
        moment = datetime.fromisoformat(value.strip()[:10])
    except ValueError:
        raise RowError(column, value, "not a date; expected YYYY-MM-DD") from None
    return moment.replace(tzinfo=zone or UTC)


def next_day(day: datetime) -> datetime:
    """The midnight after ``day`` (a midnight) in its own zone: the exclusive end
    of a day-precision event. Calendar arithmetic, so a 23- or 25-hour day (the
    clocks changing) still ends at midnight."""
    following = (day.replace(tzinfo=None) + timedelta(days=1)).replace(
        tzinfo=day.tzinfo
    )
    return following


def id_moment(day: datetime) -> datetime:
    """The instant a report id's time part is taken from for a calendar day:
    its UTC midnight, as before issue 11, so re-importing keeps the ids."""
    return day.replace(tzinfo=UTC)


def parse_float(column: str, value: str, low: float, high: float) -> float:
    """A number within [low, high]."""
    try:
        number = float(value)
    except ValueError:
        raise RowError(
            column, value, f"not a number; expected {low:g} to {high:g}"
        ) from None
    if not low <= number <= high:
        raise RowError(column, value, f"out of range; expected {low:g} to {high:g}")
    return number
