"""UCDP Georeferenced Event Dataset (GED) CSV: 49 columns, one lethal event a row.

GED records deaths, not weapons: the event type is civilian_harm when
civilians died, otherwise small_arms ("Battles: Armed clash" in ACLED's
terms, as our vocabulary maps it). UCDP's own fields stay in properties.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ceasefire.io.base import (
    Importer,
    Row,
    RowError,
    parse_date,
    parse_float,
    stable_id,
    to_row,
)
from ceasefire.io.columns import (
    Dates,
    Prepared,
    column,
    raw_row,
    string_columns,
    ulid,
    whole_number,
)
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
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() is True
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


# ------------------------------------------------------------ the fast path

SOURCE = {
    "type": "media",
    "id": "ucdp-ged",
    "name": "UCDP GED",
    "reliability": "B",
    "credibility": 2,
}
_WHERE_PREC_M = {
    code: float(precision_from_ucdp(int(code)) or 700_000.0)
    for code in ("1", "2", "3", "4", "5", "6", "7")
}
_USED = (
    "id", "date_start", "date_end", "where_prec", "date_prec", "longitude",
    "latitude", "where_coordinates", "deaths_civilians", "best",
    "source_headline", "dyad_name", "type_of_violence", "number_of_sources",
)  # fmt: skip


def _prepared(values: tuple[str, ...], dates: Dates) -> Prepared | None:
    """One row mapped straight to its body, or None if the reference must decide."""
    (source_id, date_start, date_end, where_prec, date_prec, lon_text, lat_text,
     place, civilians_text, best_text, headline, dyad, violence, sources) = values  # fmt: skip
    precision_m = _WHERE_PREC_M.get(where_prec)
    civilians, best = (
        whole_number(civilians_text or "0"),
        whole_number(best_text or "0"),
    )
    if precision_m is None or civilians is None or best is None:
        return None
    try:
        start, start_text, start_ms = dates.get(date_start)
        end, end_text, _ = dates.get(date_end or date_start)
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        return None
    if end < start or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    digest = hashlib.sha256(f"ucdp-ged:{source_id}".encode()).digest()
    location: dict[str, Any] = {"lon": lon, "lat": lat, "precision_m": precision_m}
    if place:
        location["place"] = place
    properties = {
        "ucdp_id": source_id, "dyad_name": dyad, "type_of_violence": violence,
        "where_prec": where_prec, "date_prec": date_prec,
        "number_of_sources": sources,
    }  # fmt: skip
    body: dict[str, Any] = {
        "id": ulid(start_ms, digest),
        "source_report_id": f"ucdp-ged-{source_id}",
        "source": SOURCE,
        "observed": {
            "start": start_text,
            "end": end_text,
            "precision": DATE_PRECISION.get(date_prec, "day"),
        },
        "reported_at": end_text,
        "location": location,
        "event_type": "civilian_harm" if civilians else "small_arms",
        "casualties": {
            "killed": best,
            "injured": 0,
            "civilians_killed": civilians,
            "civilians_injured": 0,
        },
        "narrative": (headline or "")[:500],
        "evidence": [],
        "properties": properties
        if sources is not None
        else {k: v for k, v in properties.items() if v is not None},
    }
    return Prepared(body["id"], body, lon, lat, start)


def read_fast(path: Path) -> Iterator[Prepared | Row]:
    """Every row of ``path`` as ``IMPORTER.read`` would give it, mapped faster.

    Rows come out as Prepared bodies; a row the fast mapping is unsure of, and
    every row of a file pyarrow cannot read exactly, goes through the
    reference mapping (``to_report``), so rejections read the same.
    """
    table = string_columns(path, COLUMNS)
    if table is None:
        yield from IMPORTER.read(path)
        return
    lists = [
        column(table, name) if name in table.column_names else [None] * table.num_rows
        for name in _USED
    ]
    dates = Dates()
    for index, values in enumerate(zip(*lists, strict=True)):
        fast = _prepared(values, dates)
        if fast is None:
            raw = raw_row(table, index)
            yield to_row(to_report, raw, str(path), index + 1, raw)
        else:
            yield fast
