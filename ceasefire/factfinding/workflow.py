"""Joint fact-finding: assignment, the parties' right of reply, decisions.

Every step is a log entry about the incident, so the trail is as
tamper-evident as the reports:

- ``incident_assignment``: a joint team (members from each party and from the
  mission), a review deadline and the reply window; the incident moves to
  ``under_review``.
- ``reply``: a party's structured reply (statement, position, counter-evidence
  by SHA-256), accepted only from a party on the team and within the window.
- ``incident_decision``: verified, disputed or dismissed with a reason,
  naming the replies it considered and the parties that did not reply; it is
  appended together with its state change, in one transaction.

The agreement format has no right-of-reply term yet, so the reply window is
``DEFAULT_REPLY_HOURS`` (72 h) unless the caller gives one; the assignment
entry says which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from ceasefire.errors import WorkflowError as WorkflowError  # re-exported
from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.entries import (
    Kind,
    body_from_dict,
    body_of,
    dump_body,
    envelope_of,
)
from ceasefire.model.states import check_transition
from ceasefire.store.base import EntryRow

DEFAULT_REPLY_HOURS = 72.0
MISSION = "mission"
ASSIGNMENT = Kind.INCIDENT_ASSIGNMENT
REPLY = Kind.REPLY
DECISION = Kind.INCIDENT_DECISION
DECISIONS: tuple[str, ...] = get_args(entries.Decision)
POSITIONS: tuple[str, ...] = get_args(entries.Position)
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Assignment:
    """The latest assignment of an incident, as logged."""

    entry_id: str
    team: dict[str, list[str]]
    assigned_at: datetime
    review_deadline: datetime
    reply_deadline: datetime
    reply_window_hours: float
    reply_window_source: str


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise WorkflowError(
            f"{name} has no time zone", value=moment.isoformat(), expected="a UTC time"
        )
    return moment.astimezone(UTC)


def assign(
    log: Log,
    incident: str,
    team: Mapping[str, Sequence[str]],
    review_deadline: datetime,
    actor: str,
    *,
    parties: Sequence[str] = (),
    reply_window_hours: float | None = None,
    now: datetime | None = None,
) -> list[EntryRow]:
    """Assign ``incident`` to a joint team and move it to ``under_review``.

    ``team`` maps each party id (and ``"mission"``) to its members; every
    party in ``parties`` (the agreement's) must have one, and so must the
    mission and at least one party.
    """
    moment = _utc(now or datetime.now(UTC), "now")
    deadline = _utc(review_deadline, "the review deadline")
    members = {side: list(names) for side, names in team.items() if names}
    missing = [p for p in (MISSION, *parties) if p not in members]
    if missing or len(members) < 2:
        raise WorkflowError(
            f"a joint team needs members from each party and the mission; missing {', '.join(missing) or 'a party'}",
            value=sorted(members),
            expected="members for: "
            + ", ".join([MISSION, *parties] or [MISSION, "a party"]),
        )
    if deadline <= moment:
        raise WorkflowError(
            "the review deadline has passed",
            value=deadline.isoformat(),
            expected=f"a time after {moment.isoformat()}",
        )
    hours = DEFAULT_REPLY_HOURS if reply_window_hours is None else reply_window_hours
    source = (
        "default (the agreement sets no right-of-reply window)"
        if reply_window_hours is None
        else "given"
    )
    body = entries.Assignment(
        team=members,
        assigned_at=moment,
        review_deadline=deadline,
        reply_window_hours=hours,
        reply_window_source=source,
        reply_deadline=moment + timedelta(hours=hours),
    )
    drafts = [_draft(body, incident, actor)]
    current = log.state_of(incident)
    if current != "under_review":
        reason = "assigned to a joint fact-finding team"
        check_transition(current, "under_review", reason)
        change = entries.StateChange(from_=current, to="under_review", reason=reason)
        drafts.append(_draft(change, incident, actor))
    return log.append(drafts)


def _draft(body: entries.Body, incident: str, actor: str) -> Draft:
    return Draft(body.KIND, dump_body(body), subject=incident, actor=actor)


def assignment_of(log: Log, incident: str) -> Assignment | None:
    """The latest assignment of ``incident``."""
    rows = [r for r in log.store.entries_about(incident) if r.kind == ASSIGNMENT]
    if not rows:
        return None
    body = body_of(rows[-1], entries.Assignment)
    return Assignment(
        rows[-1].id,
        body.team,
        body.assigned_at,
        body.review_deadline,
        body.reply_deadline,
        body.reply_window_hours,
        body.reply_window_source,
    )


def add_reply(
    log: Log,
    incident: str,
    party: str,
    statement: str,
    actor: str,
    *,
    position: str = "contests",
    counter_evidence: Sequence[str] = (),
    now: datetime | None = None,
) -> EntryRow:
    """Log a party's reply; refused outside the reply window or from a non-party."""
    moment = _utc(now or datetime.now(UTC), "now")
    assignment = assignment_of(log, incident)
    if assignment is None:
        raise WorkflowError(
            f"{incident} is not assigned for review, so no reply is open",
            value=incident,
            expected="an incident assigned with 'ceasefire incidents assign'",
        )
    parties = [p for p in assignment.team if p != MISSION]
    if party not in parties:
        raise WorkflowError(
            f"{party!r} is not a party on the team of {incident}",
            value=party,
            expected="one of " + ", ".join(parties),
        )
    if moment > assignment.reply_deadline:
        raise WorkflowError(
            f"the reply window of {incident} closed at {assignment.reply_deadline.isoformat()}",
            value=moment.isoformat(),
            expected=f"a reply within {assignment.reply_window_hours:g} h of the assignment",
        )
    if position not in POSITIONS:
        raise WorkflowError(
            "unknown position",
            value=position,
            expected="one of " + ", ".join(POSITIONS),
        )
    bad = [h for h in counter_evidence if not SHA256.match(h)]
    if bad:
        raise WorkflowError(
            "counter-evidence is named by the SHA-256 of its content",
            value=bad[0],
            expected="64 lowercase hex digits (see 'ceasefire evidence add')",
        )
    if not statement.strip():
        raise WorkflowError(
            "a reply needs a statement", value=statement, expected="text"
        )
    stored = set(log.store.blob_digests()) if counter_evidence else set()
    body = entries.Reply(
        party=party,
        position=position,  # type: ignore[arg-type]  # checked against POSITIONS above
        statement=statement,
        counter_evidence=[
            entries.CounterEvidence(sha256=h, stored=h in stored)
            for h in counter_evidence
        ],
        submitted_at=moment,
        assignment=assignment.entry_id,
    )
    return log.append([_draft(body, incident, actor)])[0]


def replies_of(log: Log, incident: str) -> list[EntryRow]:
    """The replies logged about ``incident``, in log order."""
    return [r for r in log.store.entries_about(incident) if r.kind == REPLY]


def decide(
    log: Log,
    incident: str,
    decision: str,
    reason: str,
    actor: str,
    *,
    considered: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[EntryRow]:
    """Decide an incident under review; record which replies were considered.

    ``considered`` defaults to every reply on record; naming an entry that is
    not a reply about this incident is refused.
    """
    moment = _utc(now or datetime.now(UTC), "now")
    if decision not in DECISIONS:
        raise WorkflowError(
            "unknown decision",
            value=decision,
            expected="one of " + ", ".join(DECISIONS),
        )
    current = log.state_of(incident)
    check_transition(current, decision, reason)
    assignment = assignment_of(log, incident)
    replies = replies_of(log, incident)
    reply_ids = [r.id for r in replies]
    chosen = reply_ids if considered is None else list(dict.fromkeys(considered))
    unknown = [c for c in chosen if c not in reply_ids]
    if unknown:
        raise WorkflowError(
            f"{unknown[0]} is not a reply about {incident}",
            value=unknown[0],
            expected="one of " + (", ".join(reply_ids) or "(no replies on record)"),
        )
    replied = {body_of(r, entries.Reply).party for r in replies}
    parties = [p for p in (assignment.team if assignment else {}) if p != MISSION]
    body = entries.IncidentDecision(
        decision=decision,  # type: ignore[arg-type]  # checked against DECISIONS above
        reason=reason,
        considered_replies=chosen,
        not_considered=[r for r in reply_ids if r not in chosen],
        parties_without_reply=[p for p in parties if p not in replied],
        reply_window_open=bool(assignment and moment <= assignment.reply_deadline),
        team=assignment.team if assignment else None,
        decided_at=moment,
    )
    change = entries.StateChange(from_=current, to=decision, reason=reason)
    return log.append([_draft(body, incident, actor), _draft(change, incident, actor)])


def trail(
    log: Log, incident: str, report_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Every entry about the incident and its reports, in log order."""
    rows = {r.seq: r for r in log.store.entries_about(incident)}
    for report in report_ids:
        for row in log.store.entries_about(report):
            rows[row.seq] = row
    result = []
    for seq in sorted(rows):
        envelope = envelope_of(rows[seq].payload)
        body = envelope["body"]
        if envelope["kind"] == Kind.REPORT:  # a summary: reports are read as logged
            body = {
                "source": body["source"]["id"],
                "narrative": body.get("narrative", "")[:120],
            }
        else:
            body = entries.body_to_dict(body_from_dict(envelope["kind"], body))
        result.append({**envelope, "seq": seq, "body": body})
    return result


def decision_of(log: Log, incident: str) -> dict[str, Any] | None:
    """The latest decision about ``incident`` (with its entry id), if any."""
    rows = [r for r in log.store.entries_about(incident) if r.kind == DECISION]
    if not rows:
        return None
    body = body_of(rows[-1], entries.IncidentDecision)
    return {"entry": rows[-1].id, **entries.body_to_dict(body)}


def mark_corroborated(
    log: Log, incidents: Sequence[tuple[str, int, str]], actor: str
) -> list[EntryRow]:
    """Move ``reported`` incidents with two or more independent sources to ``corroborated``.

    ``incidents`` are (id, independent sources, explanation) triples; one
    state change per incident, with the corroboration's explanation as reason,
    appended in one transaction.
    """
    drafts = []
    for incident, sources, explanation in incidents:
        if sources < 2 or log.state_of(incident) != "reported":
            continue
        change = entries.StateChange(
            from_="reported", to="corroborated", reason=explanation
        )
        drafts.append(_draft(change, incident, actor))
    return log.append(drafts) if drafts else []
