"""Checkpoints (C2SP tlog-checkpoint): the log's size and root as a signed note.

The body is three lines and optional extension lines::

    <origin>
    <tree size, decimal>
    <root hash, base64>

signed by the log's Ed25519 key under the name ``origin`` (c2sp.org/signed-note)
and cosigned by witnesses and parties (c2sp.org/tlog-cosignature).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceasefire.log.note import Note, NoteError, sign_note

DEFAULT_ORIGIN = "ceasefire.invalid/log"
"""The origin when none is configured: set a real one (a URL without scheme)."""


@dataclass(frozen=True)
class Checkpoint:
    """A tree head in C2SP form."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The checkpoint text every signer signs."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "".join(f"{line}\n" for line in [*lines, *self.extensions])


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint from its body (the text of its signed note)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError(
            "a checkpoint needs origin, size and root hash lines, each ending in a newline"
        )
    origin, size, root = lines[:3]
    if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError(
            f"checkpoint origin {origin!r} / size {size!r}: expected text and a decimal"
        )
    try:
        raw = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"checkpoint root {root!r} is not base64") from None
    if len(raw) != 32:
        raise NoteError(f"checkpoint root is {len(raw)} bytes; expected 32")
    return Checkpoint(origin, int(size), raw, tuple(lines[3:-1]))


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Note:
    """The checkpoint as a note signed by the log's key under its origin."""
    return sign_note(checkpoint.body(), key, checkpoint.origin)
