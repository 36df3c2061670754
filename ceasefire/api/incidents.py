"""Incidents as the API serves them: fact-finding's, with their reports.

An incident is one or more reports clustered by fact-finding (see
``ceasefire.api.incident_view``); its id is its anchor report's. Verdicts
come from the compliance engine's table when it exists, about the incident
or any of its reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ceasefire.api.auth import Principal
from ceasefire.api.redact import (
    actor_view,
    evidence_view,
    place_view,
    protected,
    report_view,
)
from ceasefire.factfinding.incidents import Incident
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


def verdicts_about(
    incident: Incident, found: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The verdicts about ``incident`` or any of its reports, from ``by_incident``'s."""
    ids = dict.fromkeys((incident.id, *incident.report_ids))
    return [v for ref in ids for v in found.get(ref, [])]


def summary(
    incident: Incident,
    bodies: dict[str, dict[str, Any]],
    verdicts: list[dict[str, Any]],
    who: Principal,
    grid: float,
) -> dict[str, Any]:
    """One incident in a list: what a map draws and filters on.

    It names no source, so only the place needs redacting (for the public,
    exactly as ``report_view`` coarsens a report's); the place is the
    best-placed report's, the window spans every report's.
    """
    reports = [bodies[r] for r in incident.report_ids]
    anchor = bodies[incident.id]
    breaches = [
        v for v in visible_verdicts(verdicts, who) if v.get("verdict") == "breach"
    ]
    location = min(reports, key=lambda b: b["location"].get("precision_m", 100.0))[
        "location"
    ]
    lon, lat, precision = place_view(location, who, grid)
    timed = _timed(incident, reports)["observed"]
    return {
        "id": incident.id,
        "event_type": anchor["event_type"],
        "event_types": list(incident.event_types),
        "observed_start": incident.start.isoformat(),
        "observed_end": timed.get("end"),
        "time_precision": incident.time_precision,
        "state": incident.state,
        "breach": bool(breaches),
        "clauses": sorted({str(v.get("clause")) for v in breaches}),
        "party": (anchor.get("attribution") or {}).get("party"),
        "n_sources": incident.independent_sources,
        "score": incident.corroboration.score,
        "lon": lon,
        "lat": lat,
        "precision_m": precision,
        "admin1": location.get("admin1"),
        "reports": list(incident.report_ids),
    }


def _timed(incident: Incident, reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The report whose window is the incident's (fact-finding's best-timed one)."""
    for body in reports:
        observed = body["observed"]
        start = datetime.fromisoformat(observed["start"])
        precision = observed.get("precision", "minute")
        if start == incident.start and precision == incident.time_precision:
            return body
    return reports[0]


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
    rows: list[EntryRow], who: Principal, protected_ids: set[str]
) -> list[dict[str, Any]]:
    """Logged evidence about the incident, with its hashes.

    Evidence about a report of a protected source is shown as that report is.
    """
    found = []
    for row in rows:
        if row.kind == Kind.EVIDENCE:
            body = raw_body(row)
            hidden = row.subject in protected_ids
            found.append({"seq": row.seq, **evidence_view(body, who, hidden)})
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
    incident: Incident,
    rows: dict[str, ReportRow],
    about: list[EntryRow],
    verdicts: list[dict[str, Any]],
    who: Principal,
    grid: float,
) -> dict[str, Any]:
    """The incident page: reports, evidence, verdicts, replies and audit trail.

    ``rows`` are the incident's reports (with their own states); ``about`` the
    log entries about the incident or any of its reports, in log order.
    """
    bodies = {ref: row.body for ref, row in rows.items()}
    hidden = {ref for ref, body in bodies.items() if protected(body)}
    return {
        "incident": summary(incident, bodies, verdicts, who, grid),
        "reports": [
            {**report_view(row.body, who, grid), "state": row.state}
            for row in rows.values()
        ],
        "evidence": evidence_of(about, who, hidden),
        "verdicts": [
            verdict_view(v, who, grid) for v in visible_verdicts(verdicts, who)
        ],
        "replies": replies_visible(about, who),
        "trail": trail_of(about, who),
    }
