"""Official Ukrainian air-raid alerts CSV (``official_data_en_*.csv.gz``).

Columns (Vadimkin/ukrainian-air-raid-sirens-dataset, official channel):

- ``oblast``: the oblast in Latin transliteration ("Vinnytska oblast") or
  "Kyiv City";
- ``raion``, ``hromada``: the post-2020 raion and hromada names, empty for an
  oblast-wide alert;
- ``level``: ``oblast``, ``raion`` or ``hromada`` — how much of the oblast
  the alert covers;
- ``started_at``, ``finished_at``: ISO timestamps with ``+00:00``;
- ``source``: always ``official``.

An alert is a threat signal, not an impact, and the vocabulary has no alert
type: each alert is a report of event type ``other``, observed from
``started_at`` to ``finished_at`` (second precision), with the alert's fields
in properties (``alert_type`` = "air_raid", ``level``, ``started_at``,
``finished_at``, ``region``, ``raion``, ``hromada``, ``duration_s``).

Location: the centroid of the oblast named in ``oblast`` (a point on its
surface when the centroid falls outside, as Odesa's does), matched through
``OBLASTS`` to the bundled geoBoundaries ADM1 names; the radius is the
oblast's equivalent-circle radius, sqrt(area / π). Raion and hromada alerts
are placed at their oblast too (the bundled ADM2 raions are the pre-2020
ones, so the names do not match); the narrower area stays in properties.
A row whose oblast cannot be placed is rejected naming the value.

The file has no alert id: the source id is
``oblast|raion|hromada|level|started_at``, unique in the file.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import lru_cache

from ceasefire.geo.boundaries import admin_units
from ceasefire.geo.crs import area_km2
from ceasefire.io.base import UKRAINE, Importer, RowError, stable_id
from ceasefire.model.report import Report

COLUMNS = frozenset(
    {"oblast", "raion", "hromada", "level", "started_at", "finished_at", "source"}
)
LEVELS = frozenset({"oblast", "raion", "hromada"})

# The dataset's names → the bundled ADM1 names.
OBLASTS = {
    "Cherkaska oblast": "Cherkasy Oblast",
    "Chernihivska oblast": "Chernihiv Oblast",
    "Chernivetska oblast": "Chernivtsi Oblast",
    "Dnipropetrovska oblast": "Dnipropetrovsk Oblast",
    "Donetska oblast": "Donetsk Oblast",
    "Ivano-Frankivska oblast": "Ivano-Frankivsk Oblast",
    "Kharkivska oblast": "Kharkiv Oblast",
    "Khersonska oblast": "Kherson Oblast",
    "Khmelnytska oblast": "Khmelnytskyi Oblast",
    "Kirovohradska oblast": "Kirovohrad Oblast",
    "Kyiv City": "Kyiv",
    "Kyivska oblast": "Kyiv Oblast",
    "Luhanska oblast": "Luhansk Oblast",
    "Lvivska oblast": "Lviv Oblast",
    "Mykolaivska oblast": "Mykolaiv Oblast",
    "Odeska oblast": "Odessa Oblast",
    "Poltavska oblast": "Poltava Oblast",
    "Rivnenska oblast": "Rivne Oblast",
    "Sumska oblast": "Sumy Oblast",
    "Ternopilska oblast": "Ternopil Oblast",
    "Vinnytska oblast": "Vinnytsia Oblast",
    "Volynska oblast": "Volyn Oblast",
    "Zakarpatska oblast": "Zakarpattia Oblast",
    "Zaporizka oblast": "Zaporizhia Oblast",
    "Zhytomyrska oblast": "Zhytomyr Oblast",
    "Avtonomna Respublika Krym": "Autonomous Republic of Crimea",
    "m. Sevastopol": "Sevastopol",
}


@lru_cache(maxsize=1)
def places() -> dict[str, tuple[float, float, float, str | None]]:
    """Dataset oblast name → (lon, lat, radius in metres, ISO code)."""
    units = {unit.name: unit for unit in admin_units(1)}
    found = {}
    for name, adm1 in OBLASTS.items():
        unit = units[adm1]
        centre = unit.geometry.centroid
        if not unit.geometry.contains(centre):  # Odesa oblast curls round Transnistria
            centre = unit.geometry.point_on_surface()
        radius = math.sqrt(area_km2(unit.geometry) * 1e6 / math.pi)
        found[name] = (float(centre.x), float(centre.y), radius, unit.iso)
    return found


def moment(column: str, value: str) -> datetime:
    """An ISO timestamp with an offset, or a RowError naming the column."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RowError(
            column, value, "not a timestamp; expected YYYY-MM-DD HH:MM:SS+00:00"
        ) from None
    if parsed.tzinfo is None:
        raise RowError(column, value, "no time zone; expected an offset like +00:00")
    return parsed


def place_of(column: str, oblast: str) -> tuple[float, float, float, str | None]:
    """(lon, lat, radius, ISO code) of an oblast named as the datasets name it."""
    place = places().get(oblast)
    if place is None:
        raise RowError(
            column, oblast, "unknown oblast; expected a name like 'Vinnytska oblast'"
        )
    return place


def alert_report(
    source: dict[str, object],
    key: str,
    place: tuple[str, str],
    span: tuple[datetime, datetime | None],
    narrative: str,
    properties: dict[str, object],
) -> Report:
    """An alert over ``oblast`` during ``span`` as an ``other`` report.

    ``place`` is (column, oblast name as the datasets spell it). Shared by the
    official and the volunteer alert files: the same place, radius, time
    precision and property names; only the source differs.
    """
    column, oblast = place
    lon, lat, radius, iso = place_of(column, oblast)
    start, end = span
    return Report.model_validate(
        {
            "id": stable_id(str(source["dataset"]), key, start),
            "source_report_id": f"air-raid-alert-{key}",
            "source": {k: v for k, v in source.items() if k != "dataset"},
            "observed": {"start": start, "end": end, "precision": "second"},
            "reported_at": start,
            "location": {
                "lon": lon,
                "lat": lat,
                "precision_m": radius,
                "place": oblast,
            },
            "event_type": "other",
            "narrative": narrative,
            "properties": {
                "alert_type": "air_raid",
                **properties,
                "region": oblast,
                "region_iso": iso,
                "duration_s": (end - start).total_seconds() if end else None,
            },
        }
    )


OFFICIAL = {
    "dataset": "air-raid-alerts-official",
    "type": "party_report",
    "id": "ua-air-raid-alert-official",
    "name": "Ukraine official air-raid alert system",
    "reliability": "A",
    "credibility": 1,
    "derived_from": "ua-air-raid-alert-system",
}


def to_report(row: dict[str, str]) -> Report:
    """One alert as a report."""
    oblast = row["oblast"]
    place_of("oblast", oblast)  # the place is checked before the other fields
    level = row["level"]
    if level not in LEVELS:
        raise RowError("level", level, "unknown level; expected oblast, raion, hromada")
    start = moment("started_at", row["started_at"])
    end = moment("finished_at", row["finished_at"]) if row["finished_at"] else None
    key = "|".join([oblast, row["raion"], row["hromada"], level, row["started_at"]])
    area = row["hromada"] or row["raion"] or oblast
    return alert_report(
        OFFICIAL,
        key,
        ("oblast", oblast),
        (start, end),
        f"Air-raid alert ({level}): {area}",
        {
            "level": level,
            "started_at": row["started_at"],
            "finished_at": row["finished_at"] or None,
            "raion": row["raion"] or None,
            "hromada": row["hromada"] or None,
            "channel": row.get("source"),
        },
    )


IMPORTER = Importer(
    "alerts",
    "Official Ukrainian air-raid alerts CSV (oblast, raion, hromada, level, times)",
    COLUMNS,
    to_report,
    scope=UKRAINE,
    country="Ukraine",
)
