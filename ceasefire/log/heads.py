"""Signed tree heads: the log's size and root, signed with Ed25519 by each party.

The signing input is ASCII bytes that anyone can rebuild from a head's JSON::

    b"ceasefire-sth-v1\\n" + JSON of the head, exactly as
    json.dumps({"log_id": …, "root_hash": …, "timestamp": …, "tree_size": …},
               sort_keys=True, separators=(",", ":"), ensure_ascii=True)

where ``root_hash`` is the 32-byte root as 64 lower-case hex digits,
``timestamp`` is UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fraction
digits) and ``tree_size`` is a JSON integer. The log signs it; any party
(a monitor, a signatory) countersigns the same bytes. ceasefire/log/verifier.py
rebuilds it with the standard library alone.

A signed head's JSON is::

    {"format": "ceasefire-sth-v1",
     "head": {"log_id", "root_hash", "timestamp", "tree_size"},
     "signatures": [{"signer": name, "public_key": 64 hex digits (raw Ed25519),
                     "signature": base64 of the 64-byte signature}, …]}

A signature proves only that the holder of ``public_key`` signed: pass the
keys you trust (``trusted``) to tie signer names to keys.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ceasefire.errors import HeadError as HeadError  # re-exported

FORMAT = "ceasefire-sth-v1"
SIGNING_PREFIX = b"ceasefire-sth-v1\n"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
HASH_SIZE = 32


def format_timestamp(moment: datetime) -> str:
    """The one text form of a moment that is signed: UTC, microseconds, 'Z'."""
    if moment.tzinfo is None:
        raise HeadError(f"timestamp {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """An aware UTC datetime from ISO 8601 text with a zone."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise HeadError(f"timestamp {text!r} is not ISO 8601") from exc
    if moment.tzinfo is None:
        raise HeadError(f"timestamp {text!r} has no time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class TreeHead:
    """The log at one moment: how many entries, and the Merkle root over them."""

    tree_size: int
    root_hash: bytes
    timestamp: datetime
    """Aware; normalised to UTC."""
    log_id: str

    def __post_init__(self) -> None:
        if isinstance(self.tree_size, bool) or not isinstance(self.tree_size, int):
            raise HeadError(f"tree_size must be an integer, got {self.tree_size!r}")
        if self.tree_size < 0:
            raise HeadError(f"tree_size must be ≥ 0, got {self.tree_size}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise HeadError(f"root_hash must be {HASH_SIZE} bytes")
        if not isinstance(self.log_id, str) or not self.log_id:
            raise HeadError("log_id must be a non-empty string")
        if not isinstance(self.timestamp, datetime):
            raise HeadError(f"timestamp must be a datetime, got {self.timestamp!r}")
        # Normalise so equal moments compare and sign equally.
        object.__setattr__(
            self, "timestamp", parse_timestamp(format_timestamp(self.timestamp))
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (also what is signed, with sorted keys)."""
        return {
            "log_id": self.log_id,
            "root_hash": self.root_hash.hex(),
            "timestamp": format_timestamp(self.timestamp),
            "tree_size": self.tree_size,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TreeHead:
        """A head from its JSON form."""
        try:
            root_hash = bytes.fromhex(data["root_hash"])
            return cls(
                tree_size=data["tree_size"],
                root_hash=root_hash,
                timestamp=parse_timestamp(data["timestamp"]),
                log_id=data["log_id"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise HeadError(f"not a tree head: {exc}") from exc

    def signing_input(self) -> bytes:
        """The exact bytes every party signs (layout in the module docstring)."""
        text = json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
        return SIGNING_PREFIX + text.encode("ascii")


@dataclass(frozen=True)
class Signature:
    """One party's Ed25519 signature over a head's signing input."""

    signer: str
    public_key_hex: str
    """The raw 32-byte public key, hex."""
    signature_b64: str
    """The 64-byte signature, standard base64."""

    def to_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {
            "signer": self.signer,
            "public_key": self.public_key_hex,
            "signature": self.signature_b64,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Signature:
        """A signature from its JSON form."""
        try:
            values = (data["signer"], data["public_key"], data["signature"])
        except (KeyError, TypeError) as exc:
            raise HeadError(f"not a signature: missing {exc}") from exc
        if not all(isinstance(value, str) for value in values):
            raise HeadError(
                "a signature's signer, public_key and signature must be strings"
            )
        return cls(*values)

    def problem(self, message: bytes) -> str | None:
        """Why this signature does not verify over ``message``, or None if it does."""
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key_hex))
            raw = base64.b64decode(self.signature_b64, validate=True)
        except (ValueError, binascii.Error):
            return "malformed public key or signature encoding"
        try:
            key.verify(raw, message)
        except InvalidSignature:
            return "signature does not match the head"
        return None


@dataclass(frozen=True)
class SignedHead:
    """A tree head with the signatures of the log and of any countersigning parties."""

    head: TreeHead
    signatures: list[Signature] = field(default_factory=list)

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON text parties exchange and the standalone verifier reads."""
        data = {
            "format": FORMAT,
            "head": self.head.to_dict(),
            "signatures": [signature.to_dict() for signature in self.signatures],
        }
        return json.dumps(data, indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> SignedHead:
        """A signed head from its JSON text (signatures are not checked here)."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise HeadError(f"signed head is not JSON: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("head"), dict):
            raise HeadError("signed head JSON needs a 'head' object")
        if data.get("format", FORMAT) != FORMAT:
            raise HeadError(
                f"unknown signed head format {data['format']!r}; expected {FORMAT!r}"
            )
        signatures = data.get("signatures", [])
        if not isinstance(signatures, list):
            raise HeadError("'signatures' must be a list")
        return cls(
            TreeHead.from_dict(data["head"]),
            [Signature.from_dict(s) for s in signatures],
        )


# ---------------------------------------------------------------- keys


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key as hex: how heads name who signed."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return raw.hex()


def save_private_key(path: str | os.PathLike[str], key: Ed25519PrivateKey) -> None:
    """Write ``key`` as unencrypted PKCS#8 PEM readable only by its owner (0600).

    Refuses to overwrite an existing file: a lost signing key cannot be recovered.
    """
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created with mode 0600 from the start, so the key is never world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Read an Ed25519 key written by ``save_private_key`` (or openssl genpkey)."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except ValueError as exc:
        raise HeadError(f"{path}: not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise HeadError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return key


# ---------------------------------------------------------------- signing


def _signature(head: TreeHead, key: Ed25519PrivateKey, signer: str) -> Signature:
    if not signer:
        raise HeadError("a signer needs a name")
    raw = key.sign(head.signing_input())
    return Signature(signer, public_key_hex(key), base64.b64encode(raw).decode("ascii"))


def sign_head(
    head: TreeHead, private_key: Ed25519PrivateKey, signer: str
) -> SignedHead:
    """The head signed by ``signer`` (the log itself, usually)."""
    return SignedHead(head, [_signature(head, private_key, signer)])


def countersign(
    signed: SignedHead, private_key: Ed25519PrivateKey, signer: str
) -> SignedHead:
    """The head with ``signer``'s signature added over the same signing input.

    Each signer signs once: a second signature under the same name is refused
    so a name always denotes one key.
    """
    if any(s.signer == signer for s in signed.signatures):
        raise HeadError(f"{signer!r} has already signed this head")
    return SignedHead(
        signed.head, [*signed.signatures, _signature(signed.head, private_key, signer)]
    )


def check_signatures(
    signed: SignedHead, trusted: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """Signers whose signatures verify, and a line per signature that does not.

    With ``trusted`` (signer name → public key hex), a signature also fails
    unless its signer is listed with exactly that key.
    """
    message = signed.head.signing_input()
    good: list[str] = []
    bad: list[str] = []
    for signature in signed.signatures:
        problem = signature.problem(message)
        if problem is None and trusted is not None:
            expected = trusted.get(signature.signer)
            if expected is None:
                problem = "signer is not among the trusted keys"
            elif expected.lower() != signature.public_key_hex.lower():
                problem = "signed with a key other than the signer's trusted key"
        if problem is None:
            good.append(signature.signer)
        else:
            bad.append(f"{signature.signer}: {problem}")
    return good, bad


def verify_signatures(
    signed: SignedHead,
    trusted: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
) -> list[str]:
    """The signers whose signatures over the head verify.

    Bad signatures are left out; with ``strict`` they raise HeadError naming
    each one (as does a head with no valid signature at all).
    """
    good, bad = check_signatures(signed, trusted)
    if strict and (bad or not good):
        detail = "; ".join(bad) if bad else "no signatures"
        raise HeadError(f"signed head of size {signed.head.tree_size} fails: {detail}")
    return good
