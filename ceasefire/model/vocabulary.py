"""Controlled vocabularies shared by agreements, reports and the predicate language.

The event types follow the issue-3 report schema; each maps onto ACLED, UCDP,
CAMEO and OSCE categories in the importers. Keeping the lists here lets the
predicate checker reject a misspelt value when an agreement loads.
"""

from __future__ import annotations

from typing import Literal, get_args

EVENT_TYPES: tuple[str, ...] = (
    "shelling",
    "small_arms",
    "explosion",
    "air_strike",
    "drone_strike",
    "missile_strike",
    "ground_assault",
    "heavy_weapon_present",
    "weapon_missing",
    "troop_presence",
    "movement_restricted",
    "monitor_uav_interference",
    "civilian_harm",
    "infrastructure_damage",
    "mines_uxo",
    "drone_flight",
)

WEAPON_CLASSES: tuple[str, ...] = (
    "small_arms",
    "mortar",
    "artillery",
    "mlrs",
    "tactical_missile",
    "cruise_missile",
    "ballistic_missile",
    "tank",
    "ifv",
    "atgm",
    "air_defence",
    "aircraft",
    "helicopter",
    "uav",
    "loitering_munition",
    "mine",
)

TARGET_CATEGORIES: tuple[str, ...] = (
    "civilian",
    "residential",
    "power",
    "heating",
    "water",
    "health",
    "education",
    "transport",
    "communications",
    "food",
    "religious",
    "cultural",
    "industrial",
    "government",
    "military",
    "monitors",
)

PERSONNEL_CATEGORIES: tuple[str, ...] = (
    "combat_unit",
    "permanent_base",
    "trainer",
    "liaison_officer",
    "cross_border_air_patrol",
    "contractor",
    "volunteer",
    "mercenary",
    "peacekeeper",
    "monitor",
    "embassy_guard",
    "medical",
)

SOURCE_TYPES: tuple[str, ...] = (
    "monitor_patrol",
    "fixed_camera",
    "uav",
    "acoustic_sensor",
    "radar",
    "satellite_scene",
    "osint_item",
    "party_report",
    "media",
)

Method = Literal[
    "satellite",
    "uav",
    "sensor",
    "radar",
    "on_site_inspection",
    "patrol",
    "osint",
    "party_declaration",
    "document_review",
]
VERIFICATION_METHODS: tuple[str, ...] = get_args(Method)

State = Literal[
    "reported",
    "corroborated",
    "verified",
    "disputed",
    "dismissed",
]
INCIDENT_STATES: tuple[str, ...] = get_args(State)

Role = Literal["party", "guarantor", "mediator", "monitor", "observer"]
PARTY_ROLES: tuple[str, ...] = get_args(Role)

Grade = Literal["A", "B", "C", "D", "E", "F"]
RELIABILITY_GRADES: tuple[str, ...] = get_args(Grade)
"""Admiralty code: source reliability, A (completely reliable) to F (cannot be judged)."""

# Categories that drafters of a "foreign troops" clause are known to leave open
# (the scenario text asks exactly these questions). The linter checks that a
# definition whose includes touch personnel either includes or excludes each.
KNOWN_OPEN_CATEGORIES: dict[str, tuple[str, ...]] = {
    "personnel": (
        "trainer",
        "liaison_officer",
        "cross_border_air_patrol",
        "permanent_base",
        "contractor",
    ),
    "weapon": (
        "mortar",
        "tank",
        "mlrs",
        "tactical_missile",
        "uav",
        "loitering_munition",
    ),
    "target": ("power", "heating", "water", "health", "education", "residential"),
}
