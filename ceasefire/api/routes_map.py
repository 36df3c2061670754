"""``/api/map/incidents``: every matching incident in one compact, columnar answer.

The web map draws 100,000 incidents; paging them as GeoJSON summaries parsed
every report. Here the store hands over its projection's columns (no report
is parsed), the API's incident view (fact-finding's incidents, kept up to
date with the log) keeps each incident's anchor row and gives its place,
sources and score, and one verdict lookup gives the breach flags. Roles are honoured
as in ``/api/incidents``: the same place redaction and the same visible
verdicts (``redact.places_view``, ``incidents.visible_verdicts``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from starlette.responses import Response

from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.geojson import json_response
from ceasefire.api.incident_view import Incidents
from ceasefire.api.incidents import visible_verdicts
from ceasefire.api.params import Filters, Since, Until, iso
from ceasefire.api.redact import places_view, report_view
from ceasefire.api.verdicts import by_incident
from ceasefire.store.base import ReportPoints, ReportQuery, Store, VerdictQuery

router = APIRouter(tags=["incidents"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
AgreementParam = Annotated[
    str | None, Query(description="Verdicts of this agreement only.")
]


def agreement_filter(agreement: AgreementParam = None) -> str | None:
    """The agreement whose verdicts to show (a dependency, so that it stays
    after the shared filters in the OpenAPI document)."""
    return agreement


Agreement = Annotated[str | None, Depends(agreement_filter)]
MAX_POINTS = 1_000_000
"""At most this many incidents in one answer (``truncated`` says when cut)."""
FEW_IDS = 5_000
"""Up to this many incidents, verdicts are looked up by id; beyond, all breaches at once."""


class MapColumns(BaseModel):
    """Incidents as parallel arrays: index i of every array is incident i.

    ``type``, ``state`` and ``party`` are indexes into ``types``, ``states``
    and ``parties``. ``t``: observed start in whole seconds since the epoch
    (UTC). ``breach``: 1 when a breach verdict visible to the caller concerns
    the incident; ``clauses`` maps its index (as text) to those clauses.
    """

    n: int
    ids: list[str]
    lon: list[float]
    lat: list[float]
    t: list[int]
    types: list[str]
    type: list[int]
    states: list[str]
    state: list[int]
    parties: list[str | None]
    party: list[int]
    breach: list[int]
    clauses: dict[str, list[str]]
    n_sources: list[int]
    """Independent sources of each incident (fact-finding's corroboration)."""
    score: list[float]
    """Corroboration score of each incident, 0–1 (``factfinding.corroboration``)."""
    truncated: bool


def _coded(values: list[Any]) -> tuple[list[Any], list[int]]:
    """(distinct values in first-seen order, each value's index among them)."""
    table = {value: code for code, value in enumerate(dict.fromkeys(values))}
    return list(table), list(map(table.__getitem__, values))


def _first(points: ReportPoints, n: int) -> ReportPoints:
    """The first ``n`` incidents of ``points``."""
    return ReportPoints(
        points.ids[:n], points.lon[:n], points.lat[:n], points.t[:n],
        points.event_type[:n], points.state[:n], points.party[:n],
    )  # fmt: skip


def incident_points(points: ReportPoints, known: Incidents) -> ReportPoints:
    """The anchor rows of ``points``, one per incident, at the incident's place and start.

    The place is the incident's best-placed report's (as ``/api/incidents``),
    the start its earliest report's.
    """
    keep = [i for i, ref in enumerate(points.ids) if ref in known.by_id]
    chosen = [known.by_id[points.ids[i]] for i in keep]
    return ReportPoints(
        [i.id for i in chosen],
        [i.lon for i in chosen],
        [i.lat for i in chosen],
        [int(i.start.timestamp()) for i in chosen],
        [points.event_type[i] for i in keep],
        [i.state for i in chosen],
        [points.party[i] for i in keep],
    )


def incident_clauses(
    store: Store,
    known: Incidents,
    ids: list[str],
    agreement: str | None,
    who: Principal,
) -> dict[str, list[str]]:
    """``breach_clauses`` of each incident, over its verdicts and its reports'."""
    members = {ref: known.by_id[ref].report_ids for ref in ids}
    every = list(dict.fromkeys(r for ref in ids for r in (ref, *members[ref])))
    found = breach_clauses(store, every, agreement, who)
    clauses = {}
    for ref in ids:
        shown = {c for r in (ref, *members[ref]) for c in found.get(r, ())}
        if shown:
            clauses[ref] = sorted(shown)
    return clauses


def breach_clauses(
    store: Store, ids: list[str], agreement: str | None, who: Principal
) -> dict[str, list[str]]:
    """Clauses of the breaches ``who`` may see, for each incident in ``ids`` that has any.

    Only breach verdicts can raise the flag, and ``visible_verdicts`` keeps the
    same breaches of all verdicts as of the breach verdicts alone, so many
    incidents need just one query for every breach verdict.
    """
    if len(ids) <= FEW_IDS:
        found = by_incident(store, ids, agreement)
    else:
        wanted = set(ids)
        query = VerdictQuery(agreement_id=agreement, verdicts=("breach",), limit=2**31)
        found = {}
        for row in store.verdicts(query):
            if row["incident"] in wanted:
                found.setdefault(row["incident"], []).append(row)
    clauses = {}
    for incident, verdicts in found.items():
        shown = {
            str(v.get("clause"))
            for v in visible_verdicts(verdicts, who)
            if v.get("verdict") == "breach"
        }
        if shown:
            clauses[incident] = sorted(shown)
    return clauses


@router.get("/api/map/incidents", response_model=MapColumns)
def map_incidents(
    ctx: Ctx,
    who: Caller,
    filters: Filters,
    agreement: Agreement,
) -> Response:
    """Every matching incident for the map, as columns (filters as in /api/incidents)."""
    if agreement is not None:
        ctx.agreement(agreement)
    query = filters.query(MAX_POINTS, None, who, ctx.public_grid_deg)
    store = ctx.store()
    known = ctx.incidents()
    points = store.report_points(query)
    truncated = len(points.ids) > MAX_POINTS
    if truncated:
        points = _first(points, MAX_POINTS)
    points = incident_points(points, known)
    lon, lat = places_view(points.lon, points.lat, who, ctx.public_grid_deg)
    clauses = incident_clauses(store, known, points.ids, agreement, who)
    breach = [0] * len(points.ids)
    by_index = {}
    for i, incident in enumerate(points.ids):
        if incident in clauses:
            breach[i] = 1
            by_index[str(i)] = clauses[incident]
    types, type_codes = _coded(points.event_type)
    states, state_codes = _coded(points.state)
    parties, party_codes = _coded(points.party)
    return json_response(
        {
            "n": len(points.ids),
            "ids": points.ids,
            "lon": lon,
            "lat": lat,
            "t": points.t,
            "types": types,
            "type": type_codes,
            "states": states,
            "state": state_codes,
            "parties": parties,
            "party": party_codes,
            "breach": breach,
            "clauses": by_index,
            "n_sources": [known.by_id[r].independent_sources for r in points.ids],
            "score": [known.by_id[r].corroboration.score for r in points.ids],
            "truncated": truncated,
        }
    )


STRIKE_TYPES = ("missile_strike", "drone_strike")
"""Event types counted as strikes (reconnaissance drone flights are not)."""
NIGHT_SHIFT = timedelta(hours=12)
"""A night is named by the local date of its evening: start − 12 h, in Kyiv time."""
KYIV = ZoneInfo("Europe/Kyiv")


class StrikeNight(BaseModel):
    """Launches reported over one night; ``destroyed`` and ``rate`` are null when
    the caller's role may not see the destroyed counts (kept in report properties)."""

    night: str
    reports: int
    launched: int
    destroyed: int | None
    rate: float | None


def night_of(start: str) -> str:
    """The night (YYYY-MM-DD of its evening, Kyiv time) an observation starting at ``start`` falls in."""
    moment = datetime.fromisoformat(start).astimezone(KYIV) - NIGHT_SHIFT
    return moment.date().isoformat()


def strike_nights(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per night: reports, launched (weapon.count) and destroyed (when visible) summed."""
    nights: dict[str, dict[str, Any]] = {}
    for view in views:
        launched = (view.get("weapon") or {}).get("count")
        if not launched:
            continue
        row = nights.setdefault(
            night_of(view["observed"]["start"]),
            {"reports": 0, "launched": 0, "destroyed": 0, "seen": True},
        )
        row["reports"] += 1
        row["launched"] += int(launched)
        destroyed = (view.get("properties") or {}).get("destroyed_count")
        if destroyed is None:
            row["seen"] = False
        else:
            row["destroyed"] += int(destroyed)
    return [
        {
            "night": night,
            "reports": row["reports"],
            "launched": row["launched"],
            "destroyed": row["destroyed"] if row["seen"] else None,
            "rate": round(row["destroyed"] / row["launched"], 4)
            if row["seen"]
            else None,
        }
        for night, row in sorted(nights.items())
    ]


@router.get("/api/map/strikes", response_model=list[StrikeNight])
def strikes_per_night(
    ctx: Ctx, who: Caller, since: Since = None, until: Until = None
) -> Response:
    """Missiles and attack drones launched per night, and the share destroyed.

    Sums the reports that carry a launch count (the Air Force's statements),
    each as the caller's role may see it: the destroyed counts sit in the
    report's properties, which the public does not see.
    """
    query = ReportQuery(
        since=iso(since), until=iso(until), event_types=STRIKE_TYPES, limit=2**31
    )
    rows = ctx.store().report_rows(query)
    views = [report_view(r.body, who, ctx.public_grid_deg) for r in rows]
    return json_response(strike_nights(views))
