"""Controlled vocabularies shared by agreements, reports and the predicate language.

The event types are ACTS only (issue 11): what was done. What an act caused
(casualties, damage) and what it hit (target) are separate report fields, so
"civilian harm" and "infrastructure damage" are not event types; old logs
that used them are migrated on read (``model.report.migrate_body``). Each act
maps onto ACLED, UCDP, CAMEO and OSCE categories in the importers. Keeping the lists here lets the
predicate checker reject a misspelt value when an agreement loads.
"""

from __future__ import annotations

from typing import Literal, get_args

EVENT_TYPES: tuple[str, ...] = (
    "shelling",
    "small_arms",
    "armed_clash",
    "one_sided_attack",
    "explosion",
    "air_strike",
    "drone_strike",
    "missile_strike",
    "ground_assault",
    "heavy_weapon_present",
    "weapon_missing",
    "troop_presence",
    "movement_restricted",
    "uav_jamming",
    "uav_fired_upon",
    "mines_uxo",
    "drone_flight",
    "other",
)
"""Acts. ``armed_clash``: fighting where the source gives no weapon detail (UCDP
state-based and non-state violence, ACLED Battles). ``one_sided_attack``: an
attack on people who do not fight back (UCDP one-sided violence, ACLED Violence
against civilians). ``mines_uxo``: a mine, UXO or IED going off — never fire.
``uav_jamming`` (signal interference) and ``uav_fired_upon`` are separate: jamming
is not fire."""

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

# How each event type maps onto the field's other vocabularies, so importers
# and exporters agree. ACLED: "event type: sub-event type"; UCDP: type of
# violence (1 state-based, 2 non-state, 3 one-sided); CAMEO: event code;
# OSCE: the SMM daily-report category. None where the vocabulary has no match.
EVENT_TYPE_MAPPINGS: dict[str, dict[str, str | int | None]] = {
    "shelling": {
        "acled": "Explosions/Remote violence: Shelling/artillery/missile attack",
        "ucdp": 1,
        "cameo": "194",
        "osce": "ceasefire violation: explosion",
    },
    "small_arms": {
        "acled": "Battles: Armed clash",
        "ucdp": 1,
        "cameo": "193",
        "osce": "ceasefire violation: bursts and shots",
    },
    "armed_clash": {
        "acled": "Battles: Armed clash",
        "ucdp": 1,
        "cameo": "190",
        "osce": "ceasefire violation",
    },
    "one_sided_attack": {
        "acled": "Violence against civilians: Attack",
        "ucdp": 3,
        "cameo": "180",
        "osce": "civilian casualties",
    },
    "explosion": {
        "acled": "Explosions/Remote violence: Remote explosive/landmine/IED",
        "ucdp": 1,
        "cameo": "190",
        "osce": "ceasefire violation: explosion",
    },
    "air_strike": {
        "acled": "Explosions/Remote violence: Air/drone strike",
        "ucdp": 1,
        "cameo": "195",
        "osce": "ceasefire violation: explosion",
    },
    "drone_strike": {
        "acled": "Explosions/Remote violence: Air/drone strike",
        "ucdp": 1,
        "cameo": "195",
        "osce": "ceasefire violation: explosion",
    },
    "missile_strike": {
        "acled": "Explosions/Remote violence: Shelling/artillery/missile attack",
        "ucdp": 1,
        "cameo": "195",
        "osce": "ceasefire violation: explosion",
    },
    "ground_assault": {
        "acled": "Battles: Armed clash",
        "ucdp": 1,
        "cameo": "192",
        "osce": "ceasefire violation",
    },
    "heavy_weapon_present": {
        "acled": "Strategic developments: Other",
        "ucdp": None,
        "cameo": "154",
        "osce": "weapons in violation of withdrawal lines",
    },
    "weapon_missing": {
        "acled": "Strategic developments: Other",
        "ucdp": None,
        "cameo": None,
        "osce": "weapons missing from storage sites",
    },
    "troop_presence": {
        "acled": "Strategic developments: Headquarters or base established",
        "ucdp": None,
        "cameo": "154",
        "osce": "presence of armed personnel",
    },
    "movement_restricted": {
        "acled": "Strategic developments: Other",
        "ucdp": None,
        "cameo": "191",
        "osce": "restriction of freedom of movement",
    },
    "uav_jamming": {
        "acled": "Strategic developments: Disrupted weapons use",
        "ucdp": None,
        "cameo": "171",
        "osce": "UAV signal interference",
    },
    "uav_fired_upon": {
        "acled": "Strategic developments: Disrupted weapons use",
        "ucdp": None,
        "cameo": "190",
        "osce": "UAV fired upon",
    },
    "mines_uxo": {
        "acled": "Explosions/Remote violence: Remote explosive/landmine/IED",
        "ucdp": None,
        "cameo": None,
        "osce": "mines and UXO",
    },
    "drone_flight": {
        "acled": None,
        "ucdp": None,
        "cameo": "150",
        "osce": "UAV sighted",
    },
}

# ------------------------------------------------------------ precision
# One table for how precisely a report's time and place are known: every
# importer, the fact-finding clustering and the compliance facts read it.

TimePrecision = Literal["second", "minute", "hour", "day", "week", "month", "year"]
TIME_PRECISIONS: tuple[str, ...] = get_args(TimePrecision)

PRECISION_SECONDS: dict[str, int] = {
    "second": 1,
    "minute": 60,
    "hour": 3_600,
    "day": 86_400,
    "week": 7 * 86_400,
    "month": 31 * 86_400,
    "year": 366 * 86_400,
}
"""Length of the unit a time is known to: 2015-03-01 at day precision is any
instant of that day, so a span with no end lasts one unit from its start.
A month and a year are their longest (31 and 366 days), so a span never
leaves out an instant the source may have meant."""

UCDP_DATE_PREC: dict[str, TimePrecision] = {
    "1": "day",
    "2": "week",
    "3": "week",
    "4": "month",
    "5": "year",
}
"""UCDP GED ``date_prec`` → the unit the date is known to (DOMAIN.md §4: 1 exact
date; 2 within 2–6 days; 3 a week; 4 a month; 5 a year)."""

ACLED_TIME_PRECISION: dict[str, TimePrecision] = {"1": "day", "2": "week", "3": "month"}
"""ACLED ``time_precision`` → unit (DOMAIN.md §4: 1 actual date; 2 within a week;
3 within a month)."""

UCDP_WHERE_PREC_M: dict[int, float] = {
    1: 1_000,
    2: 25_000,
    3: 50_000,
    4: 150_000,
    5: 300_000,
    6: 700_000,
}
"""UCDP GED ``where_prec`` 1–6 → radius in metres within which the place lies
(7, water or international airspace, has none). The codes are documented
(DOMAIN.md §4: 1 exact, 2 near a place, 3 ADM2, 4 ADM1, 5 larger than ADM1,
6 the country); the radii are our reading of them."""

ACLED_GEO_PRECISION_M: dict[int, float] = {1: 2_000, 2: 15_000, 3: 50_000}
"""ACLED ``geo_precision`` 1–3 → radius in metres (our reading, as above)."""
