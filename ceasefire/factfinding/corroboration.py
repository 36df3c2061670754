"""How well an incident is corroborated: independent sources, best grades, a score.

Reports are not independent when they share an origin: the same source id,
the same ``source.derived_from`` (one post re-shared, one sensor network), or
the same organisation (the part of the source id before a ``/``, so
``smm/team-3`` and ``smm/team-7`` count once). Such reports are grouped
(transitively) and each group counts once.

The score is a noisy-OR over the groups: each group's best report is right
with a probability read from its Admiralty grades (``RELIABILITY`` ×
``CREDIBILITY``), and the incident is corroborated unless every group is
wrong: ``1 − Π (1 − p)``. The numbers are a convention to rank incidents for
review, not a measured probability; the explanation spells out the sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

RELIABILITY = {"A": 0.9, "B": 0.75, "C": 0.5, "D": 0.25, "E": 0.1, "F": 0.3}
"""Admiralty source reliability → weight (F, cannot be judged, sits mid-low)."""
CREDIBILITY = {1: 0.95, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.1, 6: 0.3}
"""Admiralty information credibility → weight (6, cannot be judged, mid-low)."""
UNGRADED = 0.3
"""Weight of a missing grade: as 'cannot be judged'."""


@dataclass(frozen=True)
class SourceGroup:
    """Reports that share an origin and count as one source."""

    sources: tuple[str, ...]
    report_ids: tuple[str, ...]
    reliability: str | None
    credibility: int | None
    weight: float


@dataclass(frozen=True)
class Corroboration:
    """Independent sources of an incident, its best grades and score."""

    groups: tuple[SourceGroup, ...]
    best_reliability: str | None
    best_credibility: int | None
    score: float
    explanation: str

    @property
    def independent_sources(self) -> int:
        """How many independent sources reported the incident."""
        return len(self.groups)


def organisation(source_id: str) -> str:
    """The organisation of a source id: the part before the first ``/``."""
    return source_id.split("/", 1)[0]


def _weight(reliability: str | None, credibility: int | None) -> float:
    r = RELIABILITY.get(reliability or "", UNGRADED)
    c = CREDIBILITY.get(credibility or 0, UNGRADED)
    return r * c


def corroborate(bodies: Sequence[dict[str, Any]]) -> Corroboration:
    """Corroboration of one incident from its reports' bodies."""
    parent = list(range(len(bodies)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, body in enumerate(bodies):
        source = body["source"]
        keys = [f"org:{organisation(source['id'])}"]
        if source.get("derived_from"):
            keys.append(f"origin:{source['derived_from']}")
        for key in keys:
            if key in seen:
                parent[find(i)] = find(seen[key])
            else:
                seen[key] = i

    members: dict[int, list[int]] = {}
    for i in range(len(bodies)):
        members.setdefault(find(i), []).append(i)
    groups = []
    for rows in members.values():
        graded = [
            (
                _weight(
                    bodies[i]["source"].get("reliability"),
                    bodies[i]["source"].get("credibility"),
                ),
                i,
            )
            for i in rows
        ]
        weight, best = max(graded, key=lambda pair: (pair[0], -pair[1]))
        source = bodies[best]["source"]
        groups.append(
            SourceGroup(
                sources=tuple(dict.fromkeys(bodies[i]["source"]["id"] for i in rows)),
                report_ids=tuple(bodies[i]["id"] for i in rows),
                reliability=source.get("reliability"),
                credibility=source.get("credibility"),
                weight=weight,
            )
        )
    groups.sort(key=lambda g: (-g.weight, g.sources))
    grades = [b["source"].get("reliability") for b in bodies]
    credibilities = [b["source"].get("credibility") for b in bodies]
    best_reliability = min((g for g in grades if g), default=None)
    best_credibility = min((c for c in credibilities if c), default=None)
    miss = 1.0
    for group in groups:
        miss *= 1 - group.weight
    score = round(1 - miss, 4)
    return Corroboration(
        tuple(groups),
        best_reliability,
        best_credibility,
        score,
        explain(groups, len(bodies), score),
    )


def explain(groups: Sequence[SourceGroup], reports: int, score: float) -> str:
    """The score spelled out: which sources count once and why."""
    parts = []
    for group in groups:
        grade = f"{group.reliability or '?'}{group.credibility or '?'}"
        named = ", ".join(group.sources)
        shared = (
            f" ({len(group.report_ids)} reports of one origin, counted once)"
            if len(group.report_ids) > 1
            else ""
        )
        parts.append(f"{named} graded {grade} → {group.weight:.2f}{shared}")
    product = " × ".join(f"(1 − {g.weight:.2f})" for g in groups)
    noun = "source" if len(groups) == 1 else "sources"
    return (
        f"{len(groups)} independent {noun} in {reports} report(s): "
        + "; ".join(parts)
        + f". Score 1 − {product} = {score:.2f}."
    )
