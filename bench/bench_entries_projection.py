"""Append report entries (projection included) and read them back (issue 12).

Run against two trees in the same session and compare:
  PYTHONPATH=/work/main .venv/bin/python bench/bench_entries_projection.py 20000 before
  PYTHONPATH=.          .venv/bin/python bench/bench_entries_projection.py 20000 after
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import orjson

from ceasefire.log.service import Draft, Log
from ceasefire.model.entries import Kind
from ceasefire.store import open_store
from ceasefire.store.base import ReportQuery

FIXTURE = Path(__file__).resolve().parents[1] / "tests/data/entries/1/report.json"


def main(n: int, label: str) -> None:
    """Print the seconds to append ``n`` reports and to read them back."""
    base = orjson.loads(FIXTURE.read_bytes())
    log = Log(open_store(f"sqlite:///{tempfile.mkdtemp()}/bench.db"))
    drafts = []
    for i in range(n):
        body = dict(base, id=f"r{i:07d}")
        drafts.append(
            Draft(Kind.REPORT, orjson.dumps(body), subject=body["id"], id=body["id"])
        )
    start = time.perf_counter()
    for at in range(0, n, 5000):
        log.append(drafts[at : at + 5000])
    append = time.perf_counter() - start
    start = time.perf_counter()
    rows = log.store.report_rows(ReportQuery(limit=n + 1))
    read = time.perf_counter() - start
    print(  # noqa: T201
        f"{label}: append+project {n} reports {append:.2f} s,"
        f" report_rows {read:.3f} s ({len(rows)})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "run")
