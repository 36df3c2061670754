"""The reports projection is written by the append that logs the reports.

A query right after an import finds every report without catching up, and a
process killed (SIGKILL) at any moment leaves the log and the projection in
step: both have the batch, or neither has it. Expected counts come from the
entries themselves (plain SQL over the stored payloads), not the projection.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from ceasefire.log.service import Log
from ceasefire.store.base import ReportQuery, Store
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports


def raw(store: Store, statement: str) -> list[tuple[Any, ...]]:
    """Plain SQL on the store's database, bypassing the store (no catch-up)."""
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            return connection.execute(statement).fetchall()
    from ceasefire.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    return store.connection.execute(statement.encode()).fetchall()


def test_reports_are_projected_by_the_append_itself(store: Store) -> None:
    log = Log(store)
    made = list(reports(1200, seed=3))
    log.append_reports(made, batch=500)
    target = made[10].id
    log.transition(target, "corroborated", "team-1", "a second patrol saw it")
    size = store.size()
    # before any query: the projection is already complete
    assert raw(store, "SELECT value FROM meta WHERE key = 'projected_to'") == [
        (str(size - 1),)
    ]
    assert raw(store, "SELECT count(*) FROM reports") == [(1200,)]
    states = dict(raw(store, "SELECT id, state FROM reports WHERE state <> 'reported'"))
    assert states == {target: "corroborated"}
    found = store.reports(ReportQuery(bbox=(22.0, 44.0, 41.0, 53.0), limit=10_000))
    inside = [
        r for r in made if 22 <= r.location.lon <= 41 and 44 <= r.location.lat <= 53
    ]
    assert len(found) == len(inside) > 0


def test_a_database_written_before_projection_on_append_is_caught_up(
    store: Store,
) -> None:
    log = Log(store)
    log.append_reports(list(reports(300, seed=4)))
    # as a database written by the previous version: entries but no projection
    for statement in (
        "DELETE FROM reports",
        "UPDATE meta SET value = '-1' WHERE key = 'projected_to'",
    ):
        if isinstance(store, SQLiteStore):
            with sqlite3.connect(store.path) as connection:
                connection.execute(statement)
        else:
            raw_exec(store, statement)
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            connection.execute("DELETE FROM reports_rtree")
    log.append_reports(list(reports(200, seed=5)))
    assert raw(store, "SELECT count(*) FROM reports") == [(500,)]
    assert raw(store, "SELECT value FROM meta WHERE key = 'projected_to'") == [
        (str(store.size() - 1),)
    ]


def raw_exec(store: Store, statement: str) -> None:
    from ceasefire.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    store.connection.execute(statement.encode())


APPENDER = """
import sys
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports
log = Log(SQLiteStore(sys.argv[1]))
batch = []
for number, report in enumerate(reports(1_000_000, seed=int(sys.argv[2]))):
    batch.append(report)
    if len(batch) == 700:
        log.append_reports(batch)
        log.transition(batch[3].id, "corroborated", "team", "seen twice")
        print(number, flush=True)
        batch = []
"""


def consistent(db: Path) -> int:
    """Assert log and projection agree, from the stored entries; return the size."""
    with sqlite3.connect(db) as connection:
        size = connection.execute("SELECT count(*), max(seq) FROM entries").fetchone()
        assert size[0] == (size[1] or -1) + 1  # no gap
        (done,) = connection.execute(
            "SELECT value FROM meta WHERE key = 'projected_to'"
        ).fetchone()
        assert int(done) == size[0] - 1
        logged = [
            orjson.loads(payload)
            for (payload,) in connection.execute(
                "SELECT payload FROM entries WHERE kind IN ('report', 'state_change')"
                " ORDER BY seq"
            )
        ]
        ids = {e["body"]["id"] for e in logged if e["kind"] == "report"}
        projected = dict(connection.execute("SELECT id, state FROM reports"))
        assert set(projected) == ids
        (boxes,) = connection.execute("SELECT count(*) FROM reports_rtree").fetchone()
        assert boxes == len(ids)
        expected = {
            e["subject"]: e["body"]["to"] for e in logged if e["kind"] != "report"
        }
        assert {k: v for k, v in projected.items() if v != "reported"} == expected
    return int(size[0])


def test_sigkill_anywhere_leaves_log_and_projection_consistent(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    rng = random.Random(16)  # noqa: S311 - when to kill, reproducibly
    sizes = []
    for round_ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(db), str(100 + round_)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert child.stdout is not None
        acknowledged = child.stdout.readline()  # at least one batch is in
        assert acknowledged, "the appender died before its first batch"
        time.sleep(rng.uniform(0.0, 0.6))  # then kill mid-way through another
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        sizes.append(consistent(db))
    assert sizes == sorted(sizes) and sizes[0] > 0
    with SQLiteStore(db) as store:
        assert Log(store).verify() == []


def test_utc_text_fast_path_agrees_with_datetime() -> None:
    from datetime import UTC, datetime, timedelta

    from ceasefire.store.projection import utc_text

    rng = random.Random(5)  # noqa: S311 - test data
    start = datetime(2014, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        moment = start + timedelta(
            seconds=rng.randrange(10**9), microseconds=rng.randrange(10**6)
        )
        for text in (
            moment.isoformat(),
            moment.isoformat(timespec="seconds"),
            moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            moment.astimezone(timezone_of(rng)).isoformat(),
        ):
            expected = datetime.fromisoformat(text).astimezone(UTC)
            assert utc_text(text) == expected.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), text


def timezone_of(rng: random.Random) -> Any:
    from datetime import timedelta, timezone

    return timezone(timedelta(minutes=rng.choice([-300, 0, 120, 180, 330])))
