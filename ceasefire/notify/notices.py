"""Notices: who is told what, which acknowledgement is due, and what came back.

The playbook is the agreement itself:

* a **penalty step** (warning, notice to guarantors, penalty) notifies the
  step's ``notify`` list: a liaison point id names that point, a party id
  names all of the party's liaison points;
* a **confirmed breach** notifies the accused party's liaison points (the
  hotline's "you have been found in breach" message);
* the acknowledgement is due within the liaison point's
  ``acknowledge_within_hours`` (no ack is due when it is not set).

Every notice is a ``notice`` log entry whose id is derived from what caused
it and the liaison point, so regenerating notices never doubles them. Acks,
replies and ``notice_unanswered`` are log entries about the notice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ceasefire.errors import NoticeError as NoticeError  # re-exported
from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.agreement import AgreementDocument, LiaisonPoint
from ceasefire.model.entries import Kind, dump_body, parse_entry
from ceasefire.snapback.engine import Breach, Transition
from ceasefire.store.base import EntryRow

NOTICE = Kind.NOTICE
ACK = Kind.NOTICE_ACK
REPLY = Kind.NOTICE_REPLY
UNANSWERED = Kind.NOTICE_UNANSWERED
DELIVERED = Kind.NOTICE_DELIVERED
DEAD_LETTER = Kind.NOTICE_DEAD_LETTER
NOTICE_KINDS = (NOTICE, ACK, REPLY, UNANSWERED, DELIVERED, DEAD_LETTER)
ACTOR = "hotline"


Notice = entries.Notice
"""One message to one liaison point: the ``notice`` entry's body, defined once
in ``model.entries`` (id, cause, agreement, recipient, liaison, channel,
address, created_at, ack_due, title, and ``body``: the reasons — rule, step,
window, breaches, action)."""


def notice_dict(notice: Notice) -> dict[str, Any]:
    """JSON form (the body of a ``notice`` entry and of a webhook)."""
    return entries.body_to_dict(notice)


def draft(notice: Notice) -> Draft:
    """The ``notice`` log entry; its id is the notice's, so it is logged once."""
    return Draft(
        NOTICE, dump_body(notice), subject=notice.id, actor=ACTOR, id=notice.id
    )


def notice_id(cause_key: str, liaison: str) -> str:
    """A stable id from what caused the notice and where it goes."""
    return (
        "notice-" + hashlib.sha256(f"{cause_key}|{liaison}".encode()).hexdigest()[:26]
    )


def liaison_points(
    doc: AgreementDocument, names: Iterable[str]
) -> list[tuple[str, LiaisonPoint]]:
    """(party id, liaison point) for each name: a point id, or a party's points."""
    found: dict[str, tuple[str, LiaisonPoint]] = {}
    for name in names:
        for party in doc.parties:
            if party.id == name:
                for point in party.liaison:
                    found.setdefault(point.id, (party.id, point))
            for point in party.liaison:
                if point.id == name:
                    found.setdefault(point.id, (party.id, point))
    return list(found.values())


def _notice(
    doc: AgreementDocument,
    cause: str,
    cause_key: str,
    party: str,
    point: LiaisonPoint,
    at: datetime,
    title: str,
    body: dict[str, Any],
) -> Notice:
    hours = point.acknowledge_within_hours
    return Notice(
        id=notice_id(f"{doc.id}/{cause_key}", point.id),
        cause=cause,
        agreement=doc.id,
        recipient=party,
        liaison=point.id,
        channel=point.channel,
        address=point.address,
        created_at=at,
        ack_due=None if hours is None else at + timedelta(hours=hours),
        title=title,
        body=body,
    )


STEP_TITLES = {
    "warning": "Warning",
    "notice_to_guarantors": "Notice to guarantors",
    "penalty": "Penalty",
}


def for_transition(doc: AgreementDocument, transition: Transition) -> list[Notice]:
    """The notices one penalty step sends (other state changes send none)."""
    if transition.state not in STEP_TITLES or not transition.notify:
        return []
    rule = next(r for r in doc.penalty_rules if r.id == transition.rule)
    incidents = [b["incident"] for b in transition.reasons.get("breaches", [])]
    title = (
        f"{STEP_TITLES[transition.state]}: {rule.title}"
        f" ({transition.group}, {len(incidents)} confirmed breaches)"
    )
    body = {
        "rule": rule.id,
        "rule_title": rule.title,
        "party": transition.group,
        "step": transition.state,
        "trigger": transition.trigger,
        "action": transition.action,
        "at": transition.at.isoformat(),
        "incidents": incidents,
        "reasons": transition.reasons,
    }
    return [
        _notice(
            doc,
            "penalty_step",
            transition.key,
            party,
            point,
            transition.at,
            title,
            body,
        )
        for party, point in liaison_points(doc, transition.notify)
    ]


def for_breach(doc: AgreementDocument, breach: Breach) -> list[Notice]:
    """The notices one confirmed breach sends: to the accused party's liaison points."""
    if breach.party is None or not breach.confirmed:
        return []
    at = breach.confirmed[0][0]
    clause = next(c for c in doc.clauses if c.id == breach.clause)
    title = f"Confirmed breach of {clause.title} attributed to {breach.party}"
    body = {
        "clause": clause.id,
        "clause_text": clause.text,
        "party": breach.party,
        "incidents": [breach.incident],
        "reasons": breach.to_reason(),
    }
    key = f"breach/{breach.incident}/{breach.clause}"
    return [
        _notice(doc, "breach", key, party, point, at, title, body)
        for party, point in liaison_points(doc, [breach.party])
    ]


def record(log: Log, notices: Sequence[Notice]) -> list[EntryRow]:
    """Append the notices not yet in the log."""
    present = log.store.existing_ids([n.id for n in notices])
    fresh = {n.id: n for n in notices if n.id not in present}
    drafts = [draft(n) for n in fresh.values()]
    return log.append(drafts) if drafts else []


# ------------------------------------------------------------ the notice book


@dataclass
class NoticeStatus:
    """A notice and what has happened to it, as the log says."""

    notice: Notice
    seq: int
    acked_at: datetime | None = None
    replies: list[dict[str, Any]] | None = None
    unanswered_at: datetime | None = None
    delivered: dict[str, Any] | None = None
    dead_letter: dict[str, Any] | None = None

    @property
    def answered(self) -> bool:
        """Acknowledged or replied to."""
        return self.acked_at is not None or bool(self.replies)

    def state(self) -> str:
        """open, acknowledged, replied, unanswered."""
        if self.replies:
            return "replied"
        if self.acked_at is not None:
            return "acknowledged"
        if self.unanswered_at is not None:
            return "unanswered"
        return "open"

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the CLI and the API."""
        return {
            **notice_dict(self.notice),
            "seq": self.seq,
            "state": self.state(),
            "acked_at": None if self.acked_at is None else self.acked_at.isoformat(),
            "replies": self.replies or [],
            "unanswered_at": None
            if self.unanswered_at is None
            else self.unanswered_at.isoformat(),
            "delivery": "dead_letter"
            if self.dead_letter
            else ("delivered" if self.delivered else "pending"),
        }


def book(log: Log, start: int = 0) -> dict[str, NoticeStatus]:
    """Every notice in the log with its acks, replies and deliveries."""
    rows = [
        row
        for row in log.store.entries(start)
        if row.kind in NOTICE_KINDS and row.subject is not None
    ]
    return book_of_rows(rows)


def _status(log: Log, notice: str) -> NoticeStatus:
    rows = log.store.entries_about(notice)
    if not rows or rows[0].kind != NOTICE:
        raise NoticeError(
            f"no notice {notice!r}",
            value=notice,
            expected="a notice id (ceasefire notices list)",
        )
    statuses = book_of_rows(rows)
    return statuses[notice]


def book_of_rows(rows: Sequence[EntryRow]) -> dict[str, NoticeStatus]:
    """Like ``book`` but over given rows (one notice's trail)."""
    found: dict[str, NoticeStatus] = {}
    for row in rows:
        entry = parse_entry(row.payload)
        body = entry.body
        if isinstance(body, entries.Notice):
            found[row.id] = NoticeStatus(body, row.seq)
            continue
        status = found.get(row.subject or "")
        if status is not None:
            _note(status, body, entry.recorded_at)
    return found


def _note(status: NoticeStatus, body: entries.Body, at: datetime) -> None:
    """What one entry about a notice adds to its status."""
    if isinstance(body, entries.NoticeAck):
        status.acked_at = status.acked_at or at
    elif isinstance(body, entries.NoticeReply):
        reply = {**entries.body_to_dict(body), "at": at.isoformat()}
        status.replies = [*(status.replies or []), reply]
    elif isinstance(body, entries.NoticeUnanswered):
        status.unanswered_at = body.due
    elif isinstance(body, entries.NoticeDelivered):
        status.delivered = entries.body_to_dict(body)
    elif isinstance(body, entries.NoticeDeadLetter):
        status.dead_letter = entries.body_to_dict(body)


def _check_party(status: NoticeStatus, party: str) -> None:
    if party != status.notice.recipient:
        raise NoticeError(
            f"notice {status.notice.id} is addressed to {status.notice.recipient!r}, not {party!r}",
            value=party,
            expected=status.notice.recipient,
        )


def acknowledge(log: Log, notice: str, party: str, actor: str) -> EntryRow:
    """Log the recipient party's acknowledgement (a second one is refused)."""
    status = _status(log, notice)
    _check_party(status, party)
    if status.acked_at is not None:
        raise NoticeError(
            f"notice {notice} was already acknowledged at {status.acked_at.isoformat()}",
            value=notice,
            expected="a notice not yet acknowledged",
        )
    body = dump_body(entries.NoticeAck(party=party))
    return log.append([Draft(ACK, body, subject=notice, actor=actor)])[0]


def reply(log: Log, notice: str, party: str, text: str, actor: str) -> EntryRow:
    """Log the recipient party's reply (a reply also counts as an answer)."""
    status = _status(log, notice)
    _check_party(status, party)
    if not text.strip():
        raise NoticeError("a reply needs text", value=text, expected="text")
    body = dump_body(entries.NoticeReply(party=party, text=text))
    return log.append([Draft(REPLY, body, subject=notice, actor=actor)])[0]


def sweep_unanswered(log: Log, now: datetime) -> list[EntryRow]:
    """Record ``notice_unanswered`` for every notice past its ack deadline.

    The entry id is derived from the notice, so sweeping twice records once.
    The entry's subject is the notice; its body names the recipient party, so
    silence is counted per party (``unanswered_counts``).
    """
    drafts = []
    for status in book(log).values():
        notice = status.notice
        if notice.ack_due is None or status.answered or status.unanswered_at:
            continue
        if notice.ack_due < now:
            body = entries.NoticeUnanswered(
                notice=notice.id,
                party=notice.recipient,
                liaison=notice.liaison,
                due=notice.ack_due,
                cause=notice.cause,
                title=notice.title,
            )
            drafts.append(
                Draft(
                    UNANSWERED,
                    dump_body(body),
                    subject=notice.id,
                    actor=ACTOR,
                    id="unanswered-" + notice.id.removeprefix("notice-"),
                )
            )
    present = log.store.existing_ids([d.id for d in drafts])
    drafts = [d for d in drafts if d.id not in present]
    return log.append(drafts) if drafts else []


def unanswered_counts(log: Log) -> dict[str, int]:
    """Unanswered notices per party: silence, counted."""
    counts: dict[str, int] = {}
    for status in book(log).values():
        if status.unanswered_at is not None:
            counts[status.notice.recipient] = counts.get(status.notice.recipient, 0) + 1
    return counts
