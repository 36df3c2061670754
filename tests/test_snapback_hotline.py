"""The hotline: deliveries that survive a receiver outage and a restart, e-mail, acks, silence."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from ceasefire.log.service import Log
from ceasefire.notify import notices
from ceasefire.notify.atom import feed
from ceasefire.notify.cap import validate
from ceasefire.notify.email import SMTPSettings
from ceasefire.notify.outbox import Outbox, Settings
from ceasefire.notify.publish import publish
from ceasefire.notify.receiver import Inbox, Receiver
from ceasefire.store.sqlite import SQLiteStore
from tests.snapback_support import agreement, two_source_strikes, verify_jointly

SECRET = b"s3cret"
FAST = {"base_delay": 0.05, "max_delay": 0.4, "poll": 0.02}


@pytest.fixture(scope="module")
def alaska():  # type: ignore[no-untyped-def]
    return agreement()


def published_log(
    tmp_path: Path, alaska: Any, hours: float = 25
) -> tuple[Log, datetime]:
    log = Log(SQLiteStore(tmp_path / "hotline.db"))
    reports = two_source_strikes("ru")
    log.append_reports(reports)
    for incident in (reports[0].id, reports[2].id, reports[4].id):
        verify_jointly(log, incident)
    confirmed = datetime.now(UTC)
    publish(log, alaska, confirmed + timedelta(hours=hours))
    return log, confirmed


def webhook_notices(log: Log) -> list[str]:
    return sorted(
        s.notice.id for s in notices.book(log).values() if s.notice.channel == "webhook"
    )


def all_to(url: str, log: Log) -> dict[str, str]:
    return {s.notice.liaison: url for s in notices.book(log).values()}


def test_a_receiver_that_was_down_gets_every_notice_exactly_once(
    tmp_path: Path, alaska: Any
) -> None:
    log, _ = published_log(tmp_path, alaska)
    expected = webhook_notices(log)
    # breach notices to ru-hotline (3 civilian strikes, and the strike cap's
    # breach by the Dnipro strike, 103 km from the freeze line) and the
    # steps' webhooks: ua, ru, mission, us
    assert len(expected) == 3 + 1 + 3 + 1
    receiver = Receiver(Inbox(SECRET)).start()
    url = receiver.url
    receiver.stop()  # down before the first attempt
    settings = Settings(secret=SECRET, endpoints=all_to(url, log), **FAST)  # type: ignore[arg-type]
    stats: list[Any] = []

    def sender() -> None:  # like a separate `notify run` process: its own connection
        outbox = Outbox(Log(SQLiteStore(tmp_path / "hotline.db")), settings)
        stats.append(outbox.stats)
        outbox.run(duration=6.0)
        outbox.close()

    runner = threading.Thread(target=sender)
    runner.start()
    time.sleep(1.5)
    assert receiver.inbox.received == []
    assert stats[0].failed_attempts >= len(expected)  # it kept trying
    receiver.start()  # same port
    runner.join()
    receiver.stop()
    got = sorted(n["id"] for n in receiver.inbox.received if n["channel"] == "webhook")
    assert got == expected
    assert receiver.inbox.duplicates == 0
    delivered = [r for r in log.store.entries() if r.kind == notices.DELIVERED]
    assert sorted(r.subject for r in delivered if r.subject in expected) == expected


def test_a_restarted_sender_resumes_and_the_key_makes_a_repeat_harmless(
    tmp_path: Path, alaska: Any
) -> None:
    log, _ = published_log(tmp_path, alaska)
    expected = webhook_notices(log)
    keys = tmp_path / "seen-keys.txt"
    receiver = Receiver(Inbox(SECRET, keys_file=keys)).start()
    settings = Settings(secret=SECRET, endpoints=all_to(receiver.url, log), **FAST)  # type: ignore[arg-type]
    first = Outbox(log, settings)
    first.refresh()
    # the sender posts one notice and dies before logging the delivery
    crashed = first.pending[expected[0]].notice
    assert first.attempt(crashed) is None
    first.close()
    # the receiver restarts too (it keeps its seen keys in a file)
    receiver.stop()
    receiver = Receiver(Inbox(SECRET, keys_file=keys), port=receiver.port).start()
    second = Outbox(log, settings)
    second.run(duration=3.0, once=True)
    second.close()
    third = Outbox(log, settings)  # a third start finds nothing pending
    third.refresh()
    assert [p for p in third.pending.values() if p.notice.channel == "webhook"] == []
    third.close()
    receiver.stop()
    got = [n["id"] for n in receiver.inbox.received]
    assert sorted(got) == sorted(
        set(expected) - {crashed.id}
    )  # first copy went to run 1
    assert receiver.inbox.duplicates == 1
    assert set(keys.read_text().split()) == set(expected)


def test_an_endpoint_that_never_answers_ends_in_the_dead_letter_list(
    tmp_path: Path, alaska: Any
) -> None:
    log, _ = published_log(tmp_path, alaska)
    closed = Receiver(Inbox(SECRET)).start()
    url = closed.url
    closed.stop()
    settings = Settings(
        secret=SECRET, endpoints=all_to(url, log), max_attempts=3,
        smtp=SMTPSettings(port=closed.port), **FAST,  # type: ignore[arg-type]
    )  # fmt: skip
    outbox = Outbox(log, settings)
    outbox.run(duration=5.0)
    outbox.close()
    dead = [s for s in notices.book(log).values() if s.dead_letter]
    deliverable = [
        s
        for s in notices.book(log).values()
        if s.notice.channel in ("webhook", "email")
    ]
    assert len(dead) == len(deliverable)
    assert all(s.dead_letter and s.dead_letter["attempts"] == 3 for s in dead)
    assert all("Connect" in s.dead_letter["last_error"] or "refused" in s.dead_letter["last_error"] for s in dead if s.dead_letter)  # fmt: skip


def test_email_notices_reach_a_real_smtp_server_with_a_valid_cap_attachment(
    tmp_path: Path, alaska: Any
) -> None:
    from aiosmtpd.controller import Controller

    mails: list[Message] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            mails.append(message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its own port: pick a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        log, _ = published_log(tmp_path, alaska)
        settings = Settings(secret=SECRET, smtp=SMTPSettings(port=port), **FAST)  # type: ignore[arg-type]
        outbox = Outbox(log, settings)
        outbox.refresh()
        outbox.pending = {
            k: p for k, p in outbox.pending.items() if p.notice.channel == "email"
        }
        outbox.run(duration=3.0, once=True)
        outbox.close()
    finally:
        controller.stop()
    # the EEAS desk is the only e-mail liaison point notified (notice to guarantors)
    (mail,) = mails
    assert mail["To"] == "crisis@eeas.eu.invalid"
    assert mail["Subject"].startswith("Notice to guarantors: Snapback")
    (cap,) = [p for p in mail.walk() if p.get_content_type() == "application/cap+xml"]
    payload = cap.get_payload(decode=True)
    assert isinstance(payload, bytes) and validate(payload) == []


def test_acks_replies_and_silence_are_recorded_and_counted(
    tmp_path: Path, alaska: Any
) -> None:
    log, confirmed = published_log(tmp_path, alaska, hours=1)
    book = notices.book(log)
    due = [s for s in book.values() if s.notice.ack_due is not None]
    # ua-hotline and ru-hotline ask for an answer within 2 h: breach notices to ru
    # (3, and 1 of the strike cap: Dnipro is 103 km from the line) and the
    # warning to both
    assert sorted(s.notice.liaison for s in due) == ["ru-hotline"] * 5 + ["ua-hotline"]
    warning_ru = next(
        s.notice
        for s in due
        if s.notice.cause == "penalty_step" and s.notice.recipient == "ru"
    )
    with pytest.raises(notices.NoticeError, match="addressed to 'ru'"):
        notices.acknowledge(log, warning_ru.id, "ua", "party:ua")
    notices.acknowledge(log, warning_ru.id, "ru", "party:ru")
    with pytest.raises(notices.NoticeError, match="already acknowledged"):
        notices.acknowledge(log, warning_ru.id, "ru", "party:ru")
    breach_notice = next(s.notice for s in due if s.notice.cause == "breach")
    notices.reply(
        log, breach_notice.id, "ru", "We contest the attribution.", "party:ru"
    )

    before = notices.sweep_unanswered(log, confirmed + timedelta(hours=1))
    assert before == []  # nothing is overdue yet
    late = confirmed + timedelta(hours=3)
    silent = notices.sweep_unanswered(log, late)
    assert len(silent) == 4  # three breach notices to ru, the warning to ua
    assert notices.sweep_unanswered(log, late) == []  # recorded once
    assert notices.unanswered_counts(log) == {"ru": 3, "ua": 1}
    states = {s.notice.id: s.state() for s in notices.book(log).values()}
    assert states[warning_ru.id] == "acknowledged"
    assert states[breach_notice.id] == "replied"


def test_atom_feed_shows_each_step_once_and_no_private_breach_notices(
    tmp_path: Path, alaska: Any
) -> None:
    log, _ = published_log(tmp_path, alaska)
    data = feed(list(notices.book(log).values()), feed_id="urn:test", title="Snapback")
    root = etree.fromstring(data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(titles) == 2  # warning and notice to guarantors, newest first
    assert titles[0].startswith("Notice to guarantors") and titles[1].startswith(
        "Warning"
    )
    assert not any("Confirmed breach" in t for t in titles)
