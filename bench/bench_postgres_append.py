"""Benchmark the PostgreSQL store: bulk append, projection catch-up, proof lookups.

1. Bulk append of N report entries (default 100,000) whose rows are already
   prepared (envelope bytes, leaf and subtree hashes): ``PostgresStore.append``
   alone, i.e. advisory lock, right edge, binary COPY, commit. In one
   transaction, and in batches of 10,000 (as ``Log.append_reports`` writes).
   The same rows into SQLite, for comparison.
2. The reports projection catching up on those N reports (first ``reports()``).
3. ``subtrees()`` latency for the node set of one inclusion proof (one query),
   and a whole ``merkle.inclusion_proof``, over random entries.

The server is CEASEFIRE_TEST_POSTGRES_URL, else the one scripts/test-postgres.sh
starts. Every run uses a fresh schema, dropped afterwards.

Run: .venv/bin/python bench/bench_postgres_append.py [--count 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql

from ceasefire.log import merkle
from ceasefire.log.service import envelope, now_utc, report_draft
from ceasefire.store.base import EntryRow, ReportQuery, Store
from ceasefire.store.postgres import PostgresStore
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports

REPO = Path(__file__).resolve().parent.parent
BATCH = 10_000


def server_url() -> str:
    url = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL")
    if url:
        return url
    started = subprocess.run(
        [str(REPO / "scripts" / "test-postgres.sh"), "start"],
        capture_output=True,
        text=True,
        check=True,
    )
    return started.stdout.strip()


def prepared_rows(count: int) -> list[EntryRow]:
    """Rows of ``count`` synthetic reports for a log starting empty."""
    recorded_at = now_utc()
    appender = merkle.Appender()
    rows = []
    for seq, report in enumerate(reports(count)):
        draft = report_draft(report)
        payload = envelope(seq, draft, recorded_at)
        leaf = merkle.leaf_hash(payload)
        rows.append(
            EntryRow(
                seq,
                draft.id,
                draft.kind,
                draft.subject,
                recorded_at,
                payload,
                leaf,
                appender.append(leaf),
            )  # fmt: skip
        )
    return rows


def append_all(store: Store, rows: Sequence[EntryRow], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]

        def prepare(
            size: int, edge: list[bytes], chunk: Sequence[EntryRow] = chunk
        ) -> Sequence[EntryRow]:
            assert size == chunk[0].seq
            return chunk

        store.append(prepare)
    return time.perf_counter() - started


class Recorder:
    """A node source that notes what a proof asks for."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.requests: list[tuple[int, int]] = []

    def subtree(self, height: int, index: int) -> bytes:
        return self.subtrees([(height, index)])[0]

    def subtrees(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        self.requests = list(requests)
        return self.inner.subtrees(requests)


def milliseconds(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"median {statistics.median(ordered) * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms"


def proof_latency(store: Store, size: int, samples: int) -> tuple[str, str, float]:
    rng = random.Random(62)
    node_sets = []
    for _ in range(samples):
        recorder = Recorder(store)
        merkle.inclusion_proof(rng.randrange(size), size, recorder)
        node_sets.append(recorder.requests)
    lookups = []
    for requests in node_sets:
        started = time.perf_counter()
        store.subtrees(requests)
        lookups.append(time.perf_counter() - started)
    proofs = []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        merkle.inclusion_proof(index, size, store)
        proofs.append(time.perf_counter() - started)
    mean_nodes = statistics.mean(len(r) for r in node_sets)
    return milliseconds(lookups), milliseconds(proofs), mean_nodes


def drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--proofs", type=int, default=500)
    args = parser.parse_args()
    url = server_url()
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT current_setting('server_version'), postgis_lib_version()"
        ).fetchone()
    assert row is not None
    print(
        f"server: PostgreSQL {row[0]}, PostGIS {row[1]}; psycopg {psycopg.__version__}"
    )

    started = time.perf_counter()
    rows = prepared_rows(args.count)
    megabytes = sum(len(r.payload) for r in rows) / 1e6
    print(
        f"prepared {len(rows):,} report rows ({megabytes:.1f} MB of payload)"
        f" in {time.perf_counter() - started:.1f} s (not timed below)"
    )

    results: dict[str, list[float]] = {}
    schema = f"bench_{os.getpid()}"
    for run in range(args.runs):
        for label, batch in (("one transaction", len(rows)), ("batches of 10k", BATCH)):
            drop(url, schema)
            with PostgresStore(url, schema=schema) as store:
                seconds = append_all(store, rows, batch)
                results.setdefault(f"postgres append, {label}", []).append(seconds)
                if run == 0 and batch == BATCH:
                    started = time.perf_counter()
                    found = store.reports(ReportQuery(limit=len(rows)))
                    catch_up = time.perf_counter() - started
                    assert len(found) == len(rows)
                    print(
                        f"projection catch-up of {len(rows):,} reports:"
                        f" {catch_up:.2f} s ({len(rows) / catch_up:,.0f} reports/s)"
                    )
                    lookup, proof, nodes = proof_latency(store, len(rows), args.proofs)
                    print(
                        f"subtrees() for one inclusion proof's node set"
                        f" ({nodes:.1f} nodes, one query): {lookup}"
                    )
                    print(f"whole merkle.inclusion_proof at {len(rows):,}: {proof}")
        with tempfile.TemporaryDirectory() as folder:
            with SQLiteStore(Path(folder) / "bench.db") as store:
                seconds = append_all(store, rows, BATCH)
                results.setdefault("sqlite append, batches of 10k", []).append(seconds)
    drop(url, schema)

    for label, runs in results.items():
        best = statistics.median(runs)
        print(
            f"{label}: {len(rows) / best:,.0f} reports/s"
            f" (median of {len(runs)}: {best:.2f} s; runs {', '.join(f'{s:.2f}' for s in runs)})"
        )


if __name__ == "__main__":
    main()
