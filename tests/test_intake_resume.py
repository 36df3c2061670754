"""An import killed mid-file resumes without duplicates; --since skips old rows."""

from __future__ import annotations

import csv
import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from conftest import shared_data

from ceasefire.io import ucdp
from ceasefire.io.intake import BATCH, import_file
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore

UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"


def real_rows() -> list[dict[str, str]]:
    with gzip.open(shared_data(UCDP), "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def enlarged(target: Path, copies: int) -> int:
    """The real UCDP rows ``copies`` times, each copy with its own ids."""
    rows = real_rows()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                writer.writerow({**row, "id": f"{copy}{row['id']}"})
    return copies * len(rows)


def logged(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        found = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        found = 0
    connection.close()
    return int(found)


def ceasefire(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ceasefire", *args],
        capture_output=True, text=True, check=False, cwd=cwd,
    )  # fmt: skip


@pytest.mark.shared_data
def test_an_import_killed_mid_file_resumes_without_duplicates(tmp_path: Path) -> None:
    source = tmp_path / "ucdp-large.csv"
    total = enlarged(source, copies=12)  # ~37,000 rows: several batches
    assert total > 3 * BATCH
    db = tmp_path / "log.db"
    command = [sys.executable, "-m", "ceasefire", "import", "--db", f"sqlite:///{db}"]
    child = subprocess.Popen(
        [*command, str(source)], cwd=tmp_path, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 600
    while logged(db) < BATCH and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    before = logged(db)
    assert BATCH <= before < total, "the kill must land after a batch, mid-file"
    assert before % BATCH == 0  # whole batches only: the one in flight rolled back

    done = ceasefire("import", "--db", f"sqlite:///{db}", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        f"read {total:,} = imported {total - before:,} + duplicates {before:,}"
        " + quarantined 0" in done.stdout
    )
    with SQLiteStore(db) as store:
        bodies = [orjson.loads(e.payload)["body"] for e in store.entries()]
    per_source_id = Counter(body["source_report_id"] for body in bodies)
    assert len(per_source_id) == total  # every row once ...
    assert set(per_source_id.values()) == {1}  # ... and none twice
    verified = ceasefire("log", "verify", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.shared_data
def test_since_skips_rows_reported_before_it(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    rows = real_rows()
    cut = datetime(2020, 1, 1, tzinfo=UTC)
    # UCDP's report time is date_end (or date_start): counted from the file
    older = sum((r["date_end"] or r["date_start"])[:10] < "2020-01-01" for r in rows)
    assert 0 < older < len(rows)
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), shared_data(UCDP), ucdp.IMPORTER, since=cut)
    assert summary.skipped == older
    assert summary.reconciles and summary.read == len(rows)
    assert f"+ skipped {older:,} (before --since)" in str(summary)
