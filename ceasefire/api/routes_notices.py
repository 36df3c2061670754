"""``/api/notices`` and ``/api/penalties`` (issue 7): the hotline over HTTP.

Parties see the notices addressed to them and acknowledge or reply to them;
mission staff and guarantors see all; the public sees the escalation steps
only (the Atom feed's content). ``/api/penalties`` serves the penalty state
changes recorded in the log (``ceasefire snapback status --record`` or
``ceasefire notify run`` record them).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from ceasefire.api.auth import Principal, require
from ceasefire.api.context import ApiContext, caller, context
from ceasefire.api.dto import Created, Page
from ceasefire.api.errors import ApiError
from ceasefire.api.geojson import json_response
from ceasefire.api.pagination import decode_cursor, encode_cursor
from ceasefire.api.params import Cursor, Limit
from ceasefire.errors import DetailedError
from ceasefire.model.entries import raw_body
from ceasefire.model.redaction import WITHHELD, notice_view, visible
from ceasefire.notify import notices
from ceasefire.notify.atom import feed
from ceasefire.notify.cap import to_cap
from ceasefire.snapback.record import PENALTY_STATE

router = APIRouter(tags=["notices"])
Caller = Annotated[Principal, Depends(caller)]
Ctx = Annotated[ApiContext, Depends(context)]
STAFF = ("monitor", "analyst", "guarantor")


class ReplyIn(BaseModel):
    """A party's reply to a notice."""

    text: str = Field(min_length=1, max_length=20_000)


def _visible(who: Principal, status: notices.NoticeStatus) -> bool:
    if who.role in STAFF:
        return True
    if who.party is not None:
        return status.notice.recipient == who.party
    return status.notice.cause == "penalty_step"  # the public edition


def _status(ctx: Ctx, who: Principal, notice_id: str) -> notices.NoticeStatus:
    rows = ctx.store().entries_about(notice_id)
    found = notices.book_of_rows(rows).get(notice_id)
    if found is None or not _visible(who, found):
        raise ApiError(
            404, f"no notice {notice_id!r}", field="notice_id", value=notice_id
        )
    return found


@router.get("/api/notices", response_model=Page)
def list_notices(
    ctx: Ctx,
    who: Caller,
    party: Annotated[str | None, Query(description="Addressed to this party.")] = None,
    state: Annotated[
        str | None, Query(description="open, acknowledged, replied or unanswered.")
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Notices the caller may see, oldest first, with ack and delivery state."""
    after = decode_cursor(cursor)
    items: list[dict[str, Any]] = []
    more = False
    for status in notices.book(ctx.log()).values():
        if after is not None and status.seq <= after:
            continue
        if not _visible(who, status):
            continue
        if party is not None and status.notice.recipient != party:
            continue
        if state is not None and status.state() != state:
            continue
        if len(items) == limit:
            more = True
            break
        items.append(notice_view(status.to_dict(), who))
    following = encode_cursor(items[-1]["seq"]) if more and items else None
    return json_response({"items": items, "next": following})


@router.post("/api/notices/{notice_id}/ack", status_code=201, response_model=Created)
def ack(ctx: Ctx, who: Caller, notice_id: str) -> Response:
    """Acknowledge a notice addressed to the caller's party."""
    require(who, "party")
    _status(ctx, who, notice_id)
    try:
        with ctx.write_lock:
            row = notices.acknowledge(ctx.log(), notice_id, str(who.party), who.actor)
    except notices.NoticeError as exc:
        raise ApiError(409, exc.message, field="notice_id", value=notice_id) from None
    return json_response({"id": row.id, "seq": row.seq}, 201)


@router.post("/api/notices/{notice_id}/reply", status_code=201, response_model=Created)
def reply(ctx: Ctx, who: Caller, notice_id: str, answer: ReplyIn) -> Response:
    """Reply to a notice addressed to the caller's party (a reply answers it)."""
    require(who, "party")
    _status(ctx, who, notice_id)
    try:
        with ctx.write_lock:
            row = notices.reply(
                ctx.log(), notice_id, str(who.party), answer.text, who.actor
            )
    except DetailedError as exc:
        raise ApiError(409, exc.message, field="text", value=answer.text) from None
    return json_response({"id": row.id, "seq": row.seq}, 201)


@router.get("/api/notices/{notice_id}/cap")
def cap(ctx: Ctx, who: Caller, notice_id: str) -> Response:
    """The notice as an OASIS CAP 1.2 alert (validated against the schema)."""
    notice = _status(ctx, who, notice_id).notice
    if not visible("notice.liaison", who, owner=notice.recipient):
        notice = notice.model_copy(update={"liaison": WITHHELD, "address": None})
    return Response(to_cap(notice), media_type="application/cap+xml")


@router.get("/api/notices.atom")
def atom(ctx: Ctx, who: Caller) -> Response:
    """The public Atom feed of escalation steps."""
    data = feed(
        list(notices.book(ctx.log()).values()),
        feed_id="urn:ceasefire:snapback",
        title="Snapback and hotline: escalation steps",
    )
    return Response(data, media_type="application/atom+xml")


@router.get("/api/penalties")
def penalties(
    ctx: Ctx,
    who: Caller,
    agreement: Annotated[str | None, Query(description="Agreement id.")] = None,
) -> Response:
    """Each (rule, party)'s recorded state and its history of state changes."""
    if agreement is not None:
        ctx.agreement(agreement)
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in ctx.store().entries():
        if row.kind != PENALTY_STATE:
            continue
        body = raw_body(row)
        if agreement is not None and body["agreement"] != agreement:
            continue
        # provisional states (reported breaches) are a trail of their own
        standing = body["reasons"].get("standing", "established")
        key = (body["agreement"], body["rule"], body["group"], standing)
        entry = groups.setdefault(
            key,
            {"agreement": key[0], "rule": key[1], "party": key[2],
             "standing": standing, "history": []},
        )  # fmt: skip
        entry["history"].append({"seq": row.seq, **body})
    items = []
    for entry in groups.values():
        last = entry["history"][-1]
        state = "watching" if last["to"] in ("withdrawn", "expired") else last["to"]
        items.append({**entry, "state": state, "since": last["at"]})
    return json_response({"items": items, "next": None})
