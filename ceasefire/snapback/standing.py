"""Provisional and established penalty states, from any clause's verdicts.

A penalty rule goes **provisional** when its threshold is crossed on
*reported* breaches (a source shows the breach; the clause's evidence
standard is not necessarily met) and **established** when it is crossed on
breaches whose evidence standard is met. Both are the same engine
(``snapback.engine.run``) over the same findings, read two ways:

* provisional: a finding counts from the moment it was reported;
* established: from the moment its evidence standard was met (never, if it
  was not).

A ``Finding`` is clause-agnostic: report-based clauses (``from_log``) and
territorial clauses over control maps (``from_territory``) both give them, and
so can any later clause kind that says when a breach was reported and when
its standard was met. Provisional transitions carry ``standing:
provisional`` in their key and reasons, so they are recorded and notified
apart from established ones (their notices say "provisional").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ceasefire.agreement.load import Agreement
from ceasefire.compliance.territory import TerritoryVerdict, freeze, publishers
from ceasefire.log.service import Log
from ceasefire.model.agreement import AgreementDocument, PenaltyRule
from ceasefire.notify import notices as notices_
from ceasefire.snapback import record as penalty
from ceasefire.snapback.engine import (
    ESTABLISHED,
    PROVISIONAL,
    Appeal,
    Breach,
    Transition,
    run,
)
from ceasefire.snapback.inputs import read_inputs
from ceasefire.store.base import Store

STANDINGS = (PROVISIONAL, ESTABLISHED)
NOON = time(12, 0)
"""A control map dated D is taken as known at noon of D (the agreement's zone)."""


@dataclass(frozen=True)
class Finding:
    """A breach of a clause feeding penalty rules, as any clause kind reports it."""

    incident: str
    clause: str
    party: str | None
    observed_at: datetime
    severity: float
    reported_at: datetime
    """When a source first showed the breach: provisional from here."""
    established_at: datetime | None
    """When the evidence standard was met (None: not met)."""
    rules: tuple[str, ...]

    def as_breach(self, standing: str) -> Breach:
        """The engine's breach, confirmed from the moment ``standing`` holds."""
        start = self.reported_at if standing == PROVISIONAL else self.established_at
        return Breach(
            self.incident, self.clause, self.party, self.observed_at, self.severity,
            () if start is None else ((start, None),), self.rules,
        )  # fmt: skip


def replay(
    rules: Sequence[PenaltyRule],
    findings: Sequence[Finding],
    appeals: Sequence[Appeal],
    now: datetime,
) -> list[Transition]:
    """Every provisional and established state change up to ``now``, in time order."""
    found: list[Transition] = []
    for standing in STANDINGS:
        breaches = [f.as_breach(standing) for f in findings]
        found += [
            dataclasses.replace(t, standing=standing)
            for t in run(rules, breaches, appeals, now)
        ]
    found.sort(key=lambda t: (t.at, t.standing != PROVISIONAL))
    return found


def notices(
    doc: AgreementDocument, transitions: Iterable[Transition]
) -> list[notices_.Notice]:
    """The hotline notices each state change would send (provisional ones say so)."""
    found = []
    for transition in transitions:
        for notice in notices_.for_transition(doc, transition):
            if transition.standing == PROVISIONAL:
                title = notice.title.replace("confirmed breaches", "reported breaches")
                notice = notice.model_copy(update={"title": f"Provisional {title}"})
            found.append(notice)
    return found


def from_log(store: Store, agreement: Agreement) -> tuple[list[Finding], list[Appeal]]:
    """Findings of the report-based clauses: reported at observation, established
    when the log confirmed the incident (state part) with the fixed part met.

    A replay of an imported historic record has import times as ``recorded_at``,
    so a breach counts as reported when it was observed.
    """
    inputs = read_inputs(store, agreement, reported=True)
    return [
        Finding(
            b.incident,
            b.clause,
            b.party,
            b.observed_at,
            b.severity,
            b.observed_at,
            b.confirmed[0][0] if b.confirmed else None,
            b.rules,
        )  # fmt: skip
        for b in inputs.breaches
    ], inputs.appeals


def _at_noon(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, NOON, tzinfo=zone)


def from_territory(
    agreement: Agreement,
    verdicts: Iterable[TerritoryVerdict],
    feeds: Mapping[str, Sequence[str]] | None = None,
) -> list[Finding]:
    """Findings of territorial verdicts (freeze cap, withdrawal).

    Each breached (clause, party, zone) is one finding: reported on the first
    day a source's map shows it, established on the day the clause's
    ``min_sources`` independent publishers have shown it. The rules fed are the
    clause's ``penalties`` (when the agreement has a clause of that id) plus
    ``feeds[clause]``.
    """
    zone = ZoneInfo(agreement.document.timezone)
    clauses = {c.id: c for c in agreement.document.clauses}
    found = []
    for verdict in verdicts:
        days = _first_day_per_publisher(verdict)
        clause = clauses.get(verdict.clause)
        rules = (
            *(clause.penalties if clause else ()),
            *(feeds or {}).get(verdict.clause, ()),
        )
        if not days or not rules:
            continue
        ordered = sorted(days.values())
        need = clause.evidence.min_sources if clause else 2
        first = _at_noon(ordered[0], zone)
        found.append(
            Finding(
                f"territory:{verdict.clause}:{verdict.party}:{verdict.zone}",
                verdict.clause,
                verdict.party,
                first,
                clause.severity if clause else 1.0,
                first,
                _at_noon(ordered[need - 1], zone) if len(ordered) >= need else None,
                tuple(dict.fromkeys(rules)),
            )  # fmt: skip
        )
    return found


def _first_day_per_publisher(verdict: TerritoryVerdict) -> dict[str, date]:
    """Publisher → the first day its maps show the breach."""
    days: dict[str, date] = {}
    for finding in verdict.findings:
        if not finding.breach:
            continue
        if finding.progress:  # withdrawal: the map read at the deadline
            day = finding.progress[-1][0]
        elif finding.changed_between is not None:
            day = finding.changed_between[1]
        else:
            continue
        (publisher,) = publishers([finding.source])
        days[publisher] = min(day, days.get(publisher, day))
    return days


@dataclass(frozen=True)
class TerritoryTerms:
    """Which territorial verdicts feed the replay: the freeze cap per sector."""

    cap_km2: float
    sectors: tuple[str, ...]
    sources: tuple[str, ...] = ("deepstate", "nzz")
    clause: str = "freeze"
    since: date | None = None
    """First day counted (default: entry into force)."""
    feeds: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)


def mission_findings(
    store: Store, agreement: Agreement, territory: TerritoryTerms | None = None
) -> tuple[list[Finding], list[Appeal]]:
    """Findings of the report-based clauses, and of the freeze cap if asked."""
    findings, appeals = from_log(store, agreement)
    if territory is not None:
        verdicts = [
            v
            for sector in territory.sectors
            for v in freeze(
                agreement,
                store,
                territory.clause,
                sector,
                territory.cap_km2,
                list(territory.sources),
                territory.since,
            )  # fmt: skip
        ]
        findings += from_territory(agreement, verdicts, territory.feeds)
    return findings, appeals


def first_dates(
    transitions: Iterable[Transition],
) -> dict[tuple[str, str, str], datetime]:
    """(standing, rule, party) → when it first triggered."""
    found: dict[tuple[str, str, str], datetime] = {}
    for t in transitions:
        if t.state == "triggered":
            found.setdefault((t.standing, t.rule, t.group), t.at)
    return found


def record(
    log: Log,
    agreement: Agreement,
    transitions: list[Transition],
    sent: list[notices_.Notice],
) -> tuple[int, int]:
    """Append the state changes and notices not yet logged; return how many of each."""
    states = penalty.record(log, agreement, transitions)
    written = notices_.record(log, sent)
    return len(states), len(written)


def with_rules(agreement: Agreement, rules: Sequence[PenaltyRule]) -> Agreement:
    """A copy of ``agreement`` with more penalty rules (a replay's what-if terms)."""
    doc = agreement.document
    known = {r.id for r in doc.penalty_rules}
    extra = [r for r in rules if r.id not in known]
    update = {"penalty_rules": [*doc.penalty_rules, *extra]}
    return dataclasses.replace(agreement, document=doc.model_copy(update=update))
