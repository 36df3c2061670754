"""The live path: follow the log and publish penalty states and notices within a second.

``publish`` (notify.publish) re-reads the whole log and clusters reports into
incidents: right for a replay, too slow to run several times a second on a
large log. ``Live`` keeps what it has read and, at each ``step``, reads only
the entries appended since, evaluates the new reports (each its own incident
until fact-finding groups them: a clause wanting two independent sources
needs a grouped, replayed evaluation to be met), updates the confirmation
intervals from new state changes, runs the same engine over the breaches
held in memory, and records new ``penalty_state`` and ``notice`` entries.

Entry ids are the same as ``publish`` derives, so the two paths never record
a state change or a notice twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ceasefire.agreement.load import Agreement
from ceasefire.compliance import logic
from ceasefire.compliance.evaluate import Evaluator, VerdictTable
from ceasefire.compliance.facts import Case, facts_from_cases
from ceasefire.factfinding.workflow import REPLY
from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.agreement import PenaltyRule
from ceasefire.model.entries import raw_body
from ceasefire.notify import notices as notices_
from ceasefire.snapback.engine import (
    AGREEMENT,
    EXPIRED,
    WATCHING,
    WITHDRAWN,
    Appeal,
    Breach,
    Transition,
    run,
)
from ceasefire.snapback.inputs import (
    Change,
    appeal_of,
    change_of,
    confirmed_intervals,
)
from ceasefire.snapback.record import PENALTY_STATE, draft, entry_id


@dataclass
class Candidate:
    """A breach verdict whose fixed evidence standard is met: it counts once confirmed."""

    incident: str
    clause: str
    party: str | None
    observed_at: datetime
    severity: float
    rules: tuple[str, ...]


@dataclass
class StepResult:
    """What one step read and recorded."""

    entries_read: int = 0
    new_reports: int = 0
    transitions: list[Transition] = field(default_factory=list)
    recorded: int = 0


class Live:
    """Follows one log for one agreement."""

    def __init__(self, log: Log, agreement: Agreement) -> None:
        self.log = log
        self.agreement = agreement
        self.evaluator = Evaluator(agreement)
        self.feeding = np.asarray(
            [bool(c.clause.penalties) for c in self.evaluator.clauses], np.bool_
        )
        self.cursor = 0
        self.history: dict[str, list[Change]] = {}
        self.candidates: dict[str, list[Candidate]] = {}
        self.breaches: dict[tuple[str, str], Breach] = {}
        self.appeals: list[Appeal] = []
        self.recorded: set[str] = set()
        self._last: tuple[datetime, list[Transition]] | None = None
        """The previous engine run: its ``now`` and its transitions."""
        self.reruns = 0
        self.skips = 0

    def _read(self) -> tuple[list[dict[str, Any]], set[str], int]:
        size = self.log.store.size()
        bodies: list[dict[str, Any]] = []
        touched: set[str] = set()
        count = 0
        for row in self.log.store.entries(self.cursor, size):
            count += 1
            if row.kind == entries.Kind.REPORT:
                bodies.append(raw_body(row))  # on to the facts as dicts, unvalidated
            elif row.kind == entries.Kind.STATE_CHANGE and row.subject is not None:
                self.history.setdefault(row.subject, []).append(change_of(row))
                touched.add(row.subject)
            elif row.kind == REPLY and row.subject is not None:
                self.appeals.append(appeal_of(row))
            elif row.kind in (PENALTY_STATE, notices_.NOTICE):
                self.recorded.add(row.id)
        self.cursor = size
        return bodies, touched, count

    def _evaluate(self, bodies: list[dict[str, Any]]) -> set[str]:
        if not bodies:
            return set()
        incidents = [Case(b["id"], (b,), "verified", True) for b in bodies]
        facts = facts_from_cases(incidents)
        table = self.evaluator.evaluate(facts)
        keep = (
            (table.truth == logic.TRUE)
            & table.standard_met
            & self.feeding[table.clause]
        )
        if not keep.any():
            return set()
        chosen = VerdictTable(
            table.clause[keep],
            table.row[keep],
            table.truth[keep],
            table.standard_met[keep],
        )
        found = set()
        for verdict in self.evaluator.verdicts(facts, chosen):
            clause = self.agreement.clause(verdict.clause)
            self.candidates.setdefault(verdict.incident, []).append(
                Candidate(
                    verdict.incident,
                    clause.id,
                    verdict.party,
                    datetime.fromisoformat(verdict.observed_at),
                    clause.severity,
                    tuple(clause.penalties),
                )
            )
            found.add(verdict.incident)
        return found

    def step(self, now: datetime) -> StepResult:
        """Read new entries, update breaches, record new states and notices."""
        bodies, touched, count = self._read()
        changed = self._evaluate(bodies) | touched
        doc = self.agreement.document
        drafts: list[Draft] = []
        for incident in changed:
            for candidate in self.candidates.get(incident, []):
                clause = self.agreement.clause(candidate.clause)
                intervals = confirmed_intervals(clause, self.history.get(incident, []))
                breach = Breach(
                    candidate.incident, candidate.clause, candidate.party,
                    candidate.observed_at, candidate.severity, intervals, candidate.rules,
                )  # fmt: skip
                self.breaches[(incident, candidate.clause)] = breach
                if intervals and intervals[0][0] <= now:
                    drafts += self._notices(notices_.for_breach(doc, breach))
        changed_breaches = [
            b for (incident, _), b in self.breaches.items() if incident in changed
        ]
        if self._quiet(changed_breaches, now):
            assert self._last is not None
            transitions = self._last[1]
            self.skips += 1
        else:
            transitions = run(
                doc.penalty_rules, list(self.breaches.values()), self.appeals, now
            )
            self._last = (now, transitions)
            self.reruns += 1
        for transition in transitions:
            eid = entry_id(doc.id, transition)
            if eid in self.recorded:
                continue
            self.recorded.add(eid)
            drafts.append(draft(doc, transition))
            drafts += self._notices(notices_.for_transition(doc, transition))
        if drafts:
            present = self.log.store.existing_ids([d.id for d in drafts])
            drafts = [d for d in drafts if d.id not in present]
        if drafts:
            self.log.append(drafts)
        return StepResult(count, len(bodies), transitions, len(drafts))

    def _quiet(self, changed: list[Breach], now: datetime) -> bool:
        """Whether re-running the engine would give the previous transitions.

        True when every (rule, group) that changed is in a running trigger
        whose breaches are untouched (new confirmations cannot trigger or
        withdraw it), no group that changed is watching, and no scheduled
        step or expiry falls between the previous run and ``now``. Appeals are
        only listed in reasons, so a new one forces a re-run too.
        """
        if self._last is None or now < self._last[0]:
            return False
        previous, transitions = self._last
        if any(a.at > previous for a in self.appeals):
            return False
        rules = {r.id: r for r in self.agreement.document.penalty_rules}
        latest: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            latest[(t.rule, t.group)] = t
        for key, incidents in _touched(rules, changed).items():
            last = latest.get(key)
            if last is None or last.state in (WATCHING, WITHDRAWN, EXPIRED):
                return False
            used = {b["incident"] for b in last.reasons.get("breaches", [])}
            if used & incidents:
                return False
        for (rule_id, _), last in latest.items():
            if last.state in (WITHDRAWN, EXPIRED):
                continue
            due = _next_due(rules[rule_id], last, previous)
            if due is not None and due <= now:
                return False
        return True

    def _notices(self, found: list[notices_.Notice]) -> list[Draft]:
        drafts = []
        for notice in found:
            if notice.id in self.recorded:
                continue
            self.recorded.add(notice.id)
            drafts.append(notices_.draft(notice))
        return drafts


def _next_due(rule: PenaltyRule, last: Transition, after: datetime) -> datetime | None:
    """The first scheduled step or expiry of ``last``'s trigger after ``after``."""
    triggered = datetime.fromisoformat(last.reasons["triggered_at"])
    appeal_end = datetime.fromisoformat(last.reasons["appeal_until"])
    times = []
    due = triggered
    for step in rule.escalation:
        due = due + timedelta(hours=step.after_hours)
        times.append(max(due, appeal_end) if step.step == "penalty" else due)
    if rule.expires_after_days is not None:
        times.append(triggered + timedelta(days=rule.expires_after_days))
    later = [t for t in times if t > after]
    return min(later) if later else None


def _touched(
    rules: dict[str, PenaltyRule], changed: list[Breach]
) -> dict[tuple[str, str], set[str]]:
    """(rule, group) → the incidents among ``changed`` that feed it."""
    touched: dict[tuple[str, str], set[str]] = {}
    for breach in changed:
        for rule_id in breach.rules:
            rule = rules.get(rule_id)
            if rule is None:
                continue
            group = AGREEMENT if rule.per == "agreement" else breach.party
            if group is not None:
                touched.setdefault((rule_id, group), set()).add(breach.incident)
    return touched
