"""Deliver pending notices; resume from the log after a restart.

The outbox is the log itself: a ``notice`` entry whose channel can be
delivered (webhook, email) is pending until a ``notice_delivered`` or
``notice_dead_letter`` entry about it follows. A restarted ``notify run``
reads the log from the start and resumes every pending delivery; the
receiver's idempotency key (the notice id) turns a delivery that was made but
not yet recorded when the process stopped into a duplicate it can drop.

Retries back off exponentially with jitter: attempt *n* waits
``min(max_delay, base_delay · 2^(n-1))`` scaled by a random factor in
[0.5, 1]; after ``max_attempts`` failures the notice goes to the dead-letter
list (a ``notice_dead_letter`` entry with the last error).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import orjson

from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.entries import body_of, dump_body
from ceasefire.notify import email, webhook
from ceasefire.notify.notices import (
    ACTOR,
    DEAD_LETTER,
    DELIVERED,
    NOTICE,
    Notice,
    notice_dict,
)

DELIVERABLE = ("webhook", "email")


@dataclass(frozen=True)
class Settings:
    """How to deliver."""

    secret: bytes = b""
    """The webhook HMAC key shared with receivers."""
    endpoints: dict[str, str] = field(default_factory=dict)
    """Liaison point id → URL, overriding the agreement's address (tests, relays)."""
    smtp: email.SMTPSettings = field(default_factory=email.SMTPSettings)
    max_attempts: int = 10
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 5.0
    workers: int = 8
    poll: float = 0.05
    """Seconds between looks at the log for new notices."""


@dataclass
class Pending:
    """A notice not yet delivered."""

    notice: Notice
    attempts: int = 0
    next_at: float = 0.0
    last_error: str = ""


@dataclass
class Stats:
    """What a run did."""

    delivered: int = 0
    failed_attempts: int = 0
    dead_letters: int = 0
    latencies: list[float] = field(default_factory=list)
    """Seconds from a notice's log entry to its delivery, when measured."""


def backoff(attempt: int, settings: Settings, rng: random.Random) -> float:
    """The wait before retry ``attempt`` (1-based): exponential, jittered."""
    ceiling = min(settings.max_delay, settings.base_delay * 2 ** (attempt - 1))
    return float(ceiling * rng.uniform(0.5, 1.0))


class Outbox:
    """Pending deliveries read from the log, delivered by a pool of workers."""

    def __init__(
        self,
        log: Log,
        settings: Settings,
        *,
        rng: random.Random | None = None,
        on_delivered: Callable[[Notice], None] | None = None,
    ) -> None:
        self.log = log
        self.settings = settings
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self.cursor = 0
        self.pending: dict[str, Pending] = {}
        self.finished: set[str] = set()
        self.stats = Stats()
        self.on_delivered = on_delivered
        self._poster = webhook.Poster(settings.timeout)
        self._pool = ThreadPoolExecutor(max_workers=settings.workers)
        self._flight: dict[str, Future[str | None]] = {}

    def close(self) -> None:
        """Finish the attempts in flight, record them, release the connections."""
        if self._flight:
            wait(list(self._flight.values()))
            self._collect()
        self._pool.shutdown(wait=True)
        self._poster.close()

    # ------------------------------------------------------------ reading

    def refresh(self) -> int:
        """Read new log entries; return how many notices became pending."""
        added = 0
        size = self.log.store.size()
        if size <= self.cursor:
            return 0
        for row in self.log.store.entries(self.cursor, size):
            if row.kind == NOTICE:
                notice = body_of(row, Notice)
                if notice.channel in DELIVERABLE and notice.id not in self.finished:
                    self.pending.setdefault(notice.id, Pending(notice))
                    added += 1
            elif row.kind in (DELIVERED, DEAD_LETTER) and row.subject is not None:
                self.finished.add(row.subject)
                self.pending.pop(row.subject, None)
        self.cursor = size
        return added

    # ------------------------------------------------------------ delivering

    def _address(self, notice: Notice) -> str:
        return self.settings.endpoints.get(notice.liaison) or notice.address or ""

    def attempt(self, notice: Notice) -> str | None:
        """One delivery attempt; None on success, else the error."""
        try:
            if notice.channel == "email":
                email.send(notice, self.settings.smtp)
                return None
            body = orjson.dumps(notice_dict(notice))
            headers = webhook.signed_headers(self.settings.secret, body, notice.id)
            status = self._poster.post(self._address(notice), body, headers)
            if 200 <= status < 300 or status == 409:
                return None  # 409: the receiver already has this idempotency key
            return f"HTTP {status}"
        except Exception as exc:  # any failure is retried, then dead-lettered
            return f"{type(exc).__name__}: {exc}"

    def deliver_due(self, now: float | None = None, *, block: bool = False) -> int:
        """Start every due delivery not already in flight; record finished ones.

        Attempts run on a pool of workers, so a slow receiver never holds up
        the notices behind it; ``block`` waits for all attempts in flight.
        Returns how many attempts were started.
        """
        moment = time.monotonic() if now is None else now
        started = 0
        for item in self.pending.values():
            if item.notice.id not in self._flight and item.next_at <= moment:
                self._flight[item.notice.id] = self._pool.submit(
                    self.attempt, item.notice
                )
                started += 1
        if block and self._flight:
            wait(list(self._flight.values()))
        self._collect()
        return started

    def _collect(self) -> None:
        """Record the outcomes of finished attempts (one log append)."""
        finished = [(key, f) for key, f in self._flight.items() if f.done()]
        drafts: list[Draft] = []
        for key, future in finished:
            del self._flight[key]
            item = self.pending.get(key)
            if item is None:
                continue
            error = future.result()
            item.attempts += 1
            if error is None:
                drafts.append(self._outcome(DELIVERED, item, {}))
                self.stats.delivered += 1
                if self.on_delivered is not None:
                    self.on_delivered(item.notice)
                continue
            self.stats.failed_attempts += 1
            item.last_error = error
            if item.attempts >= self.settings.max_attempts:
                drafts.append(self._outcome(DEAD_LETTER, item, {"last_error": error}))
                self.stats.dead_letters += 1
            else:
                item.next_at = time.monotonic() + backoff(
                    item.attempts, self.settings, self.rng
                )
        if drafts:
            self.log.append(drafts)
            for draft in drafts:
                self.finished.add(str(draft.subject))
                self.pending.pop(str(draft.subject), None)

    def _outcome(self, kind: str, item: Pending, extra: dict[str, Any]) -> Draft:
        body = {
            "channel": item.notice.channel,
            "liaison": item.notice.liaison,
            "address": self._address(item.notice),
            "attempts": item.attempts,
            **extra,
        }
        typed = entries.body_from_dict(kind, body)
        return Draft(kind, dump_body(typed), subject=item.notice.id, actor=ACTOR)

    def run(
        self,
        *,
        duration: float,
        once: bool = False,
        stop: threading.Event | None = None,
        between: Callable[[], None] | None = None,
    ) -> Stats:
        """Deliver until ``duration`` seconds pass (``once``: one pass, then stop).

        ``between`` runs before each look at the log (e.g. to publish notices).
        """
        end = time.monotonic() + duration
        while True:
            if between is not None:
                between()
            self.refresh()
            self.deliver_due(block=once)
            if once or time.monotonic() >= end or (stop is not None and stop.is_set()):
                if self._flight:  # finish what was started, within the timeout
                    wait(list(self._flight.values()))
                    self._collect()
                return self.stats
            waits = [
                p.next_at
                for p in self.pending.values()
                if p.notice.id not in self._flight
            ]
            pause = self.settings.poll
            if waits:
                pause = max(0.0, min(pause, min(waits) - time.monotonic()))
            time.sleep(min(pause, max(0.0, end - time.monotonic())))
