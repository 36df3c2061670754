"""Snapback and the hotline on both stores: the outbox is the log, so no table differs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ceasefire.log.service import Log
from ceasefire.notify import notices
from ceasefire.notify.outbox import Outbox, Settings
from ceasefire.notify.publish import publish
from ceasefire.notify.receiver import Inbox, Receiver
from ceasefire.snapback.record import evaluate
from ceasefire.store.base import Store
from tests.snapback_support import agreement, two_source_strikes, verify_jointly


def test_trigger_notices_and_resumed_delivery_on_each_backend(store: Store) -> None:
    alaska = agreement()
    log = Log(store)
    reports = two_source_strikes("ru")
    log.append_reports(reports)
    incidents = sorted([reports[0].id, reports[2].id, reports[4].id])
    for incident in incidents:
        verify_jointly(log, incident)
    at = datetime.now(UTC) + timedelta(hours=25)
    published = publish(log, alaska, at)
    assert [t.state for t in published.transitions] == [
        "triggered", "warning", "notice_to_guarantors",
    ]  # fmt: skip
    assert evaluate(store, alaska, at) == published.transitions
    assert publish(log, alaska, at).recorded_notices == 0  # nothing twice

    receiver = Receiver(Inbox(b"k")).start()
    try:
        url = receiver.url
        settings = Settings(
            secret=b"k",
            endpoints={s.notice.liaison: url for s in notices.book(log).values()},
            base_delay=0.05, max_delay=0.2, max_attempts=50,
        )  # fmt: skip
        first = Outbox(log, settings)
        first.refresh()
        # stop after the first webhook pass; a new outbox resumes from the log
        webhooks = {
            k for k, p in first.pending.items() if p.notice.channel == "webhook"
        }
        first.pending = {k: first.pending[k] for k in sorted(webhooks)[:3]}
        first.deliver_due(block=True)
        first.close()
        second = Outbox(log, settings)
        second.refresh()
        second.pending = {k: p for k, p in second.pending.items() if k in webhooks}
        assert len(second.pending) == len(webhooks) - 3
        second.deliver_due(block=True)
        second.close()
    finally:
        receiver.stop()
    assert sorted(n["id"] for n in receiver.inbox.received) == sorted(webhooks)
    assert receiver.inbox.duplicates == 0
