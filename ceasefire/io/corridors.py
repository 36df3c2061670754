"""PeaceRep's humanitarian corridors in Ukraine, March–May 2022 (geocoded CSV).

Each row is one announced corridor from a settlement to another, with the
local ceasefire that goes with it, compiled from news reports (mostly
Interfax): who proposed it and how it turned out. Our vocabulary has no
"corridor" event, so:

- **event type** ``other`` with ``properties["kind"] = "humanitarian_corridor"``;
  ``status_result`` and ``status_extra`` are kept verbatim. A status of
  ``disputed`` or ``unsuccessful/disrupted`` does not say *how* the corridor
  failed (shelled, blocked at a checkpoint, never opened), so it is not turned
  into ``shelling`` or ``movement_restricted``: the text is kept for a
  reviewer to judge.
- **source**: a ``media`` item (news excerpts compiled by PeaceRep),
  reliability C, credibility 3; ``derived_from`` is the first article
  link, so two corridors reported by one article count once in
  corroboration. ``proposal`` (who proposed) is kept verbatim and as party
  codes in ``properties["proposed_by"]`` through ``PROPOSERS``; an unknown
  proposer is quarantined by name, not guessed.
- **location**: the origin settlement (``from_latitude``/``from_longitude``), a
  settlement centroid, not the route: 10 km radius. The destination is in
  ``properties["to"]`` as ``{name, lon, lat, country}``.
- **date**: ``date`` (YYYY-MM-DD); when it is blank or unreadable, ``Date``
  (DD.MM.YY). Day precision.
- **id**: from ``HC_ID``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ceasefire.io.base import UKRAINE, Importer, RowError, parse_float, stable_id
from ceasefire.model.report import Report

COLUMNS = frozenset(
    {
        "HC_ID",
        "proposal",
        "status_result",
        "from_latitude",
        "from_longitude",
        "to_latitude",
        "to_longitude",
    }
)
PROPOSERS: dict[str, list[str]] = {
    "Ukraine": ["ua"],
    "Russia": ["ru"],
    "Agreed": ["ua", "ru"],
}
"""``proposal`` → the parties who proposed the corridor."""
KEPT = (
    "Date", "date", "proposal", "status_result", "status_extra", "Link",
    "article_source_id", "From", "from_name", "from_adm1_code_full", "from_adm1_name",
    "text",
)  # fmt: skip
PRECISION_M = 10_000.0
"""A settlement centroid stands for a town and the start of a route."""


def parse_day(row: dict[str, str]) -> datetime:
    """``date`` (ISO), else ``Date`` (DD.MM.YY), as midnight UTC."""
    iso = row.get("date", "").strip()
    if iso:
        try:
            return datetime.fromisoformat(iso[:10]).replace(tzinfo=UTC)
        except ValueError:
            pass
    short = row.get("Date", "").strip()
    try:
        return datetime.strptime(short, "%d.%m.%y").replace(tzinfo=UTC)
    except ValueError:
        column, value = ("date", iso) if iso else ("Date", short)
        raise RowError(
            column,
            value,
            f"not a date (date {iso!r}, Date {short!r});"
            " expected date as YYYY-MM-DD or Date as DD.MM.YY",
        ) from None


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s;]+", text)


def to_report(row: dict[str, str]) -> Report:
    """One corridor as a report."""
    hc_id = row["HC_ID"].strip()
    if not hc_id:
        raise RowError("HC_ID", row["HC_ID"], "missing HC_ID; expected the corridor id")
    moment = parse_day(row)
    proposal = row["proposal"].strip()
    if proposal not in PROPOSERS:
        raise RowError(
            "proposal", proposal, "unknown proposer; expected " + ", ".join(PROPOSERS)
        )
    links = _links(row.get("Link", ""))
    properties: dict[str, object] = {
        "kind": "humanitarian_corridor",
        "hc_id": hc_id,
        "proposed_by": PROPOSERS[proposal],
        "to": {
            "name": row.get("to_name") or row.get("To") or None,
            "lon": parse_float("to_longitude", row["to_longitude"], -180, 180),
            "lat": parse_float("to_latitude", row["to_latitude"], -90, 90),
            "country": row.get("to_country_code") or None,
        },
        "links": links,
    }
    properties.update({k: row[k] for k in KEPT if row.get(k)})
    return Report.model_validate(
        {
            "id": stable_id("corridors", hc_id, moment),
            "source_report_id": f"peacerep-hc-{hc_id}",
            "source": {
                "type": "media",
                "id": "peacerep-humanitarian-corridors",
                "name": "PeaceRep humanitarian corridors (news reports)",
                "reliability": "C",
                "credibility": 3,
                "derived_from": links[0] if links else None,
            },
            "observed": {"start": moment, "precision": "day"},
            "reported_at": moment,
            "location": {
                "lon": parse_float("from_longitude", row["from_longitude"], -180, 180),
                "lat": parse_float("from_latitude", row["from_latitude"], -90, 90),
                "precision_m": PRECISION_M,
                "place": row.get("from_name") or row.get("From") or None,
            },
            "event_type": "other",
            "narrative": (row.get("text") or "")[:1000],
            "properties": properties,
        }
    )


IMPORTER = Importer(
    "corridors",
    "PeaceRep humanitarian corridors CSV (HC_ID, proposal, status_result, from/to)",
    COLUMNS,
    to_report,
    scope=UKRAINE,
    country="Ukraine",
)
