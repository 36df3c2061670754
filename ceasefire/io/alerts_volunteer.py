"""Volunteer (eTryvoga) Ukrainian air-raid alerts CSV (``volunteer_data_en_*.csv.gz``).

Columns (Vadimkin/ukrainian-air-raid-sirens-dataset, volunteer channel):
``region`` (an oblast in Latin transliteration, or "Kyiv City"),
``started_at``, ``finished_at`` (ISO with ``+00:00``) and ``naive``: True
when the channel never posted the end of the alert, in which case the
dataset sets ``finished_at`` to ``started_at`` + 30 minutes.

Mapped as the official alerts are (``ceasefire/io/alerts.py``): event type
``other``, the oblast's centroid with radius sqrt(area / π), the alert's
fields in properties. Two differences:

- a **naive** end is the dataset's guess, not an observation: the report's
  ``observed.end`` is left open and ``duration_s`` is None, while the guessed
  ``finished_at`` stays in properties with ``end_inferred`` = True;
- the **source** is an ``osint_item`` from the eTryvoga channel (reliability
  C, credibility 2) that relays the same sirens as the official channel, so
  ``derived_from`` is the same (``ua-air-raid-alert-system``) and the two
  files corroborate as one origin, not two.

The source id is ``region|started_at`` (unique in the file).
"""

from __future__ import annotations

from ceasefire.io.alerts import alert_report, moment, place_of
from ceasefire.io.base import Importer, RowError
from ceasefire.model.report import Report

COLUMNS = frozenset({"region", "started_at", "finished_at", "naive"})

VOLUNTEER = {
    "dataset": "air-raid-alerts-volunteer",
    "type": "osint_item",
    "id": "ua-air-raid-alert-etryvoga",
    "name": "eTryvoga volunteer air-raid alert channel",
    "reliability": "C",
    "credibility": 2,
    "derived_from": "ua-air-raid-alert-system",
}


def _naive(value: str) -> bool:
    if value not in ("True", "False"):
        raise RowError("naive", value, "not a flag; expected True or False")
    return value == "True"


def to_report(row: dict[str, str]) -> Report:
    """One volunteer alert as a report."""
    region = row["region"]
    place_of("region", region)
    start = moment("started_at", row["started_at"])
    naive = _naive(row["naive"])
    end = None
    if row["finished_at"] and not naive:
        end = moment("finished_at", row["finished_at"])
    key = f"{region}|{row['started_at']}"
    return alert_report(
        VOLUNTEER,
        key,
        ("region", region),
        (start, end),
        f"Air-raid alert (volunteer channel): {region}",
        {
            "level": "oblast",
            "started_at": row["started_at"],
            "finished_at": row["finished_at"] or None,
            "end_inferred": naive,
            "channel": "volunteer",
        },
    )


IMPORTER = Importer(
    "alerts-volunteer",
    "Volunteer (eTryvoga) air-raid alerts CSV (region, started_at, finished_at, naive)",
    COLUMNS,
    to_report,
    country="Ukraine",
)
