"""The in-memory store: the same contract as sqlite and postgresql, in plain Python.

For tests and demos: nothing persists beyond the process. ``memory://`` opens
a fresh, private store; ``memory://NAME`` opens the store of that name in
this process (created on first use), so several store objects (one per
thread, as the API keeps them) share one log, as they would share a database
file. One lock per store serialises writers, as SQLite's write lock does.

The semantics are the SQL backends': appends are all-or-nothing and write the
reports projection from ``projection.operations`` in the same step; queries
filter, order and page alike (times compared in UTC, boxes with their edges,
corrected reports hidden); a duplicate entry id or position is refused.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ceasefire.log.merkle import right_edge
from ceasefire.model.entries import payload_body
from ceasefire.store.base import (
    EntryRow,
    Prepare,
    ReportPoints,
    ReportQuery,
    ReportRow,
    Store,
    StoredHead,
    StoreError,
    VerdictQuery,
    node_row,
    nodes_of,
    points_of,
    verdict_values,
)
from ceasefire.store.projection import (
    PROJECTED_KINDS,
    InsertReport,
    Operation,
    ReportColumns,
    Supersede,
    operations_of,
    utc_text,
)

SCHEMA_VERSION = 5
"""The logical schema of the SQL backends this store keeps (for ``schema_version``)."""
PROJECTION_SINCE = 2
"""The schema version that brought the reports projection (as in the SQL backends)."""

VerdictKey = tuple[str, str, str, str]


class ReportRecord:
    """One projected report: its columns, state and correction."""

    __slots__ = ("columns", "state", "superseded_by")

    def __init__(self, columns: ReportColumns) -> None:
        self.columns = columns
        self.state = "reported"
        self.superseded_by: str | None = None


@dataclass
class MemoryState:
    """Everything one in-memory store holds (shared by its store objects)."""

    version: int = 0
    entries: list[EntryRow] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    about: dict[str, list[int]] = field(default_factory=dict)
    heads: dict[int, StoredHead] = field(default_factory=dict)
    blobs: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    projected_to: int | None = None
    """The last log position projected (None: a schema without the projection)."""
    reports: dict[int, ReportRecord] = field(default_factory=dict)
    """By log position; inserted in log order, so iteration is log order."""
    report_ids: dict[str, int] = field(default_factory=dict)
    verdicts: dict[VerdictKey, tuple[tuple[Any, ...], bytes]] = field(
        default_factory=dict
    )
    """(agreement id, version, clause, incident) → (VERDICT_COLUMNS row, body JSON)."""
    lock: threading.RLock = field(default_factory=threading.RLock)


_NAMED: dict[str, MemoryState] = {}
_NAMED_LOCK = threading.Lock()


def state_of(name: str) -> MemoryState:
    """The state of the store called ``name`` in this process (empty when new)."""
    with _NAMED_LOCK:
        return _NAMED.setdefault(name, MemoryState())


def names() -> list[str]:
    """The names of the in-memory stores of this process."""
    with _NAMED_LOCK:
        return sorted(_NAMED)


def drop(name: str) -> None:
    """Forget the store called ``name`` (its next opening starts empty)."""
    with _NAMED_LOCK:
        _NAMED.pop(name, None)


def migrate(state: MemoryState, target: int = SCHEMA_VERSION) -> int:
    """Bring ``state`` to schema ``target``; return its version before."""
    with state.lock:
        current = state.version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database schema version {current} is newer than this ceasefire"
                f" understands ({SCHEMA_VERSION}); upgrade ceasefire"
            )
        if current < PROJECTION_SINCE <= target:
            state.projected_to = -1  # caught up on the next append or query
        state.version = max(current, target)
        return current


class MemoryStore(Store):
    """A store in this process's memory (see the module docstring)."""

    def __init__(self, name: str | None = None, *, upgrade: bool = True) -> None:
        self.name = name or f"private-{uuid.uuid4().hex}"
        self.url = f"memory://{name or ''}"
        self.state = state_of(self.name) if name else MemoryState()
        """What the store holds (for tools and tests)."""
        if upgrade:
            migrate(self.state)
        elif self.state.version > SCHEMA_VERSION:
            migrate(self.state, self.state.version)  # refuses, as on upgrade

    # ------------------------------------------------------------ the log

    def size(self) -> int:
        return len(self.state.entries)

    def append(self, prepare: Prepare) -> int:
        """Append and project at once: all of it, or (on any error) nothing."""
        state = self.state
        with state.lock:
            size = len(state.entries)
            rows = [EntryRow(*row) for row in prepare(size, right_edge(size, self))]
            self._check(size, rows)
            operations: list[Operation] = []
            if state.projected_to is not None:
                # computed before anything changes: a bad entry fails the append
                done = state.projected_to
                operations = list(operations_of(self._stored_since(done)))
                operations += operations_of((r.seq, r.kind, r.payload) for r in rows)
            self._write(rows)
            if state.projected_to is not None:
                self._apply(operations, size + len(rows) - 1)
        return size + len(rows)

    def _check(self, size: int, rows: list[EntryRow]) -> None:
        """Refuse what a database's keys would: a position or id not new."""
        ids = self.state.by_id
        seen: set[str] = set()
        for offset, row in enumerate(rows):
            if row.seq != size + offset:
                raise StoreError(
                    f"entry {row.id!r}: position {row.seq} is not {size + offset}"
                )
            if row.id in ids or row.id in seen:
                raise StoreError(f"entry id {row.id!r} is already in the log")
            seen.add(row.id)

    def _write(self, rows: list[EntryRow]) -> None:
        state = self.state
        for row in rows:
            state.entries.append(row)
            state.by_id[row.id] = row.seq
            if row.subject is not None:
                state.about.setdefault(row.subject, []).append(row.seq)

    def subtrees(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        entries = self.state.entries
        found: dict[int, tuple[bytes, bytes]] = {}
        for height, index in requests:
            seq = node_row(height, index)
            if 0 <= seq < len(entries):
                found[seq] = (entries[seq].leaf, entries[seq].nodes)
        return nodes_of(requests, found)

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRow]:
        entries = self.state.entries
        end = len(entries) if stop is None else min(stop, len(entries))
        for seq in range(max(start, 0), end):
            yield entries[seq]

    def entry(self, seq: int) -> EntryRow | None:
        entries = self.state.entries
        return entries[seq] if 0 <= seq < len(entries) else None

    def entry_by_id(self, entry_id: str) -> EntryRow | None:
        seq = self.state.by_id.get(entry_id)
        return None if seq is None else self.state.entries[seq]

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        return {entry_id for entry_id in ids if entry_id in self.state.by_id}

    def entries_about(self, subject: str) -> list[EntryRow]:
        with self.state.lock:
            return [self.state.entries[s] for s in self.state.about.get(subject, [])]

    # ------------------------------------------------------------ heads

    def save_head(self, head: StoredHead) -> None:
        with self.state.lock:
            self.state.heads[head.tree_size] = head

    def latest_head(self) -> StoredHead | None:
        heads = self.state.heads
        return heads[max(heads)] if heads else None

    def head_at(self, tree_size: int) -> StoredHead | None:
        return self.state.heads.get(tree_size)

    # ------------------------------------------------------------ evidence

    def put_blob(self, sha256: str, media_type: str, content: bytes) -> bool:
        with self.state.lock:
            if sha256 in self.state.blobs:
                return False
            self.state.blobs[sha256] = (media_type, bytes(content))
            return True

    def get_blob(self, sha256: str) -> bytes | None:
        found = self.state.blobs.get(sha256)
        return None if found is None else found[1]

    def blob_digests(self) -> Iterator[str]:
        yield from sorted(self.state.blobs)

    # ------------------------------------------------------------ schema

    def schema_version(self) -> int:
        return self.state.version

    def close(self) -> None:
        """Nothing to release: the state lives as long as the name (or object)."""

    # ------------------------------------------------------------ projection

    def _stored_since(self, done: int) -> Iterator[tuple[int, str, bytes]]:
        """Entries of the projected kinds after ``done``, as stored."""
        for row in self.state.entries[done + 1 :]:
            if row.kind in PROJECTED_KINDS:
                yield row.seq, row.kind, row.payload

    def _apply(self, operations: Iterable[Operation], end: int) -> None:
        """Execute projection operations in order; the projection then reaches ``end``."""
        state = self.state
        for op in operations:
            if isinstance(op, InsertReport):
                if op.row.id not in state.report_ids:  # INSERT OR IGNORE
                    state.reports[op.row.seq] = ReportRecord(op.row)
                    state.report_ids[op.row.id] = op.row.seq
                continue
            target = op.old if isinstance(op, Supersede) else op.report
            seq = state.report_ids.get(target)
            if seq is None or seq >= op.seq:
                continue  # only a report logged before the operation
            if isinstance(op, Supersede):
                state.reports[seq].superseded_by = op.new
            else:
                state.reports[seq].state = op.state
        state.projected_to = end

    def _catch_up(self) -> None:
        """Project what a log written before its projection existed lacks."""
        state = self.state
        with state.lock:
            if state.projected_to is None:
                raise StoreError(
                    f"memory store {self.name!r} has no reports projection"
                )
            if state.projected_to < len(state.entries) - 1:
                operations = list(operations_of(self._stored_since(state.projected_to)))
                self._apply(operations, len(state.entries) - 1)

    def _matching(self, query: ReportQuery) -> list[tuple[int, ReportRecord]]:
        """The page of projected reports matching ``query``, in log order."""
        self._catch_up()
        wanted = _report_filter(query)
        found: list[tuple[int, ReportRecord]] = []
        with self.state.lock:
            for seq, record in self.state.reports.items():
                if len(found) == query.limit:  # as SQL's LIMIT: a negative one is none
                    break
                if wanted(seq, record):
                    found.append((seq, record))
        return found

    def report_rows(self, query: ReportQuery) -> list[ReportRow]:
        entries = self.state.entries
        return [
            ReportRow(seq, record.state, payload_body(entries[seq].payload))
            for seq, record in self._matching(query)
        ]

    def report_points(self, query: ReportQuery) -> ReportPoints:
        # projection columns only: no payload is read or parsed
        rows = []
        for _, record in self._matching(query):
            c = record.columns
            start = datetime.fromisoformat(str(c.observed_start))
            rows.append(
                (c.id, c.lon, c.lat, math.floor(start.timestamp()), c.event_type,
                 record.state, c.party)
            )  # fmt: skip
        return points_of(rows)

    def report_export_rows(
        self, query: ReportQuery, batch: int = 100_000
    ) -> Iterator[list[tuple[Any, ...]]]:
        entries = self.state.entries
        rows = [
            (c.id, c.event_type, c.source_type, c.party, c.admin1, c.observed_start,
             c.lon, c.lat, c.precision_m, entries[seq].payload)
            for seq, record in self._matching(query)
            for c in (record.columns,)
        ]  # fmt: skip
        for start in range(0, len(rows), batch):
            yield rows[start : start + batch]

    # ------------------------------------------------------------ verdicts

    def save_verdicts(self, verdicts: Sequence[dict[str, Any]]) -> int:
        made: list[tuple[tuple[Any, ...], bytes]] = []
        for verdict in verdicts:  # all built first: a bad verdict saves none
            values = list(verdict_values(verdict))
            values[7] = utc_text(values[7])  # compared and ordered in UTC
            made.append((tuple(values), orjson.dumps(verdict)))
        with self.state.lock:
            for row, body in made:
                self.state.verdicts[(row[0], row[1], row[2], row[3])] = (row, body)
        return len(made)

    def verdicts(self, query: VerdictQuery) -> list[dict[str, Any]]:
        wanted = _verdict_filter(query)
        with self.state.lock:
            found = [row for row in self.state.verdicts.values() if wanted(row[0])]
        found.sort(key=lambda row: (row[0][7], row[0][2], row[0][3]))
        if query.limit >= 0:  # as SQLite's LIMIT: a negative one is none
            found = found[: query.limit]
        return [orjson.loads(body) for _, body in found]

    def delete_verdicts(self, agreement_id: str, agreement_version: str) -> int:
        with self.state.lock:
            doomed = [
                key
                for key in self.state.verdicts
                if key[0] == agreement_id and key[1] == agreement_version
            ]
            for key in doomed:
                del self.state.verdicts[key]
        return len(doomed)


def _report_filter(query: ReportQuery) -> Callable[[int, ReportRecord], bool]:
    """A predicate (seq, record) → bool with the SQL backends' WHERE semantics."""
    since = utc_text(query.since)
    until = utc_text(query.until)
    sets = [
        (name, frozenset(values))
        for name, values in (
            ("event_type", query.event_types),
            ("party", query.parties),
            ("state", query.states),
        )
        if values
    ]

    def wanted(seq: int, record: ReportRecord) -> bool:
        c = record.columns
        if record.superseded_by is not None:
            return False
        if query.after_seq is not None and seq <= query.after_seq:
            return False
        if query.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = query.bbox
            if not (min_lon <= c.lon <= max_lon and min_lat <= c.lat <= max_lat):
                return False
        start = str(c.observed_start)
        if (since is not None and start < since) or (
            until is not None and start >= until
        ):
            return False
        for name, values in sets:
            value = record.state if name == "state" else getattr(c, name)
            if value not in values:  # a missing party is in no set, as SQL's IN
                return False
        return True

    return wanted


def _verdict_filter(query: VerdictQuery) -> Callable[[tuple[Any, ...]], bool]:
    """A predicate over VERDICT_COLUMNS rows with the SQL backends' semantics."""
    since = utc_text(query.since)
    until = utc_text(query.until)
    equal = [
        (i, value)
        for i, value in (
            (0, query.agreement_id),
            (1, query.agreement_version),
            (3, query.incident),
        )
        if value is not None
    ]
    sets = [
        (i, frozenset(values))
        for i, values in (
            (2, query.clauses),
            (6, query.parties),
            (4, query.verdicts),
            (3, query.incidents),
        )
        if values
    ]

    def wanted(row: tuple[Any, ...]) -> bool:
        if any(row[i] != value for i, value in equal):
            return False
        if any(row[i] not in values for i, values in sets):
            return False
        return not (
            (since is not None and row[7] < since)
            or (until is not None and row[7] >= until)
        )

    return wanted
