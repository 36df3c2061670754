"""Append tracker entries through the Log and read them back by kind.

Every tracker entry has a subject naming its stream (``ledger:delivery``,
``commitment:<agreement>/<id>``, ``indicator:<agreement>/<id>``), so reading
one kind back is ``Store.entries_about`` — the store's indexed read — filtered
on the kind, and each body is re-validated into its typed model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from ceasefire.io.base import stable_id
from ceasefire.log.service import Draft, Log
from ceasefire.model.base import Node
from ceasefire.model.entries import dump_body, kind_of, raw_body, wrap
from ceasefire.store.base import EntryRow, Store

BodyT = TypeVar("BodyT", bound=Node)
EPOCH = datetime(2022, 2, 24, tzinfo=UTC)
"""The time part of ids of undated rows (the full-scale invasion)."""


def draft(
    body: Node,
    subject: str,
    key: str,
    moment: datetime | None = None,
    actor: str | None = None,
) -> Draft:
    """A draft whose id is stable for ``key``: importing twice adds nothing."""
    kind = kind_of(body)
    entry_id = stable_id(f"tracker-{kind}", key, moment or EPOCH)
    data = dump_body(wrap(body))  # None kept: it can mean "no figure"
    return Draft(kind=kind, body=data, subject=subject, actor=actor, id=entry_id)


def append_new(log: Log, drafts: Sequence[Draft], batch: int = 5_000) -> int:
    """Append the drafts whose ids are not in the log yet; return how many."""
    count = 0
    for start in range(0, len(drafts), batch):
        chunk = drafts[start : start + batch]
        present = log.store.existing_ids([d.id for d in chunk])
        fresh = list({d.id: d for d in chunk if d.id not in present}.values())
        if fresh:
            count += len(log.append(fresh))
    return count


def body_of(row: EntryRow, model: type[BodyT]) -> BodyT:
    """The typed body of a logged entry."""
    return model.model_validate(raw_body(row), strict=False)  # JSON text forms


def read(
    store: Store, subject: str, kind: str, model: type[BodyT]
) -> list[tuple[EntryRow, BodyT]]:
    """Entries of ``kind`` about ``subject``, in log order, with typed bodies."""
    return [
        (row, body_of(row, model))
        for row in store.entries_about(subject)
        if row.kind == kind
    ]


def read_all(
    store: Store, subjects: Iterable[str], kind: str, model: type[BodyT]
) -> list[tuple[EntryRow, BodyT]]:
    """``read`` over several subjects, merged in log order."""
    found = [pair for subject in subjects for pair in read(store, subject, kind, model)]
    return sorted(found, key=lambda pair: pair[0].seq)
