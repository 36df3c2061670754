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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ceasefire.io.base import Prepared, csv_header, id_moment, next_day

__all__ = ["Prepared"]  # the fast path's row, defined with the importer contract

BLOCK = 64 << 20
"""pyarrow parses in blocks; one row must fit in one (a huge field falls back)."""


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


def _text(moment: datetime) -> str:
    """ISO text as pydantic writes an aware datetime ("Z" for UTC)."""
    return moment.isoformat().replace("+00:00", "Z")


class Dates:
    """YYYY-MM-DD parsing, cached: an events file repeats few distinct dates."""

    def __init__(self, zone: ZoneInfo | None = None) -> None:
        self.zone = zone or UTC
        self._seen: dict[str, tuple[datetime, str, int]] = {}
        self._next: dict[str, str] = {}

    def get(self, value: str) -> tuple[datetime, str, int]:
        """(midnight in the zone, its ISO text as pydantic writes it, id ms).

        The id ms are those of the day's UTC midnight (``base.id_moment``).
        Raises ValueError for anything ``base.parse_date`` would refuse.
        """
        found = self._seen.get(value)
        if found is None:
            day = datetime.fromisoformat(value.strip()[:10])
            moment = day.replace(tzinfo=self.zone)
            stamp = id_moment(moment).timestamp()
            found = (moment, _text(moment), int(stamp * 1000))
            self._seen[value] = found
        return found

    def following(self, value: str) -> str:
        """ISO text of the midnight after the day ``value`` (an exclusive end)."""
        found = self._next.get(value)
        if found is None:
            found = self._next[value] = _text(next_day(self.get(value)[0]))
        return found


def line_numbers(table: pa.Table) -> Callable[[int], int]:
    """Row index (0-based) → the physical line the row starts on (header = 1).

    Without line breaks inside values that is index + 2; otherwise the breaks
    inside earlier rows' values are added (as ``base.breaks`` counts them).
    """
    inside = np.zeros(table.num_rows, dtype=np.int64)
    for name in table.column_names:
        values = table.column(name)
        lf_any = pc.any(pc.match_substring(values, "\n")).as_py()
        if not lf_any and not pc.any(pc.match_substring(values, "\r")).as_py():
            continue
        lf = pc.count_substring(values, "\n").to_numpy(zero_copy_only=False)
        cr = pc.count_substring(values, "\r").to_numpy(zero_copy_only=False)
        crlf = pc.count_substring(values, "\r\n").to_numpy(zero_copy_only=False)
        inside += lf + cr - crlf
    before = np.concatenate([[0], np.cumsum(inside)[:-1]]) if len(inside) else inside
    starts: list[int] = (np.arange(table.num_rows) + 2 + before).tolist()
    return starts.__getitem__


def whole_number(value: str) -> int | None:
    """An ASCII run of digits as an int, else None (the caller decides)."""
    return int(value) if value.isascii() and value.isdigit() else None
