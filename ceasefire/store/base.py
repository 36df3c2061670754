"""The storage interfaces every backend implements, chosen by URL.

Two interfaces, one object per backend:

* ``LogStore``: the log itself (append, entries, subtree hashes for proofs),
  signed heads and content-addressed blobs. The log is the source of truth:
  entries are append-only and carry their own Merkle data (leaf hash and the
  complete-subtree hashes the entry completes).
* ``Projection``: what is derived and queried: the reports projection (written
  by each append, in its transaction, from ``store.projection.operations``)
  and the verdicts (derived from the log and an agreement version).

``Store`` is both, as every backend (sqlite, postgresql, memory) implements
them; callers that need only one side can say so in their types.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple, Self

import orjson

from ceasefire.errors import StoreError as StoreError  # re-exported
from ceasefire.store.projection import utc_text

HASH_SIZE = 32


class EntryRow(NamedTuple):
    """One log entry as stored (a tuple in column order: cheap to build in bulk)."""

    seq: int
    """0-based position in the log: the Merkle leaf index."""
    id: str
    kind: str
    subject: str | None
    recorded_at: str
    payload: bytes
    """The exact bytes that were hashed."""
    leaf: bytes
    nodes: bytes
    """Hashes of the complete subtrees this entry completes, heights 1, 2, …"""


@dataclass(frozen=True)
class StoredHead:
    """A tree head as kept by the store (the signed JSON is verified elsewhere)."""

    tree_size: int
    root: bytes
    signed_json: str


@dataclass(frozen=True)
class ReportQuery:
    """Filters for the reports projection."""

    bbox: tuple[float, float, float, float] | None = None
    """min_lon, min_lat, max_lon, max_lat."""
    since: str | None = None
    until: str | None = None
    event_types: tuple[str, ...] = ()
    limit: int = 1000
    parties: tuple[str, ...] = ()
    """Attributed parties; empty means any."""
    states: tuple[str, ...] = ()
    """Verification states (as projected from state_change entries); empty means any."""
    after_seq: int | None = None
    """Only reports after this log position (keyset pagination)."""


@dataclass(frozen=True)
class VerdictQuery:
    """Filters for stored verdicts (issue 5); empty tuples mean any."""

    agreement_id: str | None = None
    agreement_version: str | None = None
    clauses: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    """breach, no_breach, undetermined."""
    incident: str | None = None
    incidents: tuple[str, ...] = ()
    """Any of these incidents (the API's page of incidents); empty means any."""
    since: str | None = None
    """Observed at or after (ISO 8601 with offset)."""
    until: str | None = None
    limit: int = 1000


VERDICT_COLUMNS = (
    "agreement_id", "agreement_version", "clause", "incident", "verdict",
    "standard_met", "party", "observed_at", "lon", "lat", "log_size", "log_root",
    "body",
)  # fmt: skip
"""Columns of the derived ``verdicts`` table, both backends."""


def verdict_values(verdict: dict[str, Any]) -> tuple[Any, ...]:
    """A verdict's JSON form as a row of VERDICT_COLUMNS (body: JSON text)."""
    head = verdict.get("log_head") or {}
    return (
        verdict["agreement_id"], verdict["agreement_version"], verdict["clause"],
        verdict["incident"], verdict["verdict"], bool(verdict["standard_met"]),
        verdict.get("party"), verdict["observed_at"], verdict["lon"], verdict["lat"],
        head.get("tree_size"), head.get("root"), orjson.dumps(verdict).decode(),
    )  # fmt: skip


EXPORT_COLUMNS = (
    "id", "event_type", "source_type", "party", "admin1", "observed_start",
    "lon", "lat", "precision_m", "entry",
)  # fmt: skip
"""Columns of ``Store.report_export_rows``: observed_start is UTC text; entry
is JSON bytes whose last key is ``"body"``, the report (the logged envelope as
stored, so a backend need not copy it)."""


EXPORT_ARROW_COLUMNS = (
    "id", "event_type", "source_type", "party", "admin1", "observed_start",
    "lon", "lat", "precision_m", "report",
)  # fmt: skip
"""Columns of ``SQLiteStore.report_export_arrow`` batches: as EXPORT_COLUMNS,
but ``report`` is the report's JSON text itself."""


def export_row(body: dict[str, Any]) -> tuple[Any, ...]:
    """A report body as a row of EXPORT_COLUMNS."""
    location = body["location"]
    return (
        body["id"], body["event_type"], body["source"]["type"],
        (body.get("attribution") or {}).get("party"), location.get("admin1"),
        utc_text(body["observed"]["start"]), location["lon"], location["lat"],
        location.get("precision_m", 100.0), b'{"body":' + orjson.dumps(body) + b"}",
    )  # fmt: skip


class ReportRow(NamedTuple):
    """One projected report: its log position, current state and body."""

    seq: int
    state: str
    body: dict[str, Any]


class ReportPoints(NamedTuple):
    """What the map draws of each matching report: parallel columns, in log order."""

    ids: list[str]
    lon: list[float]
    lat: list[float]
    t: list[int]
    """Observed start, whole seconds since 1970-01-01T00:00:00Z."""
    event_type: list[str]
    state: list[str]
    party: list[str | None]


def points_of(rows: Sequence[Sequence[Any]]) -> ReportPoints:
    """Rows of (id, lon, lat, t, event_type, state, party) as columns."""
    if not rows:
        return ReportPoints([], [], [], [], [], [], [])
    return ReportPoints(*(list(map(itemgetter(k), rows)) for k in range(7)))


Prepare = Callable[[int, list[bytes]], Sequence[EntryRow]]
"""Builds the rows to append from the current size and right edge of the tree."""


class LogStore(ABC):
    """The log: entries, the subtree hashes proofs need, heads and blobs."""

    url: str

    # ------------------------------------------------------------ the log

    @abstractmethod
    def size(self) -> int:
        """Number of entries."""

    @abstractmethod
    def append(self, prepare: Prepare) -> int:
        """Append in one write transaction; return the new size.

        ``prepare(size, right_edge)`` is called with the writer lock held, so two
        writers can never build on the same tree.
        """

    @abstractmethod
    def subtrees(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        """Hashes of complete subtrees by (height, index); height 0 is a leaf."""

    def subtree(self, height: int, index: int) -> bytes:
        """One complete subtree hash."""
        return self.subtrees([(height, index)])[0]

    @abstractmethod
    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRow]:
        """Entries in log order, as stored (for verification and export)."""

    @abstractmethod
    def entry(self, seq: int) -> EntryRow | None:
        """The entry at ``seq``."""

    @abstractmethod
    def entry_by_id(self, entry_id: str) -> EntryRow | None:
        """The entry with id ``entry_id``."""

    @abstractmethod
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are already in the log (for idempotent imports)."""

    @abstractmethod
    def entries_about(self, subject: str) -> list[EntryRow]:
        """Entries whose subject is ``subject``, in log order."""

    # ------------------------------------------------------------ heads

    @abstractmethod
    def save_head(self, head: StoredHead) -> None:
        """Keep a signed head (one per tree size)."""

    @abstractmethod
    def latest_head(self) -> StoredHead | None:
        """The signed head of the largest tree size."""

    @abstractmethod
    def head_at(self, tree_size: int) -> StoredHead | None:
        """The signed head of one tree size."""

    # ------------------------------------------------------------ evidence

    @abstractmethod
    def put_blob(self, sha256: str, media_type: str, content: bytes) -> bool:
        """Store content under its hash; False when it was already there."""

    @abstractmethod
    def get_blob(self, sha256: str) -> bytes | None:
        """Content by hash."""

    @abstractmethod
    def blob_digests(self) -> Iterator[str]:
        """Hashes of all stored content."""

    # ------------------------------------------------------------ schema

    @abstractmethod
    def schema_version(self) -> int:
        """The schema version of the open database."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Projection(ABC):
    """What is derived from the log and queried: reports and verdicts.

    The reports projection is written by ``LogStore.append`` in the append's
    own transaction (the entry → row operations are ``projection.operations``);
    these methods only read it. Verdicts are written here.
    """

    # ------------------------------------------------------------ reports

    @abstractmethod
    def report_rows(self, query: ReportQuery) -> list[ReportRow]:
        """Logged reports matching ``query`` with position and state, in log order."""

    def reports(self, query: ReportQuery) -> list[dict[str, Any]]:
        """Logged report bodies matching ``query``, in log order."""
        return [row.body for row in self.report_rows(query)]

    def report_export_rows(
        self, query: ReportQuery, batch: int = 100_000
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Batches of EXPORT_COLUMNS rows of the reports matching ``query``.

        For bulk exports: a backend may answer from its projection without
        parsing each report (SQLite does); this default parses.
        """
        rows = self.report_rows(query)
        for start in range(0, len(rows), batch):
            yield [export_row(row.body) for row in rows[start : start + batch]]

    def report_points(self, query: ReportQuery) -> ReportPoints:
        """The map's columns of the reports matching ``query``, in log order.

        A backend answers from its projection, parsing no report; this default
        parses (for backends without one).
        """
        rows = []
        for row in self.report_rows(query):
            body = row.body
            start = datetime.fromisoformat(body["observed"]["start"])
            rows.append(
                (
                    body["id"], body["location"]["lon"], body["location"]["lat"],
                    math.floor(start.timestamp()), body["event_type"], row.state,
                    (body.get("attribution") or {}).get("party"),
                )
            )  # fmt: skip
        return points_of(rows)

    # ------------------------------------------------------------ verdicts

    @abstractmethod
    def save_verdicts(self, verdicts: Sequence[dict[str, Any]]) -> int:
        """Insert or replace verdicts (JSON form, see model.verdict); return count.

        Verdicts are derived from the log and an agreement version: they can be
        deleted and recomputed at any time.
        """

    @abstractmethod
    def verdicts(self, query: VerdictQuery) -> list[dict[str, Any]]:
        """Stored verdicts matching ``query`` (JSON form), by time then clause."""

    @abstractmethod
    def delete_verdicts(self, agreement_id: str, agreement_version: str) -> int:
        """Delete the verdicts of one agreement version; return how many."""


class Store(LogStore, Projection):
    """A store: the log and its projection, in one database.

    Implementations: sqlite (embedded), postgresql (server), memory (tests and
    demos; nothing persists beyond the process).
    """


def split_nodes(nodes: bytes) -> list[bytes]:
    """The packed subtree hashes of an entry, lowest height first."""
    return [nodes[i : i + HASH_SIZE] for i in range(0, len(nodes), HASH_SIZE)]


def node_row(height: int, index: int) -> int:
    """The entry that stores the complete subtree (height, index): its last leaf."""
    return ((index + 1) << height) - 1


def nodes_of(
    requests: Sequence[tuple[int, int]], found: dict[int, tuple[bytes, bytes]]
) -> list[bytes]:
    """The subtree hashes asked for, from the (leaf, nodes) of the entries found."""
    result = []
    for height, index in requests:
        row = found.get(node_row(height, index))
        if row is None:
            raise StoreError(f"entry {node_row(height, index)} is missing from the log")
        result.append(pick_node(height, *row))
    return result


def pick_node(height: int, leaf: bytes, nodes: bytes) -> bytes:
    """The subtree hash of ``height`` from an entry row's leaf and packed nodes."""
    if height == 0:
        return leaf
    start = (height - 1) * HASH_SIZE
    found = nodes[start : start + HASH_SIZE]
    if len(found) != HASH_SIZE:
        raise StoreError(f"no subtree of height {height} stored with this entry")
    return found
