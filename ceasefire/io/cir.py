"""Centre for Information Resilience "Russia–Ukraine Monitor" events CSV.

Geolocated OSINT events. The event type comes from the ``event_group``
column, whose names carry a month or period ("… March 2022"); unknown groups
are rejected with their name, so a renamed group is noticed, not mislabelled.
"""

from __future__ import annotations

from ceasefire.io.base import Importer, RowError, parse_date, parse_float, stable_id
from ceasefire.model.report import Report

# event_group prefix → (event type, target category, attributed party)
GROUPS: list[tuple[str, str, str | None, str | None]] = [
    ("Civilian Infrastructure Damage", "infrastructure_damage", "civilian", None),
    ("Military Infrastructure Damage", "infrastructure_damage", "military", None),
    ("Civilian Casualty", "civilian_harm", "civilian", None),
    ("Mass grave or Burial", "civilian_harm", "civilian", None),
    ("Bombing or Explosion", "explosion", None, None),
    ("Russian Military Presence", "troop_presence", None, "ru"),
    ("Russian Allies Presence", "troop_presence", None, None),
    ("Russian Firing Positions", "heavy_weapon_present", None, "ru"),
    ("Russian Military Losses", "ground_assault", None, None),
    ("Ukrainian Military Losses", "ground_assault", None, None),
    ("Ground Battle", "ground_assault", None, None),
    ("Munitions", "mines_uxo", None, None),
    ("Detentions or Arrests", "other", None, None),
    ("Other", "other", None, None),
]
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


def classify(group: str) -> tuple[str, str | None, str | None]:
    """Event type, target and party for an event group name."""
    for prefix, event_type, target, party in GROUPS:
        if group.startswith(prefix):
            return event_type, target, party
    known = ", ".join(prefix for prefix, *_ in GROUPS)
    raise RowError(
        "event_group", group, f"unknown event group; expected one starting with {known}"
    )


def to_report(row: dict[str, str]) -> Report:
    """One CIR row as a report."""
    if not row.get("date"):
        raise RowError("date", row.get("date"), "missing date; expected YYYY-MM-DD")
    moment = parse_date("date", row["date"])
    event_type, target, party = classify(row["event_group"])
    data = {
        "id": stable_id("cir", row["entry"], moment),
        "source_report_id": f"cir-{row['entry']}",
        "source": {
            "type": "osint_item",
            "id": "cir-russia-ukraine-monitor",
            "name": "Centre for Information Resilience",
            "reliability": "B",
            "credibility": 2,
            "derived_from": row.get("link") or None,
        },
        "observed": {"start": moment, "precision": "day"},
        "reported_at": moment,
        "location": {
            "lon": parse_float("lon", row["lon"], -180, 180),
            "lat": parse_float("lat", row["lat"], -90, 90),
            "precision_m": 1_000.0,  # geolocated to a visible place
            "place": row.get("town/city") or None,
        },
        "event_type": event_type,
        "narrative": (row.get("brief description") or row.get("title") or "")[:1000],
        "evidence": [],
        "properties": {
            k: v
            for k, v in row.items()
            if v
            and k
            in (
                "event_group",
                "title",
                "country",
                "province",
                "district",
                "arms/munition",
                "violence level",
                "link",
                "geolocation",
            )
        },
    }
    if target:
        data["target"] = {"category": target}
    if party:
        data["attribution"] = {"party": party, "confidence": "medium"}
    return Report.model_validate(data)


IMPORTER = Importer(
    "cir", "CIR / Bellingcat Russia–Ukraine Monitor events CSV", COLUMNS, to_report
)
