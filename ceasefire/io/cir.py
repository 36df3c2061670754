"""Centre for Information Resilience "Russia–Ukraine Monitor" events CSV.

Geolocated OSINT events. The act comes from the ``event_group`` column, whose
names carry a month or period ("… March 2022"); unknown groups are rejected
with their name, so a renamed group is noticed, not mislabelled.

CIR's groups mostly name what was SEEN (damage, casualties, presence,
losses), not the act that caused it, so (``GROUPS``): damage and casualty
groups get act ``other`` with the effect (``damage``, ``target``) kept;
"Bombing or Explosion" is ``explosion``; "Ground Battle" and military losses
are ``armed_clash`` (fighting, no weapon detail; the side that lost is the
``target`` actor); "Munitions" (unexploded ordnance) is ``mines_uxo``;
Russian presence and firing positions are ``troop_presence`` and
``heavy_weapon_present`` with the Russian forces as the named actor. No
weapon class is set: ``arms/munition`` (filled in 2 % of rows) stays verbatim
in properties.

The date is a calendar day in Kyiv: ``[date 00:00 Kyiv, +1 day)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ceasefire.io.base import (
    KYIV,
    UKRAINE,
    Importer,
    RowError,
    id_moment,
    parse_date,
    parse_float,
    stable_id,
)
from ceasefire.model.report import Report


class Group(NamedTuple):
    """What a CIR event group says: act, target, damage, party, actor."""

    act: str
    target: str | None = None
    damage: str | None = None
    party: str | None = None
    actor: tuple[str, str] | None = None
    """(name, role) of the side the group names."""


RU = "Russian Armed Forces"
GROUPS: list[tuple[str, Group]] = [
    ("Civilian Infrastructure Damage", Group("other", "civilian", "civilian")),
    ("Military Infrastructure Damage", Group("other", "military", "military")),
    ("Civilian Casualty", Group("other", "civilian")),
    ("Mass grave or Burial", Group("other", "civilian")),
    ("Bombing or Explosion", Group("explosion")),
    ("Russian Military Presence", Group("troop_presence", party="ru", actor=(RU, "perpetrator"))),
    ("Russian Allies Presence", Group("troop_presence", actor=("Russian allies", "perpetrator"))),
    ("Russian Firing Positions", Group("heavy_weapon_present", party="ru", actor=(RU, "perpetrator"))),
    ("Russian Military Losses", Group("armed_clash", "military", "military", actor=(RU, "target"))),
    ("Ukrainian Military Losses", Group("armed_clash", "military", "military", actor=("Armed Forces of Ukraine", "target"))),
    ("Ground Battle", Group("armed_clash")),
    ("Munitions", Group("mines_uxo")),
    ("Detentions or Arrests", Group("other")),
    ("Other", Group("other")),
]  # fmt: skip
SOURCE = {
    "type": "osint_item",
    "id": "cir-russia-ukraine-monitor",
    "name": "Centre for Information Resilience",
    "reliability": "B",
    "credibility": 2,
}
"""B2: every event is geolocated, with a link to its proof (docs/intake.md)."""
COLUMNS = frozenset(
    {
        "entry",
        "date",
        "event_group",
        "title",
        "lat",
        "lon",
        "violence level",
        "geolocation",
    }
)


def classify(group: str) -> Group:
    """What an event group name says."""
    for prefix, found in GROUPS:
        if group.startswith(prefix):
            return found
    known = ", ".join(prefix for prefix, _ in GROUPS)
    raise RowError(
        "event_group", group, f"unknown event group; expected one starting with {known}"
    )


KEPT = (
    "event_group", "title", "country", "province", "district", "arms/munition",
    "violence level", "link", "geolocation",
)  # fmt: skip


def to_report(row: dict[str, str]) -> Report:
    """One CIR row as a report."""
    if not row.get("date"):
        raise RowError("date", row.get("date"), "missing date; expected YYYY-MM-DD")
    moment = parse_date("date", row["date"], KYIV)
    group = classify(row["event_group"])
    data: dict[str, Any] = {
        "id": stable_id("cir", row["entry"], id_moment(moment)),
        "source_report_id": f"cir-{row['entry']}",
        "source": {**SOURCE, "derived_from": row.get("link") or None},
        "observed": {"start": moment, "precision": "day"},
        "reported_at": moment,
        "location": {
            "lon": parse_float("lon", row["lon"], -180, 180),
            "lat": parse_float("lat", row["lat"], -90, 90),
            "precision_m": 1_000.0,  # geolocated to a visible place
            "place": row.get("town/city") or None,
        },
        "event_type": group.act,
        "narrative": (row.get("brief description") or row.get("title") or "")[:1000],
        "evidence": [],
        "properties": {k: v for k, v in row.items() if v and k in KEPT},
    }
    if group.target:
        data["target"] = {"category": group.target}
    if group.damage:
        data["damage"] = [group.damage]
    if group.party:
        data["attribution"] = {"party": group.party, "confidence": "medium"}
    if group.actor:
        name, role = group.actor
        data["actors"] = [{"scheme": "cir", "name": name, "role": role}]
    return Report.model_validate(data)


IMPORTER = Importer(
    "cir",
    "CIR / Bellingcat Russia–Ukraine Monitor events CSV",
    COLUMNS,
    to_report,
    scope=UKRAINE,  # strikes in Russia too; rows say their country themselves
)
