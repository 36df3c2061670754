"""``/api/tracker/{agreement}/…``: commitments, indicators, ledger, coverage, report (issue 15).

Each answer is decided ``as_of`` the instant given (default: the request's
time, read once here at the boundary; the tracker itself never reads the
clock). The public sees statuses, scores, rules and totals; the restricted
report and the log entry ids behind each status need a trusted role.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import json_response

router = APIRouter(tags=["tracker"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
AsOf = Annotated[
    datetime | None,
    Query(description="Decide as of this instant (ISO 8601 with offset); default now."),
]


def _as_of(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if value.tzinfo is None:
        raise ApiError(
            422, "as_of has no UTC offset", field="as_of", value=value.isoformat()
        )
    return value


@router.get("/api/tracker/{agreement_id}/commitments")
def tracker_commitments(
    ctx: Ctx, who: Caller, agreement_id: str, as_of: AsOf = None
) -> Response:
    """Every commitment and milestone: status, PAM score and rule, due date, slip; Gantt rows."""
    from ceasefire.tracker import gantt
    from ceasefire.tracker.record import decision_json, due_within, tracker_for

    agreement = ctx.agreement(agreement_id)
    moment = _as_of(as_of)
    tracker = tracker_for(ctx.store(), agreement, moment)
    steps = [decision_json(d) for d in tracker.decided.values()]
    if not who.trusted:
        for step in steps:
            step["evidence"] = len(step["evidence"])
    return json_response({
        "agreement": agreement_id, "as_of": moment.isoformat(), "steps": steps,
        "gantt": gantt.rows(tracker),
        "due_30_days": [d.step for d in due_within(tracker, 30)],
    })  # fmt: skip


@router.get("/api/tracker/{agreement_id}/indicators")
def tracker_indicators(
    ctx: Ctx, who: Caller, agreement_id: str, as_of: AsOf = None
) -> Response:
    """Each computed indicator's series: {indicator, unit, points: [{period_start, value}]}; gaps are null."""
    from ceasefire.tracker.indicators import compute

    agreement = ctx.agreement(agreement_id)
    return json_response(
        [s.to_json() for s in compute(agreement, ctx.store(), _as_of(as_of))]
    )


@router.get("/api/tracker/{agreement_id}/deliveries")
def tracker_deliveries(ctx: Ctx, who: Caller, agreement_id: str) -> Response:
    """Ledger totals by partner and category, per source file, stage and unit."""
    from ceasefire.tracker.ledger import summary

    ctx.agreement(agreement_id)
    return json_response(summary(ctx.store()))


@router.get("/api/tracker/{agreement_id}/coverage")
def tracker_coverage(
    ctx: Ctx, who: Caller, agreement_id: str, as_of: AsOf = None
) -> Response:
    """Delivered air-defence systems by city (city centre, never a site) with nominal ranges."""
    from ceasefire.tracker.coverage import sites
    from ceasefire.tracker.ledger import deliveries

    ctx.agreement(agreement_id)
    found = sites(deliveries(ctx.store()), _as_of(as_of).date())
    return json_response(
        {"type": "FeatureCollection", "features": [s.to_json() for s in found]}
    )


@router.get("/api/tracker/{agreement_id}/report", response_class=HTMLResponse)
def tracker_report(
    ctx: Ctx, who: Caller, agreement_id: str, as_of: AsOf = None,
    edition: Annotated[Literal["public", "restricted"], Query()] = "public",
) -> HTMLResponse:  # fmt: skip
    """The implementation report as HTML; the restricted edition needs a trusted role."""
    from ceasefire.reports.implementation import build, to_html

    if edition == "restricted" and not who.trusted:
        raise ApiError(
            403,
            "the restricted edition needs a monitor, analyst or guarantor token",
            field="edition",
            value=edition,
        )
    agreement = ctx.agreement(agreement_id)
    report = build(ctx.store(), agreement, _as_of(as_of), edition)
    return HTMLResponse(to_html(report))
