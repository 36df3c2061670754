"""Evaluate an agreement against the reports in a store, and diff two versions.

The store supplies the reports (superseded ones left out) with their current
verification state; the log supplies the head the evaluation read, which every
verdict names so it can be recomputed and checked later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasefire.compliance.evaluate import Evaluator, VerdictTable
from ceasefire.compliance.facts import (
    Case,
    Facts,
    facts_from_cases,
    facts_from_reports,
)
from ceasefire.compliance.spatial import SpatialCache
from ceasefire.log.service import Log
from ceasefire.model.entries import Kind, envelope_of
from ceasefire.model.verdict import LogHead, Verdict
from ceasefire.store.base import ReportQuery, Store

ALL_ROWS = 2**62
"""A limit no log reaches: the projection is read whole."""
JOINT_PREFIX = "joint"
DECISION = Kind.INCIDENT_DECISION
"""The log entry of a joint fact-finding team's decision (ceasefire.factfinding)."""
"""Actors whose decisions count as joint verification (until issue 6 says more)."""


def log_head(store: Store) -> LogHead:
    """Size and root (hex) of the log now."""
    head = Log(store).head()
    return LogHead(head.tree_size, head.root_hash.hex())


def _joint(store: Store, subject: str) -> bool:
    """Whether ``subject``'s current state was decided jointly.

    Fact-finding (issue 6) records a joint team's decision as an
    ``incident_decision`` entry about the incident; a state change by an actor
    named ``joint…`` counts too (for logs written before it).
    """
    last = None
    decided = False
    for row in store.entries_about(subject):
        if row.kind == Kind.STATE_CHANGE:
            last = row
        decided = decided or row.kind == DECISION
    if decided:
        return True
    if last is None:
        return False
    actor = envelope_of(last.payload).get("actor") or ""
    return str(actor).startswith(JOINT_PREFIX)


def current_reports(
    store: Store, since: str | None = None
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, bool]]:
    """Every current report's body, its state, and whether a joint team decided it."""
    rows = store.report_rows(ReportQuery(since=since, limit=ALL_ROWS))
    states = {row.body["id"]: row.state for row in rows}
    joint = {rid: _joint(store, rid) for rid, s in states.items() if s == "verified"}
    return [row.body for row in rows], states, joint


def load_facts(store: Store, since: str | None = None) -> Facts:
    """Facts of every current report in the store, one incident per report."""
    return facts_from_reports(*current_reports(store, since))


def load_incident_facts(store: Store, since: str | None = None) -> Facts:
    """Facts of fact-finding's incidents (reports grouped by space and time).

    An incident is kept when any of its reports was observed at or after
    ``since``; its facts come from those reports.
    """
    from ceasefire.factfinding.incidents import incidents_of

    rows = store.report_rows(ReportQuery(since=since, limit=ALL_ROWS))
    bodies = {row.body["id"]: row.body for row in rows}
    found = []
    for incident in incidents_of(store):
        mine = tuple(bodies[r] for r in incident.report_ids if r in bodies)
        if not mine:
            continue
        joint = incident.state == "verified" and _joint(store, incident.id)
        found.append(Case(incident.id, mine, incident.state, joint))
    return facts_from_cases(found)


@dataclass
class Run:
    """One evaluation: what was read, and the verdicts as columns."""

    evaluator: Evaluator
    facts: Facts
    table: VerdictTable
    head: LogHead
    cache: SpatialCache

    def verdicts(self) -> Iterator[Verdict]:
        """The verdicts with reasons and text."""
        return self.evaluator.verdicts(
            self.facts, self.table, self.head, cache=self.cache
        )


def evaluate_store(
    evaluator: Evaluator,
    store: Store,
    *,
    since: str | None = None,
    include_all: bool = False,
    facts: Facts | None = None,
    progress: Callable[[str], None] | None = None,
) -> Run:
    """Evaluate every current report in ``store`` (observed at or after ``since``)."""
    head = log_head(store)
    facts = facts if facts is not None else load_facts(store, since)
    cache = SpatialCache(evaluator.measures, facts)
    table = evaluator.evaluate(
        facts, include_all=include_all, progress=progress, cache=cache
    )
    return Run(evaluator, facts, table, head, cache)


def save(run: Run, store: Store, *, replace: bool = True, batch: int = 20_000) -> int:
    """Store a run's verdicts; ``replace`` first deletes that version's old ones."""
    if replace:
        store.delete_verdicts(run.evaluator.id, run.evaluator.version)
    saved = 0
    pending: list[dict[str, Any]] = []
    for verdict in run.verdicts():
        pending.append(verdict.to_dict())
        if len(pending) >= batch:
            saved += store.save_verdicts(pending)
            pending = []
    if pending:
        saved += store.save_verdicts(pending)
    return saved


@dataclass(frozen=True)
class Change:
    """A verdict that differs between two agreement versions."""

    incident: str
    clause: str
    old: str
    new: str
    old_standard_met: bool
    new_standard_met: bool
    text: str
    """The sentence of the newer verdict (or the older, if the clause is gone)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "incident": self.incident,
            "clause": self.clause,
            "old": self.old,
            "new": self.new,
            "old_standard_met": self.old_standard_met,
            "new_standard_met": self.new_standard_met,
            "text": self.text,
        }


def diff(old: Run, new: Run) -> list[Change]:
    """Verdicts that change between two runs over the same reports.

    A missing verdict counts as ``no_breach``: a clause that stops applying to
    an incident changes its verdict to no breach.
    """

    def keyed(run: Run) -> dict[tuple[str, str], Verdict]:
        return {(v.incident, v.clause): v for v in run.verdicts()}

    before, after = keyed(old), keyed(new)
    gone = [key for key in before if key not in after]
    if gone:  # explain why the newer version no longer finds anything
        after.update(_explain_absent(new, gone))
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        old_outcome = was.verdict if was else "no_breach"
        new_outcome = now.verdict if now else "no_breach"
        old_met = was.standard_met if was and was.verdict != "no_breach" else False
        new_met = now.standard_met if now and now.verdict != "no_breach" else False
        if (old_outcome, old_met) == (new_outcome, new_met):
            continue
        shown = now if now is not None else was
        assert shown is not None
        changes.append(
            Change(
                key[0], key[1], old_outcome, new_outcome, old_met, new_met, shown.text
            )
        )
    return changes


def _explain_absent(
    run: Run, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], Verdict]:
    """``no_breach`` verdicts, with reasons, for (incident, clause) pairs of ``run``."""
    rows = {incident: i for i, incident in enumerate(run.facts.incident)}
    clauses = {c.id: i for i, c in enumerate(run.evaluator.clauses)}
    wanted = [(clauses[c], rows[i]) for i, c in keys if c in clauses and i in rows]
    if not wanted:
        return {}
    order = sorted(wanted)
    table = VerdictTable(
        np.asarray([c for c, _ in order], np.int16),
        np.asarray([r for _, r in order], np.int64),
        np.zeros(len(order), np.int8),
        np.zeros(len(order), np.bool_),
    )
    explained = run.evaluator.verdicts(run.facts, table, run.head, cache=run.cache)
    return {(v.incident, v.clause): v for v in explained}
