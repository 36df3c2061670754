"""Signed tree heads, and the standalone verifier run as a party would run it."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from ceasefire.log import merkle
from ceasefire.log.heads import (
    HeadError,
    SignedHead,
    TreeHead,
    check_signatures,
    countersign,
    generate_key,
    load_private_key,
    public_key_hex,
    save_private_key,
    sign_head,
    verify_signatures,
)

VERIFIER = Path(merkle.__file__).with_name("verifier.py")
WHEN = datetime(2024, 4, 12, 10, 0, tzinfo=UTC)
MISSION = generate_key()
PARTY = generate_key()


def entries(count: int, rewrite: int | None = None) -> list[bytes]:
    """Log entries; with ``rewrite``, that one entry's content is different."""
    return [
        json.dumps(
            {"seq": i, "body": "edited" if i == rewrite else f"report {i}"}
        ).encode()
        for i in range(count)
    ]


def head_of(source: merkle.MemorySource, size: int, when: datetime = WHEN) -> TreeHead:
    return TreeHead(size, merkle.root(size, source), when, "test-log")


@pytest.fixture
def signed() -> SignedHead:
    return sign_head(head_of(merkle.MemorySource(entries(8)), 8), MISSION, "mission")


# ---------------------------------------------------------------- signing


def test_signed_head_verifies(signed: SignedHead) -> None:
    assert verify_signatures(signed) == ["mission"]
    assert signed.signatures[0].public_key_hex == public_key_hex(MISSION)


def test_countersigned_head_verifies_both(signed: SignedHead) -> None:
    both = countersign(signed, PARTY, "ua")
    assert verify_signatures(both) == ["mission", "ua"]
    assert both.head == signed.head
    assert len(signed.signatures) == 1  # the original is left as it was


def test_a_signer_signs_once(signed: SignedHead) -> None:
    with pytest.raises(HeadError, match="already signed"):
        countersign(signed, PARTY, "mission")


@pytest.mark.parametrize(
    "change",
    [
        {"root_hash": bytes(32)},
        {"tree_size": 9},
        {"timestamp": WHEN + timedelta(microseconds=1)},
        {"log_id": "another-log"},
    ],
    ids=["root", "size", "timestamp", "log_id"],
)
def test_a_tampered_head_fails(signed: SignedHead, change: dict[str, object]) -> None:
    tampered = SignedHead(dataclasses.replace(signed.head, **change), signed.signatures)  # type: ignore[arg-type]
    assert verify_signatures(tampered) == []
    good, bad = check_signatures(tampered)
    assert good == [] and bad == ["mission: signature does not match the head"]
    with pytest.raises(HeadError, match="mission: signature does not match"):
        verify_signatures(tampered, strict=True)


def test_one_bad_countersignature_is_named(signed: SignedHead) -> None:
    both = countersign(signed, PARTY, "ua")
    forged = dataclasses.replace(
        both.signatures[1], signature_b64=both.signatures[0].signature_b64
    )
    mixed = SignedHead(both.head, [both.signatures[0], forged])
    assert verify_signatures(mixed) == ["mission"]
    with pytest.raises(HeadError, match="ua: signature does not match"):
        verify_signatures(mixed, strict=True)
    garbled = dataclasses.replace(forged, public_key_hex="zz")
    assert check_signatures(SignedHead(both.head, [garbled]))[1] == [
        "ua: malformed public key or signature encoding"
    ]


def test_trusted_keys_bind_names_to_keys(signed: SignedHead) -> None:
    both = countersign(signed, PARTY, "ua")
    trusted = {"mission": public_key_hex(MISSION), "ua": public_key_hex(PARTY)}
    assert verify_signatures(both, trusted) == ["mission", "ua"]
    # Someone signs as "ua" with their own key: a valid signature, the wrong key.
    impostor = countersign(signed, generate_key(), "ua")
    assert verify_signatures(impostor, trusted) == ["mission"]
    assert check_signatures(impostor, {"mission": public_key_hex(MISSION)})[1] == [
        "ua: signer is not among the trusted keys"
    ]


def test_strict_needs_at_least_one_signature(signed: SignedHead) -> None:
    with pytest.raises(HeadError, match="no signatures"):
        verify_signatures(SignedHead(signed.head, []), strict=True)


# ---------------------------------------------------------------- format


def test_signing_input_is_the_documented_bytes() -> None:
    head = TreeHead(8, bytes.fromhex("ab" * 32), WHEN, "test-log")
    assert head.signing_input() == (
        b'ceasefire-sth-v1\n{"log_id":"test-log","root_hash":"' + b"ab" * 32 + b'",'
        b'"timestamp":"2024-04-12T10:00:00.000000Z","tree_size":8}'
    )


def test_json_round_trip(signed: SignedHead) -> None:
    both = countersign(signed, PARTY, "ua")
    again = SignedHead.from_json(both.to_json())
    assert again == both
    assert verify_signatures(again) == ["mission", "ua"]
    data = json.loads(both.to_json())
    assert data["format"] == "ceasefire-sth-v1"
    assert data["head"]["timestamp"] == "2024-04-12T10:00:00.000000Z"
    assert set(data["signatures"][0]) == {"signer", "public_key", "signature"}


def test_timestamps_are_normalised_to_utc() -> None:
    kyiv = datetime(2024, 4, 12, 13, 0, tzinfo=timezone(timedelta(hours=3)))
    head = TreeHead(1, bytes(32), kyiv, "test-log")
    assert head.timestamp.tzinfo == UTC
    assert head == TreeHead(1, bytes(32), WHEN, "test-log")
    assert (
        head.signing_input() == TreeHead(1, bytes(32), WHEN, "test-log").signing_input()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, bytes(32), datetime(2024, 4, 12), "log"), "no time zone"),  # noqa: DTZ001
        ((1, bytes(31), WHEN, "log"), "32 bytes"),
        ((-1, bytes(32), WHEN, "log"), "≥ 0"),
        ((1, bytes(32), WHEN, ""), "log_id"),
    ],
)
def test_malformed_heads_are_refused(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(HeadError, match=message):
        TreeHead(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"signatures": []}',
        '{"head": {"tree_size": 1}}',
        '{"format": "other", "head": {}}',
        '{"head": {"tree_size": 1, "root_hash": "00", "timestamp": "2024-04-12T10:00:00Z", "log_id": "x"}}',
    ],
)
def test_malformed_json_is_refused(text: str) -> None:
    with pytest.raises(HeadError):
        SignedHead.from_json(text)


# ---------------------------------------------------------------- keys


def test_key_file_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "mission.pem"
    save_private_key(path, MISSION)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_private_key(path)
    assert public_key_hex(loaded) == public_key_hex(MISSION)
    assert len(public_key_hex(MISSION)) == 64
    with pytest.raises(FileExistsError):
        save_private_key(path, generate_key())  # never overwrite a key
    assert public_key_hex(load_private_key(path)) == public_key_hex(MISSION)


def test_non_ed25519_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(HeadError, match="not an Ed25519 key"):
        load_private_key(path)
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(HeadError, match="not an unencrypted PEM"):
        load_private_key(tmp_path / "junk.pem")


# ---------------------------------------------------------------- the standalone verifier


@pytest.fixture
def party_dir(tmp_path: Path) -> Path:
    """A folder holding only a copy of verifier.py, as a party would have it."""
    shutil.copy(VERIFIER, tmp_path / "verifier.py")
    return tmp_path


def run_verifier(
    folder: Path, *args: str, block_cryptography: bool = False
) -> tuple[int, str]:
    """Run the copied verifier with an isolated interpreter (no ceasefire on its path)."""
    if block_cryptography:
        code = (
            "import runpy, sys; sys.modules['cryptography'] = None; "
            f"sys.argv = ['verifier.py', *{list(args)!r}]; "
            "runpy.run_path('verifier.py', run_name='__main__')"
        )
        command = [sys.executable, "-I", "-c", code]
    else:
        command = [sys.executable, "-I", "verifier.py", *args]
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, check=False
    )  # noqa: S603
    return done.returncode, done.stdout + done.stderr


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return name


def inclusion_files(folder: Path, log: list[bytes], index: int, size: int) -> list[str]:
    """Head, entry and proof files for entry ``index`` in the first ``size`` entries."""
    source = merkle.MemorySource(log)
    signed = countersign(
        sign_head(head_of(source, size), MISSION, "mission"), PARTY, "ua"
    )
    proof = {
        "index": index,
        "tree_size": size,
        "leaf_hash": merkle.leaf_hash(log[index]).hex(),
        "path": [node.hex() for node in merkle.inclusion_proof(index, size, source)],
    }
    return [
        "--head",
        write(folder, "head.json", signed.to_json()),
        "--entry",
        write(folder, "entry.json", log[index]),
        "--proof",
        write(folder, "proof.json", json.dumps(proof)),
    ]


def consistency_files(
    folder: Path, old_log: list[bytes], new_log: list[bytes], old: int, new: int
) -> list[str]:
    """Old and new head files and the new log's proof between them."""
    old_source, new_source = merkle.MemorySource(old_log), merkle.MemorySource(new_log)
    old_head = sign_head(head_of(old_source, old), MISSION, "mission")
    new_head = sign_head(
        head_of(new_source, new, WHEN + timedelta(days=1)), MISSION, "mission"
    )
    proof = {
        "old_size": old,
        "new_size": new,
        "path": [node.hex() for node in merkle.consistency_proof(old, new, new_source)],
    }
    return [
        "--old",
        write(folder, "old.json", old_head.to_json()),
        "--new",
        write(folder, "new.json", new_head.to_json()),
        "--proof",
        write(folder, "proof.json", json.dumps(proof)),
    ]


def test_verifier_accepts_a_good_inclusion_proof(party_dir: Path) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 0, out
    assert out.startswith("OK: entry 6 is in log 'test-log' of 13 entries")
    assert "signed by mission, ua" in out


def test_verifier_rejects_a_tampered_entry(party_dir: Path) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    (party_dir / "entry.json").write_bytes(entries(20, rewrite=6)[6])
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 1
    assert "FAILED: entry.json does not hash to the proof's leaf_hash" in out


def test_verifier_rejects_a_tampered_entry_even_with_a_matching_leaf_hash(
    party_dir: Path,
) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    edited = entries(20, rewrite=6)[6]
    (party_dir / "entry.json").write_bytes(edited)
    proof = json.loads((party_dir / "proof.json").read_text())
    proof["leaf_hash"] = merkle.leaf_hash(edited).hex()
    (party_dir / "proof.json").write_text(json.dumps(proof))
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 1
    assert "FAILED: entry 6 is NOT in the tree of 13 entries" in out


def test_verifier_rejects_a_tampered_proof(party_dir: Path) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    proof = json.loads((party_dir / "proof.json").read_text())
    node = proof["path"][1]
    proof["path"][1] = ("0" if node[0] != "0" else "1") + node[1:]
    (party_dir / "proof.json").write_text(json.dumps(proof))
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 1
    assert "NOT in the tree" in out


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("root_hash", "00" * 32),
        ("tree_size", 14),
        ("timestamp", "2024-04-13T10:00:00Z"),
    ],
)
def test_verifier_rejects_a_head_edited_after_signing(
    party_dir: Path, field: str, value: object
) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    head = json.loads((party_dir / "head.json").read_text())
    head["head"][field] = value
    (party_dir / "head.json").write_text(json.dumps(head))
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 1
    assert "FAILED: head.json: signature of 'mission' does not verify" in out


def test_verifier_accepts_a_good_consistency_proof(party_dir: Path) -> None:
    log = entries(20)
    for old in (1, 4, 13, 20):
        args = consistency_files(party_dir, log, log, old, 20)
        code, out = run_verifier(party_dir, "consistency", *args)
        assert code == 0, out
        assert f"extends its earlier {old} entries" in out


def test_verifier_rejects_a_head_from_a_rewritten_log(party_dir: Path) -> None:
    """The log re-signs a head after rewriting entry 2: it cannot extend the old head."""
    args = consistency_files(party_dir, entries(20), entries(20, rewrite=2), 13, 20)
    code, out = run_verifier(party_dir, "consistency", *args)
    assert code == 1
    assert "FAILED: the log of 20 entries does NOT extend the log of 13 entries" in out


def test_verifier_rejects_an_inclusion_proof_against_a_rewritten_head(
    party_dir: Path,
) -> None:
    original, rewritten = entries(20), entries(20, rewrite=2)
    args = inclusion_files(party_dir, original, 2, 13)
    rewritten_head = sign_head(
        head_of(merkle.MemorySource(rewritten), 13), MISSION, "mission"
    )
    (party_dir / "head.json").write_text(rewritten_head.to_json())
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 1
    assert "NOT in the tree" in out


def test_verifier_rejects_sizes_that_do_not_match_the_heads(party_dir: Path) -> None:
    log = entries(20)
    args = consistency_files(party_dir, log, log, 13, 20)
    proof = json.loads((party_dir / "proof.json").read_text())
    proof["old_size"] = 12
    (party_dir / "proof.json").write_text(json.dumps(proof))
    code, out = run_verifier(party_dir, "consistency", *args)
    assert code == 1
    assert "the heads are 13 → 20" in out


def test_verifier_trust_option(party_dir: Path) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    right = [
        "--trust",
        f"mission={public_key_hex(MISSION)}",
        "--trust",
        f"ua={public_key_hex(PARTY)}",
    ]
    code, out = run_verifier(party_dir, "inclusion", *args, *right)
    assert code == 0, out
    wrong = ["--trust", f"ua={public_key_hex(MISSION)}"]
    code, out = run_verifier(party_dir, "inclusion", *args, *wrong)
    assert code == 1
    assert "'ua' signed with a key other than the trusted one" in out
    absent = ["--trust", f"ru={public_key_hex(generate_key())}"]
    code, out = run_verifier(party_dir, "inclusion", *args, *absent)
    assert code == 1
    assert "not signed by trusted ru" in out


def test_verifier_says_when_it_skipped_signatures(party_dir: Path) -> None:
    args = inclusion_files(party_dir, entries(20), 6, 13)
    code, out = run_verifier(party_dir, "inclusion", *args, block_cryptography=True)
    assert code == 0, out
    assert "signatures NOT checked" in out
    trust = ["--trust", f"mission={public_key_hex(MISSION)}"]
    code, out = run_verifier(
        party_dir, "inclusion", *args, *trust, block_cryptography=True
    )
    assert code == 1
    assert "needs the 'cryptography' package" in out


def test_verifier_reports_malformed_input(party_dir: Path) -> None:
    args = inclusion_files(party_dir, entries(4), 1, 4)
    (party_dir / "proof.json").write_text(
        '{"index": 1, "tree_size": 4, "path": ["xyz"]}'
    )
    code, out = run_verifier(party_dir, "inclusion", *args)
    assert code == 1
    assert "path[0]: expected 64 hex digits" in out


def test_verifier_file_imports_only_the_standard_library() -> None:
    """It must stay copyable: no import of ceasefire or any third-party package at top level."""
    source = VERIFIER.read_text(encoding="utf-8")
    top_level = [
        line.split()[1]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert set(top_level) <= {
        "__future__",
        "argparse",
        "base64",
        "binascii",
        "hashlib",
        "json",
        "sys",
        "datetime",
        "typing",
    }
    assert os.access(VERIFIER, os.R_OK)
