"""Ukrainian Air Force daily missile and drone reports (``missile_attacks_daily*.csv``).

Each row is one statement of the Air Force (or a regional air command) about
one weapon type over one night or day: how many were launched and how many
were destroyed. Mapping (Kaggle "Massive Missile Attacks on Ukraine"
columns):

- **time**: ``time_start``/``time_end`` are Kyiv local time, "YYYY-MM-DD
  HH:MM" (minute precision) or "YYYY-MM-DD" (day precision; a date-only end
  means the end of that day). Converted to UTC. An end before the start is
  rejected.
- **weapon**: ``model`` → class through ``MODELS`` (Shahed-136/131 →
  loitering_munition, Iskander-M → ballistic_missile, Kalibr →
  cruise_missile, S-300 used against ground targets → tactical_missile …);
  ``count`` = ``launched``. A row naming several models ("X-101/X-555 and
  Kalibr") gets their common class, or none when they differ (each model's
  class is in ``properties.weapon_classes``). An unknown model is rejected
  naming it, so a new weapon is noticed rather than mislabelled.
- **event type**: missile_strike when any missile is named; drone_strike for
  attack or unidentified drones; drone_flight when every model is a
  reconnaissance drone (Orlan-10, ZALA, Supercam …: shot down, not striking);
  air_strike for guided bombs.
- **counts**: ``launched`` → ``weapon.count``; ``destroyed``,
  ``not_reach_goal``, ``still_attacking``, hits and the rest stay verbatim in
  properties. A row without ``launched`` is rejected (a count of 1 would be
  invented).
- **place**: the reports name areas, not points: ``target`` ("Odesa oblast
  and Mykolaiv oblast", "Kryvyi Rih", "south", "Ukraine") is placed by
  ``ceasefire/io/areas.py``: the centroid of the named oblasts with a radius
  covering them all; a city stands for its oblast; Air Command regions
  ("south", "east"), "Ukraine" and an empty target give the whole country
  (radius ≈ 695 km). The unplaced words are kept in
  ``properties.unplaced_target``. ``location.area`` names the same oblasts
  (ISO codes), or the whole country when any part of the target could not be
  placed, so compliance measures over the area, not from the centroid.
- **source**: a ``party_report`` of the Ukrainian Air Force, graded as a
  party's claim: reliability C (a party to the war, with an interest in the
  figures), credibility 3 (possibly true: not independently confirmed);
  ``properties.claim_by`` = ``ua``.
  ``source.id`` is the account (``kpszsu``, ``PvKPivden`` …), ``derived_from``
  the post. Attribution: Russia (``ru``), the attacker the report names.

The source id is ``time_start|time_end|model|launch_place|target|source``
(unique in the file: one post can list the same model for two targets).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ceasefire.io.areas import area, area_codes
from ceasefire.io.base import Importer, RowError, stable_id
from ceasefire.model.report import Report

KYIV = ZoneInfo("Europe/Kyiv")
COLUMNS = frozenset(
    {"time_start", "time_end", "model", "launched", "destroyed", "target", "source"}
)
KEPT = (
    "launch_place", "target", "target_main", "launched", "destroyed",
    "not_reach_goal", "still_attacking", "border_crossing", "is_shahed",
    "num_hit_location", "num_fall_fragment_location", "carrier", "turbojet",
    "turbojet_destroyed", "affected region", "destroyed_details",
    "launched_details", "launch_place_details",
)  # fmt: skip

# model → (weapon class, kind); kind: missile, drone (attack or unknown),
# recon (reconnaissance drone), bomb.
MODELS: dict[str, tuple[str | None, str]] = {
    "Shahed-136/131": ("loitering_munition", "drone"),
    "Lancet": ("loitering_munition", "drone"),
    "Молнія": ("loitering_munition", "drone"),  # Molniya
    "Kub": ("loitering_munition", "drone"),  # KUB-BLA
    "Привет-82": ("loitering_munition", "drone"),  # Privet-82
    "Unknown UAV": ("uav", "drone"),
    "Mohajer-6": ("uav", "drone"),
    "Orion": ("uav", "drone"),
    "Forpost": ("uav", "drone"),
    "Фенікс": ("uav", "drone"),  # Feniks, role not stated
    "Reconnaissance UAV": ("uav", "recon"),
    "Orlan-10": ("uav", "recon"),
    "Orlan-30": ("uav", "recon"),
    "Supercam": ("uav", "recon"),
    "ZALA": ("uav", "recon"),
    "Merlin-VR": ("uav", "recon"),
    "Eleron": ("uav", "recon"),
    "Granat-4": ("uav", "recon"),
    "Картограф": ("uav", "recon"),  # Kartograf
    "Iskander-M": ("ballistic_missile", "missile"),
    "Iskander-M/KN-23": ("ballistic_missile", "missile"),
    "KN-23": ("ballistic_missile", "missile"),
    "X-47 Kinzhal": ("ballistic_missile", "missile"),
    "Ballistic Missile": ("ballistic_missile", "missile"),
    "Intercontinental Ballistic Missile": ("ballistic_missile", "missile"),
    "Iskander-K": ("cruise_missile", "missile"),
    "Kalibr": ("cruise_missile", "missile"),
    "X-101/X-555": ("cruise_missile", "missile"),
    "X-22": ("cruise_missile", "missile"),
    "X-32": ("cruise_missile", "missile"),
    "X-35": ("cruise_missile", "missile"),
    "X-59": ("cruise_missile", "missile"),
    "X-59/X-69": ("cruise_missile", "missile"),
    "X-59MK2": ("cruise_missile", "missile"),
    "X-69": ("cruise_missile", "missile"),
    "3M22 Zircon": ("cruise_missile", "missile"),
    "P-800 Oniks": ("cruise_missile", "missile"),
    "Banderol": ("cruise_missile", "missile"),
    "X-31": ("tactical_missile", "missile"),
    "X-31P": ("tactical_missile", "missile"),
    "X-31PD": ("tactical_missile", "missile"),
    "C-300": ("tactical_missile", "missile"),  # S-300 fired at ground targets
    "C-400": ("tactical_missile", "missile"),
    "C-300/C-400": ("tactical_missile", "missile"),
    "Unknown Missile": (None, "missile"),
    "GBU": (None, "bomb"),
    "Aerial Bomb": (None, "bomb"),
}
EVENT_BY_KINDS = {
    frozenset({"recon"}): "drone_flight",
    frozenset({"drone"}): "drone_strike",
    frozenset({"drone", "recon"}): "drone_strike",
    frozenset({"bomb"}): "air_strike",
}


def weapon_of(model: str) -> tuple[str | None, str, list[str | None]]:
    """Common weapon class, event type and each part's class for a model text."""
    parts = [part.strip() for part in model.split(" and ")]
    unknown = [part for part in parts if part not in MODELS]
    if not model.strip() or unknown:
        raise RowError(
            "model",
            model,
            f"unknown weapon model {unknown[0] if unknown else ''!r}; expected one of"
            f" {', '.join(MODELS)}",
        )
    classes = [MODELS[part][0] for part in parts]
    kinds = frozenset(MODELS[part][1] for part in parts)
    common = classes[0] if len(set(classes)) == 1 else None
    return common, EVENT_BY_KINDS.get(kinds, "missile_strike"), classes


def local_time(column: str, value: str, *, end: bool = False) -> tuple[datetime, str]:
    """A Kyiv local "YYYY-MM-DD[ H:MM]" in UTC, and its precision."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text)
            moment = day + timedelta(days=1) if end else day
            return moment.replace(tzinfo=KYIV).astimezone(UTC), "day"
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M")  # noqa: DTZ007 local, set next
    except ValueError:
        raise RowError(
            column, value, "not a time; expected YYYY-MM-DD HH:MM or YYYY-MM-DD"
        ) from None
    return moment.replace(tzinfo=KYIV).astimezone(UTC), "minute"


def count(column: str, value: str) -> int | None:
    """A whole count written as "93.0", or None when empty."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number < 0 or not number.is_integer():
        raise RowError(column, value, "not a count; expected a whole number ≥ 0")
    return int(number)


def to_report(row: dict[str, str]) -> Report:
    """One daily launch/interception statement as a report."""
    start, start_precision = local_time("time_start", row["time_start"])
    end, end_precision = local_time("time_end", row["time_end"], end=True)
    if end < start:
        raise RowError(
            "time_end", row["time_end"], f"before time_start {row['time_start']!r}"
        )
    weapon_class, event_type, classes = weapon_of(row["model"])
    launched = count("launched", row["launched"])
    if not launched:
        raise RowError(
            "launched", row["launched"], "no launch count; expected a number ≥ 1"
        )
    destroyed = count("destroyed", row["destroyed"])
    placed = area(row["target"])
    post = row["source"].strip()
    key = "|".join(
        row[c] for c in ("time_start", "time_end", "model", "launch_place", "target")
    )
    precision = "day" if "day" in (start_precision, end_precision) else "minute"
    return Report.model_validate(
        {
            "id": stable_id("ua-air-force", f"{key}|{post}", start),
            "source_report_id": f"ua-air-force-{key}",
            "source": {
                "type": "party_report",
                "id": post.split("/")[0] or "kpszsu",
                "name": "Ukrainian Air Force",
                "reliability": "C",
                "credibility": 3,
                "derived_from": post or None,
            },
            "observed": {"start": start, "end": end, "precision": precision},
            "reported_at": end,
            "location": {
                "lon": placed.lon,
                "lat": placed.lat,
                "precision_m": placed.radius_m,
                "place": row["target"] or "Ukraine",
                "area": area_codes(placed),
            },
            "event_type": event_type,
            "weapon": {"class": weapon_class, "model": row["model"], "count": launched},
            "attribution": {"party": "ru", "confidence": "high"},
            "actors": [
                {"scheme": "ua-air-force", "name": "Russia", "role": "perpetrator"}
            ],
            "narrative": (
                f"{row['model']}: {launched} launched, {destroyed} destroyed"
                f" (target: {row['target'] or 'not stated'})"
            ),
            "properties": {
                **{k: row[k] for k in KEPT if row.get(k)},
                "destroyed_count": destroyed,
                "claim_by": "ua",
                "weapon_classes": classes,
                "placed_in": list(placed.units),
                "unplaced_target": list(placed.unplaced),
            },
        }
    )


IMPORTER = Importer(
    "missiles",
    "Ukrainian Air Force daily missile/drone reports CSV (model, launched, destroyed)",
    COLUMNS,
    to_report,
)
