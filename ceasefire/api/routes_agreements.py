"""``/api/agreements`` and ``/api/commitments``: what the agreements say."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
import shapely
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ceasefire.agreement import translate
from ceasefire.agreement.load import Agreement
from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.dto import (
    AgreementDetail,
    AgreementItem,
    CommitmentOut,
    FeatureCollection,
)
from ceasefire.api.geojson import GEOJSON, json_response
from ceasefire.model.agreement import RelativeInstant

router = APIRouter(tags=["agreements"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]


def _item(agreement: Agreement) -> dict[str, Any]:
    doc = agreement.document
    return {
        "id": doc.id,
        "title": doc.title,
        "version": doc.version,
        "parties": [{"id": p.id, "name": p.name, "role": p.role} for p in doc.parties],
        # titles and labels in other languages, for the UI (examples/minsk-ii.yaml)
        "translations": {
            lang: block.model_dump(exclude_defaults=True)
            for lang, block in doc.translations.items()
        },
    }


def instant(agreement: Agreement, value: object) -> datetime | None:
    """An instant of the agreement (a time, a timeline name, or an offset) resolved."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, RelativeInstant):
        base = agreement.instants.get(value.after)
        return None if base is None else base + value.offset()
    return agreement.instants.get(str(value)) if value is not None else None


def commitments(agreement: Agreement, now: datetime) -> list[dict[str, Any]]:
    """The agreement's commitments with due dates and status (open, overdue, unscheduled)."""
    found = []
    for item in agreement.document.commitments:
        due = instant(agreement, item.due)
        status = "unscheduled" if due is None else "overdue" if due < now else "open"
        found.append(
            {
                "agreement": agreement.document.id,
                "id": item.id,
                "party": item.party,
                "what": item.what,
                "category": item.category,
                "due": None if due is None else due.astimezone(UTC).isoformat(),
                "status": status,
            }
        )
    return found


@router.get("/api/agreements", response_model=list[AgreementItem])
def list_agreements(ctx: Ctx, who: Caller) -> Response:
    """The agreements this server monitors."""
    return json_response([_item(a) for a in ctx.agreements.values()])


@router.get("/api/agreements/{agreement_id}", response_model=AgreementDetail)
def agreement_summary(ctx: Ctx, who: Caller, agreement_id: str) -> Response:
    """One agreement: clauses, commitments, penalty rules, timeline."""
    agreement = ctx.agreement(agreement_id)
    doc = agreement.document
    body = {
        **_item(agreement),
        "summary": doc.summary,
        "timeline": {
            k: v.astimezone(UTC).isoformat() for k, v in agreement.instants.items()
        },
        "clauses": [
            {
                "id": c.id,
                "title": c.title,
                "text": c.text,
                "kind": c.kind,
                "predicate": c.predicate,
                "parties_bound": c.parties_bound,
                "penalties": c.penalties,
            }
            for c in doc.clauses
        ],
        "commitments": commitments(agreement, datetime.now(UTC)),
        "penalty_rules": [
            {
                "id": r.id,
                "title": r.title,
                "measure": r.measure,
                "threshold": r.threshold,
                "window_days": r.window_days,
                "per": r.per,
            }
            for r in doc.penalty_rules
        ],
    }
    return json_response(body)


def _geometries(agreement: Agreement) -> bytes:
    features = []
    for feature in agreement.features.values():
        features.append(
            {
                "type": "Feature",
                "id": feature.id,
                "geometry": orjson.loads(shapely.to_geojson(feature.shape)),
                "properties": {
                    "id": feature.id,
                    "kind": feature.kind,
                    "label": feature.label,
                    "labels": translate.labels(
                        agreement.document, "geometries", feature.id
                    ),
                    "regime": feature.spec.regime,
                    "party": feature.spec.party,
                },
            }
        )
    return orjson.dumps({"type": "FeatureCollection", "features": features})


@router.get(
    "/api/agreements/{agreement_id}/geometries.geojson",
    response_model=FeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
)
def geometries(ctx: Ctx, who: Caller, agreement_id: str) -> Response:
    """The agreement's lines, zones, corridors and sites."""
    agreement = ctx.agreement(agreement_id)
    key = f"geometries:{agreement_id}"
    if key not in ctx.cache:  # built once: the geometry never changes while serving
        ctx.cache[key] = _geometries(agreement)
    return Response(ctx.cache[key], media_type=GEOJSON)


@router.get("/api/commitments", response_model=list[CommitmentOut])
def list_commitments(
    ctx: Ctx,
    who: Caller,
    agreement: Annotated[str | None, Query(description="One agreement's only.")] = None,
) -> Response:
    """Commitments with due dates and status, across agreements or of one."""
    chosen = [ctx.agreement(agreement)] if agreement else list(ctx.agreements.values())
    now = datetime.now(UTC)
    return json_response([c for a in chosen for c in commitments(a, now)])
