"""The incident log: append entries, sign heads, prove, verify.

Every entry (a report, a state change, evidence, a reply, a correction) is an
envelope ``{"seq", "id", "kind", "recorded_at", "actor", "subject", "body"}``
serialised once; those exact bytes are the Merkle leaf and are never
rewritten. Carrying ``seq`` inside the hashed bytes makes a reordering of rows
as detectable as an edit.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ceasefire.errors import DetailedError
from ceasefire.errors import EntryNotFound as EntryNotFound  # re-exported
from ceasefire.geo.admin_lookup import admin_units_at
from ceasefire.log import merkle
from ceasefire.log.heads import SignedHead, TreeHead, sign_head, verify_signatures
from ceasefire.model.entries import Evidence, Kind, body_of, raw_body
from ceasefire.model.report import Report, new_id
from ceasefire.model.states import INITIAL, check_transition
from ceasefire.store.base import EntryRow, Store, StoredHead


@dataclass(frozen=True)
class Draft:
    """An entry before it has a position in the log."""

    kind: str
    body: bytes
    """The body as JSON bytes."""
    subject: str | None = None
    actor: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class InclusionProof:
    """That entry ``index`` is in the tree of ``tree_size`` with root ``root``."""

    index: int
    tree_size: int
    leaf_hash: bytes
    path: list[bytes]

    def to_json(self) -> dict[str, Any]:
        """The form the standalone verifier reads."""
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "path": [node.hex() for node in self.path],
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of ``new_size`` extends the tree of ``old_size``."""

    old_size: int
    new_size: int
    path: list[bytes]

    def to_json(self) -> dict[str, Any]:
        """The form the standalone verifier reads."""
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "path": [node.hex() for node in self.path],
        }


@dataclass(frozen=True)
class Finding:
    """Something ``verify`` found wrong, naming the entry."""

    seq: int
    entry_id: str | None
    problem: str

    def __str__(self) -> str:
        named = f" ({self.entry_id})" if self.entry_id else ""
        return f"entry {self.seq}{named}: {self.problem}"


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is built and written.

    A batch allocates many short-lived, acyclic objects; every collection they
    trigger walks all the long-lived objects the caller holds (100,000 parsed
    reports are millions), which made bulk appends three times slower.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def now_utc() -> str:
    """The current time as ISO 8601 UTC text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def envelope(seq: int, draft: Draft, recorded_at: str) -> bytes:
    """The exact bytes hashed for an entry; ``seq`` first so verify can check it."""
    return orjson.dumps(
        {
            "seq": seq,
            "id": draft.id,
            "kind": draft.kind,
            "recorded_at": recorded_at,
            "actor": draft.actor,
            "subject": draft.subject,
            "body": orjson.Fragment(draft.body),
        }
    )


def envelope_prefix(row: EntryRow) -> bytes:
    """How an intact entry's payload starts, given its row's columns."""
    return orjson.dumps({"seq": row.seq, "id": row.id, "kind": row.kind})[:-1] + b","


def with_admin_units(reports: list[Report]) -> list[Report]:
    """The reports, those lacking an oblast given oblast and raion by lookup."""
    missing = [i for i, r in enumerate(reports) if r.location.admin1 is None]
    if not missing:
        return reports
    found = admin_units_at(
        [reports[i].location.lon for i in missing],
        [reports[i].location.lat for i in missing],
    )
    result = list(reports)
    for i, (oblast, raion) in zip(missing, found, strict=True):
        if oblast is not None:
            location = reports[i].location.model_copy(
                update={"admin1": oblast, "admin2": raion}
            )
            result[i] = reports[i].model_copy(update={"location": location})
    return result


def report_draft(report: Report, actor: str | None = None) -> Draft:
    """A report as a log entry; its subject is itself (its case)."""
    body = report.model_dump_json(by_alias=True, exclude_none=True).encode()
    return Draft(
        kind=Kind.REPORT, body=body, subject=report.id, actor=actor, id=report.id
    )


class Log:
    """An append-only, verifiable log over a store."""

    def __init__(self, store: Store, log_id: str = "ceasefire") -> None:
        self.store = store
        self.log_id = log_id

    # ------------------------------------------------------------ append

    def append(self, drafts: Sequence[Draft]) -> list[EntryRow]:
        """Append entries in one transaction; return them with their positions."""
        recorded_at = now_utc()
        written: list[EntryRow] = []

        def prepare(size: int, edge: list[bytes]) -> list[EntryRow]:
            appender = merkle.Appender(size, edge)
            rows = []
            for offset, draft in enumerate(drafts):
                payload = envelope(size + offset, draft, recorded_at)
                leaf = merkle.leaf_hash(payload)
                nodes = appender.append(leaf)
                rows.append(
                    EntryRow(
                        size + offset,
                        draft.id,
                        draft.kind,
                        draft.subject,
                        recorded_at,
                        payload,
                        leaf,
                        nodes,
                    )  # fmt: skip
                )
            written[:] = rows
            return rows

        with _collection_paused():
            self.store.append(prepare)
        return written

    def append_reports(
        self, reports: Iterable[Report], actor: str | None = None, batch: int = 10_000
    ) -> int:
        """Append reports in batches of ``batch``; return how many were appended.

        A report whose id is already in the log (or earlier in the input) is
        skipped, not doubled. Reports without an oblast get their oblast and
        raion filled by lookup before they are hashed, so the logged bytes
        carry them.
        """

        count = 0
        pending: list[Report] = []
        for report in reports:
            pending.append(report)
            if len(pending) == batch:
                count += self._append_batch(pending, actor)
                pending = []
        if pending:
            count += self._append_batch(pending, actor)
        return count

    def _append_batch(self, reports: list[Report], actor: str | None) -> int:
        # nothing doubled: skip ids already logged or repeated in this batch
        present = self.store.existing_ids([r.id for r in reports])
        fresh: dict[str, Report] = {}
        for report in reports:
            if report.id not in present:
                fresh.setdefault(report.id, report)
        if not fresh:
            return 0
        filled = with_admin_units(list(fresh.values()))
        return len(self.append([report_draft(r, actor) for r in filled]))

    # ------------------------------------------------------------ heads

    def head(self, tree_size: int | None = None) -> TreeHead:
        """The (unsigned) head of the log now, or at ``tree_size``."""
        size = self.store.size() if tree_size is None else tree_size
        return TreeHead(
            tree_size=size,
            root_hash=merkle.root(size, self.store),
            timestamp=datetime.now(UTC),
            log_id=self.log_id,
        )

    def sign(self, key: Any, signer: str) -> SignedHead:
        """Sign the current head with ``key`` and keep it in the store."""
        signed = sign_head(self.head(), key, signer)
        self.keep(signed)
        return signed

    def keep(self, signed: SignedHead) -> None:
        """Keep a signed (or countersigned) head."""
        self.store.save_head(
            StoredHead(signed.head.tree_size, signed.head.root_hash, signed.to_json())
        )

    def latest_signed(self) -> SignedHead | None:
        """The most recent signed head kept in the store."""
        stored = self.store.latest_head()
        return None if stored is None else SignedHead.from_json(stored.signed_json)

    # ------------------------------------------------------------ proofs

    def find(self, ref: str | int) -> EntryRow:
        """An entry by id or by position."""
        row = None
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            row = self.store.entry(int(ref))
        if row is None and isinstance(ref, str):
            row = self.store.entry_by_id(ref)
        if row is None:
            raise EntryNotFound(
                f"no entry {ref!r} in the log",
                value=ref,
                expected=f"an entry id or a position below {self.store.size()}",
            )
        return row

    def prove(self, ref: str | int, tree_size: int | None = None) -> InclusionProof:
        """An inclusion proof of an entry in the tree of ``tree_size`` (default: now)."""
        row = self.find(ref)
        size = self.store.size() if tree_size is None else tree_size
        if not row.seq < size <= self.store.size():
            raise DetailedError(
                f"entry {row.seq} is not in a tree of size {size}",
                value=size,
                expected=f"a size from {row.seq + 1} to {self.store.size()}",
            )
        path = merkle.inclusion_proof(row.seq, size, self.store)
        return InclusionProof(row.seq, size, row.leaf, path)

    def consistency(
        self, old_size: int, new_size: int | None = None
    ) -> ConsistencyProof:
        """A proof that the tree of ``new_size`` (default: now) extends ``old_size``."""
        size = self.store.size() if new_size is None else new_size
        if not 0 <= old_size <= size <= self.store.size():
            raise DetailedError(
                f"cannot prove {old_size} → {size}",
                value=old_size,
                expected=f"0 ≤ old size ≤ new size ≤ {self.store.size()}",
            )
        path = merkle.consistency_proof(old_size, size, self.store)
        return ConsistencyProof(old_size, size, path)

    # ------------------------------------------------------------ verify

    def verify(self, progress: Callable[[int], None] | None = None) -> list[Finding]:
        """Recompute every hash; return what is wrong, first problem first.

        Catches an edited payload or hash, an edited id/kind column, a removed
        row (a gap, or a log shorter than its signed head), rows swapped, and
        a rewritten log whose root no longer matches its signed head.
        """
        findings: list[Finding] = []
        appender = merkle.Appender(0, [])
        expected = 0
        for row in self.store.entries():
            if row.seq != expected:
                findings.append(
                    Finding(
                        expected,
                        None,
                        f"missing: the log jumps from entry {expected - 1} to {row.seq}",
                    )
                )
                return findings  # positions after a gap no longer line up
            problem = _entry_problem(row, appender)
            if problem:
                findings.append(Finding(row.seq, row.id, problem))
            expected += 1
            if progress is not None and expected % 100_000 == 0:
                progress(expected)
        findings += self._check_signed_head(expected, appender.root())
        return findings

    def _check_signed_head(self, size: int, root: bytes) -> list[Finding]:
        signed = self.latest_signed()
        if signed is None:
            return []
        head = signed.head
        if size < head.tree_size:
            return [
                Finding(
                    size,
                    None,
                    f"missing: the log has {size} entries but its signed head has {head.tree_size}",
                )
            ]
        if not verify_signatures(signed):
            return [
                Finding(
                    head.tree_size - 1,
                    None,
                    "the latest signed head's signature does not verify",
                )
            ]
        if merkle.root(head.tree_size, self.store) != head.root_hash or (
            size == head.tree_size and root != head.root_hash
        ):
            return [
                Finding(
                    head.tree_size - 1,
                    None,
                    f"the log of {head.tree_size} entries no longer has the root its signed head commits to",
                )
            ]
        return []

    # ------------------------------------------------------------ states

    def state_of(self, subject: str) -> str:
        """The current verification state of a report or incident."""
        state = INITIAL
        for row in self.store.entries_about(subject):
            if row.kind == Kind.STATE_CHANGE:
                state = raw_body(row)["to"]
        return state

    def transition(
        self, subject: str, target: str, actor: str, reason: str
    ) -> EntryRow:
        """Move ``subject`` to ``target``; refused unless the state machine allows it."""
        if not self.store.entries_about(subject):
            raise EntryNotFound(
                f"nothing in the log is about {subject!r}",
                value=subject,
                expected="a report or incident id",
            )
        current = self.state_of(subject)
        check_transition(current, target, reason)
        body = orjson.dumps({"from": current, "to": target, "reason": reason})
        return self.append(
            [Draft(Kind.STATE_CHANGE, body, subject=subject, actor=actor)]
        )[0]

    # ------------------------------------------------------------ evidence

    def add_evidence(
        self,
        content: bytes,
        subject: str,
        actor: str,
        *,
        media_type: str = "application/octet-stream",
        filename: str | None = None,
        captured_at: str | None = None,
        device: str | None = None,
    ) -> EntryRow:
        """Store content by its SHA-256 and log it, with a first custody record."""
        if self.store.entry_by_id(subject) is None and not self.store.entries_about(
            subject
        ):
            raise EntryNotFound(
                f"no report {subject!r} to attach evidence to",
                value=subject,
                expected="a report id",
            )
        digest = hashlib.sha256(content).hexdigest()
        self.store.put_blob(digest, media_type, content)
        body = {
            "sha256": digest,
            "size": len(content),
            "media_type": media_type,
            "filename": filename,
            "captured_at": captured_at,
            "device": device,
            "custody": {"action": "received", "by": actor},
        }
        return self.append(
            [Draft(Kind.EVIDENCE, orjson.dumps(body), subject=subject, actor=actor)]
        )[0]

    def verify_evidence(self) -> list[str]:
        """Re-hash stored content; name every blob that no longer matches or is gone."""
        problems = []
        stored = set(self.store.blob_digests())
        for digest in sorted(stored):
            content = self.store.get_blob(digest) or b""
            if hashlib.sha256(content).hexdigest() != digest:
                problems.append(f"{digest}: content no longer matches its SHA-256")
        for row in self.store.entries():
            if row.kind == Kind.EVIDENCE:
                digest = body_of(row, Evidence).sha256
                if digest not in stored:
                    problems.append(
                        f"{digest}: logged in entry {row.seq} but its content is missing"
                    )
        return problems


def _entry_problem(row: EntryRow, appender: merkle.Appender) -> str | None:
    """What is wrong with one entry, given the tree rebuilt so far.

    The tree is rebuilt from the content as it is now, so one bad entry does
    not shift the checks of the entries after it.
    """
    leaf = merkle.leaf_hash(row.payload)
    nodes = appender.append(leaf)
    if not row.payload.startswith(envelope_prefix(row)):
        return "its stored content does not match its position, id or kind (altered or reordered)"
    if leaf != row.leaf:
        return "its content no longer matches its leaf hash (altered)"
    if nodes != row.nodes:
        return "a subtree hash stored with it does not match the entries before it (altered)"
    return None
