"""``/api/verdicts``, ``/api/stats/breaches_per_day`` and ``/api/coverage.geojson``."""

from __future__ import annotations

import math
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.dto import BreachDay, FeatureCollection, Page
from ceasefire.api.geojson import GEOJSON, collection, json_response
from ceasefire.api.incidents import visible_verdicts
from ceasefire.api.pagination import decode_cursor, encode_cursor
from ceasefire.api.params import (
    BBox,
    Cursor,
    Limit,
    Party,
    Since,
    Until,
    iso,
    parse_bbox,
)
from ceasefire.api.verdicts import verdict_query
from ceasefire.model.redaction import bbox_for, cell_size_for, verdict_view
from ceasefire.model.verdict import OUTCOMES
from ceasefire.store.base import ReportQuery, VerdictQuery

router = APIRouter(tags=["verdicts"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
AgreementParam = Annotated[str | None, Query(description="Agreement id.")]
ClauseParam = Annotated[str | None, Query(description="Clause id.")]
MAX_VERDICTS = 1_000_000
COVERAGE_CELL_DEG = 0.25
COVERAGE_SCAN = 200_000
"""Reports a coverage map reads at most (it says when it stopped early)."""


def _read(ctx: ApiContext, wanted: VerdictQuery) -> list[dict[str, Any]]:
    if wanted.agreement_id is not None:
        ctx.agreement(wanted.agreement_id)
    return ctx.store().verdicts(wanted)


@router.get("/api/verdicts", response_model=Page)
def list_verdicts(
    ctx: Ctx,
    who: Caller,
    agreement: AgreementParam = None,
    clause: ClauseParam = None,
    party: Party = None,
    since: Since = None,
    until: Until = None,
    verdict: Annotated[
        str | None, Query(description="breach, no_breach or undetermined.")
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Verdicts with reasons; guarantors and the mission see all, others established breaches."""
    if verdict is not None and verdict not in OUTCOMES:
        from ceasefire.api.errors import ApiError

        raise ApiError(
            422,
            f"verdict: expected one of {', '.join(OUTCOMES)}",
            field="verdict",
            value=verdict,
        )
    wanted = verdict_query(
        agreement, clause, party, verdict, iso(since), iso(until), MAX_VERDICTS
    )
    rows = visible_verdicts(_read(ctx, wanted), who)
    after = decode_cursor(cursor)  # the index of the last verdict served
    start = 0 if after is None else after + 1
    page = [
        verdict_view(v, who, ctx.public_grid_deg) for v in rows[start : start + limit]
    ]
    more = start + limit < len(rows)
    next_cursor = encode_cursor(start + limit - 1) if more else None
    return json_response({"items": page, "next": next_cursor})


@router.get("/api/stats/breaches_per_day", response_model=list[BreachDay])
def breaches_per_day(
    ctx: Ctx,
    who: Caller,
    agreement: AgreementParam = None,
    since: Since = None,
    until: Until = None,
) -> Response:
    """Breaches per day, party and clause (the dashboard's chart)."""
    wanted = verdict_query(
        agreement, None, None, "breach", iso(since), iso(until), MAX_VERDICTS
    )
    counts: Counter[tuple[str, str | None, str]] = Counter()
    for row in visible_verdicts(_read(ctx, wanted), who):
        day = str(row.get("observed_at") or "")[:10]
        counts[(day, row.get("party"), str(row.get("clause")))] += 1
    body = [
        {"day": day, "party": party, "clause": clause, "count": n}
        for (day, party, clause), n in sorted(
            counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2])
        )
    ]
    return json_response(body)


@router.get(
    "/api/coverage.geojson",
    response_model=FeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
)
def coverage(
    ctx: Ctx,
    who: Caller,
    bbox: BBox = None,
    since: Since = None,
    until: Until = None,
    cell_deg: Annotated[
        float, Query(gt=0.01, le=5, description="Grid cell size in degrees.")
    ] = COVERAGE_CELL_DEG,
) -> Response:
    """Where monitoring reached: grid cells with the number of reports in each.

    The public gets whole cells of the public grid (a smaller ``cell_deg`` is
    rounded up to it) and a bbox widened to those cells: no finer answer.
    """
    grid = ctx.public_grid_deg
    cell_deg = cell_size_for(cell_deg, who, grid)
    query = ReportQuery(
        bbox=bbox_for(parse_bbox(bbox), who, grid),
        since=iso(since),
        until=iso(until),
        limit=COVERAGE_SCAN + 1,
    )
    rows = ctx.store().report_rows(query)
    counts: Counter[tuple[int, int]] = Counter()
    for row in rows[:COVERAGE_SCAN]:
        location = row.body["location"]
        counts[
            (
                math.floor(location["lon"] / cell_deg),
                math.floor(location["lat"] / cell_deg),
            )
        ] += 1
    features = []
    for (x, y), n in sorted(counts.items()):
        x0, y0 = round(x * cell_deg, 6), round(y * cell_deg, 6)
        x1, y1 = round(x0 + cell_deg, 6), round(y0 + cell_deg, 6)
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "id": f"{x0},{y0}",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"reports": n, "cell_deg": cell_deg},
            }
        )
    response = collection(features, None)
    if len(rows) > COVERAGE_SCAN:
        response.headers["X-Truncated"] = f"first {COVERAGE_SCAN} reports"
    return response
