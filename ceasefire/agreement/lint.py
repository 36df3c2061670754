"""The agreement linter: where a valid text will still fail in practice.

Codes are stable; docs/lint-codes.md explains each. CF0xx are load errors
(the document cannot be used), CF1xx definitions, CF2xx verification, CF3xx
penalties and commitments, CF4xx geometry, CF5xx penalty rules, CF6xx lifecycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import shapely

from ceasefire.agreement.load import Agreement, load_with_problems
from ceasefire.agreement.source import Path as DocPath
from ceasefire.errors import Problem, Severity
from ceasefire.geo.crs import area_km2
from ceasefire.model.vocabulary import KNOWN_OPEN_CATEGORIES

CODES: dict[str, tuple[Severity, str]] = {
    "CF001": ("error", "the file cannot be read as YAML"),
    "CF002": ("error", "a key, type or value does not fit the format"),
    "CF003": ("error", "a reference names nothing, or an id is used twice"),
    "CF004": ("error", "a geometry cannot be built or is invalid"),
    "CF005": ("error", "the timeline is inconsistent"),
    "CF006": ("error", "a predicate does not parse or type-check"),
    "CF101": ("warning", "a clause uses a term the agreement does not define"),
    "CF102": ("warning", "a definition leaves a known category open"),
    "CF103": ("info", "a definition is never used"),
    "CF201": ("warning", "a clause has no verification method"),
    "CF301": ("warning", "a prohibition feeds no pre-agreed penalty"),
    "CF302": ("warning", "a commitment has no deadline"),
    "CF303": ("warning", "a commitment has no evidence rule"),
    "CF401": ("error", "zones contradict each other"),
    "CF402": ("warning", "a geometry lies partly outside the parties' territory"),
    "CF403": ("error", "a geometry lies wholly outside the parties' territory"),
    "CF404": ("info", "no territory is set, so geometry is not checked against it"),
    "CF405": ("error", "a withdrawal or controlled zone names no party"),
    "CF501": ("warning", "a penalty rule no clause can trigger"),
    "CF502": ("warning", "a penalty rule notifies nobody"),
    "CF601": ("warning", "a prohibition has no end and no review date"),
}

# Terms of art that ceasefire texts use and disputes turn on.
TERMS_OF_ART = (
    "heavy weapons",
    "foreign troops",
    "foreign forces",
    "foreign armed formations",
    "line of contact",
    "contact line",
    "security zone",
    "buffer zone",
    "civilian infrastructure",
    "critical infrastructure",
    "armed formations",
    "mercenaries",
    "military equipment",
    "drones",
)
_QUOTED = re.compile(r"[\"“«]([^\"”»]{3,60})[\"”»]")
MIN_OUTSIDE_SHARE = 0.005
"""Less than 0.5 % outside the territory is boundary-drawing noise."""
MIN_OVERLAP_KM2 = 1.0
"""Overlaps smaller than this are drawing noise, not contradictions."""


class _Linter:
    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.doc = agreement.document
        self.findings: list[Problem] = []

    def add(
        self,
        code: str,
        path: DocPath,
        message: str,
        subject: str | None,
        **extra: object,
    ) -> None:
        span = self.agreement.source.find(path)
        severity, _ = CODES[code]
        self.findings.append(
            Problem(
                code=code,
                message=message,
                file=self.agreement.source.file,
                line=span.line if span else 1,
                column=span.column if span else 1,
                severity=severity,
                subject=subject,
                value=extra.get("value"),
                expected=extra.get("expected"),  # type: ignore[arg-type]
                suggestion=extra.get("suggestion"),  # type: ignore[arg-type]
            )
        )

    def run(self) -> list[Problem]:
        for rule in (
            self.undefined_terms,
            self.open_definitions,
            self.unused_definitions,
            self.verification,
            self.penalties_fed,
            self.commitments,
            self.zone_regimes,
            self.territory,
            self.penalty_rules,
            self.endless_prohibitions,
        ):
            rule()
        return self.findings

    # ------------------------------------------------------------ definitions

    def _defined_labels(self) -> set[str]:
        labels = set()
        for definition in self.doc.definitions:
            labels.add(definition.term.replace("_", " ").lower())
            if definition.label:
                labels.add(definition.label.lower())
        return labels

    def undefined_terms(self) -> None:
        defined = self._defined_labels()
        for i, clause in enumerate(self.doc.clauses):
            text = clause.text.lower()
            for label in sorted(defined, key=len, reverse=True):  # "foreign armed
                text = text.replace(label, " ")  # formations" hides "armed formations"
            used = {t for t in TERMS_OF_ART if re.search(rf"\b{re.escape(t)}\b", text)}
            used |= {q.strip().lower() for q in _QUOTED.findall(text)}
            for term in sorted(used - defined):
                self.add(
                    "CF101",
                    ("clauses", i, "text"),
                    f"clause {clause.id!r} uses {term!r}, which the agreement does not define",
                    clause.id,
                    value=term,
                    expected="a definitions entry with this term or label",
                )

    def open_definitions(self) -> None:
        for i, definition in enumerate(self.doc.definitions):
            decided = set(definition.includes) | set(definition.excludes)
            for question in definition.open_questions:
                self.add(
                    "CF102",
                    ("definitions", i, "open_questions"),
                    f"{definition.term!r} leaves {question!r} open: neither included"
                    " nor excluded, so incidents involving it cannot be judged",
                    definition.term,
                    value=question,
                    expected="move it to includes or excludes",
                )
            known = KNOWN_OPEN_CATEGORIES.get(definition.applies_to, ())
            listed = {q.replace(" ", "_").lower() for q in definition.open_questions}
            for category in known:
                if category not in decided and category not in listed:
                    self.add(
                        "CF102",
                        ("definitions", i, "term"),
                        f"{definition.term!r} is silent on {category!r}, a category"
                        " such definitions are known to be disputed over",
                        definition.term,
                        value=category,
                        expected="include or exclude it explicitly",
                    )

    def unused_definitions(self) -> None:
        used = {t for p in self.agreement.predicates.values() for t in p.terms}
        used |= {t for clause in self.doc.clauses for t in clause.terms}
        texts = " ".join(c.text.lower() for c in self.doc.clauses)
        for i, definition in enumerate(self.doc.definitions):
            words = (definition.label or definition.term.replace("_", " ")).lower()
            if definition.term not in used and words not in texts:
                self.add(
                    "CF103",
                    ("definitions", i, "term"),
                    f"definition {definition.term!r} is not used by any clause",
                    definition.term,
                )

    # ------------------------------------------------------------ clauses

    def verification(self) -> None:
        verified = {v.clause for v in self.doc.verification}
        for i, clause in enumerate(self.doc.clauses):
            if clause.id not in verified:
                self.add(
                    "CF201",
                    ("clauses", i, "id"),
                    f"{clause.kind} {clause.id!r} has no verification method: nobody"
                    " is charged with establishing a breach",
                    clause.id,
                    expected="a verification entry naming methods for this clause",
                )

    def penalties_fed(self) -> None:
        for i, clause in enumerate(self.doc.clauses):
            if clause.kind == "prohibition" and not clause.penalties:
                self.add(
                    "CF301",
                    ("clauses", i, "id"),
                    f"prohibition {clause.id!r} feeds no pre-agreed penalty: a breach"
                    " would need a fresh political decision",
                    clause.id,
                    expected="penalties: [a penalty rule id]",
                )

    def commitments(self) -> None:
        for i, commitment in enumerate(self.doc.commitments):
            if commitment.due is None:
                self.add(
                    "CF302",
                    ("commitments", i, "id"),
                    f"commitment {commitment.id!r} has no deadline",
                    commitment.id,
                    expected="due: an instant",
                )
            if not commitment.evidence_required:
                self.add(
                    "CF303",
                    ("commitments", i, "id"),
                    f"commitment {commitment.id!r} says no evidence that shows it met",
                    commitment.id,
                    expected="evidence_required: what proves it",
                )

    # ------------------------------------------------------------ lifecycle

    def endless_prohibitions(self) -> None:
        life = self.doc.lifecycle
        if any(x is not None for x in (life.end, life.terminated, life.review)):
            return  # the whole agreement ends or comes up for review
        for i, clause in enumerate(self.doc.clauses):
            window = clause.in_force
            if clause.kind == "prohibition" and window.until is None:
                if window.review is None:
                    self.add(
                        "CF601",
                        ("clauses", i, "in_force"),
                        f"prohibition {clause.id!r} has no end and no review date:"
                        " it binds for ever, and every later event is judged by it",
                        clause.id,
                        expected="in_force.until or in_force.review, or the"
                        " agreement's lifecycle end, terminated or review",
                    )

    # ------------------------------------------------------------ geometry

    def _zones(self, regime: str) -> Iterator[tuple[int, str, str, shapely.Geometry]]:
        for i, spec in enumerate(self.doc.geometries):
            feature = self.agreement.features.get(spec.id)
            if spec.regime == regime and feature is not None:
                if spec.party is None:
                    self.add(
                        "CF405",
                        ("geometries", i, "regime"),
                        f"{regime} zone {spec.id!r} names no party",
                        spec.id,
                        expected="party: the party it concerns",
                    )
                    continue
                yield i, spec.id, spec.party, feature.shape

    def zone_regimes(self) -> None:
        withdrawals = list(self._zones("withdrawal"))
        controlled = list(self._zones("controlled"))
        for (i, a, party_a, shape_a), (_, b, party_b, shape_b) in combinations(
            controlled, 2
        ):
            if party_a != party_b:
                self._overlap(
                    i,
                    a,
                    b,
                    shape_a,
                    shape_b,
                    f"controlled by both {party_a!r} and {party_b!r}",
                )
        for i, a, party_a, shape_a in withdrawals:
            for _, b, party_b, shape_b in controlled:
                if party_a == party_b:
                    self._overlap(
                        i,
                        a,
                        b,
                        shape_a,
                        shape_b,
                        f"{party_a!r} must withdraw from {a!r} yet keeps control in {b!r}",
                    )

    def _overlap(
        self,
        index: int,
        a: str,
        b: str,
        shape_a: shapely.Geometry,
        shape_b: shapely.Geometry,
        why: str,
    ) -> None:
        if not shapely.intersects(shape_a, shape_b):
            return
        overlap = area_km2(shapely.intersection(shape_a, shape_b))
        if overlap >= MIN_OVERLAP_KM2:
            self.add(
                "CF401",
                ("geometries", index, "regime"),
                f"zones {a!r} and {b!r} contradict: {overlap:,.0f} km² {why}",
                a,
                value=round(overlap, 1),
                expected="zones whose regimes do not overlap",
            )

    def territory(self) -> None:
        if self.doc.territory is None:
            self.add(
                "CF404",
                (),
                "no 'territory' is set; geometry is not checked against it",
                None,
            )
            return
        land = self.agreement.features.get(self.doc.territory)
        if land is None:
            return
        tolerance = shapely.buffer(land.shape, 0.01)  # ~1 km: boundary drawing noise
        for i, spec in enumerate(self.doc.geometries):
            feature = self.agreement.features.get(spec.id)
            if feature is None or spec.id == self.doc.territory:
                continue
            if not shapely.is_valid(feature.shape):
                reason = shapely.is_valid_reason(feature.shape)
                self.add(
                    "CF004",
                    ("geometries", i, "id"),
                    f"geometry {spec.id!r} is invalid: {reason}",
                    spec.id,
                )
                continue
            if not shapely.intersects(feature.shape, land.shape):
                self.add(
                    "CF403",
                    ("geometries", i, "id"),
                    f"{spec.kind} {spec.id!r} lies wholly outside the territory {land.id!r}",
                    spec.id,
                )
            elif (
                share := _outside_share(feature.shape, tolerance)
            ) >= MIN_OUTSIDE_SHARE:
                self.add(
                    "CF402",
                    ("geometries", i, "id"),
                    f"{share:.1%} of {spec.kind} {spec.id!r} lies outside the territory {land.id!r}",
                    spec.id,
                    value=round(share, 4),
                )

    # ------------------------------------------------------------ penalties

    def penalty_rules(self) -> None:
        fed = {rule for clause in self.doc.clauses for rule in clause.penalties}
        for i, rule in enumerate(self.doc.penalty_rules):
            if rule.id not in fed:
                self.add(
                    "CF501",
                    ("penalty_rules", i, "id"),
                    f"penalty rule {rule.id!r} is fed by no clause, so it can never trigger",
                    rule.id,
                    expected="a clause listing it under penalties",
                )
            if not any(step.notify for step in rule.escalation):
                self.add(
                    "CF502",
                    ("penalty_rules", i, "escalation"),
                    f"penalty rule {rule.id!r} notifies nobody at any step",
                    rule.id,
                    expected="notify: parties or liaison points",
                )


def _outside_share(shape: shapely.Geometry, land: shapely.Geometry) -> float:
    outside = shapely.difference(shape, land)
    if shape.geom_type in ("LineString", "MultiLineString"):
        return float(shapely.length(outside) / max(shapely.length(shape), 1e-12))
    if shape.geom_type in ("Point", "MultiPoint"):
        points = shapely.get_parts(shape)
        return float(sum(not shapely.covered_by(p, land) for p in points) / len(points))
    return float(shapely.area(outside) / max(shapely.area(shape), 1e-12))


def lint_agreement(agreement: Agreement) -> list[Problem]:
    """Lint findings for a loaded agreement, in document order."""
    findings = _Linter(agreement).run()
    return sorted(findings, key=lambda p: (p.line, p.column, p.code))


def lint(path: str | Path) -> list[Problem]:
    """Load and lint a file; load errors come back as error findings."""
    agreement, problems = load_with_problems(path)
    if agreement is None:
        return problems
    return lint_agreement(agreement)


def has_errors(findings: list[Problem]) -> bool:
    """True when any finding is an error (the linter's exit status)."""
    return any(p.severity == "error" for p in findings)
