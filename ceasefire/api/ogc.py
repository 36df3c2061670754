"""OGC API – Features, Part 1: Core with GeoJSON, under ``/ogc`` (issue 17).

QGIS ("Add WFS / OGC API – Features Layer") and GDAL's OAPIF driver read the
mission here as layers. Collections: ``reports``, ``verdicts-<agreement>`` and
``agreement-<agreement>`` (lines, zones, corridors and sites). Every feature
is built from the same redaction views the rest of the API serves
(``report_view``, ``verdict_view``, ``visible_verdicts``), so the public gets
public-grid cells and no protected source here either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
import shapely
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from ceasefire.api import incidents as incident_summaries
from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import GEOJSON, point_feature, report_properties
from ceasefire.api.incidents import visible_verdicts
from ceasefire.api.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from ceasefire.api.params import iso, parse_bbox
from ceasefire.api.verdicts import by_incident
from ceasefire.factfinding.incidents import Incident
from ceasefire.model.entries import Kind, raw_body
from ceasefire.model.redaction import bbox_for, report_view, rule, verdict_view
from ceasefire.store.base import ReportQuery, VerdictQuery

router = APIRouter(tags=["ogc"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]  # not oas30: FastAPI's definition is OpenAPI 3.1
DEFAULT_LIMIT = 100
MAX_VERDICTS = 1_000_000
EXTENT_SCAN = 10**9
Box = tuple[float, float, float, float]

BBoxParam = Annotated[
    str | None,
    Query(description="minlon,minlat,maxlon,maxlat in CRS84 degrees."),
]
DatetimeParam = Annotated[
    str | None,
    Query(
        description="An instant or an interval start/end, '..' for an open end"
        " (RFC 3339 with offset).",
        examples=["2015-02-15T00:00:00Z/..", "2015-03-05T06:40:00Z"],
    ),
]
LimitParam = Annotated[
    int,
    Query(ge=1, description=f"Features per page (larger values read as {MAX_LIMIT})."),
]
CursorParam = Annotated[
    str | None, Query(description="From the href of the previous page's 'next' link.")
]


# ------------------------------------------------------------------ parameters


@dataclass(frozen=True)
class Window:
    """A datetime filter as the store takes it: since (inclusive), until (exclusive)."""

    since: str | None = None
    until: str | None = None


def _instant(text: str, whole: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(
            400,
            "datetime: expected an RFC 3339 instant with offset, or start/end with"
            " '..' for an open end",
            field="datetime",
            value=whole,
        )
    return moment


def parse_datetime(text: str | None) -> Window:
    """``datetime`` as a window; both ends of an interval are inclusive (OGC 17-069r4 §7.15.4)."""
    if text is None:
        return Window()
    tick = timedelta(
        microseconds=1
    )  # the store keeps microseconds: 'until' is exclusive
    if "/" not in text:
        moment = _instant(text, text)
        return Window(iso(moment), iso(moment + tick))
    start, _, end = text.partition("/")
    if start in ("", "..") and end in ("", ".."):
        raise ApiError(400, "datetime: both ends open", field="datetime", value=text)
    since = None if start in ("", "..") else _instant(start, text)
    until = None if end in ("", "..") else _instant(end, text)
    if since is not None and until is not None and since > until:
        raise ApiError(400, "datetime: start after end", field="datetime", value=text)
    return Window(iso(since), None if until is None else iso(until + tick))


def _bbox(text: str | None) -> Box | None:
    try:
        return parse_bbox(text)
    except ApiError as exc:  # OGC wants 400 for a bad parameter
        raise ApiError(400, exc.message, field="bbox", value=text) from None


# ------------------------------------------------------------------ documents


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _link(href: str, rel: str, kind: str, title: str | None = None) -> dict[str, Any]:
    link = {"href": href, "rel": rel, "type": kind}
    if title:
        link["title"] = title
    return link


def _json(body: Any, media_type: str = "application/json") -> Response:
    return Response(orjson.dumps(body), media_type=media_type)


def _iso_seconds(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _extent(box: Box | None, start: str | None, end: str | None) -> dict[str, Any]:
    spatial = [list(box)] if box else [[-180.0, -90.0, 180.0, 90.0]]
    return {
        "spatial": {"bbox": spatial, "crs": CRS84},
        "temporal": {"interval": [[start, end]], "trs": GREGORIAN},
    }


def _report_extent(ctx: ApiContext, who: Principal) -> dict[str, Any]:
    """Bounds of every report, in whole public cells for the public.

    One cached answer per place rule, recomputed when the log has grown
    (kept with the log size it was computed at, so the cache never grows).
    """
    store = ctx.store()
    key, size = f"ogc-extent:{rule('place', who)}", store.size()
    cached = orjson.loads(ctx.cache[key]) if key in ctx.cache else None
    if cached is None or cached["size"] != size:
        points = store.report_points(ReportQuery(limit=EXTENT_SCAN))
        box: Box | None = None
        start = end = None
        if points.ids:
            raw = (min(points.lon), min(points.lat), max(points.lon), max(points.lat))
            box = bbox_for(raw, who, ctx.public_grid_deg)
            start, end = _iso_seconds(min(points.t)), _iso_seconds(max(points.t))
        cached = {"size": size, "extent": _extent(box, start, end)}
        ctx.cache[key] = orjson.dumps(cached)
    found: dict[str, Any] = cached["extent"]
    return found


def _verdict_rows(
    ctx: ApiContext,
    who: Principal,
    agreement_id: str,
    window: Window = Window(),
    incident: str | None = None,
) -> list[dict[str, Any]]:
    """The agreement's current verdicts ``who`` may read, in the store's order."""
    doc = ctx.agreement(agreement_id).document
    query = VerdictQuery(
        agreement_id=doc.id,
        agreement_version=doc.version,
        since=window.since,
        until=window.until,
        incident=incident,
        limit=MAX_VERDICTS,
    )
    return visible_verdicts(ctx.store().verdicts(query), who)


def _verdict_extent(
    ctx: ApiContext, who: Principal, agreement_id: str
) -> dict[str, Any]:
    rows = [
        verdict_view(r, who, ctx.public_grid_deg)
        for r in _verdict_rows(ctx, who, agreement_id)
    ]
    if not rows:
        return _extent(None, None, None)
    lons, lats = [r["lon"] for r in rows], [r["lat"] for r in rows]
    times = sorted(str(r["observed_at"]) for r in rows)
    return _extent((min(lons), min(lats), max(lons), max(lats)), times[0], times[-1])


def _agreement_extent(ctx: ApiContext, agreement_id: str) -> dict[str, Any]:
    agreement = ctx.agreement(agreement_id)
    shapes = [f.shape for f in agreement.features.values()]
    box = tuple(shapely.total_bounds(shapes).tolist()) if shapes else None
    instants = sorted(agreement.instants.values())
    start = instants[0].astimezone(UTC).isoformat() if instants else None
    return _extent(box, start, None)


def _collection(
    request: Request, ctx: ApiContext, who: Principal, name: str
) -> dict[str, Any]:
    """One collection's metadata: title, extents and links."""
    kind, agreement_id = _kind(ctx, name)
    if kind == "reports":
        title, extent = "Reports", _report_extent(ctx, who)
        about = "Reports in log order, as your role may see them."
    elif kind == "incidents":
        title, extent = "Incidents", _incident_extent(ctx, who)
        about = (
            "Fact-finding's incidents (reports clustered, independent sources,"
            " corroboration score), in time order, places as your role may see them."
        )
    elif kind == "verdicts":
        title = f"Verdicts of {agreement_id}"
        extent = _verdict_extent(ctx, who, agreement_id)
        about = "Verdicts at the incident's place (the public: established breaches)."
    else:
        title = ctx.agreement(agreement_id).document.title
        extent = _agreement_extent(ctx, agreement_id)
        about = "The agreement's lines, zones, corridors and sites."
    href = f"{_base(request)}/collections/{name}"
    return {
        "id": name,
        "title": title,
        "description": about,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "links": [
            _link(href, "self", "application/json", title),
            _link(f"{href}/items", "items", GEOJSON, title),
        ],
    }


def _names(ctx: ApiContext) -> list[str]:
    names = ["incidents", "reports"]
    for agreement_id in ctx.agreements:
        names += [f"verdicts-{agreement_id}", f"agreement-{agreement_id}"]
    return names


def _kind(ctx: ApiContext, name: str) -> tuple[str, str]:
    """(incidents | reports | verdicts | agreement, agreement id) of a collection; 404 if unknown."""
    if name in ("incidents", "reports"):
        return name, ""
    for kind in ("verdicts", "agreement"):
        agreement_id = name.removeprefix(f"{kind}-")
        if agreement_id != name and agreement_id in ctx.agreements:
            return kind, agreement_id
    raise ApiError(
        404,
        f"no collection {name!r}; known: {', '.join(_names(ctx))}",
        field="collectionId",
        value=name,
    )


# ------------------------------------------------------------------ features


def _report_feature(
    row_body: dict[str, Any], state: str, who: Principal, grid: float
) -> dict[str, Any]:
    """A report as a flat GeoJSON feature, from its redacted view only."""
    view = report_view(row_body, who, grid)
    location = view["location"]
    properties = report_properties(view, state)
    properties["precision_m"] = location.get("precision_m")
    properties["place"] = location.get("place")
    properties["narrative"] = view.get("narrative")
    properties["source_id"] = view["source"].get("id")
    return point_feature(view["id"], location["lon"], location["lat"], properties)


def _incident_features(
    ctx: ApiContext, who: Principal, chosen: list[Incident], agreement: str | None
) -> list[dict[str, Any]]:
    """Incidents as flat GeoJSON features: ``/api/incidents``'s summary, lists as text."""
    known = ctx.incidents()
    ids = [ref for i in chosen for ref in dict.fromkeys((i.id, *i.report_ids))]
    found = by_incident(ctx.store(), ids, agreement)
    features = []
    for incident in chosen:
        verdicts = incident_summaries.verdicts_about(incident, found)
        summary = incident_summaries.summary(
            incident, known.bodies, verdicts, who, ctx.public_grid_deg
        )
        lon, lat = summary.pop("lon"), summary.pop("lat")
        flat = {
            k: ",".join(v) if isinstance(v, list) else v for k, v in summary.items()
        }
        features.append(point_feature(incident.id, lon, lat, flat))
    return features


def _incident_extent(ctx: ApiContext, who: Principal) -> dict[str, Any]:
    """Bounds of every incident's place and start, in whole public cells for the public."""
    every = ctx.incidents().incidents
    if not every:
        return _extent(None, None, None)
    lons, lats = [i.lon for i in every], [i.lat for i in every]
    box = bbox_for(
        (min(lons), min(lats), max(lons), max(lats)), who, ctx.public_grid_deg
    )
    starts = sorted(i.start for i in every)
    return _extent(box, _utc(starts[0]), _utc(starts[-1]))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _incident_page(
    ctx: ApiContext,
    who: Principal,
    box: Box | None,
    window: Window,
    limit: int,
    after: int | None,
) -> Page:
    """Incidents in time order whose place lies in ``box`` (whole public cells for
    the public, as for reports) and whose start lies in ``window``."""
    wide = bbox_for(box, who, ctx.public_grid_deg)
    since = None if window.since is None else datetime.fromisoformat(window.since)
    until = None if window.until is None else datetime.fromisoformat(window.until)
    chosen = [
        i
        for i in ctx.incidents().incidents
        if _in_box(i.lon, i.lat, wide)
        and (since is None or i.start >= since)
        and (until is None or i.start < until)
    ]
    start = 0 if after is None else after + 1  # as _listed_page: an index cursor
    more = start + limit < len(chosen)
    features = _incident_features(ctx, who, chosen[start : start + limit], None)
    return Page(features, encode_cursor(start + limit - 1) if more else None)


def _verdict_feature(
    row: dict[str, Any], who: Principal, grid: float
) -> dict[str, Any]:
    """A verdict as a point at its incident; scalar fields of the redacted view only."""
    view = verdict_view(row, who, grid)
    properties = {
        k: v
        for k, v in view.items()
        if k not in ("lon", "lat") and (v is None or isinstance(v, str | int | float))
    }
    feature_id = f"{view['incident']}~{view['clause']}"
    return point_feature(feature_id, view["lon"], view["lat"], properties)


def _agreement_features(ctx: ApiContext, agreement_id: str) -> list[dict[str, Any]]:
    features = []
    for feature in ctx.agreement(agreement_id).features.values():
        features.append(
            {
                "type": "Feature",
                "id": feature.id,
                "geometry": orjson.loads(shapely.to_geojson(feature.shape)),
                "properties": {
                    "kind": feature.kind,
                    "label": feature.label,
                    "regime": feature.spec.regime,
                    "party": feature.spec.party,
                },
            }
        )
    return features


def _in_box(lon: float, lat: float, box: Box | None) -> bool:
    return box is None or (box[0] <= lon <= box[2] and box[1] <= lat <= box[3])


@dataclass(frozen=True)
class Page:
    """One page of features and where the next one starts."""

    features: list[dict[str, Any]]
    next_cursor: str | None


def _report_page(
    ctx: ApiContext,
    who: Principal,
    box: Box | None,
    window: Window,
    limit: int,
    after: int | None,
) -> Page:
    grid = ctx.public_grid_deg
    query = ReportQuery(
        bbox=bbox_for(box, who, grid),  # whole public cells: no finer answer
        since=window.since,
        until=window.until,
        after_seq=after,
        limit=limit + 1,
    )
    rows = ctx.store().report_rows(query)
    more = len(rows) > limit
    rows = rows[:limit]
    features = [_report_feature(r.body, r.state, who, grid) for r in rows]
    return Page(features, encode_cursor(rows[-1].seq) if more else None)


def _listed_page(items: list[dict[str, Any]], limit: int, after: int | None) -> Page:
    """A page of an in-memory list; the cursor is the index of the last item served."""
    start = 0 if after is None else after + 1
    more = start + limit < len(items)
    return Page(
        items[start : start + limit], encode_cursor(start + limit - 1) if more else None
    )


def _verdict_page(
    ctx: ApiContext,
    who: Principal,
    agreement_id: str,
    box: Box | None,
    window: Window,
    limit: int,
    after: int | None,
) -> Page:
    grid = ctx.public_grid_deg
    wide = bbox_for(box, who, grid)  # judged on the logged place, in whole public cells
    rows = [
        r
        for r in _verdict_rows(ctx, who, agreement_id, window)
        if _in_box(r["lon"], r["lat"], wide)
    ]
    page = _listed_page(rows, limit, after)
    return Page(
        [_verdict_feature(r, who, grid) for r in page.features], page.next_cursor
    )


def _geometry_page(
    ctx: ApiContext, agreement_id: str, box: Box | None, limit: int, after: int | None
) -> Page:
    features = _agreement_features(ctx, agreement_id)
    if box is not None:
        area = shapely.box(*box)
        features = [
            f
            for f in features
            if shapely.intersects(
                shapely.from_geojson(orjson.dumps(f["geometry"])), area
            )
        ]
    return _listed_page(features, limit, after)


# ------------------------------------------------------------------ routes


@router.get("/ogc", summary="OGC API – Features landing page")
def landing(request: Request, who: Caller) -> Response:
    """Links to the conformance classes, the collections and the API definition."""
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    return _json(
        {
            "title": "ceasefire: the monitoring mission",
            "description": "Reports, verdicts and agreement geometry as OGC API – Features.",
            "links": [
                _link(base, "self", "application/json", "This document"),
                _link(
                    f"{root}/openapi.json",
                    "service-desc",
                    "application/vnd.oai.openapi+json;version=3.1",
                    "The API definition",
                ),
                _link(
                    f"{base}/conformance",
                    "conformance",
                    "application/json",
                    "Conformance classes",
                ),
                _link(f"{base}/collections", "data", "application/json", "Collections"),
            ],
        }
    )


@router.get("/ogc/conformance", summary="OGC conformance classes")
def conformance(who: Caller) -> Response:
    """The conformance classes this server implements."""
    return _json({"conformsTo": CONFORMANCE})


@router.get("/ogc/collections", summary="OGC collections")
def collections(request: Request, ctx: Ctx, who: Caller) -> Response:
    """Every collection with its extents."""
    return _json(
        {
            "links": [
                _link(f"{_base(request)}/collections", "self", "application/json")
            ],
            "collections": [_collection(request, ctx, who, n) for n in _names(ctx)],
        }
    )


@router.get("/ogc/collections/{collectionId}", summary="One OGC collection")
def collection_info(
    request: Request,
    ctx: Ctx,
    who: Caller,
    collectionId: str,  # noqa: N803 - OGC's name
) -> Response:
    """A collection's metadata: title, spatial and temporal extent, links."""
    return _json(_collection(request, ctx, who, collectionId))


@router.get(
    "/ogc/collections/{collectionId}/items", summary="Features of an OGC collection"
)
def items(
    request: Request,
    ctx: Ctx,
    who: Caller,
    collectionId: str,  # noqa: N803 - OGC's name
    bbox: BBoxParam = None,
    datetime: DatetimeParam = None,  # noqa: A002 - OGC's name
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    """Features as your role may see them, filtered by bbox and datetime, paged by 'next' links."""
    kind, agreement_id = _kind(ctx, collectionId)
    box, window, size = _bbox(bbox), parse_datetime(datetime), min(limit, MAX_LIMIT)
    after = decode_cursor(cursor)
    if kind == "reports":
        page = _report_page(ctx, who, box, window, size, after)
    elif kind == "incidents":
        page = _incident_page(ctx, who, box, window, size, after)
    elif kind == "verdicts":
        page = _verdict_page(ctx, who, agreement_id, box, window, size, after)
    else:
        page = _geometry_page(ctx, agreement_id, box, size, after)
    links = [_link(str(request.url), "self", GEOJSON)]
    if page.next_cursor is not None:
        following = request.url.include_query_params(cursor=page.next_cursor)
        links.append(_link(str(following), "next", GEOJSON, "Next page"))
    body = {
        "type": "FeatureCollection",
        "features": page.features,
        "numberReturned": len(page.features),
        "timeStamp": datetime_now(),
        "links": links,
    }
    return _json(body, GEOJSON)


def datetime_now() -> str:
    """Now, in UTC, to the second (the 'timeStamp' of a page)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@router.get(
    "/ogc/collections/{collectionId}/items/{featureId}", summary="One OGC feature"
)
def item(
    request: Request,
    ctx: Ctx,
    who: Caller,
    collectionId: str,  # noqa: N803 - OGC's name
    featureId: str,  # noqa: N803 - OGC's name
) -> Response:
    """One feature, as your role may see it; 404 if absent or not yours to see."""
    kind, agreement_id = _kind(ctx, collectionId)
    found = _find(ctx, who, kind, agreement_id, featureId)
    if found is None:
        raise ApiError(
            404,
            f"no feature {featureId!r} in {collectionId!r}",
            field="featureId",
            value=featureId,
        )
    found["links"] = [
        _link(str(request.url), "self", GEOJSON),
        _link(
            f"{_base(request)}/collections/{collectionId}",
            "collection",
            "application/json",
        ),
    ]
    return _json(found, GEOJSON)


def _find(
    ctx: ApiContext, who: Principal, kind: str, agreement_id: str, feature_id: str
) -> dict[str, Any] | None:
    grid = ctx.public_grid_deg
    if kind == "reports":
        log = ctx.log()
        entry = log.store.entry_by_id(feature_id)
        if entry is None or entry.kind != Kind.REPORT:
            return None
        body = raw_body(entry)
        return _report_feature(body, log.state_of(feature_id), who, grid)
    if kind == "incidents":
        found = ctx.incidents().by_id.get(feature_id)
        return None if found is None else _incident_features(ctx, who, [found], None)[0]
    if kind == "verdicts":
        incident, _, clause = feature_id.partition("~")
        rows = [
            r
            for r in _verdict_rows(ctx, who, agreement_id, incident=incident)
            if r["clause"] == clause
        ]
        return _verdict_feature(rows[0], who, grid) if rows else None
    features = _agreement_features(ctx, agreement_id)
    return next((f for f in features if f["id"] == feature_id), None)
