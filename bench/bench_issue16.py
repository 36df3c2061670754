"""Import → queryable (issue 16): a UCDP GED-shaped CSV, imported, then one bbox query.

Each phase runs in a fresh process and reports seconds, bytes the process
wrote (``/proc/self/io`` write_bytes: table, indexes and WAL together) and
peak memory; rounds alternate phases so load drifts hit all alike.

* ``ours``: ``import_file`` into a SQLite store, then the first page of
  reports in a box (``Store.reports``), as the API's first request would.
  With ``--before DIR`` the same phase also runs with the code in DIR (e.g.
  the main branch, where the projection is caught up on the first query).
* ``duckdb``: ``read_csv`` into a table of a DuckDB file, then the same box.
* ``sqlite``: Python ``csv`` + ``executemany`` into a plain table with an
  R*Tree (WAL, synchronous=FULL, batches of 10,000), then the same box.

Run: .venv/bin/python bench/bench_issue16.py --rows 100000 [--before /work/main]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BOX = (37.5, 47.8, 38.2, 48.3)
"""min_lon, min_lat, max_lon, max_lat: around Donetsk, on the contact line."""
PAGE = 1000


def written() -> int:
    """Bytes this process has sent to storage so far."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def ours(csv_path: Path, folder: Path) -> dict[str, Any]:
    from ceasefire.geo.admin_lookup import admin_units_at
    from ceasefire.io import ucdp
    from ceasefire.io.intake import import_file
    from ceasefire.log.service import Log
    from ceasefire.store.base import ReportQuery
    from ceasefire.store.sqlite import SQLiteStore

    admin_units_at([37.8], [48.0])  # boundaries loaded before the clock starts
    store = SQLiteStore(folder / "ours.db")
    before, started = written(), time.perf_counter()
    import_file(Log(store), csv_path, ucdp.IMPORTER)
    imported = time.perf_counter()
    found = store.reports(ReportQuery(bbox=BOX, limit=PAGE))
    done = time.perf_counter()
    store.close()
    return {
        "import": imported - started, "query": done - imported,
        "found": len(found), "written": written() - before,
    }  # fmt: skip


def duckdb_peer(csv_path: Path, folder: Path) -> dict[str, Any]:
    import duckdb

    connection = duckdb.connect(str(folder / "peer.duckdb"))
    started = time.perf_counter()
    connection.execute(
        f"CREATE TABLE ged AS SELECT * FROM read_csv('{csv_path}')"  # noqa: S608 - a path we made
    )
    imported = time.perf_counter()
    found = connection.execute(
        "SELECT * FROM ged WHERE longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?"
        " ORDER BY id LIMIT ?",
        [BOX[0], BOX[2], BOX[1], BOX[3], PAGE],
    ).fetchall()
    done = time.perf_counter()
    connection.close()
    return {"import": imported - started, "query": done - imported, "found": len(found)}


def sqlite_peer(csv_path: Path, folder: Path) -> dict[str, Any]:
    import csv
    import sqlite3

    db = sqlite3.connect(folder / "peer.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    before, started = written(), time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = ", ".join(f'"{name}"' for name in header)
        db.execute(f"CREATE TABLE ged (seq INTEGER PRIMARY KEY, {columns})")
        db.execute("CREATE VIRTUAL TABLE box USING rtree (seq, x0, x1, y0, y1)")
        lon, lat = header.index("longitude"), header.index("latitude")
        marks = ", ".join("?" * (len(header) + 1))
        seq = 0
        while True:
            rows = [row for _, row in zip(range(10_000), reader, strict=False)]
            if not rows:
                break
            db.execute("BEGIN")
            db.executemany(
                f"INSERT INTO ged VALUES ({marks})",  # noqa: S608 - '?' only
                [(seq + i, *row) for i, row in enumerate(rows)],
            )
            db.executemany(
                "INSERT INTO box VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        seq + i,
                        float(r[lon]),
                        float(r[lon]),
                        float(r[lat]),
                        float(r[lat]),
                    )
                    for i, r in enumerate(rows)
                ],
            )
            db.execute("COMMIT")
            seq += len(rows)
    imported = time.perf_counter()
    found = db.execute(
        "SELECT g.* FROM box b JOIN ged g ON g.seq = b.seq"
        " WHERE b.x0 >= ? AND b.x1 <= ? AND b.y0 >= ? AND b.y1 <= ? ORDER BY g.seq LIMIT ?",
        (BOX[0], BOX[2], BOX[1], BOX[3], PAGE),
    ).fetchall()
    done = time.perf_counter()
    db.close()
    return {
        "import": imported - started, "query": done - imported,
        "found": len(found), "written": written() - before,
    }  # fmt: skip


PHASES = {"ours": ours, "duckdb": duckdb_peer, "sqlite": sqlite_peer}


def run_phase(phase: str, csv_path: Path, code: Path) -> dict[str, Any]:
    """One phase in a fresh process, with ``code`` first on the path."""
    with tempfile.TemporaryDirectory(dir=csv_path.parent) as folder:
        env = {**os.environ, "PYTHONPATH": str(code)}
        out = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--csv", str(csv_path),
             "--folder", folder],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", type=Path, help="code of the previous version")
    parser.add_argument("--phase")
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    if args.phase:  # inside a phase's own process
        result = PHASES[args.phase](args.csv, args.folder)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    here = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(here / "bench"))
    sys.path.insert(0, str(here))
    from ucdp_shaped import write_ucdp_csv

    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        csv_path = write_ucdp_csv(Path(tmp) / "ged.csv", args.rows)
        plan = [("ours", here), ("duckdb", here), ("sqlite", here)]
        if args.before:
            plan.append(("before", args.before))
        for _ in range(args.rounds):
            for name, code in plan:
                phase = "ours" if name == "before" else name
                result = run_phase(phase, csv_path, code)
                result["load"] = load()
                runs.setdefault(name, []).append(result)
                print(name, result, flush=True)
    report(args.rows, runs)


def report(rows: int, runs: dict[str, list[dict[str, Any]]]) -> None:
    """Medians, and our speed over each one's (import + first query), as issue 16 counts."""
    total = {
        name: statistics.median(r["import"] + r["query"] for r in results)
        for name, results in runs.items()
    }
    print(f"\nimport → queryable, {rows:,} UCDP-shaped rows, median of rounds:")
    for name, results in runs.items():
        med = lambda key, rs=results: statistics.median(r.get(key, 0) for r in rs)  # noqa: E731
        print(
            f"  {name:7s} {total[name]:7.2f} s ({rows / total[name]:8,.0f} rows/s):"
            f" import {med('import'):.2f} s, first query {med('query'):.3f} s,"
            f" wrote {med('written') / 1e6:,.0f} MB, peak {med('peak_mb'):,.0f} MB;"
            f" ours ÷ this (speed) {total[name] / total['ours']:.2f}; load"
            f" {', '.join(r['load'] for r in results)}"
        )


if __name__ == "__main__":
    main()
