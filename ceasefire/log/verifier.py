#!/usr/bin/env python3
"""Check a ceasefire log proof without ceasefire: one file, Python standard library.

Copy this file anywhere and run it with Python 3.8 or later::

    python verifier.py inclusion   --head HEAD.json --entry ENTRY_FILE --proof PROOF.json
    python verifier.py consistency --old OLD_HEAD.json --new NEW_HEAD.json --proof PROOF.json

Add ``--trust NAME=PUBLIC_KEY_HEX`` (repeatable) to require that each head is
signed by those parties with exactly those keys. It exits 0 and prints
"OK: …" when everything checks, or exits 1 and prints what failed.

Files it reads (all JSON is UTF-8):

HEAD.json, a signed tree head as ``ceasefire log head --sign`` writes it::

    {"format": "ceasefire-sth-v1",
     "head": {"log_id": "…", "root_hash": "<64 hex>",
              "timestamp": "2024-04-12T10:00:00.000000Z", "tree_size": 1234},
     "signatures": [{"signer": "mission", "public_key": "<64 hex, raw Ed25519>",
                     "signature": "<base64 of 64 bytes>"}, …]}

  Each signature is Ed25519 over the ASCII bytes
  ``b"ceasefire-sth-v1\\n" + json.dumps(head, sort_keys=True,
  separators=(",", ":"), ensure_ascii=True)``, with the timestamp written as
  UTC with six fraction digits and "Z". Signatures are checked when the
  ``cryptography`` package is importable; otherwise the output says they
  were skipped (and ``--trust`` fails, since it cannot be honoured).

PROOF.json for ``inclusion`` (RFC 6962 §2.1.1 audit path, leaf end first)::

    {"index": 7, "tree_size": 1234, "leaf_hash": "<64 hex>", "path": ["<64 hex>", …]}

PROOF.json for ``consistency`` (RFC 6962 §2.1.2)::

    {"old_size": 1000, "new_size": 1234, "path": ["<64 hex>", …]}

ENTRY_FILE: the exact bytes of the entry; its leaf hash
SHA-256(0x00 || bytes) is recomputed here, never taken from the proof.
"""

# The hashing and the two verification algorithms (RFC 9162 §2.1.3.2 and
# §2.1.4.2) duplicate ceasefire.log.merkle on purpose: a party must be able to
# audit and run this one file without installing our package or trusting it.

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from datetime import datetime, timezone
from typing import Any

SIGNING_PREFIX = b"ceasefire-sth-v1\n"
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class Failure(Exception):
    """A check failed; the message says which."""


# ---------------------------------------------------------------- Merkle


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _hashes_ok(*nodes: bytes) -> bool:
    return all(len(node) == HASH_SIZE for node in nodes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: is ``leaf`` at ``index`` of the tree of ``size`` with ``root``?"""
    if not 0 <= index < size or not _hashes_ok(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does the tree ``new_root`` extend the tree ``old_root``?"""
    if not 0 <= old_size <= new_size or not _hashes_ok(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: prepend the old root
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# ---------------------------------------------------------------- reading files


def read_json(path: str) -> dict[str, Any]:
    """A JSON object from a file."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise Failure(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise Failure(f"{path}: expected a JSON object")
    return data


def field_int(data: dict[str, Any], name: str, where: str) -> int:
    """A non-negative integer field."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Failure(f"{where}: '{name}' must be a non-negative integer")
    return value


def field_hash(value: Any, where: str) -> bytes:
    """A 32-byte hash written as hex."""
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raw = b""
    if len(raw) != HASH_SIZE:
        raise Failure(f"{where}: expected {HASH_SIZE * 2} hex digits")
    return raw


def read_path(data: dict[str, Any], where: str) -> list[bytes]:
    """The 'path' list of hex hashes."""
    path = data.get("path")
    if not isinstance(path, list):
        raise Failure(f"{where}: 'path' must be a list of hex hashes")
    return [field_hash(node, f"{where}: path[{i}]") for i, node in enumerate(path)]


def canonical_timestamp(text: Any, where: str) -> str:
    """The signed form of a timestamp: UTC, six fraction digits, 'Z'."""
    if not isinstance(text, str):
        raise Failure(f"{where}: 'timestamp' must be a string")
    try:
        # fromisoformat reads 'Z' only from Python 3.11 on.
        moment = datetime.fromisoformat(
            text[:-1] + "+00:00" if text.endswith("Z") else text
        )
    except ValueError as exc:
        raise Failure(f"{where}: timestamp {text!r} is not ISO 8601") from exc
    if moment.tzinfo is None:
        raise Failure(f"{where}: timestamp {text!r} has no time zone")
    # timezone.utc, not datetime.UTC: this file must run on Python 3.8 too.
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: UP017


class Head:
    """A tree head read from HEAD.json, with its signatures."""

    def __init__(self, path: str) -> None:
        data = read_json(path)
        head = data.get("head", data)  # an unsigned head may be the bare object
        if not isinstance(head, dict):
            raise Failure(f"{path}: 'head' must be an object")
        self.path = path
        self.tree_size = field_int(head, "tree_size", path)
        self.root = field_hash(head.get("root_hash"), f"{path}: root_hash")
        log_id = head.get("log_id")
        if not isinstance(log_id, str):
            raise Failure(f"{path}: 'log_id' must be a string")
        self.log_id = log_id
        self.timestamp = canonical_timestamp(head.get("timestamp"), path)
        signatures = data.get("signatures", [])
        if not isinstance(signatures, list):
            raise Failure(f"{path}: 'signatures' must be a list")
        self.signatures: list[dict[str, Any]] = signatures

    def signing_input(self) -> bytes:
        """The bytes every party signed."""
        head = {
            "log_id": self.log_id,
            "root_hash": self.root.hex(),
            "timestamp": self.timestamp,
            "tree_size": self.tree_size,
        }
        text = json.dumps(
            head, sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
        return SIGNING_PREFIX + text.encode("ascii")


# ---------------------------------------------------------------- signatures


def ed25519_verify(public_hex: str, signature_b64: str, message: bytes) -> bool | None:
    """Whether the signature verifies; None when ``cryptography`` is not installed."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def check_signatures(head: Head, trusted: dict[str, str]) -> str:
    """A summary of the head's signatures; raises Failure for a bad or missing one."""
    message = head.signing_input()
    good: list[str] = []
    for entry in head.signatures:
        if not isinstance(entry, dict):
            raise Failure(f"{head.path}: a signature is not an object")
        signer = str(entry.get("signer", "?"))
        key, sig = entry.get("public_key"), entry.get("signature")
        if not isinstance(key, str) or not isinstance(sig, str):
            raise Failure(
                f"{head.path}: signature of {signer!r} lacks public_key or signature"
            )
        if signer in trusted and trusted[signer].lower() != key.lower():
            raise Failure(
                f"{head.path}: {signer!r} signed with a key other than the trusted one"
            )
        verdict = ed25519_verify(key, sig, message)
        if verdict is None:
            if trusted:
                raise Failure(
                    "--trust needs the 'cryptography' package to check signatures"
                )
            return "signatures NOT checked (install the 'cryptography' package to check them)"
        if not verdict:
            raise Failure(
                f"{head.path}: signature of {signer!r} does not verify over this head"
            )
        good.append(signer)
    missing = sorted(set(trusted) - set(good))
    if missing:
        raise Failure(f"{head.path}: not signed by trusted {', '.join(missing)}")
    if not good:
        return "head carries NO signatures"
    return "signed by " + ", ".join(good)


# ---------------------------------------------------------------- commands


def check_inclusion(args: argparse.Namespace, trusted: dict[str, str]) -> str:
    """Check an entry file against an inclusion proof and a head."""
    head = Head(args.head)
    signed = check_signatures(head, trusted)  # first: a forged head makes the rest moot
    proof = read_json(args.proof)
    index = field_int(proof, "index", args.proof)
    size = field_int(proof, "tree_size", args.proof)
    path = read_path(proof, args.proof)
    try:
        with open(args.entry, "rb") as handle:
            leaf = leaf_hash(handle.read())
    except OSError as exc:
        raise Failure(f"cannot read {args.entry}: {exc}") from exc
    if (
        "leaf_hash" in proof
        and field_hash(proof["leaf_hash"], f"{args.proof}: leaf_hash") != leaf
    ):
        raise Failure(
            f"{args.entry} does not hash to the proof's leaf_hash: the entry was altered"
        )
    if size != head.tree_size:
        raise Failure(
            f"the proof is for a tree of {size} entries, the head has {head.tree_size}"
        )
    if not verify_inclusion(leaf, index, size, path, head.root):
        raise Failure(
            f"entry {index} is NOT in the tree of {size} entries with root {head.root.hex()}"
        )
    return f"entry {index} is in log {head.log_id!r} of {size} entries, root {head.root.hex()}; {signed}"


def check_consistency(args: argparse.Namespace, trusted: dict[str, str]) -> str:
    """Check that the new head's tree extends the old head's."""
    old, new = Head(args.old), Head(args.new)
    # Signatures first: a forged head makes the rest moot.
    old_signed = check_signatures(old, trusted)
    new_signed = check_signatures(new, trusted)
    proof = read_json(args.proof)
    old_size = field_int(proof, "old_size", args.proof)
    new_size = field_int(proof, "new_size", args.proof)
    path = read_path(proof, args.proof)
    if old.log_id != new.log_id:
        raise Failure(
            f"the heads are of different logs: {old.log_id!r} and {new.log_id!r}"
        )
    if (old_size, new_size) != (old.tree_size, new.tree_size):
        raise Failure(
            f"the proof is for {old_size} → {new_size}, the heads are {old.tree_size} → {new.tree_size}"
        )
    if not verify_consistency(old_size, new_size, old.root, new.root, path):
        raise Failure(
            f"the log of {new_size} entries does NOT extend the log of {old_size} entries: it was rewritten"
        )
    return (
        f"log {new.log_id!r} of {new_size} entries extends its earlier {old_size} entries; "
        f"old head {old_signed}; new head {new_signed}"
    )


def parse_trust(values: list[str]) -> dict[str, str]:
    """NAME=HEX pairs into a mapping."""
    trusted: dict[str, str] = {}
    for value in values:
        name, sep, key = value.partition("=")
        if not sep or not name or len(key) != HASH_SIZE * 2:
            raise Failure(f"--trust {value!r}: expected NAME=<64 hex digits>")
        trusted[name] = key
    return trusted


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Check a ceasefire log proof (standalone)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    inclusion = commands.add_parser(
        "inclusion", help="an entry is in the log of a head"
    )
    inclusion.add_argument("--head", required=True, help="signed head JSON")
    inclusion.add_argument("--entry", required=True, help="the entry's exact bytes")
    inclusion.add_argument("--proof", required=True, help="inclusion proof JSON")
    consistency = commands.add_parser(
        "consistency", help="a newer head extends an older one"
    )
    consistency.add_argument("--old", required=True, help="the older signed head JSON")
    consistency.add_argument("--new", required=True, help="the newer signed head JSON")
    consistency.add_argument("--proof", required=True, help="consistency proof JSON")
    for sub in (inclusion, consistency):
        sub.add_argument("--trust", action="append", default=[], metavar="NAME=HEX",
                         help="require NAME's signature with this public key")  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the check; 0 when it holds, 1 when it does not."""
    args = build_parser().parse_args(argv)
    try:
        trusted = parse_trust(args.trust)
        check = check_inclusion if args.command == "inclusion" else check_consistency
        sys.stdout.write(f"OK: {check(args, trusted)}\n")
    except Failure as exc:
        sys.stdout.write(f"FAILED: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
