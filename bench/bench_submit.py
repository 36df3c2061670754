"""Benchmark (issue 14): report submissions over HTTP under load, against a bare peer.

Target: 500 reports/s offered for 60 s by 64 concurrent clients on
loopback, p99 < 1 s, every acknowledged report stored exactly once.

* ours: ``ceasefire.api.create_app`` under uvicorn (one worker process) over
  a fresh SQLite store, ``POST /api/reports`` with a monitor token and an
  Idempotency-Key: validation (bounds, policy), idempotency, the log's
  Merkle append and the projection, as in production;
* the peer: a bare FastAPI endpoint under uvicorn that only parses the JSON
  and inserts it into SQLite (WAL, one commit per request).

The load generator is open-loop (each request has a scheduled send time;
latency counts from that time, so a stalled server is not hidden by the
clients waiting) and speaks HTTP/1.1 over 64 kept-alive asyncio connections
(a full HTTP client library would eat the cores the servers need).
Afterwards the store is read back: every acknowledged id must be there once.

Run: .venv/bin/python bench/bench_submit.py [--rate 500] [--seconds 60] [--clients 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-monitor-token-0123456789"

OURS = """
import sys, uvicorn
from ceasefire.api.app import create_app
app = create_app(sys.argv[1], [sys.argv[2]], {sys.argv[3]: {"role": "monitor", "name": "bench"}},
                 rate=1e9, burst=10**9)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[4]), log_level="warning")
"""

PEER = """
import sqlite3, sys, threading, uvicorn, orjson
from fastapi import FastAPI, Request
from starlette.responses import Response
db = sqlite3.connect(sys.argv[1], check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS reports (seq INTEGER PRIMARY KEY, body BLOB)")
lock = threading.Lock()
app = FastAPI()

@app.post("/api/reports")
async def submit(request: Request) -> Response:
    body = orjson.loads(await request.body())
    with lock:
        seq = db.execute("INSERT INTO reports (body) VALUES (?)", (orjson.dumps(body),)).lastrowid
        db.commit()
    return Response(orjson.dumps({"id": str(seq), "seq": seq}), 201, media_type="application/json")

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def report(i: int) -> dict[str, Any]:
    """A valid patrol report; places and times vary with ``i``."""
    return {
        "source": {"type": "monitor_patrol", "id": f"SMM-Bench-{i % 40:02d}"},
        "observed": {
            "start": f"2015-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+02:00"
        },
        "reported_at": f"2015-03-{1 + i % 28:02d}T23:00:00+02:00",
        "location": {
            "lon": 37.5 + (i % 997) / 997,
            "lat": 47.8 + (i % 499) / 998,
            "precision_m": 500,
        },
        "event_type": "shelling",
        "attribution": {"party": "cadlr" if i % 2 else "ua", "confidence": "medium"},
        "weapon": {"class": "artillery", "calibre_mm": 122},
        "narrative": f"bench report {i}",
    }


def request_bytes(i: int, port: int) -> bytes:
    body = json.dumps(report(i)).encode()
    head = (
        f"POST /api/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {TOKEN}\r\nIdempotency-Key: bench-{i}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def load(port: int, rate: float, seconds: float, clients: int) -> dict[str, Any]:
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    latencies: list[float] = []
    acked: list[str] = []
    failures: dict[int, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(request_bytes(i, port))
            status, body = await read_response(reader)
            latencies.append(time.perf_counter() - due)
            if status in (200, 201):
                acked.append(json.loads(body)["id"])
            else:
                failures[status] = failures.get(status, 0) + 1
        writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "offered": total,
        "acked": len(acked),
        "ids": acked,
        "failures": failures,
        "achieved_per_s": len(acked) / elapsed,
        "p50_s": statistics.median(latencies),
        "p99_s": latencies[int(0.99 * (len(latencies) - 1))],
        "max_s": latencies[-1],
    }


def serve(code: str, args: list[str], port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", code, *args], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def stored_once(db: Path, ids: list[str], ours: bool) -> tuple[int, int]:
    """(acknowledged ids found exactly once, rows in the store)."""
    with sqlite3.connect(db) as conn:
        if ours:
            rows = [
                r[0]
                for r in conn.execute("SELECT id FROM entries WHERE kind = 'report'")
            ]
        else:
            rows = [str(r[0]) for r in conn.execute("SELECT seq FROM reports")]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row] = counts.get(row, 0) + 1
    return sum(1 for i in set(ids) if counts.get(i) == 1), len(rows)


def run(name: str, rate: float, seconds: float, clients: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-submit-{name}-"))
    db = folder / "m.db"
    port = free_port()
    if name == "ours":
        args = [
            f"sqlite:///{db}",
            str(REPO / "examples" / "minsk-ii.yaml"),
            TOKEN,
            str(port),
        ]
        process = serve(OURS, args, port)
    else:
        process = serve(PEER, [str(db), str(port)], port)
    try:
        result = asyncio.run(load(port, rate, seconds, clients))
    finally:
        process.terminate()
        process.wait(timeout=30)
    once, rows = stored_once(db, result.pop("ids"), name == "ours")
    return {**result, "stored_once": once, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=64)
    options = parser.parse_args()
    print("load average before:", os.getloadavg())
    for name in ("peer", "ours"):
        result = run(name, options.rate, options.seconds, options.clients)
        print(name, json.dumps(result), "load average:", os.getloadavg(), flush=True)


if __name__ == "__main__":
    main()
