"""The fast (columnar) UCDP path gives exactly what the reference path gives.

The reference is the per-row path: csv.DictReader, ``ucdp.to_report`` (a
pydantic Report), then ``log.service.report_draft`` after the oblast lookup.
"""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

import orjson
from conftest import shared_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.io import ucdp
from ceasefire.io.base import Rejection
from ceasefire.io.columns import Prepared, ulid
from ceasefire.io.intake import import_file
from ceasefire.log.service import Log, report_draft, with_admin_units
from ceasefire.model.report import Report, new_id
from ceasefire.store.sqlite import SQLiteStore

UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"


def as_json(row: Prepared | Report | Rejection) -> object:
    """A row as bytes to compare (1000 == 1000.0 in Python, not in JSON)."""
    if isinstance(row, Prepared):
        return orjson.dumps(row.body)
    if isinstance(row, Report):
        return row.model_dump_json(by_alias=True, exclude_none=True).encode()
    return (row.row, row.column, row.value, row.reason, row.raw)


def test_real_ucdp_file_fast_rows_equal_reference_rows() -> None:
    path = shared_data(UCDP)
    fast = list(ucdp.read_fast(path))
    reference = list(ucdp.IMPORTER.read_numbered(path))
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        assert len(fast) == len(reference) == len(list(csv.DictReader(handle)))
    assert sum(isinstance(r, Prepared) for _, r in fast) == len(fast)  # none deferred
    assert [(n, as_json(r)) for n, r in fast] == [(n, as_json(r)) for n, r in reference]


def test_logged_bytes_equal_the_reference_drafts(tmp_path: Path) -> None:
    path = shared_data(UCDP)
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), path, ucdp.IMPORTER)
        logged = {row.id: row.payload for row in store.entries()}
    reports = [r for r in ucdp.IMPORTER.read(path) if isinstance(r, Report)]
    unique = list({r.id: r for r in reports}.values())
    assert summary.imported == len(unique) == len(logged)
    for report in with_admin_units(unique):
        body = orjson.loads(logged[report.id])["body"]
        assert orjson.dumps(body) == report_draft(report).body


@given(st.integers(-(2**62), 2**62), st.binary(min_size=0, max_size=40))
def test_ulid_equals_new_id(at_ms: int, entropy: bytes) -> None:
    assert ulid(at_ms, entropy) == new_id(at_ms, entropy)


FIELD = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "1", "7", "8", "²", " 3", "-1", "1e2", "nan", "inf"]),
    st.sampled_from(["2014-02-30", "2015-03-01", "2015-03-01 12:00", "0001-01-01"]),
    st.sampled_from(["9999-12-31", "2015-3-1", "48.1", "-181", "37.5 ", "3_7"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({name: FIELD for name in ucdp._USED}))
def test_any_row_reads_the_same_on_both_paths(
    tmp_path_factory: object, row: dict[str, str]
) -> None:
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    path = folder / f"ucdp-fuzz-{os.getpid()}.csv"
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        fast = [(n, as_json(r)) for n, r in ucdp.read_fast(path)]
        reference = [(n, as_json(r)) for n, r in ucdp.IMPORTER.read_numbered(path)]
    finally:
        path.unlink(missing_ok=True)
    assert fast == reference
