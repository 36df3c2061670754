"""Benchmark the HTTP API's filtered list and GeoJSON pages on 1,000,000 reports in SQLite.

Target (issue 8): p99 < 100 ms for bbox + time + limit queries on
/api/reports, /api/reports.geojson and /api/incidents.geojson.

The server runs in its own process (uvicorn, one worker) over a SQLite store
holding seeded synthetic reports along the 2015–22 line of contact
(ceasefire/synth.py: one every 30 s from 2015-03-01, so 1 M span 347 days);
the client sends requests one after another over loopback with httpx and
times each round trip. Queries are seeded: a 0.5° × 0.3° box centred on a
random point of the line and a random 7-day window, as a map pans and
scrubs its time slider.

Peer, in the same run: the same query as plain SQL on the same file with
the stdlib sqlite3 module (the store's own SELECT, payloads parsed), which
is the floor an HTTP layer adds to; and the same query without the R*Tree
(lon/lat BETWEEN on the projection table), to show what the index buys.

Run: .venv/bin/python bench/bench_api.py [--count 1000000] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

from ceasefire.log.service import Log
from ceasefire.store.base import ReportQuery
from ceasefire.store.projection import utc_text
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import CONTACT_LINE, reports

REPO = Path(__file__).resolve().parent.parent
MINSK = REPO / "examples" / "minsk-ii.yaml"
START = datetime(2015, 3, 1, tzinfo=UTC)
SERVER = """
import sys, uvicorn
from pathlib import Path
from ceasefire.api import create_app
app = create_app(sys.argv[1], [Path(sys.argv[2])], {}, rate=1e9, burst=10**9)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""


def build(path: Path, count: int) -> None:
    """The store with ``count`` synthetic reports, projected (cached between runs)."""
    if path.exists():
        return
    started = time.perf_counter()
    with SQLiteStore(path) as store:
        Log(store).append_reports(reports(count, seed=2015))
        appended = time.perf_counter() - started
        store.report_rows(ReportQuery(limit=1))  # builds the projection
    print(
        f"built {path}: {count:,} reports logged in {appended:.0f} s,"
        f" projected in {time.perf_counter() - started - appended:.0f} s"
    )


def queries(count: int, n: int, seed: int = 8) -> list[dict[str, str]]:
    """Seeded bbox + 7-day window queries inside the data."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark input
    span = timedelta(seconds=30 * count)
    found = []
    for _ in range(n):
        i = rng.randrange(len(CONTACT_LINE) - 1)
        t = rng.random()
        (x0, y0), (x1, y1) = CONTACT_LINE[i], CONTACT_LINE[i + 1]
        lon, lat = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        since = START + span * rng.random() * 0.98
        found.append(
            {
                "bbox": f"{lon - 0.25:.4f},{lat - 0.15:.4f},{lon + 0.25:.4f},{lat + 0.15:.4f}",
                "since": since.isoformat(),
                "until": (since + timedelta(days=7)).isoformat(),
                "limit": "100",
            }
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": ordered[-1] * 1000}


def sql_peer(path: Path, params: list[dict[str, str]], rtree: bool) -> list[float]:
    """The same query as plain SQL (with or without the R*Tree), payloads parsed."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    if rtree:
        sql = (
            "SELECT r.seq, r.state, e.payload FROM reports r JOIN reports_rtree t ON t.seq = r.seq"
            " JOIN entries e ON e.seq = r.seq WHERE r.superseded_by IS NULL"
            " AND t.min_lon >= ? AND t.max_lon <= ? AND t.min_lat >= ? AND t.max_lat <= ?"
            " AND r.observed_start >= ? AND r.observed_start < ? ORDER BY r.seq LIMIT 101"
        )
    else:
        sql = (
            "SELECT r.seq, r.state, e.payload FROM reports r"
            " JOIN entries e ON e.seq = r.seq WHERE r.superseded_by IS NULL"
            " AND r.lon BETWEEN ? AND ? AND r.lat BETWEEN ? AND ?"
            " AND r.observed_start >= ? AND r.observed_start < ? ORDER BY r.seq LIMIT 101"
        )
    times = []
    for q in params:
        x0, y0, x1, y1 = map(float, q["bbox"].split(","))
        args = (x0, x1, y0, y1, utc_text(q["since"]), utc_text(q["until"]))
        started = time.perf_counter()
        rows = [orjson.loads(p) for _, _, p in db.execute(sql, args)]
        times.append(time.perf_counter() - started)
        assert rows is not None
    db.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db or Path(tempfile.gettempdir()) / f"ceasefire-bench-api-{args.count}.db"
    build(db, args.count)
    params = queries(args.count, args.requests)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, f"sqlite:///{db}", str(MINSK), str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            deadline = time.monotonic() + 120
            while True:
                try:
                    http.get("/api/me")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
            results: dict[str, dict[str, float]] = {}
            matched: list[int] = []
            for path in (
                "/api/reports",
                "/api/reports.geojson",
                "/api/incidents.geojson",
            ):
                for q in params[:20]:  # warm the page cache and the threads
                    http.get(path, params=q).raise_for_status()
                times = []
                for q in params:
                    started = time.perf_counter()
                    response = http.get(path, params=q)
                    times.append(time.perf_counter() - started)
                    response.raise_for_status()
                    if path == "/api/reports":
                        matched.append(len(response.json()["items"]))
                results[path] = percentiles(times)
            only_bbox = [
                {k: v for k, v in q.items() if k in ("bbox", "limit")} for q in params
            ]
            only_time = [{k: v for k, v in q.items() if k != "bbox"} for q in params]
            for name, variant in (("bbox only", only_bbox), ("time only", only_time)):
                times = []
                for q in variant:
                    started = time.perf_counter()
                    http.get("/api/reports.geojson", params=q).raise_for_status()
                    times.append(time.perf_counter() - started)
                results[f"/api/reports.geojson ({name})"] = percentiles(times)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["peer: same SQL, sqlite3 in-process"] = percentiles(
        sql_peer(db, params, True)
    )
    results["peer: same filter without the R*Tree"] = percentiles(
        sql_peer(db, params, False)
    )
    print(
        f"\n{args.count:,} reports; {args.requests} seeded queries each"
        f" (bbox 0.5°×0.3° + 7-day window + limit 100; median {statistics.median(matched):.0f} items per page)"
    )
    print(f"{'':48} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}  (ms)")
    for name, found in results.items():
        print(
            f"{name:48} {found['p50']:8.1f} {found['p90']:8.1f} {found['p99']:8.1f} {found['max']:8.1f}"
        )
    floor = results["peer: same SQL, sqlite3 in-process"]["p99"]
    for path in ("/api/reports", "/api/reports.geojson", "/api/incidents.geojson"):
        print(f"{path}: p99 {results[path]['p99'] / floor:.1f}× the bare SQL's p99")


if __name__ == "__main__":
    main()
