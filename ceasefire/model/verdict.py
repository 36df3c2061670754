"""A verdict: one incident judged against one clause, with its reasons.

Verdicts are derived data: recomputable from the log and the agreement, so
each names the agreement version and the log head it was computed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["breach", "no_breach", "undetermined"]
OUTCOMES: tuple[str, ...] = ("breach", "no_breach", "undetermined")
Holds = Literal["true", "false", "unknown"]


@dataclass(frozen=True)
class LogHead:
    """The log head an evaluation read: tree size and root hash (hex)."""

    tree_size: int
    root: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"tree_size": self.tree_size, "root": self.root}


@dataclass(frozen=True)
class Reason:
    """One part of a clause's condition and how it came out for the incident."""

    predicate: str
    """The fragment of the clause's predicate (or 'in force', 'party bound')."""
    holds: Holds
    measured: float | str | bool | None = None
    """The incident's value: a distance, a calibre, a time, a category."""
    threshold: float | str | list[str] | None = None
    """What it was compared with."""
    unit: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    """Extras: precision_km, geometry, side, lower_bound, note."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form (detail keys are flattened in)."""
        found: dict[str, Any] = {
            "predicate": self.predicate,
            "holds": self.holds,
            "measured": self.measured,
            "threshold": self.threshold,
            "unit": self.unit,
        }
        found.update(self.detail)
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        """Inverse of ``to_dict``."""
        core = ("predicate", "holds", "measured", "threshold", "unit")
        return cls(
            predicate=data["predicate"],
            holds=data["holds"],
            measured=data.get("measured"),
            threshold=data.get("threshold"),
            unit=data.get("unit"),
            detail={k: v for k, v in data.items() if k not in core},
        )


@dataclass(frozen=True)
class Verdict:
    """An incident against a clause: breach, no breach or undetermined."""

    incident: str
    source_id: str | None
    """The source's own id of the incident's primary report."""
    clause: str
    verdict: Outcome
    standard_met: bool
    """Whether the clause's evidence standard is met (state, sources, grades)."""
    party: str | None
    """The bound party the incident is attributed to, if any."""
    reasons: tuple[Reason, ...]
    text: str
    """One sentence a person reads."""
    agreement_id: str
    agreement_version: str
    log_head: LogHead | None
    observed_at: str
    """Earliest instant of the observation, ISO 8601 UTC."""
    lon: float
    lat: float
    admin1: str | None = None
    perpetrator_established: bool = False
    """Whether the source attributes the act (to ``party`` or to a non-party)."""
    dyad: tuple[str, ...] = ()
    """When it does not: the sides the source says were engaged (party ids, or
    ``scheme:name`` for an actor the agreement maps to no party)."""
    counts: dict[str, int] = field(default_factory=dict)
    """For sources that count weapons (the Air Force's nightly statements):
    ``launched`` and ``destroyed``; empty otherwise."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the JSONL contract of ``ceasefire evaluate``)."""
        found = self._core()
        if self.counts:
            found["counts"] = dict(self.counts)
        return found

    def _core(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "source_id": self.source_id,
            "clause": self.clause,
            "verdict": self.verdict,
            "standard_met": self.standard_met,
            "party": self.party,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "text": self.text,
            "agreement_id": self.agreement_id,
            "agreement_version": self.agreement_version,
            "log_head": None if self.log_head is None else self.log_head.to_dict(),
            "observed_at": self.observed_at,
            "lon": self.lon,
            "lat": self.lat,
            "admin1": self.admin1,
            "perpetrator_established": self.perpetrator_established,
            "dyad": list(self.dyad),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        """Inverse of ``to_dict``."""
        head = data.get("log_head")
        return cls(
            incident=data["incident"],
            source_id=data.get("source_id"),
            clause=data["clause"],
            verdict=data["verdict"],
            standard_met=bool(data["standard_met"]),
            party=data.get("party"),
            reasons=tuple(Reason.from_dict(r) for r in data["reasons"]),
            text=data["text"],
            agreement_id=data["agreement_id"],
            agreement_version=data["agreement_version"],
            log_head=None if head is None else LogHead(head["tree_size"], head["root"]),
            observed_at=data["observed_at"],
            lon=data["lon"],
            lat=data["lat"],
            admin1=data.get("admin1"),
            perpetrator_established=bool(data.get("perpetrator_established", False)),
            dyad=tuple(data.get("dyad") or ()),
            counts=dict(data.get("counts") or {}),
        )
