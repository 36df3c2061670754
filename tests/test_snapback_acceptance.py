"""Issue 7 acceptance: three confirmed strikes fire the Alaska snapback; guarantors hear it.

The strikes are synthetic (real data has no joint verification decisions):
three Russian missile strikes on power and heating plants in Kharkiv, Dnipro
and Zaporizhzhia within five days, each reported by two independent teams,
evaluated, assigned to a joint team and verified by it, as the clause's
evidence standard (two sources, verified, joint) requires.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from lxml import etree

from ceasefire.factfinding.incidents import incidents_of
from ceasefire.log.service import Log
from ceasefire.notify import notices
from ceasefire.notify.cap import to_cap
from ceasefire.notify.outbox import Outbox, Settings
from ceasefire.notify.publish import publish
from ceasefire.notify.receiver import Inbox, Receiver
from ceasefire.snapback.record import PENALTY_STATE, evaluate
from ceasefire.snapback.replay import export_entries, import_entries, read_entries
from ceasefire.store.sqlite import SQLiteStore
from tests.snapback_support import agreement, two_source_strikes, verify_jointly

SECRET = b"guarantors-shared-secret"
XSD = Path(__file__).resolve().parent.parent / "ceasefire/schema/cap/CAP-v1.2.xsd"


@pytest.fixture(scope="module")
def alaska():  # type: ignore[no-untyped-def]
    return agreement()


def _confirmed_log(tmp_path: Path) -> tuple[Log, list[str], datetime]:
    log = Log(SQLiteStore(tmp_path / "mission.db"))
    reports = two_source_strikes("ru")
    log.append_reports(reports)
    # each strike's incident is named after its first report (pairs 0/1, 2/3, 4/5)
    expected = [reports[0].id, reports[2].id, reports[4].id]
    found = incidents_of(log.store)
    assert sorted(i.id for i in found) == sorted(expected)
    assert all(i.independent_sources == 2 for i in found)
    for incident in expected:
        verify_jointly(log, incident)
    return log, expected, datetime.now(UTC)


def test_three_confirmed_strikes_fire_the_snapback_and_reach_the_guarantors(
    tmp_path: Path, alaska
) -> None:  # type: ignore[no-untyped-def]
    log, incidents, confirmed = _confirmed_log(tmp_path)
    later = confirmed + timedelta(hours=25)  # past the 24 h step to the guarantors
    published = publish(log, alaska, later)

    fired = [t for t in published.transitions if t.rule == "civilian-strike-snapback"]
    assert [t.state for t in fired] == ["triggered", "warning", "notice_to_guarantors"]
    assert {t.group for t in fired} == {"ru"}
    trigger = fired[0]
    assert sorted(b["incident"] for b in trigger.reasons["breaches"]) == sorted(
        incidents
    )
    assert trigger.reasons["value"] == 3 and trigger.reasons["threshold"] == 3
    # the step to the guarantors comes 24 h after the trigger, as the rule says
    assert fired[2].at - fired[0].at == timedelta(hours=24)
    # and the trigger happened when the last incident was verified, not before
    assert confirmed - timedelta(minutes=5) <= trigger.at <= confirmed
    logged = [r for r in log.store.entries() if r.kind == PENALTY_STATE]
    assert len(logged) == 3

    receiver = Receiver(Inbox(SECRET)).start()
    try:
        settings = Settings(secret=SECRET, endpoints={"us-guarantor": receiver.url})
        outbox = Outbox(log, settings)
        outbox.refresh()
        # deliver only the guarantor's webhook (others point at .invalid hosts)
        outbox.pending = {
            k: p
            for k, p in outbox.pending.items()
            if p.notice.liaison == "us-guarantor"
        }
        outbox.run(duration=5, once=True)
        outbox.close()
    finally:
        receiver.stop()
    (received,) = receiver.inbox.received
    assert received["liaison"] == "us-guarantor"
    assert received["body"]["step"] == "notice_to_guarantors"
    assert sorted(received["body"]["incidents"]) == sorted(incidents)
    assert receiver.inbox.rejected == 0

    # the CAP form of that notice validates against the OASIS schema
    status = notices.book(log)[received["id"]]
    cap = to_cap(status.notice)
    (tmp_path / "notice.cap.xml").write_bytes(cap)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.parse(str(tmp_path / "notice.cap.xml")))


def test_signature_is_hmac_sha256_of_timestamp_and_body(tmp_path: Path, alaska) -> None:  # type: ignore[no-untyped-def]
    log, _, confirmed = _confirmed_log(tmp_path)
    publish(log, alaska, confirmed + timedelta(hours=25))
    seen: list[tuple[dict[str, str], bytes]] = []

    class Keep(Inbox):
        def accept(self, headers: dict[str, str], body: bytes) -> int:
            seen.append((headers, body))
            return super().accept(headers, body)

    receiver = Receiver(Keep(SECRET)).start()
    try:
        outbox = Outbox(
            log, Settings(secret=SECRET, endpoints={"us-guarantor": receiver.url})
        )
        outbox.refresh()
        outbox.pending = {
            k: p
            for k, p in outbox.pending.items()
            if p.notice.liaison == "us-guarantor"
        }
        outbox.run(duration=5, once=True)
        outbox.close()
    finally:
        receiver.stop()
    ((headers, body),) = seen
    stamp = headers["X-Ceasefire-Timestamp"]
    delivery = headers["X-Ceasefire-Delivery"]  # signed too since issue 14 (replays)
    signed = f"{delivery}.{stamp}.".encode() + body
    expected = hmac.new(SECRET, signed, hashlib.sha256).hexdigest()
    assert headers["X-Ceasefire-Signature"] == f"v2={expected}"
    assert delivery == headers["Idempotency-Key"] == orjson.loads(body)["id"]
    # a tampered body or another key does not verify
    assert Inbox(SECRET).accept(headers, body.replace(b"ru", b"ua")) == 401
    assert Inbox(b"other").accept(headers, body) == 401


def test_replay_reproduces_the_triggers_exactly(tmp_path: Path, alaska) -> None:  # type: ignore[no-untyped-def]
    log, _, confirmed = _confirmed_log(tmp_path)
    at = confirmed + timedelta(days=5)  # past the penalty step (24 h + 72 h)
    publish(
        log, alaska, confirmed + timedelta(hours=1)
    )  # outputs in the log do not matter
    first = evaluate(log.store, alaska, at)
    second = evaluate(log.store, alaska, at)
    assert first == second
    assert [t.state for t in first] == [
        "triggered", "warning", "notice_to_guarantors", "penalty",
    ]  # fmt: skip
    # the penalty waits for both its ladder (24 h + 72 h) and the 72 h appeal window
    assert first[3].at - first[0].at == timedelta(hours=96)

    export = tmp_path / "log.jsonl"
    export_entries(log.store, export)
    fresh = SQLiteStore(tmp_path / "replayed.db")
    import_entries(fresh, read_entries(export))
    assert Log(fresh).head().root_hash == log.head().root_hash
    assert evaluate(fresh, alaska, at) == first
    # before the third verification was logged, nothing had fired
    assert evaluate(fresh, alaska, first[0].at - timedelta(microseconds=1)) == []
