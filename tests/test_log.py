"""The incident log as users rely on it: append, prove, verify, tamper, states, evidence.

Tampering is done the way an insider would: with plain SQL on the SQLite file.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from ceasefire.log import merkle
from ceasefire.log.heads import generate_key, save_private_key
from ceasefire.log.service import Log
from ceasefire.model.states import IllegalTransition
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports as synthetic_reports

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "data" / "reports" / "ucdp-ged-2015.jsonl"


def ceasefire(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ceasefire", *args],
        capture_output=True, text=True, check=False, cwd=cwd,
    )  # fmt: skip


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """A SQLite log holding the 120 real UCDP events, appended through the CLI."""
    done = ceasefire(
        "log", "append", "--db", "sqlite:///log.db", str(SAMPLE), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "appended 120 reports" in done.stdout
    return tmp_path


def sql(folder: Path, statement: str, *params: object) -> None:
    with sqlite3.connect(folder / "log.db") as db:
        db.execute(statement, params)


def verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return ceasefire("log", "verify", "--db", "sqlite:///log.db", cwd=folder)


def test_append_head_prove_verify(logged: Path) -> None:
    head = ceasefire("log", "head", "--db", "sqlite:///log.db", cwd=logged)
    assert head.returncode == 0 and head.stdout.startswith("size 120  root ")
    # Independent check: the root is RFC 6962's MTH over the stored entry bytes.
    with sqlite3.connect(logged / "log.db") as db:
        payloads = [
            row[0] for row in db.execute("SELECT payload FROM entries ORDER BY seq")
        ]
    assert head.stdout.split()[-1] == merkle.MemorySource(payloads).root().hex()
    proof = ceasefire("log", "prove", "--db", "sqlite:///log.db", "57", cwd=logged)
    assert proof.returncode == 0, proof.stderr
    path = [bytes.fromhex(h) for h in json.loads(proof.stdout)["path"]]
    leaf = merkle.leaf_hash(payloads[57])
    assert merkle.verify_inclusion(
        leaf, 57, 120, path, bytes.fromhex(head.stdout.split()[-1])
    )
    assert verify(logged).returncode == 0


def test_reports_get_oblast_and_raion_by_lookup(logged: Path) -> None:
    with SQLiteStore(logged / "log.db") as store:
        body = orjson.loads(store.entry(0).payload)["body"]  # type: ignore[union-attr]
    # UCDP event 198673 is placed at 39.02 E 48.92 N, in Luhansk Oblast.
    assert body["location"]["admin1"] == "UA-09"
    assert body["location"]["admin2"]


def test_bad_lines_are_rejected_with_reasons_and_good_ones_kept(tmp_path: Path) -> None:
    lines = SAMPLE.read_text().splitlines()[:3]
    broken = json.loads(lines[1])
    broken["location"]["lat"] = 123.0  # latitude out of range
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        "\n".join([lines[0], json.dumps(broken), "{not json", lines[2]]) + "\n"
    )
    done = ceasefire(
        "log", "append", "--db", "sqlite:///log.db", str(source), cwd=tmp_path
    )
    assert done.returncode == 1
    assert "appended 2 reports" in done.stdout
    rejected = [
        json.loads(x)
        for x in (tmp_path / "mixed.jsonl.rejected.jsonl").read_text().splitlines()
    ]
    assert [r["line"] for r in rejected] == [2, 3]
    assert "location.lat" in rejected[0]["reason"] and "123" in rejected[0]["reason"]
    assert "not JSON" in rejected[1]["reason"]


@pytest.mark.parametrize(
    ("column", "seq"),
    [
        ("payload", 0),
        ("payload", 63),
        ("payload", 119),
        ("leaf", 40),
        ("nodes", 15),
        ("id", 77),
    ],
)
def test_changing_any_stored_byte_is_caught_and_named(
    logged: Path, column: str, seq: int
) -> None:
    with sqlite3.connect(logged / "log.db") as db:
        (value,) = db.execute(
            f"SELECT {column} FROM entries WHERE seq = ?", (seq,)
        ).fetchone()  # noqa: S608
        if isinstance(value, str):
            changed: object = value[:-1] + ("A" if value[-1] != "A" else "B")
        else:
            data = bytearray(value)
            data[len(data) // 2] ^= 0x01
            changed = bytes(data)
        db.execute(f"UPDATE entries SET {column} = ? WHERE seq = ?", (changed, seq))  # noqa: S608
    done = verify(logged)
    assert done.returncode == 1
    assert f"entry {seq}" in done.stderr.split("\n")[0]


def test_deleting_a_row_is_caught(logged: Path) -> None:
    sql(logged, "DELETE FROM entries WHERE seq = 30")
    done = verify(logged)
    assert (
        done.returncode == 1 and "entry 30" in done.stderr and "missing" in done.stderr
    )


def test_deleting_the_last_rows_is_caught_by_the_signed_head(logged: Path) -> None:
    save_private_key(logged / "mission.pem", generate_key())
    signed = ceasefire(
        "log", "head", "--db", "sqlite:///log.db", "--sign", "mission.pem", cwd=logged
    )
    assert signed.returncode == 0, signed.stderr
    sql(logged, "DELETE FROM entries WHERE seq >= 118")
    done = verify(logged)
    assert (
        done.returncode == 1
        and "entry 118" in done.stderr
        and "signed head" in done.stderr
    )


def test_swapping_two_rows_is_caught(logged: Path) -> None:
    with sqlite3.connect(logged / "log.db") as db:
        db.execute("UPDATE entries SET seq = -1 WHERE seq = 10")
        db.execute("UPDATE entries SET seq = 10 WHERE seq = 11")
        db.execute("UPDATE entries SET seq = 11 WHERE seq = -1")
    done = verify(logged)
    assert done.returncode == 1 and "entry 10" in done.stderr.split("\n")[0]


def test_consistency_proof_holds_for_growth_and_fails_for_a_rewrite(
    logged: Path,
) -> None:
    save_private_key(logged / "mission.pem", generate_key())
    ceasefire(
        "log",
        "head",
        "--db",
        "sqlite:///log.db",
        "--sign",
        "mission.pem",
        "-o",
        "old.json",
        cwd=logged,
    )
    more = logged / "more.jsonl"
    more.write_text(
        "".join(
            r.model_dump_json(by_alias=True, exclude_none=True) + "\n"
            for r in synthetic_reports(25)
        )
    )
    assert (
        ceasefire(
            "log", "append", "--db", "sqlite:///log.db", str(more), cwd=logged
        ).returncode
        == 0
    )
    grown = ceasefire(
        "log", "consistency", "--db", "sqlite:///log.db", "old.json", cwd=logged
    )
    assert grown.returncode == 0, grown.stderr
    assert "120 → 145: consistent" in grown.stderr
    # A rewrite: entry 5 replaced, and every hash recomputed so the log verifies
    # on its own; only the old head can tell.
    rewrite_entry(logged / "log.db", 5)
    rewritten = ceasefire(
        "log", "consistency", "--db", "sqlite:///log.db", "old.json", cwd=logged
    )
    assert rewritten.returncode == 1 and "NOT consistent" in rewritten.stderr


def rewrite_entry(path: Path, seq: int) -> None:
    """Alter an entry and recompute every leaf and node hash after it."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT seq, payload FROM entries ORDER BY seq").fetchall()
        payloads = [bytes(p) for _, p in rows]
        payloads[seq] = payloads[seq].replace(
            b'"narrative":"', b'"narrative":"(rewritten) ', 1
        )
        appender = merkle.Appender()
        for index, payload in enumerate(payloads):
            leaf = merkle.leaf_hash(payload)
            db.execute(
                "UPDATE entries SET payload = ?, leaf = ?, nodes = ? WHERE seq = ?",
                (payload, leaf, appender.append(leaf), index),
            )


def test_state_machine_records_who_and_why_and_refuses_illegal_moves(
    tmp_path: Path,
) -> None:
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        report = next(synthetic_reports(1))
        log.append_reports([report])
        assert log.state_of(report.id) == "reported"
        log.transition(
            report.id, "under_review", "analyst-2", "two independent sources"
        )
        with pytest.raises(IllegalTransition) as refused:
            log.transition(report.id, "corroborated", "analyst-2", "late")
        assert "cannot go from 'under_review' to 'corroborated'" in str(refused.value)
        assert "verified" in (refused.value.expected or "")
        with pytest.raises(IllegalTransition):
            log.transition(report.id, "verified", "analyst-2", "  ")  # no reason
        log.transition(report.id, "verified", "jft-1", "joint team confirmed on site")
        log.transition(report.id, "under_review", "jft-1", "reopened: party reply")
        trail = [
            orjson.loads(r.payload)
            for r in store.entries_about(report.id)
            if r.kind == "state_change"
        ]
        assert [(e["actor"], e["body"]["to"], e["body"]["reason"]) for e in trail] == [
            ("analyst-2", "under_review", "two independent sources"),
            ("jft-1", "verified", "joint team confirmed on site"),
            ("jft-1", "under_review", "reopened: party reply"),
        ]
        assert not log.verify()


def test_transition_via_cli_names_the_allowed_states(logged: Path) -> None:
    with SQLiteStore(logged / "log.db") as store:
        report_id = store.entry(0).id  # type: ignore[union-attr]
    done = ceasefire(
        "log",
        "transition",
        "--db",
        "sqlite:///log.db",
        report_id,
        "verified",
        "--by",
        "a",
        "--reason",
        "r",
        cwd=logged,
    )
    assert done.returncode == 1
    assert (
        "cannot go from 'reported' to 'verified'" in done.stderr
        and "under_review" in done.stderr
    )


def test_evidence_is_content_addressed_and_verified(logged: Path) -> None:
    photo = logged / "crater.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg, but bytes all the same")
    with SQLiteStore(logged / "log.db") as store:
        report_id = store.entry(3).id  # type: ignore[union-attr]
    args = [
        "evidence",
        "add",
        "--db",
        "sqlite:///log.db",
        str(photo),
        "--report",
        report_id,
        "--by",
        "team-3",
        "--device",
        "Nikon Z6 #44",
    ]
    first = ceasefire(*args, cwd=logged)
    assert first.returncode == 0, first.stderr
    assert hashlib.sha256(photo.read_bytes()).hexdigest() in first.stdout
    assert "image/jpeg" in first.stdout
    assert (
        ceasefire(*args, cwd=logged).returncode == 0
    )  # a second custody entry, one blob
    with sqlite3.connect(logged / "log.db") as db:
        assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1
    assert (
        ceasefire(
            "evidence", "verify", "--db", "sqlite:///log.db", cwd=logged
        ).returncode
        == 0
    )
    sql(logged, "UPDATE blobs SET content = ?", b"swapped")
    done = ceasefire("evidence", "verify", "--db", "sqlite:///log.db", cwd=logged)
    assert (
        done.returncode == 1
        and hashlib.sha256(photo.read_bytes()).hexdigest() in done.stderr
    )


APPENDER = """
import sys
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports
log = Log(SQLiteStore(sys.argv[1]))
batch = []
for number, report in enumerate(reports(1_000_000, seed=7)):
    batch.append(report)
    if len(batch) == 200:
        log.append_reports(batch)
        print(batch[-1].id, flush=True)  # printed only after append returned
        batch = []
"""


def test_sigkill_mid_bulk_append_loses_nothing_acknowledged(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(tmp_path / "log.db")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    acknowledged: list[str] = []
    assert child.stdout is not None
    deadline = time.monotonic() + 60
    while len(acknowledged) < 15 and time.monotonic() < deadline:
        acknowledged.append(child.stdout.readline().strip())
    time.sleep(0.05)  # let it get into the middle of the next append
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()

    assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) == 15
    with SQLiteStore(tmp_path / "log.db") as store:
        assert store.size() >= 15 * 200
        for report_id in acknowledged:
            assert store.entry_by_id(report_id) is not None
        assert Log(store).verify() == []


def test_appending_the_same_reports_twice_adds_nothing(logged: Path) -> None:
    again = ceasefire(
        "log", "append", "--db", "sqlite:///log.db", str(SAMPLE), cwd=logged
    )
    assert again.returncode == 0, again.stderr
    assert "appended 0 reports; log size 120" in again.stdout
