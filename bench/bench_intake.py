"""Benchmark intake and GeoParquet export (issue 4).

1. Import of a UCDP GED-shaped CSV into SQLite, end to end (parse, validate,
   map, look up oblast/raion, hash, store), against the peer
   ``pyarrow.csv.read_csv`` of the same file alone. Also: the reference
   per-row path (csv.DictReader + pydantic) and where the time goes.
2. Export of 1 M synthetic reports (ceasefire.synth, seeded) from a SQLite
   store to GeoParquet; the target is < 5 s.

Run: .venv/bin/python bench/bench_intake.py [--rows 200000] [--export 1000000]
     [--export-db /tmp/synth-1m.db]   (kept between runs: building it is slow)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parent))

from ucdp_shaped import write_ucdp_csv  # noqa: E402

from ceasefire.geo.admin_lookup import admin_units_at  # noqa: E402
from ceasefire.io import ucdp  # noqa: E402
from ceasefire.io.geoparquet import export_store  # noqa: E402
from ceasefire.io.intake import ImportSummary, import_file, import_rows  # noqa: E402
from ceasefire.log.service import Log  # noqa: E402
from ceasefire.store.base import ReportQuery  # noqa: E402
from ceasefire.store.sqlite import SQLiteStore  # noqa: E402
from ceasefire.synth import reports  # noqa: E402


def timed(action: object) -> float:
    os.sync()
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def reference_import(folder: Path, path: Path) -> None:
    """The per-row path: csv.DictReader, a pydantic Report per row, then the log."""
    with SQLiteStore(folder / "reference.db") as store:
        summary = ImportSummary(str(path), "ucdp")
        import_rows(
            Log(store), ucdp.IMPORTER.read(path), summary, importer=ucdp.IMPORTER
        )


def import_benchmark(folder: Path, rows: int, rounds: int) -> None:
    path = write_ucdp_csv(folder / "ucdp.csv", rows)
    admin_units_at([37.8], [48.0])  # boundaries loaded once, as in a long import
    peer, fast, reference, mapping = [], [], [], []
    for round_ in range(rounds):
        peer.append(rows / timed(lambda: pacsv.read_csv(path)))
        mapping.append(rows / timed(lambda: sum(1 for _ in ucdp.read_fast(path))))
        with SQLiteStore(folder / f"fast-{round_}.db") as store:
            fast.append(
                rows / timed(lambda s=store: import_file(Log(s), path, ucdp.IMPORTER))
            )
        if round_ == 0:  # the per-row path is slow: once is enough
            reference.append(rows / timed(lambda: reference_import(folder, path)))
    size = path.stat().st_size / 1e6
    p, f = statistics.median(peer), statistics.median(fast)
    print(
        f"import of {rows:,} UCDP-shaped rows ({size:.0f} MB CSV), median of {rounds}:"
    )
    print(f"  peer: pyarrow.csv.read_csv alone          {p:10,.0f} rows/s")
    print(
        f"  parse + map only (fast path, no store)    {statistics.median(mapping):10,.0f} rows/s"
    )
    print(
        f"  end to end, fast path                     {f:10,.0f} rows/s   ratio {f / p:.3f}"
    )
    print(f"  end to end, reference per-row path        {reference[0]:10,.0f} rows/s")
    print(f"  fast-path runs: {', '.join(f'{r:,.0f}' for r in fast)}")


def read_payloads(db: Path) -> None:
    """The floor for any exporter of this store in Python: fetch every entry's bytes."""
    connection = sqlite3.connect(db)
    cursor = connection.execute("SELECT payload FROM entries")
    while cursor.fetchmany(100_000):
        pass
    connection.close()


def duckdb_copy(parquet: Path) -> float:
    """Seconds DuckDB takes to COPY a table of the same rows TO a snappy Parquet file.

    The table is loaded (untimed) from our last export, so it holds exactly
    the rows and columns we write.
    """
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE r AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    target = parquet.with_name("duckdb.parquet")
    seconds = timed(
        lambda: connection.execute(
            f"COPY r TO '{target}' (FORMAT parquet, COMPRESSION snappy)"
        )
    )
    connection.close()
    return seconds


def export_benchmark(db: Path, count: int, out: Path) -> None:
    store = SQLiteStore(db)
    if store.size() < count:
        started = time.perf_counter()
        Log(store).append_reports(reports(count - store.size(), seed=7), batch=50_000)
        print(
            f"built {count:,} synthetic reports in {time.perf_counter() - started:.0f} s"
        )
    catch_up = timed(lambda: store.report_rows(ReportQuery(limit=1)))
    query = ReportQuery(limit=2**62)
    runs, peer, duck = [], [], []
    for _ in range(3):
        peer.append(timed(lambda: read_payloads(db)))
        if out.exists():  # issue 16's peer: DuckDB writing the same rows
            duck.append(duckdb_copy(out))

        def export() -> None:
            with out.open("wb") as handle:
                written = export_store(store, query, handle)
            assert written == store.size(), written

        runs.append(timed(export))
    ratio = statistics.median(runs) / statistics.median(peer)
    print(
        f"peer: reading the same {store.size():,} entries' bytes from SQLite alone:"
        f" median {statistics.median(peer):.2f} s; export takes {ratio:.1f}× that"
    )
    if duck:
        print(
            f"peer (issue 16): DuckDB COPY of the same rows and columns TO parquet"
            f" (snappy): median {statistics.median(duck):.2f} s; export takes"
            f" {statistics.median(runs) / statistics.median(duck):.2f}× that;"
            f" load {Path('/proc/loadavg').read_text().split()[0]}"
        )
    print(
        f"export of {store.size():,} reports to GeoParquet: median {statistics.median(runs):.2f} s"
        f" (runs {', '.join(f'{r:.2f}' for r in runs)}; {out.stat().st_size / 1e6:.0f} MB);"
        f" projection catch-up before it: {catch_up:.1f} s"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--export", type=int, default=1_000_000)
    parser.add_argument("--export-db", type=Path, default=None)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        if args.rows:
            import_benchmark(folder, args.rows, args.rounds)
        if args.export:
            db = args.export_db or folder / "export.db"
            export_benchmark(db, args.export, folder / "reports.parquet")


if __name__ == "__main__":
    main()
