"""What the penalty engine reads from the log: confirmed breaches and appeals.

Incidents are fact-finding's (reports clustered, analysts' edits applied), so
a clause that wants two independent sources sees the incident's sources, not
one report's. The evidence standard is split in two:

* its **fixed part** (sources, grades): the compliance engine's
  ``standard_met`` computed as if the incident were jointly verified;
* its **state part** (``states``, ``joint_verification``): read from the
  history of state changes, giving the intervals during which the incident
  was confirmed. That history is what makes replays reproduce the times.

Everything here is read from log entries (kinds ``report``, ``state_change``,
``reply``, analysts' edits); ``penalty_state`` and notice entries are outputs
and never read back, so recording them cannot change a replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ceasefire.agreement.load import Agreement
from ceasefire.compliance import logic
from ceasefire.compliance.evaluate import Evaluator, VerdictTable
from ceasefire.compliance.facts import Case, facts_from_cases
from ceasefire.compliance.run import JOINT_PREFIX
from ceasefire.factfinding.incidents import groups_of, read_log
from ceasefire.factfinding.workflow import REPLY
from ceasefire.model import entries
from ceasefire.model.agreement import Clause
from ceasefire.model.entries import Kind, parse_entry
from ceasefire.snapback.engine import Appeal, Breach
from ceasefire.store.base import EntryRow, Store


@dataclass(frozen=True)
class Change:
    """One logged state change of an incident."""

    at: datetime
    to: str
    actor: str


@dataclass(frozen=True)
class LogInputs:
    """The engine's inputs as read from one log."""

    breaches: list[Breach]
    appeals: list[Appeal]
    tree_size: int
    """How many log entries were read."""


def _accepted(clause: Clause, change: Change) -> bool:
    standard = clause.evidence
    if change.to not in standard.states:
        return False
    if standard.joint_verification:
        return change.to == "verified" and change.actor.startswith(JOINT_PREFIX)
    return True


def confirmed_intervals(
    clause: Clause, history: list[Change]
) -> tuple[tuple[datetime, datetime | None], ...]:
    """When the state part of ``clause``'s evidence standard held, from the log."""
    intervals: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for change in history:
        if _accepted(clause, change):
            if start is None:
                start = change.at
        elif start is not None:
            intervals.append((start, change.at))
            start = None
    if start is not None:
        intervals.append((start, None))
    return tuple(intervals)


def change_of(row: EntryRow) -> Change:
    """A ``state_change`` entry as the engine's history sees it."""
    entry = parse_entry(row.payload)
    assert isinstance(entry.body, entries.StateChange)
    return Change(entry.recorded_at, entry.body.to, entry.actor or "")


def appeal_of(row: EntryRow) -> Appeal:
    """A party's ``reply`` to an incident, as an appeal against a trigger."""
    entry = parse_entry(row.payload)
    assert isinstance(entry.body, entries.Reply) and row.subject is not None
    return Appeal(
        row.id, row.subject, entry.body.party, entry.recorded_at, entry.body.position
    )


def read_inputs(
    store: Store, agreement: Agreement, *, reported: bool = False
) -> LogInputs:
    """Confirmed-breach candidates and replies, from one read of the log.

    With ``reported`` every breach of a feeding clause is kept, whether its
    evidence standard's fixed part is met or not; ``Breach.confirmed`` is then
    empty for those whose standard is not met (``snapback.standing`` reads
    them as provisional).
    """
    view = read_log(store)
    history: dict[str, list[Change]] = {}
    appeals: list[Appeal] = []
    size = 0
    for row in store.entries():
        size = row.seq + 1
        if row.kind not in (Kind.STATE_CHANGE, REPLY) or row.subject is None:
            continue
        if row.kind == Kind.STATE_CHANGE:
            history.setdefault(row.subject, []).append(change_of(row))
        else:
            appeals.append(appeal_of(row))
    groups = groups_of(view)
    by_id = view.by_id
    # the fixed part of each standard: evaluate as if jointly verified
    incidents = [
        Case(anchor, tuple(by_id[r] for r in reports), "verified", True)
        for anchor, reports in sorted(groups.items())
    ]
    breaches = _breaches(agreement, incidents, history, reported)
    return LogInputs(breaches, appeals, size)


def _breaches(
    agreement: Agreement,
    incidents: list[Case],
    history: dict[str, list[Change]],
    reported: bool = False,
) -> list[Breach]:
    if not incidents:
        return []
    evaluator = Evaluator(agreement)
    facts = facts_from_cases(incidents)
    table = evaluator.evaluate(facts)
    feeding = np.asarray(
        [bool(c.clause.penalties) for c in evaluator.clauses], dtype=np.bool_
    )
    met = table.standard_met | reported
    keep = (table.truth == logic.TRUE) & met & feeding[table.clause]
    chosen = VerdictTable(
        table.clause[keep], table.row[keep], table.truth[keep], table.standard_met[keep]
    )
    found = []
    for verdict in evaluator.verdicts(facts, chosen):
        clause = agreement.clause(verdict.clause)
        intervals = (
            confirmed_intervals(clause, history.get(verdict.incident, []))
            if verdict.standard_met
            else ()
        )
        found.append(
            Breach(
                incident=verdict.incident,
                clause=clause.id,
                party=verdict.party,
                observed_at=datetime.fromisoformat(verdict.observed_at),
                severity=clause.severity,
                confirmed=intervals,
                rules=tuple(clause.penalties),
            )
        )
    found.sort(key=lambda b: (b.observed_at, b.incident, b.clause))
    return found
