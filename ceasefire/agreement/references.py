"""Cross-reference and timeline checks over a schema-valid document.

The model checks each object alone; here the document is checked as a whole:
ids are unique, every reference names something that exists, the timeline
resolves without cycles, and no deadline falls before entry into force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from ceasefire.agreement.source import Path
from ceasefire.errors import suggest
from ceasefire.model.agreement import AgreementDocument, RelativeInstant

Report = Callable[..., None]
"""report(code, path, message, *, value, expected, suggestion, subject)"""

ENTRY_INTO_FORCE = "entry_into_force"


def check_unique_ids(doc: AgreementDocument, report: Report) -> None:
    """Every collection's ids are unique."""
    collections: list[tuple[str, list[str]]] = [
        ("parties", [p.id for p in doc.parties]),
        ("definitions", [d.term for d in doc.definitions]),
        ("geometries", [g.id for g in doc.geometries]),
        ("clauses", [c.id for c in doc.clauses]),
        ("commitments", [c.id for c in doc.commitments]),
        ("penalty_rules", [r.id for r in doc.penalty_rules]),
        ("indicators", [i.id for i in doc.indicators]),
    ]
    for name, ids in collections:
        seen: set[str] = set()
        key = "term" if name == "definitions" else "id"
        for index, ident in enumerate(ids):
            if ident in seen:
                report(
                    "CF003",
                    (name, index, key),
                    f"duplicate id {ident!r} in {name}",
                    value=ident,
                    expected="ids unique within their list",
                    subject=ident,
                )
            seen.add(ident)


def _check(
    report: Report,
    path: Path,
    value: str,
    known: Iterable[str],
    what: str,
    subject: str | None,
) -> None:
    known = list(known)
    if value not in known:
        report(
            "CF003",
            path,
            f"unknown {what} {value!r}",
            value=value,
            expected=f"one of {', '.join(known) or '(none defined)'}",
            suggestion=suggest(value, known),
            subject=subject,
        )


def check_references(doc: AgreementDocument, report: Report) -> None:
    """Every id a document object names exists."""
    _clause_references(doc, report)
    _other_references(doc, report)
    _translation_references(doc, report)


def _translation_references(doc: AgreementDocument, report: Report) -> None:
    """Each translated title or label names an object of the document."""
    known = {
        "parties": ([p.id for p in doc.parties], "party"),
        "definitions": ([d.term for d in doc.definitions], "term"),
        "geometries": ([g.id for g in doc.geometries], "geometry"),
        "clauses": ([c.id for c in doc.clauses], "clause"),
        "commitments": ([c.id for c in doc.commitments], "commitment"),
        "penalty_rules": ([r.id for r in doc.penalty_rules], "penalty rule"),
        "indicators": ([i.id for i in doc.indicators], "indicator"),
    }
    for lang, block in doc.translations.items():
        for section, (ids, what) in known.items():
            for key in getattr(block, section):
                path: Path = ("translations", lang, section, key)
                _check(report, path, key, ids, what, None)


def _clause_references(doc: AgreementDocument, report: Report) -> None:
    parties = [p.id for p in doc.parties]
    rules = [r.id for r in doc.penalty_rules]
    terms = [d.term for d in doc.definitions]
    for i, clause in enumerate(doc.clauses):
        for key, ids, known, what in (
            ("parties_bound", clause.parties_bound, parties, "party"),
            ("penalties", clause.penalties, rules, "penalty rule"),
            ("terms", clause.terms, terms, "term"),
        ):
            for j, ident in enumerate(ids):
                _check(report, ("clauses", i, key, j), ident, known, what, clause.id)
        if clause.territory is not None:
            _territory_references(doc, report, i)


def _territory_references(doc: AgreementDocument, report: Report, i: int) -> None:
    """The zones and party a clause's ``territory`` names exist."""
    clause = doc.clauses[i]
    terms = clause.territory
    assert terms is not None
    zones = [g.id for g in doc.geometries if g.kind in ("zone", "corridor")]
    path: Path = ("clauses", i, "territory")
    for j, sector in enumerate(terms.sectors):
        _check(report, (*path, "sectors", j), sector, zones, "zone", clause.id)
    if terms.zone is not None:
        _check(report, (*path, "zone"), terms.zone, zones, "zone", clause.id)
    if terms.party is not None:
        parties = [p.id for p in doc.parties]
        _check(report, (*path, "party"), terms.party, parties, "party", clause.id)


def _other_references(doc: AgreementDocument, report: Report) -> None:
    parties = [p.id for p in doc.parties]
    recipients = parties + [lp.id for p in doc.parties for lp in p.liaison]
    clauses = [c.id for c in doc.clauses]
    for i, commitment in enumerate(doc.commitments):
        path: Path = ("commitments", i, "party")
        _check(report, path, commitment.party, parties, "party", commitment.id)
    for i, check in enumerate(doc.verification):
        _check(
            report,
            ("verification", i, "clause"),
            check.clause,
            clauses,
            "clause",
            check.clause,
        )
        for j, who in enumerate(check.by):
            _check(
                report,
                ("verification", i, "by", j),
                who,
                parties,
                "party",
                check.clause,
            )
    for i, rule in enumerate(doc.penalty_rules):
        for j, step in enumerate(rule.escalation):
            for k, who in enumerate(step.notify):
                path = ("penalty_rules", i, "escalation", j, "notify", k)
                _check(report, path, who, recipients, "party or liaison point", rule.id)
    for i, geometry in enumerate(doc.geometries):
        if geometry.party is not None:
            path = ("geometries", i, "party")
            _check(report, path, geometry.party, parties, "party", geometry.id)
        for side, party in (geometry.sides or {}).items():
            path = ("geometries", i, "sides", side)
            _check(report, path, party, parties, "party", geometry.id)
    if doc.territory is not None:
        geometries = [g.id for g in doc.geometries]
        _check(report, ("territory",), doc.territory, geometries, "geometry", None)


def resolve_timeline(doc: AgreementDocument, report: Report) -> dict[str, datetime]:
    """Named instants as aware datetimes; relative ones resolved in order."""
    resolved: dict[str, datetime] = {}
    visiting: list[str] = []
    in_cycles: set[str] = set()

    def visit(name: str) -> datetime | None:
        if name in resolved:
            return resolved[name]
        value = doc.timeline[name]
        if name in visiting:
            members = visiting[visiting.index(name) :]
            if not in_cycles.intersection(members):  # report each cycle once
                report(
                    "CF005",
                    ("timeline", name),
                    "timeline instants refer to each other: "
                    + " → ".join([*members, name]),
                    value=name,
                    expected="a chain that ends at an absolute time with a UTC offset",
                )
            in_cycles.update(members)
            return None
        visiting.append(name)
        try:
            instant = _resolve(value, ("timeline", name), visit, report, doc)
        finally:
            visiting.pop()
        if instant is not None:
            resolved[name] = instant
        return instant

    for name in doc.timeline:
        visit(name)
    return resolved


def _resolve(
    value: object,
    path: Path,
    visit: Callable[[str], datetime | None],
    report: Report,
    doc: AgreementDocument,
    subject: str | None = None,
) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, RelativeInstant):
        name, path = value.after, path + ("after",)
    else:
        name = str(value)
    if name not in doc.timeline:
        _check(report, path, name, doc.timeline, "timeline instant", subject)
        return None
    base = visit(name)
    if base is None or not isinstance(value, RelativeInstant):
        return base
    try:
        return base + value.offset()
    except OverflowError:
        report(
            "CF005",
            path,
            f"{value.days:g} days and {value.hours:g} hours after {name!r}"
            " is beyond the calendar",
            value=value.days,
            expected="an offset that lands between the years 1 and 9999",
            subject=subject,
        )
        return None


def check_deadlines(
    doc: AgreementDocument, instants: dict[str, datetime], report: Report
) -> None:
    """In-force windows and deadlines resolve, and none precedes entry into force."""
    start = instants.get(ENTRY_INTO_FORCE)

    def at(value: object, path: Path, subject: str) -> datetime | None:
        return _resolve(value, path, instants.get, report, doc, subject)

    def not_before_start(
        moment: datetime | None, path: Path, what: str, subject: str
    ) -> None:
        if moment is not None and start is not None and moment < start:
            report(
                "CF005",
                path,
                f"{what} {moment.isoformat()} is before entry into force"
                f" ({start.isoformat()})",
                value=moment.isoformat(),
                expected=f"a time at or after {start.isoformat()}",
                subject=subject,
            )

    for i, clause in enumerate(doc.clauses):
        base: Path = ("clauses", i)
        begins = at(clause.in_force.from_, base + ("in_force", "from"), clause.id)
        if clause.in_force.until is not None:
            ends = at(clause.in_force.until, base + ("in_force", "until"), clause.id)
            if begins and ends and ends <= begins:
                report(
                    "CF005",
                    base + ("in_force", "until"),
                    f"clause {clause.id!r} stops being in force before it starts",
                    value=ends.isoformat(),
                    expected=f"a time after {begins.isoformat()}",
                    subject=clause.id,
                )
        if clause.deadline is not None:
            deadline = at(clause.deadline, base + ("deadline",), clause.id)
            not_before_start(deadline, base + ("deadline",), "deadline", clause.id)
    for i, commitment in enumerate(doc.commitments):
        if commitment.due is not None:
            due = at(commitment.due, ("commitments", i, "due"), commitment.id)
            not_before_start(due, ("commitments", i, "due"), "due date", commitment.id)


def check_lifecycle(
    doc: AgreementDocument, instants: dict[str, datetime], report: Report
) -> None:
    """End, termination and suspensions resolve, after entry into force, in order."""
    start = instants.get(ENTRY_INTO_FORCE)
    life = doc.lifecycle
    base: Path = ("lifecycle",)
    for key in ("end", "terminated", "review"):
        value = getattr(life, key)
        if value is None:
            continue
        moment = _resolve(value, base + (key,), instants.get, report, doc, key)
        if moment is not None and start is not None and moment <= start:
            report(
                "CF005",
                base + (key,),
                f"the agreement's {key} ({moment.isoformat()}) is not after entry"
                f" into force ({start.isoformat()})",
                value=moment.isoformat(),
                expected=f"a time after {start.isoformat()}",
                subject=key,
            )
    for i, suspension in enumerate(life.suspensions):
        path = base + ("suspensions", i)
        begins = _resolve(suspension.from_, path + ("from",), instants.get, report, doc)
        if suspension.until is None:
            continue
        ends = _resolve(suspension.until, path + ("until",), instants.get, report, doc)
        if begins and ends and ends <= begins:
            report(
                "CF005",
                path + ("until",),
                "a suspension is lifted before it begins",
                value=ends.isoformat(),
                expected=f"a time after {begins.isoformat()}",
                subject="suspension",
            )
