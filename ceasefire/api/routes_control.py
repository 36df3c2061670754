"""``/api/control/change``: front-line change against the agreement's baseline, per day.

What ``ceasefire frontline`` prints, over HTTP, for the map's day slider and
the dashboard's km²-per-week chart: one object per observed day (gains per
party, per zone, net movement) and, per day, the polygons of change as
GeoJSON. Control maps are published OSINT (DeepState, NZZ): every role sees
them. The comparison (baseline map, tiled zones, each piece of change already
measured) is kept per (store, agreement, source) for the life of the server,
so a day already seen costs a lookup and a new day a few tens of ms.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ceasefire.api.context import ApiContext, context
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import json_response
from ceasefire.control.change import NOISE_WIDTH_M, DayChange, Frontline
from ceasefire.control.held import held_area
from ceasefire.control.observe import observations
from ceasefire.control.output import day_features, day_json
from ceasefire.control.run import frontline
from ceasefire.errors import DetailedError
from ceasefire.model.control import ControlObservation

router = APIRouter(tags=["control"])
Ctx = Annotated[ApiContext, Depends(context)]
AgreementQ = Annotated[str, Query(description="Agreement id (its baseline and zones).")]
SourceQ = Annotated[str, Query(description="Control-map source, e.g. deepstate, nzz.")]

_COMPARE: dict[tuple[str, str, str], Frontline] = {}
_LOCK = threading.Lock()
"""Pieces are measured into a shared book: one request at a time computes."""


def _changes(
    ctx: ApiContext, agreement_id: str, source: str
) -> tuple[Frontline, list[ControlObservation]]:
    agreement = ctx.agreement(agreement_id)
    key = (ctx.db_url, agreement_id, source)
    kept = _COMPARE.get(key)
    if kept is not None:  # the baseline map and tiles are built once
        return kept, observations(ctx.store(), source)
    try:
        compare, found = frontline(agreement, ctx.store(), source)
    except DetailedError as exc:
        raise ApiError(404, exc.message, field="source", value=source) from None
    _COMPARE[key] = compare
    return compare, found


def _change(ctx: ApiContext, compare: Frontline, o: ControlObservation) -> DayChange:
    return compare.change(o.observed_on, o.source, held_area(ctx.store(), o))


@router.get("/api/control/change")
def control_change(
    ctx: Ctx,
    agreement: AgreementQ,
    source: SourceQ = "deepstate",
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
    every: Annotated[int, Query(ge=1, le=366, description="Every Nth map.")] = 1,
) -> Response:
    """Each observed day's gains against the baseline (``ceasefire frontline`` JSON)."""
    with _LOCK:
        compare, found = _changes(ctx, agreement, source)
        chosen = [
            o
            for o in found
            if (since is None or o.observed_on >= since)
            and (until is None or o.observed_on <= until)
        ][::every]
        items: list[dict[str, Any]] = [
            day_json(_change(ctx, compare, o), NOISE_WIDTH_M) for o in chosen
        ]
    return json_response({"items": items, "next": None})


@router.get("/api/control/change/{day}")
def control_change_day(
    ctx: Ctx, day: date, agreement: AgreementQ, source: SourceQ = "deepstate"
) -> Response:
    """The polygons of change on ``day`` (the source's map of that day), as GeoJSON."""
    with _LOCK:
        compare, found = _changes(ctx, agreement, source)
        match = [o for o in found if o.observed_on == day]
        if not match:
            raise ApiError(
                404, f"{source} has no control map dated {day}", field="day", value=day
            )
        features = day_features(_change(ctx, compare, match[-1]))
    return json_response({"type": "FeatureCollection", "features": features})
