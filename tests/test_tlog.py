"""Checkpoints, tiles, proofs and witnesses, checked by an independent verifier.

No C2SP implementation on PyPI installs on this project's Python (the one
found, aics-tlog, requires Python ≥ 3.12), so the verifier below is written
here from the specifications alone and imports nothing from ceasefire.log:

* RFC 9162 §2.1.1 (MTH), §2.1.3.2 (verifying an inclusion proof) and
  §2.1.4.2 (verifying a consistency proof);
* c2sp.org/signed-note (note layout, Ed25519 key ID = SHA-256(name ‖ 0x0A ‖
  0x01 ‖ key)[:4]), c2sp.org/tlog-checkpoint (origin, size, base64 root),
  c2sp.org/tlog-cosignature (type 0x04, "cosignature/v1\\ntime T\\n" ‖ body,
  8-byte big-endian time before the signature);
* c2sp.org/tlog-tiles (paths tile/<L>/<N>[.p/<W>] and tile/entries/…, N in
  x-prefixed groups of three digits, tiles of 256 hashes of height 8, bundles
  of uint16-length-prefixed entries).

The log is built through ceasefire; everything it publishes is then read
back by the spec verifier only.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ceasefire.cli import cli
from ceasefire.store.base import EntryRow, Store
from ceasefire.store.sqlite import SQLiteStore

ORIGIN = "monitoring.example/ceasefire"

# ---------------------------------------------------------------- the spec verifier


def spec_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def spec_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def spec_mth(hashes: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 over already-hashed leaves (k: largest power of 2 < n)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return spec_node(spec_mth(hashes[:k]), spec_mth(hashes[k:]))


def spec_verify_inclusion(
    index: int, size: int, leaf: bytes, path: list[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = spec_node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = spec_node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def spec_verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2 (first < second, first > 0)."""
    if first & (first - 1) == 0:  # an exact power of 2
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = spec_node(c, fr)
            sr = spec_node(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = spec_node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def spec_key_id(name: str, sig_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public).digest()[
        :4
    ]


def spec_open_note(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Text and (name, decoded blob) per signature line: split at the last blank line."""
    cut = text.rindex("\n\n")
    lines = text[cut + 2 :].splitlines()
    found = []
    for line in lines:
        assert line.startswith("\u2014 "), line
        name, blob = line[2:].split(" ")
        found.append((name, base64.b64decode(blob, validate=True)))
    return text[: cut + 1], found


def spec_signed(text: str, name: str, public: bytes) -> bool:
    body, lines = spec_open_note(text)
    for signer, blob in lines:
        if signer == name and blob[:4] == spec_key_id(name, 0x01, public):
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(
                    blob[4:], body.encode()
                )
            except InvalidSignature:
                return False
            return True
    return False


def spec_cosigned(text: str, name: str, public: bytes) -> int | None:
    """The timestamp of ``name``'s valid cosignature/v1, or None."""
    body, lines = spec_open_note(text)
    for signer, blob in lines:
        if signer == name and blob[:4] == spec_key_id(name, 0x04, public):
            when = int.from_bytes(blob[4:12], "big")
            message = (
                b"cosignature/v1\ntime " + str(when).encode() + b"\n" + body.encode()
            )
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(blob[12:], message)
            except InvalidSignature:
                return None
            return when
    return None


def spec_checkpoint(text: str) -> tuple[str, int, bytes]:
    body, _ = spec_open_note(text)
    origin, size, root = body.split("\n")[:3]
    return origin, int(size), base64.b64decode(root)


def spec_path(level: str, n: int, width: int) -> str:
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    encoded = "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])
    return f"tile/{level}/{encoded}" + ("" if width == 256 else f".p/{width}")


def spec_read_tree(directory: Path, size: int) -> tuple[list[bytes], bytes]:
    """Every entry and the root, from bundles and tiles only; assert they agree."""
    entries: list[bytes] = []
    for n in range((size + 255) // 256):
        width = min(256, size - 256 * n)
        data = (directory / spec_path("entries", n, width)).read_bytes()
        at = 0
        while at < len(data):
            length = int.from_bytes(data[at : at + 2], "big")
            entries.append(data[at + 2 : at + 2 + length])
            at += 2 + length
    assert len(entries) == size
    level_hashes = [spec_leaf(entry) for entry in entries]
    level = 0
    while level_hashes:
        stored = b""
        for n in range((len(level_hashes) + 255) // 256):
            width = min(256, len(level_hashes) - 256 * n)
            stored += (directory / spec_path(str(level), n, width)).read_bytes()
        assert stored == b"".join(level_hashes), f"level {level} tiles"
        # the next level holds the roots of each full tile (subtrees of height 8)
        level_hashes = [
            spec_mth(level_hashes[i : i + 256])
            for i in range(0, len(level_hashes) - 255, 256)
        ]
        level += 1
    return entries, spec_mth([spec_leaf(entry) for entry in entries])


# ---------------------------------------------------------------- helpers


def make_key(path: Path) -> tuple[Path, bytes]:
    key = Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return path, raw


def fill(store: Store, count: int, tag: str = "a") -> None:
    from ceasefire.log.service import Draft, Log

    drafts = [
        Draft("note", orjson.dumps({"n": i, "tag": tag, "pad": "x" * (i % 70)}))
        for i in range(count)
    ]
    for start in range(0, count, 20_000):
        Log(store).append(drafts[start : start + 20_000])


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def vkey(key: Path, name: str, *flags: str) -> str:
    code, out = invoke("log", "vkey", str(key), "--name", name, *flags)
    assert code == 0, out
    return out.strip()


def publish(db: str, key: Path, out: Path) -> str:
    code, text = invoke(
        "log", "tiles", "--db", db, "--key", str(key), "--origin", ORIGIN,
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    return (out / "checkpoint").read_text()


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("count", [1, 255, 256, 257, 1000])
def test_tiles_checkpoint_and_proofs_verify_with_the_spec_verifier(
    store: Store, tmp_path: Path, count: int
) -> None:
    from ceasefire.log.service import Log

    fill(store, count)
    key, public = make_key(tmp_path / "log.pem")
    out = tmp_path / "tiles"
    note = publish(
        store.url if isinstance(store, SQLiteStore) else _url(store), key, out
    )
    assert spec_signed(note, ORIGIN, public)
    origin, size, root = spec_checkpoint(note)
    assert (origin, size) == (ORIGIN, count)
    entries, computed = spec_read_tree(out, size)
    assert computed == root
    assert entries == [row.payload for row in store.entries()]
    log = Log(store)
    for index in sorted({0, count // 2, count - 1}):
        proof = log.prove(index)
        assert spec_verify_inclusion(
            index, size, spec_leaf(entries[index]), proof.path, root
        )
    for old in sorted({1, count // 3, count - 1} - {0, count}):
        old_root = spec_mth([spec_leaf(e) for e in entries[:old]])
        proof_c = log.consistency(old)
        assert spec_verify_consistency(old, size, old_root, root, proof_c.path)


def _url(store: Store) -> str:
    """A URL that opens the same PostgreSQL schema from the CLI."""
    from urllib.parse import quote

    from ceasefire.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    schema = store.schema
    return f"{store.url}?options={quote(f'-csearch_path={schema}')}"


def test_a_tree_with_three_tile_levels_and_incremental_publishing(
    tmp_path: Path,
) -> None:
    # 65,536 + 300 entries: a level-2 tile (one hash of height 16) and
    # partial tiles at every level; publishing again after growth keeps the
    # full tiles and the result still verifies
    db = tmp_path / "big.db"
    with SQLiteStore(db) as store:
        fill(store, 65_000)
    key, public = make_key(tmp_path / "log.pem")
    out = tmp_path / "tiles"
    first = publish(f"sqlite:///{db}", key, out)
    with SQLiteStore(db) as store:
        fill(store, 836, tag="b")
        code, text = invoke(
            "log", "tiles", "--db", f"sqlite:///{db}", "--key", str(key),
            "--origin", ORIGIN, "--out", str(out),
        )  # fmt: skip
        assert code == 0 and "kept 506" in text, text  # 253 full bundles + tiles
        note = (out / "checkpoint").read_text()
        assert spec_signed(note, ORIGIN, public)
        _, size, root = spec_checkpoint(note)
        assert size == 65_836
        assert (out / spec_path("2", 0, 1)).stat().st_size == 32
        _, computed = spec_read_tree(out, size)
        assert computed == root
        # the earlier checkpoint's tree is a prefix of this one
        from ceasefire.log.service import Log

        _, old_size, old_root = spec_checkpoint(first)
        proof = Log(store).consistency(old_size).path
        assert spec_verify_consistency(old_size, size, old_root, root, proof)


def test_proofs_built_from_tiles_alone_verify(tmp_path: Path) -> None:
    from ceasefire.log import merkle
    from ceasefire.log.tiles import TileSource

    db = tmp_path / "t.db"
    with SQLiteStore(db) as store:
        fill(store, 3000)
    key, _ = make_key(tmp_path / "log.pem")
    out = tmp_path / "tiles"
    _, size, root = spec_checkpoint(publish(f"sqlite:///{db}", key, out))
    entries, _ = spec_read_tree(out, size)
    source = TileSource(out, size)
    for index in (0, 255, 256, 1999, 2999):
        path = merkle.inclusion_proof(index, size, source)
        assert spec_verify_inclusion(index, size, spec_leaf(entries[index]), path, root)
    for old in (1, 256, 1000, 2048, 2999):
        old_root = spec_mth([spec_leaf(e) for e in entries[:old]])
        path = merkle.consistency_proof(old, size, source)
        assert spec_verify_consistency(old, size, old_root, root, path)


def test_an_altered_bundle_fails_the_spec_verifier(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with SQLiteStore(db) as store:
        fill(store, 300)
    key, _ = make_key(tmp_path / "log.pem")
    out = tmp_path / "tiles"
    _, size, root = spec_checkpoint(publish(f"sqlite:///{db}", key, out))
    bundle = out / spec_path("entries", 0, 256)
    data = bytearray(bundle.read_bytes())
    data[10] ^= 1
    bundle.write_bytes(bytes(data))
    with pytest.raises(AssertionError, match="level 0 tiles"):
        spec_read_tree(out, size)


def _copy_prefix(source: Path, target: Path, count: int) -> None:
    """A second log whose first ``count`` entries are the same bytes (a fork base)."""
    with SQLiteStore(source) as a, SQLiteStore(target) as b:
        rows: list[EntryRow] = list(a.entries(0, count))
        b.append(lambda size, edge: rows)


def test_witness_cosigns_growth_and_catches_a_fork_and_a_rollback(
    tmp_path: Path,
) -> None:
    honest, forked = tmp_path / "honest.db", tmp_path / "forked.db"
    with SQLiteStore(honest) as store:
        fill(store, 500)
    _copy_prefix(honest, forked, 400)
    with SQLiteStore(forked) as store:
        fill(store, 300, tag="forked")  # same first 400 entries, then other ones
    key, log_public = make_key(tmp_path / "log.pem")
    wkey, w_public = make_key(tmp_path / "w.pem")
    log_vkey = vkey(key, ORIGIN)
    state = tmp_path / "w1.json"

    def run_witness(tiles: Path) -> tuple[int, str]:
        return invoke(
            "log", "witness", "--tiles", str(tiles), "--log-key", log_vkey,
            "--key", str(wkey), "--name", "witness.example/w1", "--state", str(state),
        )  # fmt: skip

    publish(f"sqlite:///{honest}", key, tmp_path / "h1")
    code, cosigned = run_witness(tmp_path / "h1")
    assert code == 0, cosigned
    assert spec_signed(cosigned, ORIGIN, log_public)
    assert spec_cosigned(cosigned, "witness.example/w1", w_public) is not None

    # the forked log, signed with the same log key, is bigger but not an extension
    publish(f"sqlite:///{forked}", key, tmp_path / "f1")
    code, out = run_witness(tmp_path / "f1")
    assert code == 1 and "fork" in out and "does not extend" in out, out

    # honest growth is cosigned
    with SQLiteStore(honest) as store:
        fill(store, 50, tag="more")
    publish(f"sqlite:///{honest}", key, tmp_path / "h2")
    code, cosigned = run_witness(tmp_path / "h2")
    assert code == 0, cosigned
    assert spec_checkpoint(cosigned)[1] == 550
    assert spec_cosigned(cosigned, "witness.example/w1", w_public) is not None

    # going back to the old checkpoint (a rollback) is refused
    code, out = run_witness(tmp_path / "h1")
    assert code == 1 and "rolled back from 550 to 500" in out, out


def test_witness_refuses_a_second_root_for_the_same_size_and_a_foreign_signature(
    tmp_path: Path,
) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for db, tag in ((a, "a"), (b, "b")):
        with SQLiteStore(db) as store:
            fill(store, 100, tag=tag)
    key, _ = make_key(tmp_path / "log.pem")
    other, _ = make_key(tmp_path / "other.pem")
    wkey, _ = make_key(tmp_path / "w.pem")
    args = [
        "--log-key", vkey(key, ORIGIN), "--key", str(wkey), "--name", "w2",
        "--state", str(tmp_path / "w2.json"),
    ]  # fmt: skip
    publish(f"sqlite:///{a}", key, tmp_path / "ta")
    publish(f"sqlite:///{b}", key, tmp_path / "tb")
    publish(f"sqlite:///{a}", other, tmp_path / "tx")
    code, out = invoke("log", "witness", "--tiles", str(tmp_path / "tx"), *args)
    assert code == 1 and "no valid signature by the log key" in out, out
    assert invoke("log", "witness", "--tiles", str(tmp_path / "ta"), *args)[0] == 0
    code, out = invoke("log", "witness", "--tiles", str(tmp_path / "tb"), *args)
    assert code == 1 and "a second root for size 100" in out, out


def test_a_party_cosignature_is_added_to_other_signatures(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with SQLiteStore(db) as store:
        fill(store, 10)
    key, log_public = make_key(tmp_path / "log.pem")
    out = tmp_path / "tiles"
    publish(f"sqlite:///{db}", key, out)
    publics = {}
    for party in ("ua", "ru"):
        pkey, publics[party] = make_key(tmp_path / f"{party}.pem")
        code, cosigned = invoke(
            "log", "witness", "--tiles", str(out), "--log-key", vkey(key, ORIGIN),
            "--key", str(pkey), "--name", party, "--state", str(tmp_path / f"{party}.json"),
        )  # fmt: skip
        assert code == 0, cosigned
        (out / "checkpoint").write_text(cosigned)  # the next party sees the first's
    final = (out / "checkpoint").read_text()
    assert spec_signed(final, ORIGIN, log_public)
    assert all(spec_cosigned(final, p, publics[p]) for p in ("ua", "ru"))


def test_verifier_keys_round_trip_even_when_their_base64_holds_a_plus() -> None:
    from ceasefire.log.note import COSIGNATURE, parse_verifier_key, verifier_key

    seen_plus = 0
    for _ in range(200):
        key = Ed25519PrivateKey.generate()
        for kind in (0x01, COSIGNATURE):
            text = verifier_key("log.example/x", key, kind).to_text()
            name, hex_id, material = text.split("+", 2)
            seen_plus += "+" in material
            raw = base64.b64decode(material)
            assert raw[0] == kind
            assert bytes.fromhex(hex_id) == spec_key_id(name, kind, raw[1:])
            assert parse_verifier_key(text).public_key == raw[1:]
    assert seen_plus > 0


def test_publishing_another_log_over_old_tiles_is_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for db, tag in ((a, "a"), (b, "b")):
        with SQLiteStore(db) as store:
            fill(store, 600, tag=tag)
    key, _ = make_key(tmp_path / "log.pem")
    out = tmp_path / "tiles"
    publish(f"sqlite:///{a}", key, out)
    code, text = invoke(
        "log", "tiles", "--db", f"sqlite:///{b}", "--key", str(key),
        "--origin", ORIGIN, "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "holds tiles of another tree" in text, text
    assert spec_checkpoint((out / "checkpoint").read_text())[1] == 600
    code, text = invoke(
        "log", "witness", "--tiles", str(tmp_path), "--log-key", vkey(key, ORIGIN),
        "--key", str(key), "--name", "w", "--state", str(tmp_path / "w.json"),
    )  # fmt: skip
    assert code == 1 and "has no checkpoint file" in text, text
