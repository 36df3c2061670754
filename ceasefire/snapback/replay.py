"""Rebuild a log from its exported entries, byte for byte, to replay it.

An export is JSON Lines, one entry's exact hashed bytes per line. Rebuilding
recomputes the leaf and subtree hashes, so the copy's root equals the
original's: replaying the penalty rules over it must give the same triggers
at the same times (``ceasefire snapback status --at`` on both).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ceasefire.errors import DetailedError
from ceasefire.log import merkle
from ceasefire.model.entries import envelope_of
from ceasefire.store.base import EntryRow, Store


def export_entries(store: Store, path: Path) -> int:
    """Write every entry's exact bytes, one per line; return how many."""
    count = 0
    with path.open("wb") as out:
        for row in store.entries():
            out.write(row.payload + b"\n")
            count += 1
    return count


def read_entries(path: Path) -> Iterator[bytes]:
    """The exported payloads, in order."""
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield line.rstrip(b"\n")


def import_entries(store: Store, payloads: Iterable[bytes]) -> int:
    """Append exported entries to an empty store, unchanged; return the new size."""
    chosen = list(payloads)

    def prepare(size: int, edge: list[bytes]) -> list[EntryRow]:
        if size != 0:
            raise DetailedError(
                "replaying into a store that already has entries",
                value=size,
                expected="an empty store",
            )
        appender = merkle.Appender(size, edge)
        rows = []
        for seq, payload in enumerate(chosen):
            envelope = envelope_of(payload)  # the body is copied, never read
            if envelope["seq"] != seq:
                raise DetailedError(
                    f"exported entry {seq} says it is entry {envelope['seq']}",
                    value=envelope["seq"],
                    expected=str(seq),
                )
            leaf = merkle.leaf_hash(payload)
            rows.append(
                EntryRow(
                    seq,
                    envelope["id"],
                    envelope["kind"],
                    envelope["subject"],
                    envelope["recorded_at"],
                    payload,
                    leaf,
                    appender.append(leaf),
                )  # fmt: skip
            )
        return rows

    return store.append(prepare)
