"""``/api/reports``: list, GeoJSON, and submission with an idempotency key."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header
from pydantic import ValidationError
from starlette.responses import Response

from ceasefire.api.auth import Principal, require
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.dto import Created, FeatureCollection, Page
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import (
    GEOJSON,
    collection,
    json_response,
    point_feature,
    report_properties,
)
from ceasefire.api.pagination import encode_cursor
from ceasefire.api.params import Filters, PageParams
from ceasefire.api.redact import place_view, report_view
from ceasefire.model.entries import Kind, raw_body
from ceasefire.model.report import Report, new_id
from ceasefire.store.base import ReportRow

router = APIRouter(tags=["reports"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]


def page_of(rows: list[ReportRow], limit: int) -> tuple[list[ReportRow], str | None]:
    """The rows of this page and the cursor of the next one."""
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(rows[limit - 1].seq)


@router.get("/api/reports", response_model=Page)
def list_reports(ctx: Ctx, who: Caller, filters: Filters, page: PageParams) -> Response:
    """Reports in log order, as the caller's role may see them."""
    query = filters.query(page.limit, page.cursor, who, ctx.public_grid_deg)
    rows, next_cursor = page_of(ctx.store().report_rows(query), page.limit)
    items = [
        {**report_view(r.body, who, ctx.public_grid_deg), "state": r.state}
        for r in rows
    ]
    return json_response({"items": items, "next": next_cursor})


@router.get(
    "/api/reports.geojson",
    response_model=FeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
)
def reports_geojson(
    ctx: Ctx, who: Caller, filters: Filters, page: PageParams
) -> Response:
    """Reports as GeoJSON Points (paged like /api/reports)."""
    query = filters.query(page.limit, page.cursor, who, ctx.public_grid_deg)
    rows, next_cursor = page_of(ctx.store().report_rows(query), page.limit)
    features = []
    for row in rows:  # the properties name no source: only the place is redacted
        lon, lat, precision = place_view(row.body["location"], who, ctx.public_grid_deg)
        properties = report_properties(row.body, row.state)
        properties["precision_m"] = precision
        features.append(point_feature(row.body["id"], lon, lat, properties))
    return collection(features, next_cursor)


def _derived_id(who: Principal, key: str, reported_at: object) -> str:
    """A report id that is a function of the caller's role, the key and reported_at.

    A retry after a restart (when this process's memory of keys is gone)
    then finds its report already logged instead of logging it twice.
    """
    entropy = hashlib.sha256(f"{who.actor}\n{key}".encode()).digest()
    try:
        ms = int(datetime.fromisoformat(str(reported_at)).timestamp() * 1000)
    except (TypeError, ValueError, OverflowError):
        ms = 0
    return new_id(min(max(ms, 0), 2**48 - 1), entropy)


def _reused(key: str) -> ApiError:
    return ApiError(
        409,
        "this Idempotency-Key was used for a different report; use a new key",
        code="idempotency_conflict",
        field="Idempotency-Key",
        value=key,
    )


def _invalid(exc: ValidationError) -> ApiError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "body"
    value = first.get("input")
    if isinstance(value, dict | list):
        value = None
    return ApiError(422, f"{field}: {first['msg']}", field=field, value=value)


def _same_report(stored: dict[str, Any], new: Report) -> bool:
    """Equal apart from what the log filled in (oblast and raion)."""
    mine = orjson.loads(new.model_dump_json(by_alias=True, exclude_none=True))
    for body in (stored, mine):
        body.get("location", {}).pop("admin1", None)
        body.get("location", {}).pop("admin2", None)
    return bool(stored == mine)


@router.post(
    "/api/reports",
    status_code=201,
    response_model=Created,
    responses={200: {"model": Created, "description": "A replay of an earlier POST"}},
)
def submit_report(
    ctx: Ctx,
    who: Caller,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Any unique string; a retry with the same key gets the same answer.",
        ),
    ],
    body: Annotated[
        dict[str, Any],
        Body(description="A report (see `ceasefire log schema`); 'id' is optional."),
    ],
) -> Response:
    """Log a report (monitor role). The same Idempotency-Key never logs twice."""
    require(who, "monitor")
    cache_key = f"{who.actor}\n{idempotency_key}"
    try:  # the log stores JSON that every reader can parse: 64-bit integers at most
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except TypeError as exc:
        raise ApiError(422, f"body: {exc}", field="body") from None
    digest = hashlib.sha256(canonical).hexdigest()
    with ctx.write_lock:  # one submission at a time: no race between check and append
        if cache_key in ctx.idempotency:
            _, answer, seen = ctx.idempotency[cache_key]
            if seen != digest:
                raise _reused(idempotency_key)
            return json_response(answer, 200)
        data = dict(body)
        derived = "id" not in data
        if derived:
            data["id"] = _derived_id(who, idempotency_key, data.get("reported_at"))
        try:
            report = Report.model_validate(data)
        except ValidationError as exc:
            raise _invalid(exc) from None
        log = ctx.log()
        existing = log.store.entry_by_id(report.id)
        status = 200
        if existing is None:
            log.append_reports([report], actor=who.actor)
            existing = log.store.entry_by_id(report.id)
            status = 201
        elif existing.kind != Kind.REPORT or not _same_report(
            raw_body(existing), report
        ):
            if derived:
                raise _reused(idempotency_key)
            raise ApiError(
                409,
                f"another entry already has id {report.id!r}",
                code="conflict",
                field="id",
                value=report.id,
            )
        assert existing is not None
        answer = {"id": existing.id, "seq": existing.seq}
        ctx.idempotency[cache_key] = (status, answer, digest)
    return json_response(answer, status)
