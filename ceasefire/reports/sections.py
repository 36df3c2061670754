"""The OSCE SMM daily report's own sections, computed from report bodies.

The SMM counted **ceasefire violations** by region (Donetsk, Luhansk) against
the previous reporting period, split into **explosions** and **bursts and
shots**; listed weapons **in violation of the respective withdrawal lines**
and weapons **missing** from storage sites; listed **restrictions of its
freedom of movement** by category (denial of access, conditional access,
delay, other impediments) and by the side that imposed them; and kept
**jamming** of its UAVs apart from **fire on** them (DOMAIN.md §1).

We count reports, not rounds: one report of "12 explosions" is one report.
Event types not yet in the vocabulary (``armed_clash``, ``uav_jamming``, …)
are named here so the sections fill in as importers start to emit them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EXPLOSION_TYPES = (
    "shelling", "explosion", "air_strike", "drone_strike", "missile_strike",
)  # fmt: skip
"""Acts the SMM would count as explosions."""
SHOT_TYPES = ("small_arms",)
"""Acts the SMM would count as bursts and shots."""
UNSPLIT_TYPES = ("armed_clash", "one_sided_attack", "ground_assault")
"""Fighting whose source does not say whether it was explosions or shots."""
VIOLATION_TYPES = EXPLOSION_TYPES + SHOT_TYPES + UNSPLIT_TYPES
JAMMING_TYPES = ("uav_jamming",)
UAV_FIRE_TYPES = ("uav_fired_upon",)
UAV_OTHER_TYPES = ("monitor_uav_interference",)
"""Interference with the mission's UAVs of a kind the report does not state."""
RESTRICTION_CATEGORIES = {
    "denial": "Denial of access",
    "conditional_access": "Conditional access",
    "delay": "Delay",
    "other_impediment": "Other impediments",
}
UNCATEGORISED = "Category not stated"
NO_SIDE = "side not established"
MISSING_TYPES = ("weapon_missing",)


@dataclass(frozen=True)
class ViolationRow:
    """Ceasefire violations recorded in one region, this period and the last."""

    region: str
    current: int
    explosions: int
    shots: int
    unsplit: int
    """Fighting reported without saying whether explosions or shots."""
    previous: int


@dataclass(frozen=True)
class RestrictionRow:
    """Restrictions of the monitors' movement of one category by one side."""

    category: str
    side: str
    count: int


@dataclass(frozen=True)
class UavCounts:
    """Interference with the mission's UAVs, by kind."""

    jamming: int
    fired_upon: int
    unspecified: int


def region_of(body: Mapping[str, Any], names: Mapping[str, str], none: str) -> str:
    """The oblast name of a report body (``none`` when unknown)."""
    return names.get(body["location"].get("admin1") or "", none)


def violations(
    current: Iterable[Mapping[str, Any]],
    before: Iterable[Mapping[str, Any]],
    names: Mapping[str, str],
    none: str,
) -> tuple[ViolationRow, ...]:
    """Ceasefire violations by region, the busiest first."""
    now: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = {}
    for body in current:
        if body["event_type"] in VIOLATION_TYPES:
            region = region_of(body, names, none)
            now[region] += 1
            kinds.setdefault(region, Counter())[_kind(body["event_type"])] += 1
    then = Counter(
        region_of(b, names, none) for b in before if b["event_type"] in VIOLATION_TYPES
    )
    regions = sorted(set(now) | set(then), key=lambda r: (-now[r], -then[r], r))
    return tuple(
        ViolationRow(
            region,
            now[region],
            kinds.get(region, Counter())["explosions"],
            kinds.get(region, Counter())["shots"],
            kinds.get(region, Counter())["unsplit"],
            then[region],
        )
        for region in regions
    )


def _kind(event_type: str) -> str:
    if event_type in EXPLOSION_TYPES:
        return "explosions"
    return "shots" if event_type in SHOT_TYPES else "unsplit"


def restriction_category(body: Mapping[str, Any]) -> str:
    """The SMM category of a restriction report (its ``restriction`` field)."""
    return RESTRICTION_CATEGORIES.get(body.get("restriction") or "", UNCATEGORISED)


def restriction_table(
    rows: Sequence[tuple[str, str | None]], parties: Mapping[str, str]
) -> tuple[RestrictionRow, ...]:
    """(category, party id) pairs counted by category, then side."""
    counts = Counter(
        (category, parties.get(party or "", party or NO_SIDE))
        for category, party in rows
    )
    order = [*RESTRICTION_CATEGORIES.values(), UNCATEGORISED]
    return tuple(
        RestrictionRow(category, side, n)
        for (category, side), n in sorted(
            counts.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
        )
    )


def uav_counts(bodies: Iterable[Mapping[str, Any]]) -> UavCounts:
    """Jamming, fire on UAVs, and interference of unstated kind, counted apart."""
    kinds = Counter(b["event_type"] for b in bodies)
    return UavCounts(
        jamming=sum(kinds[k] for k in JAMMING_TYPES),
        fired_upon=sum(kinds[k] for k in UAV_FIRE_TYPES),
        unspecified=sum(kinds[k] for k in UAV_OTHER_TYPES),
    )


def breach_status(standard_met: bool) -> str:
    """The one wording of a breach verdict, in reports as on the incident page.

    A verdict whose predicate holds is a *reported breach*; it is an
    *established breach* only when the clause's evidence standard is met.
    """
    return "established breach" if standard_met else "reported breach"
