"""UCDP Georeferenced Event Dataset (GED) CSV: 49 columns, one lethal event a row.

Mapped from the UCDP GED codebook (version 22.1, §3 "Variables"):

- **act** from ``type_of_violence``: 1 state-based and 2 non-state conflict →
  ``armed_clash`` (two organised sides fought; GED records deaths, not
  weapons, so no weapon is given); 3 one-sided violence → ``one_sided_attack``.
- **actors**: ``side_a``/``side_b`` with their ``side_a_new_id``/
  ``side_b_new_id``. Types 1 and 2 name a dyad without saying who fired: roles
  ``side_a``/``side_b``. Type 3 attributes the act: ``side_a`` is the
  perpetrator and ``side_b`` ("Civilians") the target.
- **casualties** (an effect, not the act): ``best`` → killed (GED's best =
  deaths_a + deaths_b + deaths_civilians + deaths_unknown),
  ``deaths_civilians`` → civilians_killed; the deaths by side stay in
  properties.
- **time**: ``date_start``/``date_end`` are calendar days in Kyiv (GED codes
  the local date of the event); the event lies in ``[date_start 00:00,
  date_end + 1 day 00:00)`` Kyiv. ``date_prec`` (1 day … 5 year) is the
  precision; it never stretches the end the source gave.
- **where**: ``where_prec`` 1–7 → radius (``UCDP_WHERE_PREC_M``).

UCDP's own fields stay in properties.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ceasefire.io.base import (
    KYIV,
    Importer,
    Row,
    RowError,
    id_moment,
    next_day,
    parse_date,
    parse_float,
    stable_id,
    to_row,
)
from ceasefire.io.columns import (
    Dates,
    Prepared,
    column,
    line_numbers,
    raw_row,
    string_columns,
    ulid,
    whole_number,
)
from ceasefire.model.report import Report, precision_from_ucdp
from ceasefire.model.vocabulary import UCDP_DATE_PREC as DATE_PRECISION

ACTS = {"1": "armed_clash", "2": "armed_clash", "3": "one_sided_attack"}
"""type_of_violence → act (codebook: 1 state-based, 2 non-state, 3 one-sided)."""
SOURCE = {
    "type": "media",
    "id": "ucdp-ged",
    "name": "UCDP GED",
    "reliability": "B",
    "credibility": 2,
}
"""Graded B2: a research dataset coded from media and NGO reports under
published clarity rules (docs/intake.md, "Source grades")."""
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


def actors(violence: str, names: tuple[str, str, str, str]) -> list[dict[str, str]]:
    """The actors of a row: (side_a, side_a_new_id, side_b, side_b_new_id)."""
    side_a, code_a, side_b, code_b = names
    roles = ("perpetrator", "target") if violence == "3" else ("side_a", "side_b")
    found = []
    for name, code, role in ((side_a, code_a, roles[0]), (side_b, code_b, roles[1])):
        if name:  # keys in the model's order, so fast bodies equal dumped ones
            actor = {"scheme": "ucdp", "name": name}
            if code:
                actor["code"] = code
            found.append({**actor, "role": role})
    return found


def _act(violence: str) -> str:
    if violence not in ACTS:
        raise RowError(
            "type_of_violence",
            violence,
            "not a UCDP type of violence; expected 1 (state-based), 2 (non-state)"
            " or 3 (one-sided)",
        )
    return ACTS[violence]


def _side_names(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (
        row.get("side_a") or "",
        row.get("side_a_new_id") or "",
        row.get("side_b") or "",
        row.get("side_b_new_id") or "",
    )


def to_report(row: dict[str, str]) -> Report:
    """One GED row as a report."""
    start = parse_date("date_start", row["date_start"], KYIV)
    last = parse_date("date_end", row["date_end"] or row["date_start"], KYIV)
    if last < start:
        raise RowError(
            "date_end", row["date_end"], f"before date_start {row['date_start']!r}"
        )
    where_prec = row.get("where_prec", "")
    if where_prec not in {"1", "2", "3", "4", "5", "6", "7"}:
        raise RowError("where_prec", where_prec, "expected a UCDP precision code 1–7")
    violence = row.get("type_of_violence", "")
    act = _act(violence)
    civilians = _count(row, "deaths_civilians")
    try:
        end = next_day(last)
    except OverflowError:
        raise RowError(
            "date_end", row["date_end"], "no day follows it; expected a real date"
        ) from None
    return Report.model_validate(
        {
            "id": stable_id("ucdp-ged", row["id"], id_moment(start)),
            "source_report_id": f"ucdp-ged-{row['id']}",
            "source": SOURCE,
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
            "event_type": act,
            "actors": actors(violence, _side_names(row)),
            "casualties": {
                "killed": _count(row, "best"),
                "civilians_killed": civilians,
            },
            "narrative": (row.get("source_headline") or "")[:500],
            "properties": _properties(row, where_prec),
        }
    )


def _properties(row: dict[str, str], where_prec: str) -> dict[str, Any]:
    properties = {
        "ucdp_id": row["id"],
        "dyad_name": row.get("dyad_name"),
        "type_of_violence": row.get("type_of_violence"),
        "where_prec": where_prec,
        "date_prec": row.get("date_prec"),
        "number_of_sources": row.get("number_of_sources"),
    }
    for name in ("country", "deaths_a", "deaths_b", "deaths_unknown"):
        if row.get(name):
            properties[name] = row[name]
    return properties


IMPORTER = Importer("ucdp", "UCDP GED events CSV (49 columns)", COLUMNS, to_report)


# ------------------------------------------------------------ the fast path

_WHERE_PREC_M = {
    code: float(precision_from_ucdp(int(code)) or 700_000.0)
    for code in ("1", "2", "3", "4", "5", "6", "7")
}
_USED = (
    "id", "date_start", "date_end", "where_prec", "date_prec", "longitude",
    "latitude", "where_coordinates", "deaths_civilians", "best",
    "source_headline", "dyad_name", "type_of_violence", "number_of_sources",
    "side_a", "side_a_new_id", "side_b", "side_b_new_id", "country",
    "deaths_a", "deaths_b", "deaths_unknown",
)  # fmt: skip


def _prepared(values: tuple[str, ...], dates: Dates) -> Prepared | None:
    """One row mapped straight to its body, or None if the reference must decide."""
    (source_id, date_start, date_end, where_prec, date_prec, lon_text, lat_text,
     place, civilians_text, best_text, headline, dyad, violence, sources,
     side_a, code_a, side_b, code_b, country, deaths_a, deaths_b,
     deaths_unknown) = values  # fmt: skip
    precision_m = _WHERE_PREC_M.get(where_prec)
    act = ACTS.get(violence)
    civilians, best = (
        whole_number(civilians_text or "0"),
        whole_number(best_text or "0"),
    )
    if precision_m is None or civilians is None or best is None or act is None:
        return None
    try:
        start, start_text, start_ms = dates.get(date_start)
        last, _, _ = dates.get(date_end or date_start)
        end_text = dates.following(date_end or date_start)
        lon, lat = float(lon_text), float(lat_text)
    except (ValueError, OverflowError):
        return None
    if not 1900 <= start.year <= last.year <= 2100:
        return None  # historic zone offsets and the year 9999: the reference decides
    if last < start or not (-180 <= lon <= 180 and -90 <= lat <= 90):
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
    for name, value in (("country", country), ("deaths_a", deaths_a),
                        ("deaths_b", deaths_b), ("deaths_unknown", deaths_unknown)):  # fmt: skip
        if value:
            properties[name] = value
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
        "event_type": act,
        "actors": actors(
            violence, (side_a or "", code_a or "", side_b or "", code_b or "")
        ),
        "casualties": {
            "killed": best,
            "injured": 0,
            "civilians_killed": civilians,
            "civilians_injured": 0,
        },
        "damage": [],
        "narrative": (headline or "")[:500],
        "evidence": [],
        "properties": properties
        if sources is not None
        else {k: v for k, v in properties.items() if v is not None},
    }
    return Prepared(body["id"], body, lon, lat, start)


def read_fast(path: Path) -> Iterator[tuple[int, Prepared | Row]]:
    """Every row of ``path`` as ``IMPORTER.read_numbered`` gives it, mapped faster.

    Rows come out as Prepared bodies; a row the fast mapping is unsure of, and
    every row of a file pyarrow cannot read exactly, goes through the
    reference mapping (``to_report``), so rejections read the same.
    """
    table = string_columns(path, COLUMNS)
    if table is None:
        yield from IMPORTER.read_numbered(path)
        return
    lists = [
        column(table, name) if name in table.column_names else [None] * table.num_rows
        for name in _USED
    ]
    dates = Dates(KYIV)
    lines = line_numbers(table)
    for index, values in enumerate(zip(*lists, strict=True)):
        fast = _prepared(values, dates)
        line = lines(index)
        if fast is None:
            raw = raw_row(table, index)
            yield line, to_row(to_report, raw, str(path), line, raw)
        else:
            yield line, fast
