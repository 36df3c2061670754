"""``/api/incidents``: list, GeoJSON, the incident page, decisions and replies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ceasefire.api import incidents
from ceasefire.api.auth import Principal, require
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.dto import (
    Created,
    FeatureCollection,
    IncidentPage,
    Page,
    ReplyIn,
    TransitionIn,
    TransitionOut,
)
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import GEOJSON, collection, json_response, point_feature
from ceasefire.api.pagination import encode_cursor
from ceasefire.api.params import Filters, PageParams
from ceasefire.api.verdicts import by_incident
from ceasefire.factfinding import workflow
from ceasefire.factfinding.incidents import Incident
from ceasefire.log.service import Draft
from ceasefire.model.entries import Kind, raw_body
from ceasefire.store.base import ReportQuery, ReportRow

router = APIRouter(tags=["incidents"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
Clause = Annotated[
    str | None, Query(description="Only incidents breaching this clause.")
]
Breach = Annotated[
    bool | None,
    Query(description="Only incidents with (true) or without (false) a breach."),
]
AgreementParam = Annotated[
    str | None, Query(description="Verdicts of this agreement only.")
]


@dataclass(frozen=True)
class IncidentFilters:
    """The filters on an incident's verdicts, applied after the store's."""

    clause: str | None
    breach: bool | None
    agreement: str | None


def incident_filters(
    clause: Clause = None, breach: Breach = None, agreement: AgreementParam = None
) -> IncidentFilters:
    """The ``IncidentFilters`` of a request (a FastAPI dependency)."""
    return IncidentFilters(clause, breach, agreement)


VerdictFilters = Annotated[IncidentFilters, Depends(incident_filters)]
MAX_SCAN_BATCHES = 20
"""A filtered page reads at most this many batches before handing out a cursor."""


def _page(
    ctx: ApiContext,
    who: Principal,
    query: ReportQuery,
    limit: int,
    wanted: IncidentFilters,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of incident summaries; clause and breach filter after the store's."""
    clause, breach, agreement = wanted.clause, wanted.breach, wanted.agreement
    if agreement is not None:
        ctx.agreement(agreement)
    known = ctx.incidents()
    batch = max(limit + 1, 1000)
    found: list[tuple[int, dict[str, Any]]] = []
    after = query.after_seq
    for _ in range(MAX_SCAN_BATCHES):
        rows = ctx.store().report_rows(replace(query, after_seq=after, limit=batch))
        # an incident stands at its anchor report's row: once, in log order
        chosen = [
            known.by_id[r.body["id"]] for r in rows if r.body["id"] in known.by_id
        ]
        seqs = [r.seq for r in rows if r.body["id"] in known.by_id]
        ids = [ref for i in chosen for ref in dict.fromkeys((i.id, *i.report_ids))]
        verdicts = by_incident(ctx.store(), ids, agreement)
        for seq, incident in zip(seqs, chosen, strict=True):
            item = incidents.summary(
                incident,
                known.bodies,
                incidents.verdicts_about(incident, verdicts),
                who,
                ctx.public_grid_deg,
            )
            if clause is not None and clause not in item["clauses"]:
                continue
            if breach is not None and item["breach"] != breach:
                continue
            found.append((seq, item))
        if len(found) > limit:
            return [item for _, item in found[:limit]], encode_cursor(
                found[limit - 1][0]
            )
        if len(rows) < batch:
            return [item for _, item in found], None
        after = rows[-1].seq
    # a sparse filter: hand out this partial page and where to go on from
    return [item for _, item in found], encode_cursor(after)  # type: ignore[arg-type]


@router.get("/api/incidents", response_model=Page)
def list_incidents(
    ctx: Ctx,
    who: Caller,
    filters: Filters,
    verdicts: VerdictFilters,
    page: PageParams,
) -> Response:
    """Incidents in log order with state, breach flag and breached clauses."""
    query = filters.query(page.limit, page.cursor, who, ctx.public_grid_deg)
    items, next_cursor = _page(ctx, who, query, page.limit, verdicts)
    return json_response({"items": items, "next": next_cursor})


@router.get(
    "/api/incidents.geojson",
    response_model=FeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
)
def incidents_geojson(
    ctx: Ctx,
    who: Caller,
    filters: Filters,
    verdicts: VerdictFilters,
    page: PageParams,
) -> Response:
    """Incidents as GeoJSON Points; properties as in /api/incidents."""
    query = filters.query(page.limit, page.cursor, who, ctx.public_grid_deg)
    items, next_cursor = _page(ctx, who, query, page.limit, verdicts)
    features = [
        point_feature(
            item["id"],
            item["lon"],
            item["lat"],
            {k: v for k, v in item.items() if k not in ("lon", "lat")},
        )
        for item in items
    ]
    return collection(features, next_cursor)


def _incident_row(ctx: ApiContext, incident_id: str) -> ReportRow:
    log = ctx.log()
    entry = log.store.entry_by_id(incident_id)
    if entry is None or entry.kind != Kind.REPORT:
        raise ApiError(
            404, f"no incident {incident_id!r}", field="id", value=incident_id
        )
    body = raw_body(entry)
    return ReportRow(entry.seq, log.state_of(incident_id), body)


def _incident(ctx: ApiContext, ref: str) -> Incident:
    """The incident with id ``ref``, or the one report ``ref`` belongs to; else 404."""
    found = ctx.incidents().incident_of(ref)
    if found is None:
        _incident_row(ctx, ref)  # a report in no incident (superseded): its 404
        raise ApiError(404, f"no incident {ref!r}", field="id", value=ref)
    return found


@router.get("/api/incidents/{incident_id}", response_model=IncidentPage)
def incident_page(
    ctx: Ctx, who: Caller, incident_id: str, agreement: AgreementParam = None
) -> Response:
    """The incident page: reports, evidence hashes, verdicts, replies, audit trail.

    ``incident_id`` may also name one of the incident's reports: the page is
    its incident's, so links to reports keep working.
    """
    incident = _incident(ctx, incident_id)
    if agreement is not None:
        ctx.agreement(agreement)
    refs = list(dict.fromkeys((incident.id, *incident.report_ids)))
    rows = {ref: _incident_row(ctx, ref) for ref in refs}  # the anchor first
    store = ctx.store()
    about = sorted(
        {row.seq: row for ref in refs for row in store.entries_about(ref)}.values(),
        key=lambda row: row.seq,
    )
    verdicts = incidents.verdicts_about(incident, by_incident(store, refs, agreement))
    page = incidents.detail(incident, rows, about, verdicts, who, ctx.public_grid_deg)
    return json_response(page)


@router.post(
    "/api/incidents/{incident_id}/transitions",
    status_code=201,
    response_model=TransitionOut,
)
def transition(
    ctx: Ctx, who: Caller, incident_id: str, decision: TransitionIn
) -> Response:
    """Move an incident through the verification states (analyst role), with a reason."""
    require(who, "analyst")
    _incident_row(ctx, incident_id)
    with ctx.write_lock:
        log = ctx.log()
        before = log.state_of(incident_id)
        row = log.transition(incident_id, decision.state, who.actor, decision.reason)
    body = {
        "seq": row.seq,
        "subject": incident_id,
        "from": before,
        "to": decision.state,
    }
    return json_response(body, 201)


@router.post(
    "/api/incidents/{incident_id}/replies", status_code=201, response_model=Created
)
def reply(ctx: Ctx, who: Caller, incident_id: str, answer: ReplyIn) -> Response:
    """A party's reply to an incident (right of reply); others see it once published.

    The fact-finding workflow's reply: only from a party on the incident's
    joint team, within its reply window (issue 12).
    """
    require(who, "party")
    _incident_row(ctx, incident_id)
    with ctx.write_lock:
        row = workflow.add_reply(
            ctx.log(), incident_id, str(who.party), answer.text, who.actor
        )
    return json_response({"id": row.id, "seq": row.seq}, 201)


@router.post(
    "/api/incidents/{incident_id}/replies/{reply_id}/publish",
    status_code=201,
    response_model=Created,
)
def publish_reply(ctx: Ctx, who: Caller, incident_id: str, reply_id: str) -> Response:
    """Publish a party's reply to everyone (analyst role)."""
    require(who, "analyst")
    entry = ctx.store().entry_by_id(reply_id)
    if entry is None or entry.kind != Kind.REPLY or entry.subject != incident_id:
        raise ApiError(
            404,
            f"no reply {reply_id!r} to incident {incident_id!r}",
            field="reply_id",
            value=reply_id,
        )
    body = orjson.dumps({"reply": reply_id})
    with ctx.write_lock:
        row = ctx.log().append(
            [Draft(Kind.REPLY_PUBLISHED, body, subject=incident_id, actor=who.actor)]
        )[0]
    return json_response({"id": row.id, "seq": row.seq}, 201)
