"""``/api/map/control/…``: the day's control polygons and their change, for the map.

The map of a freeze agreement (the Alaska terms) draws, for a chosen day, the
area a source's map says is held, and the area each party gained since the
agreement's control baseline; a day slider steps through the observed days.
Figures (km²) come from ``ceasefire.control`` exactly as ``ceasefire
frontline`` computes them (geodesic, unsimplified); only the polygons sent to
the browser are simplified for drawing (``DRAW_TOLERANCE_DEG``), and the
answer says so.

Control maps are published material (DeepStateMap, NZZ, ISW), so every role
sees the same areas; the source's name follows the redaction policy like any
report's source (``report.source.id``: withheld from the public).
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ceasefire.agreement.load import Agreement
from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import GEOJSON, json_response
from ceasefire.control.change import DayChange, Frontline
from ceasefire.control.held import held_area
from ceasefire.control.observe import sources
from ceasefire.control.output import day_json
from ceasefire.control.run import FrontlineError, frontline
from ceasefire.model.control import ControlObservation
from ceasefire.model.redaction import WITHHELD, visible
from ceasefire.store.base import Store

router = APIRouter(tags=["control"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
SourceParam = Annotated[
    str | None,
    Query(description="Whose control maps (deepstate, deepstate-archive, nzz, isw)."),
]

KNOWN_SOURCES = ("deepstate", "deepstate-archive", "nzz", "isw")
"""Control-map sources, in the order the map prefers them."""
DRAW_TOLERANCE_DEG = 0.002
"""Polygons sent for drawing are simplified to ~200 m; areas are computed unsimplified."""

_lock = threading.Lock()
_cache: dict[tuple[str, str, str, int], tuple[Frontline, list[ControlObservation]]] = {}


def _comparison(
    ctx: ApiContext, agreement: Agreement, source: str
) -> tuple[Frontline, list[ControlObservation]]:
    """The agreement's comparison over ``source``, built once per set of observations."""
    store = ctx.store()
    seen = len(store.entries_about(f"control:{source}"))
    key = (ctx.db_url, agreement.document.id, source, seen)
    with _lock:
        found = _cache.get(key)
    if found is None:
        try:
            found = frontline(agreement, store, source)
        except FrontlineError as exc:
            raise ApiError(422, str(exc), field="source", value=source) from exc
        with _lock:
            _cache[key] = found
    return found


def _source(store: Store, wanted: str | None) -> str:
    """The source asked for, else the first known one with observations."""
    present = sources(store, KNOWN_SOURCES if wanted is None else (wanted,))
    if not present:
        asked = wanted or ", ".join(KNOWN_SOURCES)
        raise ApiError(
            404,
            f"no control observations of {asked}; import a control map first"
            " (ceasefire import FILE)",
            field="source",
            value=wanted,
        )
    return present[0]


def _shown_source(source: str, who: Principal) -> str:
    return source if visible("report.source.id", who, open_source=True) else WITHHELD


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ApiError(
            422, "day: expected YYYY-MM-DD", field="day", value=text
        ) from exc


def _change(
    store: Store, compare: Frontline, observation: ControlObservation
) -> DayChange:
    held = held_area(store, observation)
    return compare.change(observation.observed_on, observation.source, held)


@router.get("/api/map/control/{agreement_id}")
def control_days(
    ctx: Ctx, who: Caller, agreement_id: str, source: SourceParam = None
) -> Response:
    """Every observed day from the baseline on: km² each party gained since it."""
    agreement = ctx.agreement(agreement_id)
    store = ctx.store()
    chosen = _source(store, source)
    compare, found = _comparison(ctx, agreement, chosen)
    days = []
    for observation in found:
        if observation.observed_on < compare.baseline_day:
            continue
        row = day_json(_change(store, compare, observation), compare.noise_width_m)
        row["source"] = _shown_source(chosen, who)
        days.append(row)
    return json_response(
        {
            "agreement": agreement_id,
            "source": _shown_source(chosen, who),
            "sources": [_shown_source(s, who) for s in sources(store, KNOWN_SOURCES)],
            "baseline": compare.baseline_day.isoformat(),
            "holder": compare.holder,
            "other": compare.other,
            "days": days,
        }
    )


def _feature(
    kind: str, party: str, day: date, shape: Any, km2: float
) -> dict[str, Any]:
    drawn = shapely.simplify(shape, DRAW_TOLERANCE_DEG, preserve_topology=True)
    return {
        "type": "Feature",
        "properties": {
            "kind": kind,
            "party": party,
            "date": day.isoformat(),
            "km2": round(km2, 4),
        },
        "geometry": shapely.geometry.mapping(drawn),
    }


@router.get("/api/map/control/{agreement_id}/{day}.geojson")
def control_day(
    ctx: Ctx, who: Caller, agreement_id: str, day: str, source: SourceParam = None
) -> Response:
    """The held area on ``day`` (or the last map before it) and each party's gains."""
    agreement = ctx.agreement(agreement_id)
    wanted = _day(day)
    store = ctx.store()
    chosen = _source(store, source)
    compare, found = _comparison(ctx, agreement, chosen)
    before = [o for o in found if o.observed_on <= wanted]
    if not before:
        raise ApiError(
            404,
            f"no control map of this source on or before {wanted}",
            field="day",
            value=day,
        )
    observation = before[-1]
    change = _change(store, compare, observation)
    held = held_area(store, observation)
    features = [
        _feature("held", compare.holder, change.day, held, 0.0),
        *(
            _feature("gain", party, change.day, gain.shape, gain.km2)
            for party, gain in change.gains.items()
        ),
    ]
    body = {
        "type": "FeatureCollection",
        "features": features,
        "date": change.day.isoformat(),
        "baseline": change.baseline.isoformat(),
        "source": _shown_source(chosen, who),
        "simplified_deg": DRAW_TOLERANCE_DEG,
    }
    response = json_response(body)
    response.headers["content-type"] = GEOJSON
    return response
