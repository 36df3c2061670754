"""Agreement × incidents → verdicts.

* A **prohibition** is breached when its predicate holds while the clause is
  in force.
* An **obligation** is breached when its predicate (evidence of
  non-fulfilment, e.g. a heavy weapon still inside a withdrawal zone) holds at
  or after its deadline while in force.
* **undetermined** when the predicate or the in-force window is unknown for
  the incident (its place or time is too imprecise), never ``breach``.
* **standard_met** is the clause's evidence standard: the incident's state
  from the log's state machine is one of ``states``, it has ``min_sources``
  independent sources and its best Admiralty grades reach ``min_reliability``
  and ``min_credibility``. ``joint_verification`` needs a joint decision:
  the state is ``verified`` and a joint fact-finding team decided it (see
  ``run._joint``; the flag arrives with the facts).
* **party** is the attributed party when the clause binds it; reasons say
  when an incident is unattributed or attributed to a party not bound.

Incidents no clause applies to produce no verdicts unless ``include_all``,
which yields ``no_breach`` for every incident and clause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ceasefire.agreement.load import Agreement
from ceasefire.agreement.predicate import Predicate
from ceasefire.compliance import logic
from ceasefire.compliance.attribution import ActorMap
from ceasefire.compliance.facts import (
    FIXED_VOCABULARIES,
    Facts,
    facts_from_reports,
)
from ceasefire.compliance.spatial import Measures, SpatialCache, line_sides
from ceasefire.model.agreement import Clause, RelativeInstant
from ceasefire.model.report import Report
from ceasefire.model.verdict import LogHead, Verdict
from ceasefire.model.vocabulary import RELIABILITY_GRADES

OUTCOME_OF_TRUTH = {logic.TRUE: "breach", logic.UNKNOWN: "undetermined"}


@dataclass(frozen=True)
class CompiledClause:
    """A clause with its window as Unix seconds and its checked predicate."""

    clause: Clause
    predicate: Predicate
    start: float
    until: float | None
    deadline: float | None
    timezone: str = "UTC"
    """The agreement's zone, for dates shown to people."""
    suspensions: tuple[tuple[float, float], ...] = ()
    """Half-open periods [start, end) in which the agreement was suspended."""
    ended_by: str | None = None
    """What ``until`` is: None for the clause's own, else the agreement's
    lifecycle key ("end", "terminated") that cut the clause short."""

    @property
    def id(self) -> str:
        """The clause id."""
        return self.clause.id


@dataclass(frozen=True)
class VerdictTable:
    """Verdicts as columns: which (clause, row) pairs and how they came out."""

    clause: npt.NDArray[np.int16]
    """Index into ``Evaluator.clauses``."""
    row: npt.NDArray[np.int64]
    """Row of the Facts."""
    truth: npt.NDArray[np.int8]
    """2 breach, 1 undetermined, 0 no breach."""
    standard_met: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.row)

    def counts(self) -> dict[str, int]:
        """Number of verdicts per outcome."""
        return {
            "breach": int((self.truth == logic.TRUE).sum()),
            "undetermined": int((self.truth == logic.UNKNOWN).sum()),
            "no_breach": int((self.truth == logic.FALSE).sum()),
        }


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def resolve_instant(value: object, instants: dict[str, datetime]) -> datetime | None:
    """A clause's window end or deadline as a datetime (the loader checked it)."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, RelativeInstant):
        return instants[value.after] + value.offset()
    return instants[str(value)]


def lifecycle(
    agreement: Agreement,
) -> tuple[list[tuple[str, float]], tuple[tuple[float, float], ...]]:
    """The agreement's end and termination, and its suspensions, as Unix seconds."""
    life = agreement.document.lifecycle
    ends = []
    for key in ("end", "terminated"):
        moment = resolve_instant(getattr(life, key), agreement.instants)
        if moment is not None:
            ends.append((key, moment.timestamp()))
    suspensions = []
    for suspension in life.suspensions:
        begins = resolve_instant(suspension.from_, agreement.instants)
        lifted = resolve_instant(suspension.until, agreement.instants)
        assert begins is not None  # the loader checked it
        stop = float("inf") if lifted is None else lifted.timestamp()
        suspensions.append((begins.timestamp(), stop))
    return ends, tuple(suspensions)


class Evaluator:
    """An agreement compiled for evaluation: clauses, terms and geometry measures.

    Build once per agreement version; ``evaluate`` any number of batches, or
    ``evaluate_reports`` one newly logged report at a time.
    """

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        doc = agreement.document
        ends, suspensions = lifecycle(agreement)
        self.clauses: list[CompiledClause] = []
        for clause in doc.clauses:
            start = resolve_instant(clause.in_force.from_, agreement.instants)
            until = _epoch(resolve_instant(clause.in_force.until, agreement.instants))
            ended_by = None
            for key, at in ends:
                if until is None or at < until:
                    until, ended_by = at, key
            deadline = resolve_instant(clause.deadline, agreement.instants)
            self.clauses.append(
                CompiledClause(
                    clause,
                    agreement.predicates[clause.id],
                    start.timestamp() if start is not None else float("-inf"),
                    until,
                    _epoch(deadline),
                    doc.timezone,
                    suspensions,
                    ended_by,
                )
            )
        self.actors = ActorMap(doc)
        self.measures = Measures(agreement)
        self.scope = logic.Scope(
            instants={k: v.timestamp() for k, v in agreement.instants.items()},
            terms={
                d.term: logic.TermSet(
                    d.term,
                    tuple(d.includes),
                    tuple(d.excludes),
                    tuple(d.open_questions),
                )
                for d in doc.definitions
            },
            sides=line_sides(agreement),
            parties=tuple(p.id for p in doc.parties),
        )

    @property
    def id(self) -> str:
        """The agreement id."""
        return self.agreement.document.id

    @property
    def version(self) -> str:
        """The agreement version."""
        return self.agreement.document.version

    # ------------------------------------------------------------ batch

    def in_force(self, compiled: CompiledClause, facts: Facts) -> logic.Truth:
        """Whether each incident falls in the clause's window (and after its deadline)."""
        truth = logic.time_truth("after", facts.earliest, facts.latest, compiled.start)
        if compiled.until is not None:
            truth = np.minimum(
                truth,
                logic.time_truth(
                    "before", facts.earliest, facts.latest, compiled.until
                ),
            )
        if compiled.deadline is not None and compiled.clause.kind == "obligation":
            truth = np.minimum(
                truth,
                logic.time_truth(
                    "after", facts.earliest, facts.latest, compiled.deadline
                ),
            )
        for begins, lifted in compiled.suspensions:
            truth = np.minimum(
                truth, logic.outside_truth(facts.earliest, facts.latest, begins, lifted)
            )
        return truth

    def clause_truth(
        self, compiled: CompiledClause, facts: Facts, cache: SpatialCache
    ) -> logic.Truth:
        """In force ∧ predicate, evaluating the predicate only where still open."""
        truth = self.in_force(compiled, facts)
        open_rows = np.flatnonzero(truth != logic.FALSE)
        if len(open_rows):
            reader = logic.Reader(facts, cache, self.scope)
            rows = None if len(open_rows) == len(facts) else open_rows
            found = reader.truth(compiled.predicate.tree, rows)
            truth[open_rows] = np.minimum(truth[open_rows], found)
        return truth

    def evaluate(
        self,
        facts: Facts,
        *,
        include_all: bool = False,
        progress: Callable[[str], None] | None = None,
        cache: SpatialCache | None = None,
    ) -> VerdictTable:
        """Every incident against every clause, as columns."""
        cache = cache or SpatialCache(self.measures, facts)
        parts: list[tuple[Any, ...]] = []
        for index, compiled in enumerate(self.clauses):
            truth = self.clause_truth(compiled, facts, cache)
            rows = (
                np.arange(len(facts))
                if include_all
                else np.flatnonzero(truth != logic.FALSE)
            )
            if len(rows):
                met = self.standard_met(compiled.clause, facts, rows)
                parts.append(
                    (np.full(len(rows), index, np.int16), rows, truth[rows], met)
                )
            if progress is not None:
                progress(compiled.id)
        if not parts:
            empty = np.zeros(0, np.int64)
            return VerdictTable(
                empty.astype(np.int16), empty, empty.astype(np.int8), empty.astype(bool)
            )
        return VerdictTable(
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]).astype(np.int64),
            np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]),
        )

    def standard_met(
        self, clause: Clause, facts: Facts, rows: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.bool_]:
        """Whether each row meets the clause's evidence standard."""
        standard = clause.evidence
        states = facts.categorical["state"].codes[rows]
        vocabulary = FIXED_VOCABULARIES["state"]
        met = logic.isin(
            states, np.asarray([vocabulary.index(s) for s in standard.states], np.int32)
        )
        met &= facts.sources[rows] >= standard.min_sources
        if standard.min_reliability is not None:
            grade = RELIABILITY_GRADES.index(standard.min_reliability) + 1
            met &= facts.reliability[rows] <= grade
        if standard.min_credibility is not None:
            met &= facts.credibility[rows] <= standard.min_credibility
        if standard.joint_verification:
            met &= facts.joint[rows] & (states == vocabulary.index("verified"))
        return met

    # ------------------------------------------------------------ verdicts

    def verdicts(
        self,
        facts: Facts,
        table: VerdictTable,
        log_head: LogHead | None = None,
        *,
        cache: SpatialCache | None = None,
        chunk: int = 50_000,
    ) -> Iterator[Verdict]:
        """Verdict objects with reasons and text, clause by clause, rows in order."""
        from ceasefire.compliance.reasons import explain  # reasons import us

        cache = cache or SpatialCache(self.measures, facts)
        for index, compiled in enumerate(self.clauses):
            mine = np.flatnonzero(table.clause == index)
            for start in range(0, len(mine), chunk):
                part = mine[start : start + chunk]
                yield from explain(
                    self,
                    compiled,
                    facts,
                    cache,
                    table.row[part],
                    table.truth[part],
                    table.standard_met[part],
                    log_head,
                )

    def evaluate_facts(
        self,
        facts: Facts,
        log_head: LogHead | None = None,
        *,
        include_all: bool = False,
    ) -> list[Verdict]:
        """Evaluate and explain in one go (for small batches)."""
        cache = SpatialCache(self.measures, facts)
        table = self.evaluate(facts, include_all=include_all, cache=cache)
        return list(self.verdicts(facts, table, log_head, cache=cache))

    def evaluate_reports(
        self,
        reports: Sequence[Report | dict[str, Any]],
        log_head: LogHead | None = None,
        *,
        states: dict[str, str] | None = None,
        include_all: bool = False,
    ) -> list[Verdict]:
        """Verdicts for newly logged reports (each its own incident)."""
        return self.evaluate_facts(
            facts_from_reports(reports, states), log_head, include_all=include_all
        )
