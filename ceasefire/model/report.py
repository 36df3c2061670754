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
from ceasefire.model.vocabulary import (
    ACLED_GEO_PRECISION_M,
    UCDP_WHERE_PREC_M,
    Grade,
    TimePrecision,
)

EventType = Literal[
    "shelling", "small_arms", "armed_clash", "one_sided_attack", "explosion",
    "air_strike", "drone_strike", "missile_strike", "ground_assault",
    "heavy_weapon_present", "weapon_missing", "troop_presence",
    "movement_restricted", "uav_jamming", "uav_fired_upon", "mines_uxo",
    "drone_flight", "other",
]  # fmt: skip
"""The ACT only: what was done. What it caused (casualties, damage) and what it
hit (target) are separate fields. See vocabulary.EVENT_TYPES."""
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
    """When it was observed, and how precisely that is known.

    Half-open: the event lies in ``[start, end)``; ``end`` is EXCLUSIVE. A
    day-precision event of 19 Feb 2015 in Kyiv is ``[2015-02-19T00:00+02:00,
    2015-02-20T00:00+02:00)``. Without ``end``, the event lies in ``[start,
    start + one precision unit)``. ``precision`` says how well the source knew
    the time; it never stretches an ``end`` the source gave.
    """

    start: Time
    end: Time | None = None
    """Exclusive end: the first instant after the event."""
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
    area: list[str] | None = None
    """When the source names an area, not a point: the bundled admin units it
    names ("UA" the country, "UA-46" an oblast by ISO 3166-2, "UA-46:Stryiskyi
    Raion" a raion). Compliance then measures distance and inside/outside over
    the whole area (an interval), not from ``lon``/``lat``."""


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
    damage: list[TargetCategory] = Field(default_factory=list)
    """Effect: the kinds of objects the source says were damaged or destroyed
    (the act is ``event_type``, what it was aimed at is ``target``)."""
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

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Bodies logged before the act/effect split load as today's reports."""
        return migrate_body(data) if isinstance(data, dict) else data


# ------------------------------------------------- legacy bodies (issue 11)

LEGACY_EVENT_TYPES = frozenset(
    {"civilian_harm", "infrastructure_damage", "monitor_uav_interference"}
)
"""Event types of bodies logged before issue 11: effects, or two acts in one."""

_ACT_OF_WEAPON = {
    "small_arms": "small_arms", "mortar": "shelling", "artillery": "shelling",
    "mlrs": "shelling", "tank": "shelling", "ifv": "shelling",
    "tactical_missile": "missile_strike", "cruise_missile": "missile_strike",
    "ballistic_missile": "missile_strike", "aircraft": "air_strike",
    "helicopter": "air_strike", "uav": "drone_strike",
    "loitering_munition": "drone_strike", "mine": "mines_uxo",
}  # fmt: skip
_ACT_OF_UCDP_VIOLENCE = {
    "1": "armed_clash",
    "2": "armed_clash",
    "3": "one_sided_attack",
}
_ACT_OF_ACLED = {
    "Armed clash": "armed_clash",
    "Attack": "one_sided_attack",
    "Abduction/forced disappearance": "one_sided_attack",
    "Sexual violence": "one_sided_attack",
    "Excessive force against protesters": "one_sided_attack",
    "Remote explosive/landmine/IED": "mines_uxo",
}


def legacy_act(body: dict[str, Any]) -> str:
    """The act a pre-issue-11 body supports: its weapon, its source's own type, else other."""
    old = body.get("event_type")
    if old == "monitor_uav_interference":  # jamming is not fire: fire needs a weapon
        return "uav_fired_upon" if body.get("weapon") else "uav_jamming"
    properties = body.get("properties") or {}
    weapon = (body.get("weapon") or {}).get("class")
    violence = str(properties.get("type_of_violence") or "")
    sub_event = str(properties.get("sub_event_type") or "")
    return (
        _ACT_OF_WEAPON.get(str(weapon))
        or _ACT_OF_UCDP_VIOLENCE.get(violence)
        or _ACT_OF_ACLED.get(sub_event)
        or "other"
    )


def act_of(body: dict[str, Any]) -> str:
    """A logged body's act, as today's vocabulary names it (see migrate_body)."""
    return str(migrate_body(body)["event_type"])


def migrate_body(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of a logged body with a legacy event type replaced by its act.

    Casualties and target are kept; infrastructure damage also becomes the
    ``damage`` effect (the target's category, when the body names one). A
    body without a legacy type, or an UCDP body read as small arms before
    issue 11, comes back with its act corrected; anything else unchanged.
    """
    old = body.get("event_type")
    properties = body.get("properties") or {}
    if (
        old == "small_arms"
        and "type_of_violence" in properties
        and not body.get("weapon")
    ):  # UCDP GED bodies before issue 11: GED names no weapon
        return {**body, "event_type": legacy_act(body)}
    if old not in LEGACY_EVENT_TYPES:
        return body
    new = {**body, "event_type": legacy_act(body)}
    target = (body.get("target") or {}).get("category")
    if old == "infrastructure_damage" and target and not body.get("damage"):
        new["damage"] = [target]
    return new


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

# The radii of the precision codes are in model/vocabulary.py, with the time units.


def precision_from_ucdp(where_prec: int) -> float | None:
    """Radius in metres for UCDP where_prec 1–6; None for 7 (water or airspace)."""
    return UCDP_WHERE_PREC_M.get(where_prec)


def precision_from_acled(geo_precision: int) -> float | None:
    """Radius in metres for ACLED geo_precision 1–3."""
    return ACLED_GEO_PRECISION_M.get(geo_precision)
