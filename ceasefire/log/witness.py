"""A witness: cosigns a checkpoint only if the log grew from the last one it cosigned.

The witness keeps, per log origin, the size and root it last cosigned. A new
checkpoint is cosigned only when it is signed by the log's key and is a
consistency-proven extension of that tree (RFC 9162 §2.1.4); a smaller tree,
a different root at the same size, or a failing proof is a fork or a
rollback, and is refused with the reason. The first checkpoint of a log is
trusted on first use, as in c2sp.org/tlog-witness.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceasefire.errors import CeasefireError
from ceasefire.errors import WitnessRefusal as WitnessRefusal  # re-exported
from ceasefire.log.checkpoint import Checkpoint, parse_checkpoint
from ceasefire.log.merkle import verify_consistency
from ceasefire.log.note import (
    Note,
    VerifierKey,
    cosign,
    note_signed_by,
    parse_note,
)

ProofSource = Callable[[int, int], list[bytes]]
"""Consistency proof from the old size to the new size."""


@dataclass(frozen=True)
class Seen:
    """The last tree a witness cosigned for one log."""

    size: int
    root: bytes


class WitnessState:
    """The witness's memory: per origin, the last size and root it cosigned (JSON file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, dict[str, object]] = (
            json.loads(path.read_text()) if path.exists() else {}
        )

    def last(self, origin: str) -> Seen | None:
        """What was last cosigned for ``origin``."""
        found = self._data.get(origin)
        if found is None:
            return None
        return Seen(int(str(found["size"])), base64.b64decode(str(found["root"])))

    def remember(self, checkpoint: Checkpoint) -> None:
        """Record ``checkpoint`` as cosigned; written atomically."""
        self._data[checkpoint.origin] = {
            "size": checkpoint.size,
            "root": base64.b64encode(checkpoint.root).decode(),
        }
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(self._data, indent=2, sort_keys=True))
        os.replace(temporary, self.path)


def check_growth(last: Seen | None, new: Checkpoint, proof: ProofSource) -> None:
    """Raise WitnessRefusal unless ``new`` extends ``last`` (consistency-proven)."""
    if last is None:
        return
    if new.size < last.size:
        raise WitnessRefusal(
            f"{new.origin}: rolled back from {last.size} to {new.size} entries"
        )
    if new.size == last.size:
        if new.root != last.root:
            raise WitnessRefusal(
                f"{new.origin}: fork: a second root for size {new.size}"
            )
        return
    try:
        path = proof(last.size, new.size)
    except (CeasefireError, OSError, ValueError) as exc:
        raise WitnessRefusal(
            f"{new.origin}: no consistency proof {last.size} → {new.size}: {exc}"
        ) from None
    if not verify_consistency(last.size, new.size, last.root, new.root, path):
        raise WitnessRefusal(
            f"{new.origin}: fork: the tree of {new.size} does not extend the tree of"
            f" {last.size} this witness cosigned"
        )


def witness(
    text: str,
    *,
    log_key: VerifierKey,
    key: Ed25519PrivateKey,
    name: str,
    state: WitnessState,
    proof: ProofSource,
    now: int | None = None,
) -> Note:
    """Cosign the checkpoint note ``text``, or raise WitnessRefusal saying why not."""
    note = parse_note(text)
    if not note_signed_by(note, log_key):
        raise WitnessRefusal(
            f"the checkpoint carries no valid signature by the log key {log_key.name}"
        )
    checkpoint = parse_checkpoint(note.text)
    if checkpoint.origin != log_key.name:
        raise WitnessRefusal(
            f"the checkpoint's origin {checkpoint.origin!r} is not the log key's"
            f" name {log_key.name!r}"
        )
    check_growth(state.last(checkpoint.origin), checkpoint, proof)
    timestamp = int(time.time()) if now is None else now
    cosigned = note.with_signature(cosign(note.text, key, name, timestamp))
    state.remember(checkpoint)
    return cosigned
