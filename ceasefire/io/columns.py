"""The fast intake path: a CSV file as columns, rows as ready report bodies.

The per-row path (csv.DictReader, then a pydantic Report per row) is the
reference. A format may add a fast reader that parses the file with pyarrow
into string columns and maps each row straight to the JSON body the log
stores, skipping pydantic's validate-then-serialise round trip. It may only
be faster, never different:

- a file pyarrow cannot parse cleanly (not UTF-8, ragged rows, …) is read by
  the reference path instead, so row numbers and reasons stay the same;
- a row the fast mapping has any doubt about is handed to the reference
  mapping, so rejections keep their exact column, value and reason;
- what the fast mapping accepts must be byte-identical to what the reference
  gives (tests/test_intake_fast.py checks this on the real data).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.csv as pacsv

from ceasefire.io.base import csv_header

BLOCK = 64 << 20
"""pyarrow parses in blocks; one row must fit in one (a huge field falls back)."""


class Prepared(NamedTuple):
    """A row mapped by a fast reader: the report body, as the log will store it.

    ``body`` equals ``Report.model_dump(mode="json", by_alias=True,
    exclude_none=True)`` of the report the reference mapping would give,
    before oblast and raion are looked up.
    """

    id: str
    body: dict[str, Any]
    lon: float
    lat: float
    start: datetime


def string_columns(path: Path, required: frozenset[str]) -> pa.Table | None:
    """The file as a table of string columns, or None to use the reference path.

    None when pyarrow cannot read it exactly as csv.DictReader would: invalid
    UTF-8, ragged rows, a row larger than a block, a duplicated or missing
    required column.
    """
    try:
        header = csv_header(path)
    except (UnicodeDecodeError, OSError, csv.Error):
        return None
    if len(set(header)) != len(header) or not required <= set(header):
        return None
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return None


def column(table: pa.Table, name: str) -> list[str]:
    """A string column as a Python list ("" where the file had nothing)."""
    values: list[str] = table.column(name).to_pylist()
    return values


def raw_row(table: pa.Table, index: int) -> dict[str, str]:
    """Row ``index`` (0-based) as csv.DictReader would give it."""
    return {name: table.column(name)[index].as_py() for name in table.column_names}


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # 10 bits → 2 letters
_SHIFTS = range(120, -1, -10)


def ulid(at_ms: int, entropy: bytes) -> str:
    """``model.report.new_id(at_ms, entropy)``, two letters at a time."""
    value = (at_ms << 80) | int.from_bytes(entropy[:10].rjust(10, b"\0"), "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


class Dates:
    """YYYY-MM-DD parsing, cached: an events file repeats few distinct dates."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[datetime, str, int]] = {}

    def get(self, value: str) -> tuple[datetime, str, int]:
        """(midnight UTC, its ISO text as pydantic writes it, Unix ms).

        Raises ValueError for anything ``base.parse_date`` would refuse.
        """
        found = self._seen.get(value)
        if found is None:
            moment = datetime.fromisoformat(value.strip()[:10]).replace(tzinfo=UTC)
            text = moment.isoformat().replace("+00:00", "Z")
            found = (moment, text, int(moment.timestamp() * 1000))
            self._seen[value] = found
        return found


def whole_number(value: str) -> int | None:
    """An ASCII run of digits as an int, else None (the caller decides)."""
    return int(value) if value.isascii() and value.isdigit() else None
