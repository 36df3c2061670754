"""A report: one source's account of one event, as it enters the log.

One schema for monitor patrols, sensors, imagery, open sources and party
reports (issue 3). Reports are immutable once logged: a correction is a new
report that supersedes the old one.
"""

from __future__ import annotations

import os
import time
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from ceasefire.model.base import Node, Time
from ceasefire.model.vocabulary import Grade

EventType = Literal[
    "shelling", "small_arms", "explosion", "air_strike", "drone_strike",
    "missile_strike", "ground_assault", "heavy_weapon_present", "weapon_missing",
    "troop_presence", "movement_restricted", "monitor_uav_interference",
    "civilian_harm", "infrastructure_damage", "mines_uxo", "drone_flight", "other",
    "armed_clash", "one_sided_attack", "uav_jamming", "uav_fired_upon",
]  # fmt: skip
WeaponClass = Literal[
    "small_arms", "mortar", "artillery", "mlrs", "tactical_missile", "cruise_missile",
    "ballistic_missile", "tank", "ifv", "atgm", "air_defence", "aircraft",
    "helicopter", "uav", "loitering_munition", "mine",
]  # fmt: skip
TargetCategory = Literal[
    "civilian", "residential", "power", "heating", "water", "health", "education",
    "transport", "communications", "food", "religious", "cultural", "industrial",
    "government", "military", "monitors",
]  # fmt: skip
PersonnelCategory = Literal[
    "combat_unit", "permanent_base", "trainer", "liaison_officer",
    "cross_border_air_patrol", "contractor", "volunteer", "mercenary", "peacekeeper",
    "monitor", "embassy_guard", "medical",
]  # fmt: skip
SourceType = Literal[
    "monitor_patrol", "fixed_camera", "uav", "acoustic_sensor", "radar",
    "satellite_scene", "osint_item", "party_report", "media",
]  # fmt: skip
TimePrecision = Literal["second", "minute", "hour", "day", "week", "month", "year"]


class SourceRef(Node):
    """Who or what reported: a team, a device, a scene, an account."""

    type: SourceType
    id: str = Field(min_length=1)
    """The source's own identifier (team call sign, sensor serial, channel)."""
    name: str | None = None
    reliability: Grade | None = None
    """Admiralty code: reliability of the source, A (reliable) to F (cannot judge)."""
    credibility: int | None = Field(default=None, ge=1, le=6)
    """Admiralty code: credibility of this information, 1 (confirmed) to 6."""
    derived_from: str | None = None
    """The origin this report repeats (a re-shared post, a sensor network), so that
    corroboration counts independent sources once."""


class TimeSpan(Node):
    """When it was observed, and how precisely that is known."""

    start: Time
    end: Time | None = None
    precision: TimePrecision = "minute"

    @model_validator(mode="after")
    def _ordered(self) -> TimeSpan:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                "the observation ends before it starts; expected end ≥ start"
            )
        return self


class Location(Node):
    """Where, in WGS84, with the radius within which the true place lies."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    precision_m: float = Field(default=100, ge=0)
    """Radius in metres; an oblast centroid has tens of kilometres."""
    place: str | None = None
    admin1: str | None = None
    """Oblast ISO code, filled by lookup when the report is logged."""
    admin2: str | None = None
    """Raion name, filled by lookup when the report is logged."""


class Weapon(Node):
    """The weapon observed or used."""

    model_config = ConfigDict(**{**Node.model_config, "populate_by_name": True})

    class_: WeaponClass | None = Field(default=None, alias="class")
    model: str | None = None
    calibre_mm: float | None = Field(default=None, ge=0)
    range_km: float | None = Field(default=None, ge=0)
    count: int = Field(default=1, ge=1)


class Attribution(Node):
    """Which party the report holds responsible, and how sure it is."""

    party: str = Field(min_length=1)
    confidence: Literal["low", "medium", "high"] = "medium"


ActorRole = Literal["side_a", "side_b", "perpetrator", "target"]


class Actor(Node):
    """An actor as the source names it (UCDP side_a/side_b, ACLED actor1/actor2 …)."""

    scheme: str = Field(min_length=1)
    """Whose actor list the name comes from: "ucdp", "acled", "cir", "bellingcat" …"""
    name: str = Field(min_length=1)
    code: str | None = None
    """The source's own actor id (UCDP side_a_new_id …), where it has one."""
    role: ActorRole


class Target(Node):
    """What was hit or threatened."""

    category: TargetCategory
    name: str | None = None


class Personnel(Node):
    """Armed personnel observed (for troop-presence reports)."""

    category: PersonnelCategory
    nationality: str | None = None
    count: int | None = Field(default=None, ge=1)


class Casualties(Node):
    """People killed and injured, as reported."""

    killed: int = Field(default=0, ge=0)
    injured: int = Field(default=0, ge=0)
    civilians_killed: int = Field(default=0, ge=0)
    civilians_injured: int = Field(default=0, ge=0)


class EvidenceRef(Node):
    """A piece of evidence, by the SHA-256 of its content."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: str | None = None
    description: str | None = None


class Report(Node):
    """One source's account of one event."""

    id: str = Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")
    """Time-ordered id (ULID) given when the report is created."""
    source_report_id: str | None = None
    """The source's own id for this report (ACLED event_id_cnty, UCDP id …)."""
    source: SourceRef
    observed: TimeSpan
    reported_at: Time
    location: Location
    event_type: EventType
    weapon: Weapon | None = None
    direction_of_fire_deg: float | None = Field(default=None, ge=0, lt=360)
    """Azimuth the fire came from, degrees clockwise from north."""
    attribution: Attribution | None = None
    actors: list[Actor] = Field(default_factory=list)
    """The actors the source names, in its own words: a dyad (side_a/side_b) when it
    does not attribute the act, a perpetrator when it does."""
    target: Target | None = None
    personnel: Personnel | None = None
    casualties: Casualties | None = None
    narrative: str = ""
    evidence: list[EvidenceRef] = Field(default_factory=list)
    supersedes: str | None = None
    """The id of a report this one corrects."""
    properties: dict[str, Any] = Field(default_factory=dict)
    """Anything else the source said, kept verbatim."""
    restriction: (
        Literal["denial", "conditional_access", "delay", "other_impediment"] | None
    ) = None
    """For a restriction of the monitors' movement: the SMM's category (denial
    of access, conditional access, delay, other impediments)."""


# ------------------------------------------------------------------ ids

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(at_ms: int | None = None, entropy: bytes | None = None) -> str:
    """A ULID: 48 bits of Unix milliseconds then 80 random bits, Crockford base32.

    Sorting the ids sorts the reports by creation time. Give ``entropy`` (10
    bytes) to make the id reproducible, e.g. from a source's own id.
    """
    ms = int(time.time() * 1000) if at_ms is None else at_ms
    tail = os.urandom(10) if entropy is None else entropy[:10].rjust(10, b"\0")
    value = (ms << 80) | int.from_bytes(tail, "big")

    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


# ------------------------------------------------------ location precision

# Radii for the precision codes of the datasets we import. The codes are
# documented (DOMAIN.md §4); the radii are our reading of them.
UCDP_WHERE_PREC_M = {1: 1_000, 2: 25_000, 3: 50_000, 4: 150_000, 5: 300_000, 6: 700_000}
ACLED_GEO_PRECISION_M = {1: 2_000, 2: 15_000, 3: 50_000}


def precision_from_ucdp(where_prec: int) -> float | None:
    """Radius in metres for UCDP where_prec 1–6; None for 7 (water or airspace)."""
    return UCDP_WHERE_PREC_M.get(where_prec)


def precision_from_acled(geo_precision: int) -> float | None:
    """Radius in metres for ACLED geo_precision 1–3."""
    return ACLED_GEO_PRECISION_M.get(geo_precision)
