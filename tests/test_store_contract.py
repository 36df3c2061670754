"""The store contract: what the log, proofs and queries rely on, on every backend.

Every test takes the ``store`` fixture (tests/conftest.py), parametrised here
over all three backends: SQLite, PostgreSQL + PostGIS (marked ``postgis``;
skipped, or failed in CI, when no server is given) and the in-memory store.
Merkle hashes are checked against ``merkle.MemorySource``, which computes them
from the entries alone; report filters against plain comparisons of the
reports' own fields.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from typing import Any

import orjson
import pytest

from ceasefire.log import merkle
from ceasefire.log.service import Draft, Log, report_draft
from ceasefire.model.entries import Kind, raw_body
from ceasefire.model.report import Attribution, Report, new_id
from ceasefire.store import memory
from ceasefire.store import sqlite as sqlite_store
from ceasefire.store.base import (
    EntryRow,
    ReportQuery,
    Store,
    StoredHead,
    StoreError,
)
from ceasefire.store.memory import MemoryStore
from ceasefire.store.sqlite import SQLiteStore

pytestmark = pytest.mark.parametrize(
    "store",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis), "memory"],
    indirect=True,
)

# ------------------------------------------------------------ helpers


def reopen(store: Store, *, upgrade: bool = True, suffix: str = "") -> Store:
    """Another store object on the same database (or a sibling one, with suffix)."""
    if isinstance(store, SQLiteStore):
        path = store.path.with_name(f"{store.path.stem}{suffix}.db")
        return SQLiteStore(path, upgrade=upgrade)
    if isinstance(store, MemoryStore):
        return MemoryStore(store.name + suffix, upgrade=upgrade)
    from ceasefire.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    return PostgresStore(store.url, schema=store.schema + suffix, upgrade=upgrade)


def migrate_to_v1(store: Store, suffix: str) -> Store:
    """A sibling database that has run only migration 1, opened without upgrading."""
    if isinstance(store, SQLiteStore):
        path = store.path.with_name(f"{store.path.stem}{suffix}.db")
        connection = sqlite3.connect(path, isolation_level=None)
        sqlite_store.migrate(connection, target=1)
        connection.close()
        return SQLiteStore(path, upgrade=False)
    if isinstance(store, MemoryStore):
        memory.migrate(memory.state_of(store.name + suffix), target=1)
        return MemoryStore(store.name + suffix, upgrade=False)
    from ceasefire.store import postgres

    opened = reopen(store, upgrade=False, suffix=suffix)
    assert isinstance(opened, postgres.PostgresStore)
    postgres.migrate(opened.connection, opened.schema, target=1)
    return opened


def set_schema_version(store: Store, version: int) -> None:
    """Mark the store's database as of schema ``version``, from outside the store."""
    statement = f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version'"
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            connection.execute(statement)
        return
    if isinstance(store, MemoryStore):
        store.state.version = version
        return
    from ceasefire.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    store.connection.execute(statement.encode())


def latest_version(store: Store) -> int:
    if isinstance(store, SQLiteStore):
        return sqlite_store.SCHEMA_VERSION
    if isinstance(store, MemoryStore):
        return memory.SCHEMA_VERSION
    from ceasefire.store import postgres

    return postgres.SCHEMA_VERSION


def rows_for(size: int, edge: list[bytes], payloads: list[bytes]) -> list[EntryRow]:
    """Entry rows for ``payloads`` appended to a tree of ``size`` with right ``edge``."""
    appender = merkle.Appender(size, edge)
    rows = []
    for offset, payload in enumerate(payloads):
        seq = size + offset
        leaf = merkle.leaf_hash(payload)
        rows.append(
            EntryRow(
                seq=seq,
                id=f"entry-{seq}",
                kind="note",
                subject=f"case-{seq % 3}" if seq % 4 else None,
                recorded_at=f"2025-01-01T00:00:{seq % 60:02d}.000000+00:00",
                payload=payload,
                leaf=leaf,
                nodes=appender.append(leaf),
            )
        )
    return rows


def payload(number: int) -> bytes:
    # binary content on purpose: NUL and high bytes must come back unchanged
    return b"entry %d \x00\xff\x80 " % number + bytes(range(number % 7))


def append_payloads(store: Store, payloads: list[bytes]) -> list[EntryRow]:
    written: list[EntryRow] = []

    def prepare(size: int, edge: list[bytes]) -> list[EntryRow]:
        written[:] = rows_for(size, edge, payloads)
        return written

    store.append(prepare)
    return written


def report(
    start: str,
    lon: float = 38.0,
    lat: float = 48.0,
    event_type: str = "shelling",
    supersedes: str | None = None,
) -> Report:
    data: dict[str, Any] = {
        "id": new_id(),
        "source": {"type": "monitor_patrol", "id": "team-7"},
        "observed": {"start": start},
        "reported_at": start,
        "location": {"lon": lon, "lat": lat, "admin1": "UA-14"},
        "event_type": event_type,
    }
    if supersedes is not None:
        data["supersedes"] = supersedes
    return Report.model_validate(data)


def log_reports(store: Store, *reports: Report) -> None:
    Log(store).append([report_draft(r) for r in reports])


def ids(store: Store, **query: Any) -> list[str]:
    return [body["id"] for body in store.reports(ReportQuery(**query))]


# ------------------------------------------------------------ the log


def test_an_empty_store_has_nothing(store: Store) -> None:
    assert store.size() == 0
    assert list(store.entries()) == []
    assert store.entry(0) is None
    assert store.entry_by_id("entry-0") is None
    assert store.entries_about("case-1") == []
    assert store.latest_head() is None
    assert list(store.blob_digests()) == []
    assert store.reports(ReportQuery()) == []
    assert merkle.root(0, store) == merkle.EMPTY_ROOT


def test_append_assigns_consecutive_positions_from_the_current_size(
    store: Store,
) -> None:
    calls: list[tuple[int, list[bytes]]] = []
    payloads = [payload(n) for n in range(12)]

    def batch(chunk: list[bytes]) -> int:
        def prepare(size: int, edge: list[bytes]) -> list[EntryRow]:
            calls.append((size, list(edge)))
            return rows_for(size, edge, chunk)

        return store.append(prepare)

    assert batch(payloads[:3]) == 3
    assert batch(payloads[3:4]) == 4
    assert batch(payloads[4:12]) == 12
    assert store.size() == 12
    assert [row.seq for row in store.entries()] == list(range(12))
    # prepare was told the size and the right edge an independent tree has there
    assert [size for size, _ in calls] == [0, 3, 4]
    for size, edge in calls:
        reference = merkle.Appender()
        reference.append_many(merkle.leaf_hash(p) for p in payloads[:size])
        assert edge == reference.right_edge
    assert merkle.root(12, store) == merkle.MemorySource(payloads).root()


def test_a_failed_append_leaves_the_store_unchanged(store: Store) -> None:
    before = append_payloads(store, [payload(n) for n in range(5)])

    def failing(size: int, edge: list[bytes]) -> list[EntryRow]:
        raise ValueError("prepare failed")

    with pytest.raises(ValueError, match="prepare failed"):
        store.append(failing)

    def clashing(size: int, edge: list[bytes]) -> list[EntryRow]:
        rows = rows_for(size, edge, [payload(5), payload(6)])
        return [rows[0], rows[1]._replace(id=before[0].id)]  # second row: a used id

    try:
        store.append(clashing)
    except Exception:  # each backend raises its own driver's IntegrityError
        pass
    else:
        pytest.fail("a row with an id already in the log was accepted")
    assert store.size() == 5
    assert list(store.entries()) == before  # not even the first row of the batch
    # and the store still works: the next append continues at 5
    after = append_payloads(store, [payload(5)])
    assert after[0].seq == 5 and store.size() == 6
    assert (
        merkle.root(6, store)
        == merkle.MemorySource([payload(n) for n in range(6)]).root()
    )


def test_subtrees_match_an_independent_tree_in_one_call(store: Store) -> None:
    payloads = [payload(n) for n in range(37)]
    append_payloads(store, payloads)
    reference = merkle.MemorySource(payloads)
    every = [(h, i) for h in range(6) for i in range(37 >> h)]
    assert len(every) == 37 + 18 + 9 + 4 + 2 + 1
    requests = every + every[:10]  # repeats too
    random.Random(7).shuffle(requests)
    assert store.subtrees(requests) == reference.subtrees(requests)
    assert store.subtree(5, 0) == reference.subtree(5, 0)
    assert merkle.root(37, store) == reference.root()
    for beyond in [(0, 37), (1, 18), (2, 9), (3, 4), (6, 0)]:
        with pytest.raises(StoreError):
            store.subtrees([(0, 0), beyond])


def test_proofs_from_the_store_verify(store: Store) -> None:
    payloads = [payload(n) for n in range(37)]
    append_payloads(store, payloads)
    root = merkle.MemorySource(payloads).root()
    for index in (0, 17, 36):
        path = merkle.inclusion_proof(index, 37, store)
        leaf = merkle.leaf_hash(payloads[index])
        assert merkle.verify_inclusion(leaf, index, 37, path, root)
    old_root = merkle.MemorySource(payloads[:20]).root()
    proof = merkle.consistency_proof(20, 37, store)
    assert merkle.verify_consistency(20, 37, old_root, root, proof)


def test_entries_read_back_exactly_as_written(store: Store) -> None:
    written = append_payloads(store, [payload(n) for n in range(37)])
    assert list(store.entries()) == written
    assert all(isinstance(row.payload, bytes) for row in store.entries())
    assert list(store.entries(5, 9)) == written[5:9]
    assert list(store.entries(30)) == written[30:]
    assert list(store.entries(36, 100)) == written[36:]
    assert list(store.entries(9, 9)) == []
    for row in (written[0], written[21], written[36]):
        assert store.entry(row.seq) == row
        assert store.entry_by_id(row.id) == row
    assert store.entry(37) is None
    assert store.entry_by_id("no-such-entry") is None
    about = store.entries_about("case-1")
    assert about == [row for row in written if row.subject == "case-1"]
    assert [row.seq for row in about] == sorted(row.seq for row in about)
    assert store.entries_about("no-such-case") == []


def test_entries_stream_a_long_log_in_order(store: Store) -> None:
    payloads = [b"%d" % n for n in range(12_345)]
    append_payloads(store, payloads)
    seen = [row.payload for row in store.entries()]
    assert seen == payloads
    assert [row.seq for row in store.entries(12_000, 12_010)] == list(
        range(12_000, 12_010)
    )


def test_two_writers_at_once_produce_one_gap_free_log(store: Store) -> None:
    threads, batches, per_batch = 2, 15, 4
    start = threading.Barrier(threads)
    problems: list[BaseException] = []
    returned: list[int] = []

    def writer(number: int) -> None:
        try:
            with reopen(store) as mine:
                start.wait()
                for batch in range(batches):
                    chunk = [
                        b"writer %d batch %d item %d" % (number, batch, item)
                        for item in range(per_batch)
                    ]

                    def prepare(
                        size: int, edge: list[bytes], chunk: list[bytes] = chunk
                    ) -> list[EntryRow]:
                        rows = rows_for(size, edge, chunk)
                        return [row._replace(id=f"w{number}-{row.id}") for row in rows]

                    returned.append(mine.append(prepare))
        except BaseException as exc:  # reported below, not lost in the thread
            problems.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not problems, problems
    total = threads * batches * per_batch
    assert store.size() == total
    assert sorted(returned) == list(range(per_batch, total + 1, per_batch))
    rows = list(store.entries())
    assert [row.seq for row in rows] == list(range(total))
    expected = {
        b"writer %d batch %d item %d" % (w, b, i)
        for w in range(threads)
        for b in range(batches)
        for i in range(per_batch)
    }
    assert sorted(row.payload for row in rows) == sorted(expected)
    # each batch was built on the tree the other writer left: hashes all agree
    reference = merkle.MemorySource([row.payload for row in rows])
    assert [row.nodes for row in rows] == reference.nodes
    assert merkle.root(total, store) == reference.root()


# ------------------------------------------------------------ heads and evidence


def test_heads_are_kept_per_tree_size(store: Store) -> None:
    first = StoredHead(3, bytes(range(32)), '{"size": 3}')
    second = StoredHead(7, bytes(32), '{"size": 7}')
    store.save_head(second)
    store.save_head(first)
    assert store.latest_head() == second  # the largest size, not the last saved
    assert store.head_at(3) == first
    assert store.head_at(5) is None
    countersigned = StoredHead(7, bytes(32), '{"size": 7, "signatures": 2}')
    store.save_head(countersigned)  # same size: replaces
    assert store.head_at(7) == countersigned
    assert store.latest_head() == countersigned
    assert isinstance(store.head_at(3).root, bytes)  # type: ignore[union-attr]


def test_blobs_are_content_addressed(store: Store) -> None:
    photo = bytes(range(256)) * 4096  # 1 MiB with every byte value
    note = b"custody note\x00"
    assert store.put_blob("b" * 64, "image/jpeg", photo) is True
    assert store.put_blob("a" * 64, "text/plain", note) is True
    assert store.put_blob("b" * 64, "image/jpeg", photo) is False  # already there
    assert store.get_blob("b" * 64) == photo
    assert store.get_blob("a" * 64) == note
    assert store.get_blob("c" * 64) is None
    assert list(store.blob_digests()) == ["a" * 64, "b" * 64]


# ------------------------------------------------------------ reports projection


def test_reports_filter_by_place_time_and_type_in_log_order(store: Store) -> None:
    # the same morning, written in four UTC offsets
    a = report("2015-03-01T12:00:00+02:00", 37.8, 48.0)  # 10:00Z
    b = report("2015-03-01T09:30:00-01:00", 38.5, 48.5, "small_arms")  # 10:30Z
    c = report("2015-03-01T11:00:00Z", 30.5, 50.4, "explosion")  # 11:00Z, Kyiv
    d = report("2015-03-01T13:00:00+05:00", 38.0, 47.9)  # 08:00Z
    log_reports(store, a, b)
    Log(store).append([])  # an empty append changes nothing
    append_payloads(store, [b"not a report"])  # other kinds are not projected
    log_reports(store, c, d)

    everything = store.reports(ReportQuery())
    assert [body["id"] for body in everything] == [a.id, b.id, c.id, d.id]
    assert everything[0] == orjson.loads(
        a.model_dump_json(by_alias=True, exclude_none=True)
    )
    donbas = (37.5, 47.5, 39.0, 49.0)
    assert ids(store, bbox=donbas) == [a.id, b.id, d.id]
    assert ids(store, bbox=(30.0, 50.0, 31.0, 51.0)) == [c.id]
    assert ids(store, bbox=(0.0, 0.0, 1.0, 1.0)) == []
    # times compare as instants: d (13:00+05:00) is the earliest
    assert ids(store, since="2015-03-01T09:00:00Z") == [a.id, b.id, c.id]
    assert ids(store, until="2015-03-01T09:00:00Z") == [d.id]
    assert ids(store, since="2015-03-01T10:15:00Z", until="2015-03-01T10:45:00Z") == [
        b.id
    ]
    assert ids(store, event_types=("shelling",)) == [a.id, d.id]
    assert ids(store, event_types=("shelling", "small_arms")) == [a.id, b.id, d.id]
    assert ids(store, event_types=("air_strike",)) == []
    assert ids(store, limit=2) == [a.id, b.id]
    assert ids(store, bbox=donbas, since="2015-03-01T09:00:00Z", limit=1) == [a.id]


def test_report_time_bounds_in_any_offset_and_inclusive(store: Store) -> None:
    a = report("2015-03-01T12:00:00+02:00")  # 10:00Z
    b = report("2015-03-01T09:30:00-01:00")  # 10:30Z
    log_reports(store, a, b)
    # since is inclusive, until exclusive, whatever offset the bounds are in
    assert ids(store, since="2015-03-01T10:00:00Z") == [a.id, b.id]
    assert ids(store, until="2015-03-01T10:00:00Z") == []
    assert ids(store, since="2015-03-01T12:15:00+02:00") == [b.id]
    assert ids(store, until="2015-03-01T05:30:00-05:00") == [a.id]


def test_corrected_reports_are_hidden(store: Store) -> None:
    original = report("2015-03-01T10:00:00Z", event_type="small_arms")
    other = report("2015-03-01T10:05:00Z")
    log_reports(store, original, other)
    assert ids(store) == [original.id, other.id]
    correction = report(
        "2015-03-01T10:00:00Z", event_type="shelling", supersedes=original.id
    )
    log_reports(store, correction)
    assert ids(store) == [other.id, correction.id]
    assert ids(store, event_types=("small_arms",)) == []
    # a correction of the correction hides both, also when logged in one batch
    again = report(
        "2015-03-01T10:00:00Z", event_type="explosion", supersedes=correction.id
    )
    third = report("2015-03-01T10:10:00Z")
    fix_third = report("2015-03-01T10:10:00Z", supersedes=third.id)
    log_reports(store, again, third, fix_third)
    assert ids(store) == [other.id, again.id, fix_third.id]


def test_the_projection_catches_up_after_later_appends(store: Store) -> None:
    first = report("2015-03-01T10:00:00Z")
    log_reports(store, first)
    assert ids(store) == [first.id]
    later = [report(f"2015-03-0{day}T10:00:00+03:00") for day in range(2, 6)]
    log_reports(store, *later[:2])
    append_payloads(store, [b"a note between reports"])
    log_reports(store, *later[2:])
    assert ids(store) == [first.id, *(r.id for r in later)]
    # another store object on the same database sees the same projection
    with reopen(store) as other:
        assert ids(other, since="2015-03-03T00:00:00Z") == [r.id for r in later[1:]]


# ------------------------------------------------------------ schema


def test_a_new_store_has_the_latest_schema(store: Store) -> None:
    assert store.schema_version() == latest_version(store) == 5
    with reopen(store) as again:  # opening again migrates nothing
        assert again.schema_version() == 5


def test_a_version_1_database_is_upgraded_and_projects_older_reports(
    store: Store,
) -> None:
    old = migrate_to_v1(store, "_v1")
    before = [report("2015-03-01T10:00:00Z"), report("2015-03-01T11:00:00+01:00")]
    try:
        assert old.schema_version() == 1
        log_reports(old, *before)
        append_payloads(old, [b"a note"])
    finally:
        old.close()
    with reopen(store, suffix="_v1") as upgraded:
        assert upgraded.schema_version() == 5
        assert upgraded.size() == 3
        assert ids(upgraded) == [r.id for r in before]
        after = report("2015-03-01T12:00:00Z")
        log_reports(upgraded, after)
        assert ids(upgraded, since="2015-03-01T10:30:00Z") == [after.id]
        assert (
            merkle.root(4, upgraded)
            == merkle.MemorySource([row.payload for row in upgraded.entries()]).root()
        )


def test_a_database_from_a_newer_ceasefire_is_refused(store: Store) -> None:
    set_schema_version(store, 99)
    with pytest.raises(StoreError, match="newer than this ceasefire understands"):
        reopen(store)


# ------------------------------------------------------------ API filters (issue 8)


def test_reports_filter_by_party_and_state_and_page_by_position(store: Store) -> None:
    a = report("2015-03-01T10:00:00Z").model_copy(
        update={"attribution": Attribution(party="ua")}
    )
    b = report("2015-03-01T11:00:00Z").model_copy(
        update={"attribution": Attribution(party="cadlr")}
    )
    c = report("2015-03-01T12:00:00Z")
    log_reports(store, a, b, c)
    assert ids(store, parties=("ua",)) == [a.id]
    Log(store).transition(b.id, "under_review", "analyst", "two sources disagree")
    assert ids(store, states=("under_review",)) == [b.id]
    assert ids(store, states=("reported",)) == [a.id, c.id]
    rows = store.report_rows(ReportQuery(limit=2))
    assert [(r.body["id"], r.state) for r in rows] == [
        (a.id, "reported"),
        (b.id, "under_review"),
    ]
    assert ids(store, after_seq=rows[-1].seq) == [c.id]


def test_verdicts_of_a_set_of_incidents(store: Store) -> None:
    from ceasefire.store.base import VerdictQuery

    def verdict(incident: str, clause: str) -> dict[str, Any]:
        return {
            "incident": incident, "source_id": None, "clause": clause,
            "verdict": "breach", "standard_met": True, "party": "ua",
            "reasons": [], "text": "t", "agreement_id": "a",
            "agreement_version": "1", "log_head": None,
            "observed_at": "2015-03-01T10:00:00Z", "lon": 37.5, "lat": 48.0,
        }  # fmt: skip

    store.save_verdicts(
        [
            verdict("i1", "c1"),
            verdict("i1", "c2"),
            verdict("i2", "c1"),
            verdict("i3", "c1"),
        ]
    )
    found = store.verdicts(VerdictQuery(incidents=("i1", "i3")))
    assert sorted((v["incident"], v["clause"]) for v in found) == [
        ("i1", "c1"),
        ("i1", "c2"),
        ("i3", "c1"),
    ]


@pytest.mark.parametrize("cap", [3, 10**9])
def test_every_query_plan_pages_the_same_reports(
    store: Store, cap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite picks a time index, the R*Tree or a log-order scan by how many
    # reports each filter holds; with a tiny cap it takes the scan, with a
    # huge one the indexes. Every plan must page exactly as brute force does.
    monkeypatch.setattr(sqlite_store, "PLAN_CAP", cap)
    monkeypatch.setattr(sqlite_store, "FEW", min(cap, 5_000))
    rng = random.Random(8)
    made = []
    for minute in range(60):
        lon, lat = round(rng.uniform(37.0, 39.0), 3), round(rng.uniform(47.0, 49.0), 3)
        made.append(report(f"2015-03-01T10:{minute:02d}:00Z", lon=lon, lat=lat))
    made.append(report("2015-03-01T12:00:00Z", lon=38.0, lat=48.0))  # on the edge
    log_reports(store, *made)
    for _ in range(25):
        x0, y0 = rng.uniform(37.0, 38.5), rng.uniform(47.0, 48.5)
        box = (x0, y0, x0 + rng.uniform(0.1, 1.5), y0 + rng.uniform(0.1, 1.5))
        if rng.random() < 0.2:
            box = (37.5, 47.5, 38.0, 48.0)  # the edge point is inside, edges included
        since = f"2015-03-01T10:{rng.randrange(50):02d}:00Z"
        expected = [
            r.id
            for r in made
            if box[0] <= r.location.lon <= box[2]
            and box[1] <= r.location.lat <= box[3]
            and r.observed.start.isoformat().replace("+00:00", "Z") >= since
        ]
        query = {"bbox": box, "since": since}
        assert ids(store, **query, limit=1000) == expected
        assert ids(store, bbox=box, limit=1000) == [
            r.id
            for r in made
            if box[0] <= r.location.lon <= box[2] and box[1] <= r.location.lat <= box[3]
        ]
        first = store.report_rows(ReportQuery(bbox=box, since=since, limit=2))
        if len(first) == 2:
            rest = ids(store, **query, after_seq=first[-1].seq, limit=1000)
            assert [r.body["id"] for r in first] + rest == expected


def test_report_points_are_the_map_columns_of_the_same_reports(store: Store) -> None:
    # the map's columns come from the projection alone: same reports, same
    # order and filters as report_rows, times as whole UTC epoch seconds
    a = report("2015-03-01T12:00:00.750+02:00", 37.8, 48.0).model_copy(
        update={"attribution": Attribution(party="ua")}
    )  # 10:00:00.75Z
    b = report("2015-03-01T09:30:00-01:00", 38.5, 48.5, "small_arms")  # 10:30Z
    c = report("2015-03-01T11:00:00Z", 30.5, 50.4, "explosion")
    fixed = report("2015-03-01T11:00:00Z", 30.5, 50.4, supersedes=c.id)
    log_reports(store, a, b, c, fixed)
    Log(store).transition(b.id, "under_review", "analyst", "two sources disagree")
    points = store.report_points(ReportQuery(limit=10))
    assert points.ids == [a.id, b.id, fixed.id]  # the corrected report is hidden
    assert points.lon == [37.8, 38.5, 30.5]
    assert points.lat == [48.0, 48.5, 50.4]
    # date -u -d 2015-03-01T10:00:00Z +%s, …T10:30:00Z, …T11:00:00Z
    assert points.t == [1425204000, 1425205800, 1425207600]
    assert points.event_type == ["shelling", "small_arms", "shelling"]
    assert points.state == ["reported", "under_review", "reported"]
    assert points.party == ["ua", None, None]
    donbas = (37.5, 47.5, 39.0, 49.0)
    for query in (
        ReportQuery(bbox=donbas),
        ReportQuery(bbox=(37.8, 48.0, 37.8, 48.0)),  # a box of one point, edges in
        ReportQuery(since="2015-03-01T10:15:00Z", until="2015-03-01T11:00:00Z"),
        ReportQuery(parties=("ua",)),
        ReportQuery(states=("under_review",), event_types=("small_arms",)),
        ReportQuery(after_seq=store.report_rows(ReportQuery(limit=1))[0].seq),
        ReportQuery(limit=2),
        ReportQuery(bbox=(0.0, 0.0, 1.0, 1.0)),
    ):
        assert store.report_points(query).ids == ids(store, **query.__dict__)
        # the default for backends without a projection parses, and agrees
        assert Store.report_points(store, query) == store.report_points(query)
    assert store.report_points(ReportQuery(bbox=donbas)).ids == [a.id, b.id]


def test_a_state_change_or_correction_touches_only_reports_logged_before_it(
    store: Store,
) -> None:
    # store.projection.operations is executed by every backend; these orders
    # are where a batched projection and a one-at-a-time one could part
    def change(subject: str, to: str) -> Draft:
        body = orjson.dumps({"from": "reported", "to": to, "reason": "checked"})
        return Draft(Kind.STATE_CHANGE, body, subject=subject, actor="analyst")

    seen = report("2015-03-01T10:00:00Z")
    early = report("2015-03-01T10:05:00Z")  # its state change comes first
    named = report("2015-03-01T10:10:00Z")  # its correction comes first
    fix = report("2015-03-01T10:10:00Z", supersedes=named.id)
    Log(store).append(
        [
            report_draft(seen),
            change(seen.id, "under_review"),
            change(early.id, "corroborated"),
            report_draft(early),
            change(seen.id, "corroborated"),  # the last change wins
            report_draft(fix),
            report_draft(named),
        ]
    )
    rows = store.report_rows(ReportQuery())
    assert [(r.body["id"], r.state) for r in rows] == [
        (seen.id, "corroborated"),
        (early.id, "reported"),
        (fix.id, "reported"),
        (named.id, "reported"),
    ]
    # the same entries one append at a time project the same
    with reopen(store, suffix="_one") as other:
        log = Log(other)
        for row in store.entries():
            body = orjson.dumps(raw_body(row))
            log.append([Draft(row.kind, body, subject=row.subject, id=row.id)])
        again = other.report_rows(ReportQuery())
        assert [(r.body["id"], r.state) for r in again] == [
            (r.body["id"], r.state) for r in rows
        ]
