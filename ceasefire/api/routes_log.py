"""``/api/log/head``, ``/api/log/proof/{entry}`` and ``/api/me``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ceasefire.api.auth import Principal
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.dto import Me
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import json_response
from ceasefire.log.heads import FORMAT
from ceasefire.model.entries import envelope_of
from ceasefire.model.redaction import visible

router = APIRouter(tags=["log"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]


@router.get("/api/me", response_model=Me)
def me(who: Caller) -> Response:
    """The caller's role (and party, for a liaison officer)."""
    return json_response({"role": who.role, "party": who.party})


@router.get("/api/log/head", response_model=dict[str, Any])
def head(ctx: Ctx, who: Caller) -> Response:
    """The latest signed head if it covers the whole log, else the current unsigned head.

    Same shape either way (``format``, ``head``, ``signatures``): check the
    signatures with ``ceasefire log`` or the standalone verifier.
    """
    log = ctx.log()
    signed = log.latest_signed()
    size = log.store.size()
    if signed is not None and signed.head.tree_size == size:
        return Response(signed.to_json(indent=None), media_type="application/json")
    current = log.head()
    return json_response(
        {"format": FORMAT, "head": current.to_dict(), "signatures": []}
    )


@router.get("/api/log/proof/{entry}", response_model=dict[str, Any])
def proof(
    ctx: Ctx,
    who: Caller,
    entry: str,
    tree_size: Annotated[
        int | None,
        Query(
            ge=1, le=2**62, description="Prove against this tree size (default: now)."
        ),
    ] = None,
) -> Response:
    """An inclusion proof of one entry (by id or position), for the standalone verifier."""
    if not entry.isascii() or (entry.isdigit() and len(entry) > 18):
        raise ApiError(
            404, f"no entry {entry!r} in the log", field="entry", value=entry
        )
    found = ctx.log().prove(entry, tree_size)
    row = ctx.store().entry(found.index)
    assert row is not None
    body: dict[str, Any] = {
        "entry": {"seq": row.seq, "id": row.id, "kind": row.kind},
        "proof": found.to_json(),
    }
    if visible("proof.payload", who):  # the exact bytes name the actor and body
        body["entry"]["payload"] = envelope_of(row.payload)
    return json_response(body)
