"""Incidents as the API serves them.

Until fact-finding (issue 6) clusters reports into incidents, every report is
its own incident: same id, same state, one source. Verdicts come from the
compliance engine's table when it exists.
"""

from __future__ import annotations

from typing import Any

from ceasefire.api.auth import Principal
from ceasefire.api.redact import (
    actor_view,
    evidence_view,
    place_view,
    protected,
    report_view,
)
from ceasefire.model.entries import Kind, Reply, body_of, envelope_of, raw_body
from ceasefire.model.redaction import verdict_view, visible
from ceasefire.model.states import INITIAL
from ceasefire.store.base import EntryRow, ReportRow


def visible_verdicts(
    verdicts: list[dict[str, Any]], who: Principal
) -> list[dict[str, Any]]:
    """Verdicts ``who`` may read.

    Mission staff and guarantors: all. A party: those about itself and every
    established breach. The public: established breaches (evidence standard met).
    """
    if who.trusted:
        return verdicts
    established = [
        v for v in verdicts if v.get("verdict") == "breach" and v.get("standard_met")
    ]
    if who.role == "party":
        own = [v for v in verdicts if v.get("party") == who.party]
        return own + [v for v in established if v not in own]
    return established


def summary(
    row: ReportRow, verdicts: list[dict[str, Any]], who: Principal, grid: float
) -> dict[str, Any]:
    """One incident in a list: what a map draws and filters on.

    It names no source, so only the place needs redacting (for the public,
    exactly as ``report_view`` coarsens it); no copy of the report is made.
    """
    body = row.body
    breaches = [
        v for v in visible_verdicts(verdicts, who) if v.get("verdict") == "breach"
    ]
    location = body["location"]
    lon, lat, precision = place_view(location, who, grid)
    observed = body["observed"]
    return {
        "id": body["id"],
        "event_type": body["event_type"],
        "observed_start": observed["start"],
        "observed_end": observed.get("end"),
        "state": row.state,
        "breach": bool(breaches),
        "clauses": sorted({str(v.get("clause")) for v in breaches}),
        "party": (body.get("attribution") or {}).get("party"),
        "n_sources": 1,
        "lon": lon,
        "lat": lat,
        "precision_m": precision,
        "admin1": location.get("admin1"),
        "reports": [body["id"]],
    }


def replies_visible(rows: list[EntryRow], who: Principal) -> list[dict[str, Any]]:
    """Replies about an incident ``who`` may read.

    A reply is visible to its own party and to the mission at once; to other
    parties and the public only once an analyst has published it.
    """
    published: dict[str, str] = {}
    replies: list[tuple[EntryRow, dict[str, Any]]] = []
    for row in rows:
        entry = envelope_of(row.payload)
        if row.kind == Kind.REPLY_PUBLISHED:
            published[entry["body"]["reply"]] = entry["recorded_at"]
        elif row.kind == Kind.REPLY:
            replies.append((row, entry))
    shown = []
    for row, entry in replies:
        reply = body_of(row, Reply)  # either shape: {party, text} or the workflow's
        party = reply.party
        at = published.get(row.id)
        if visible("reply.text", who, owner=party, published=at is not None):
            shown.append(
                {
                    "id": row.id,
                    "seq": row.seq,
                    "party": party,
                    "text": reply.statement,
                    "at": entry["recorded_at"],
                    "published_at": at,
                }
            )
    return shown


def evidence_of(
    rows: list[EntryRow], who: Principal, report_protected: bool
) -> list[dict[str, Any]]:
    """Logged evidence about the incident, with its hashes."""
    found = []
    for row in rows:
        if row.kind == Kind.EVIDENCE:
            body = raw_body(row)
            found.append({"seq": row.seq, **evidence_view(body, who, report_protected)})
    return found


def trail_of(rows: list[EntryRow], who: Principal) -> list[dict[str, Any]]:
    """Every log entry about the incident: who, when, why, and the state after it.

    Unpublished replies are left out for those who may not read them (their
    timing alone says a party answered); reasons follow the policy.
    """
    state = INITIAL
    trail = []
    hidden = _unpublished_replies(rows, who)
    for row in rows:
        if row.id in hidden:
            continue
        entry = envelope_of(row.payload)
        reason = None
        if row.kind == Kind.STATE_CHANGE:
            state = entry["body"]["to"]
            if visible("trail.reason", who):
                reason = entry["body"].get("reason")
        trail.append(
            {
                "seq": row.seq,
                "kind": row.kind,
                "actor": actor_view(entry.get("actor"), who),
                "at": entry["recorded_at"],
                "reason": reason,
                "state": state,
            }
        )
    return trail


def _unpublished_replies(rows: list[EntryRow], who: Principal) -> set[str]:
    """Ids of the reply entries ``who`` may not see yet."""
    shown = {reply["id"] for reply in replies_visible(rows, who)}
    return {r.id for r in rows if r.kind == Kind.REPLY and r.id not in shown}


def detail(
    row: ReportRow,
    about: list[EntryRow],
    verdicts: list[dict[str, Any]],
    who: Principal,
    grid: float,
) -> dict[str, Any]:
    """The incident page: reports, evidence, verdicts, replies and audit trail."""
    return {
        "incident": summary(row, verdicts, who, grid),
        "reports": [{**report_view(row.body, who, grid), "state": row.state}],
        "evidence": evidence_of(about, who, protected(row.body)),
        "verdicts": [
            verdict_view(v, who, grid) for v in visible_verdicts(verdicts, who)
        ],
        "replies": replies_visible(about, who),
        "trail": trail_of(about, who),
    }
