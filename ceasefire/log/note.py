"""Signed notes (C2SP signed-note) with Ed25519 keys, and C2SP tlog-cosignatures.

A signed note is UTF-8 text ending in a newline, a blank line, then one
signature line per signer::

    <text, each line ending in \\n>
    <empty line>
    — <key name> <base64(4-byte key ID || signature)>

For an Ed25519 signer (type 0x01) the key ID is the first 4 bytes of
SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key) and the signature is
over the text. A checkpoint cosignature (c2sp.org/tlog-cosignature, type
0x04) has key ID SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]; its line carries the
key ID, an 8-byte big-endian POSIX time and a signature over::

    cosignature/v1
    time <that time, decimal>
    <the checkpoint body>

Verifier keys are written ``<name>+<hex key ID>+<base64(type ‖ public key)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ceasefire.errors import NoteError as NoteError  # re-exported

ED25519 = 0x01
COSIGNATURE = 0x04
DASH = "\u2014 "  # an em dash and a space start every signature line
COSIGNATURE_LABEL = b"cosignature/v1\n"


@dataclass(frozen=True)
class SignatureLine:
    """One ``— name base64`` line: who signed, and the raw signature blob."""

    name: str
    key_id: bytes
    signature: bytes
    """What follows the key ID: a 64-byte signature, or time ‖ signature (0x04)."""

    def to_text(self) -> str:
        """The line as written in a note (with its newline)."""
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{DASH}{self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """A note's text and its signature lines."""

    text: str
    signatures: tuple[SignatureLine, ...] = ()

    def to_text(self) -> str:
        """The note as exchanged: text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.to_text() for s in self.signatures)

    def with_signature(self, line: SignatureLine) -> Note:
        """The note with one more signature line (a repeat of the same key replaced)."""
        kept = tuple(
            s for s in self.signatures if (s.name, s.key_id) != (line.name, line.key_id)
        )
        return Note(self.text, (*kept, line))


@dataclass(frozen=True)
class VerifierKey:
    """A public key with its name and type (0x01 note signer, 0x04 cosigner)."""

    name: str
    kind: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID signature lines name."""
        return key_id(self.name, self.kind, self.public_key)

    def to_text(self) -> str:
        """``name+hex key ID+base64(type ‖ key)``."""
        material = base64.b64encode(bytes([self.kind]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"


def check_name(name: str) -> str:
    """A key name: non-empty, no spaces, no '+', no control characters."""
    if not name or any(c.isspace() or c == "+" or ord(c) < 0x20 for c in name):
        raise NoteError(
            f"key name {name!r} is not allowed; expected non-empty text without"
            " spaces or '+'"
        )
    return name


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]."""
    material = name.encode() + b"\n" + bytes([kind]) + public_key
    return hashlib.sha256(material).digest()[:4]


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32-byte Ed25519 public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def verifier_key(
    name: str, key: Ed25519PrivateKey | Ed25519PublicKey, kind: int = ED25519
) -> VerifierKey:
    """The verifier key of ``key`` under ``name``."""
    return VerifierKey(check_name(name), kind, raw_public_key(key))


def parse_verifier_key(text: str) -> VerifierKey:
    """A verifier key from ``name+hexid+base64``; the ID must match the key."""
    # base64 may hold '+': the name ends at the first '+', the ID is 8 hex digits
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or len(parts[1]) != 8:
        raise NoteError(
            f"verifier key {text!r} is malformed; expected name+hex key ID+base64 key"
        )
    name, hex_id, material = parts
    try:
        raw = base64.b64decode(material, validate=True)
        wanted = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError):
        raise NoteError(f"verifier key {text!r} has bad hex or base64") from None
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
        raise NoteError(
            f"verifier key {text!r} is not an Ed25519 key (type 0x01 or 0x04)"
        )
    found = VerifierKey(check_name(name), raw[0], raw[1:])
    if found.key_id != wanted:
        raise NoteError(f"verifier key {text!r}: its key ID does not match its key")
    return found


# ---------------------------------------------------------------- notes


def parse_note(text: str) -> Note:
    """Split a signed note at its last blank line into text and signature lines."""
    if not text.endswith("\n"):
        raise NoteError("a signed note must end with a newline")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise NoteError("a signed note needs a blank line before its signatures")
    body, lines = text[: cut + 1], text[cut + 2 :].splitlines()
    if not lines:
        raise NoteError("a signed note needs at least one signature line")
    return Note(body, tuple(_signature_line(line) for line in lines))


def _signature_line(line: str) -> SignatureLine:
    if not line.startswith(DASH) or line.count(" ") != 2:
        raise NoteError(f"not a signature line: {line!r}")
    name, blob = line[len(DASH) :].split(" ")
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"signature line {line!r} is not base64") from None
    if len(raw) < 5:
        raise NoteError(f"signature line {line!r} is too short")
    return SignatureLine(name, raw[:4], raw[4:])


def sign_note(text: str, key: Ed25519PrivateKey, name: str) -> Note:
    """The text signed by ``key`` under ``name`` (an Ed25519 note signature)."""
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    signer = verifier_key(name, key)
    line = SignatureLine(name, signer.key_id, key.sign(text.encode()))
    return Note(text, (line,))


def _verifies(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _line_of(note: Note, key: VerifierKey) -> SignatureLine | None:
    for line in note.signatures:
        if line.name == key.name and line.key_id == key.key_id:
            return line
    return None


def note_signed_by(note: Note, key: VerifierKey) -> bool:
    """Whether ``note`` carries a valid Ed25519 note signature by ``key``."""
    line = _line_of(note, key)
    return (
        line is not None
        and key.kind == ED25519
        and _verifies(key.public_key, line.signature, note.text.encode())
    )


# ---------------------------------------------------------------- cosignatures


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a cosigner signs for checkpoint ``body`` at POSIX time ``timestamp``."""
    return COSIGNATURE_LABEL + f"time {timestamp}\n".encode() + body.encode()


def cosign(
    body: str, key: Ed25519PrivateKey, name: str, timestamp: int
) -> SignatureLine:
    """A cosignature/v1 line over checkpoint ``body``."""
    cosigner = verifier_key(name, key, COSIGNATURE)
    signature = key.sign(cosignature_message(body, timestamp))
    return SignatureLine(
        name, cosigner.key_id, timestamp.to_bytes(8, "big") + signature
    )


def cosigned_at(note: Note, key: VerifierKey) -> int | None:
    """The time of ``key``'s valid cosignature on ``note``, or None if it has none."""
    line = _line_of(note, key)
    if line is None or key.kind != COSIGNATURE or len(line.signature) != 72:
        return None
    timestamp = int.from_bytes(line.signature[:8], "big")
    message = cosignature_message(note.text, timestamp)
    return timestamp if _verifies(key.public_key, line.signature[8:], message) else None
