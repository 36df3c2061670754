"""UCDP Georeferenced Event Dataset (GED) CSV: 49 columns, one lethal event a row.

GED records deaths, not weapons: the event type is civilian_harm when
civilians died, otherwise small_arms ("Battles: Armed clash" in ACLED's
terms, as our vocabulary maps it). UCDP's own fields stay in properties.
"""

from __future__ import annotations

from ceasefire.io.base import Importer, RowError, parse_date, parse_float, stable_id
from ceasefire.model.report import Report, precision_from_ucdp

DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
COLUMNS = frozenset(
    {
        "id",
        "date_start",
        "date_end",
        "latitude",
        "longitude",
        "where_prec",
        "date_prec",
        "best",
        "deaths_civilians",
        "type_of_violence",
        "dyad_name",
    }
)


def _count(row: dict[str, str], column: str) -> int:
    value = row.get(column, "") or "0"
    if not value.isdigit():
        raise RowError(
            column, value, "not a whole number of deaths; expected 0 or more"
        )
    return int(value)


def to_report(row: dict[str, str]) -> Report:
    """One GED row as a report."""
    start = parse_date("date_start", row["date_start"])
    end = parse_date("date_end", row["date_end"] or row["date_start"])
    where_prec = row.get("where_prec", "")
    if where_prec not in {"1", "2", "3", "4", "5", "6", "7"}:
        raise RowError("where_prec", where_prec, "expected a UCDP precision code 1–7")
    civilians = _count(row, "deaths_civilians")
    return Report.model_validate(
        {
            "id": stable_id("ucdp-ged", row["id"], start),
            "source_report_id": f"ucdp-ged-{row['id']}",
            "source": {
                "type": "media",
                "id": "ucdp-ged",
                "name": "UCDP GED",
                "reliability": "B",
                "credibility": 2,
            },
            "observed": {
                "start": start,
                "end": end,
                "precision": DATE_PRECISION.get(row.get("date_prec", ""), "day"),
            },
            "reported_at": end,
            "location": {
                "lon": parse_float("longitude", row["longitude"], -180, 180),
                "lat": parse_float("latitude", row["latitude"], -90, 90),
                "precision_m": precision_from_ucdp(int(where_prec)) or 700_000.0,
                "place": row.get("where_coordinates") or None,
            },
            "event_type": "civilian_harm" if civilians else "small_arms",
            "casualties": {
                "killed": _count(row, "best"),
                "civilians_killed": civilians,
            },
            "narrative": (row.get("source_headline") or "")[:500],
            "properties": {
                "ucdp_id": row["id"],
                "dyad_name": row.get("dyad_name"),
                "type_of_violence": row.get("type_of_violence"),
                "where_prec": where_prec,
                "date_prec": row.get("date_prec"),
                "number_of_sources": row.get("number_of_sources"),
            },
        }
    )


IMPORTER = Importer("ucdp", "UCDP GED events CSV (49 columns)", COLUMNS, to_report)
