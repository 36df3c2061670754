"""Bulletins of a day's incidents, automatic and reviewed, and their quality.

As the CTBTO issues an automatic event list (SEL3) and then the analysts'
Reviewed Event Bulletin (REB), ceasefire issues:

- the **automatic** bulletin: the automatic clustering alone (no analyst
  edits, no decisions), every incident whose time falls on the day (UTC);
- the **reviewed** bulletin: after the analysts' merges, splits and
  decisions, the incidents decided ``verified`` or ``disputed`` (dismissed
  ones are left out, with their count), each with its decision, reason and
  the replies it considered; incidents not yet decided are listed by id.

Each is a ``bulletin`` log entry about ``bulletin/<kind>/<date>`` carrying the
content, its SHA-256 and a version number; issuing the same content again
adds nothing, changed content adds the next version.

**Quality** (``quality``) compares the latest automatic bulletin with the
latest reviewed one. Matching rule: an automatic and a reviewed incident
match when they share at least one report; pairs are taken one-to-one,
most shared reports first (ties: smaller automatic id, then smaller reviewed
id). Then, as the CTBTO scores SEL3 against the REB: *matched* = matched
pairs; *false* = automatic incidents matched to nothing reviewed (dismissed,
or absorbed when analysts merged two); *missed* = reviewed incidents no
automatic one matched (formed by an analyst's split or merge of reports the
automatic pass kept apart). Automatic incidents whose reports are only in
incidents still awaiting a decision are counted as *pending*, neither right
nor wrong.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from ceasefire.errors import DetailedError
from ceasefire.factfinding.cluster import Params
from ceasefire.factfinding.incidents import Incident, build, groups_of, read_log
from ceasefire.factfinding.workflow import decision_of
from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.entries import Kind, body_of, dump_body, read_bodies
from ceasefire.store.base import EntryRow

BULLETIN = Kind.BULLETIN
KINDS = ("automatic", "reviewed")
PUBLISHED = ("verified", "disputed")


@dataclass(frozen=True)
class Bulletin:
    """One version of a bulletin as logged."""

    kind: str
    day: str
    version: int
    sha256: str
    content: dict[str, Any]
    entry_id: str
    new: bool
    """False when this content had already been issued (no entry was added)."""


def subject(kind: str, day: date) -> str:
    """The log subject of a bulletin's versions."""
    return f"bulletin/{kind}/{day.isoformat()}"


def _on(incident: Incident, day: date) -> bool:
    return incident.start.date() == day


def _summary(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "start": incident.start.isoformat(),
        "time_precision": incident.time_precision,
        "lon": incident.lon,
        "lat": incident.lat,
        "precision_m": incident.precision_m,
        "event_types": list(incident.event_types),
        "report_ids": list(incident.report_ids),
        "independent_sources": incident.independent_sources,
        "score": incident.corroboration.score,
    }


def automatic_content(
    log: Log, day: date, params: Params | None = None
) -> dict[str, Any]:
    """The automatic bulletin of ``day``: the clustering alone."""
    view = read_log(log.store)
    params = params or view.params or Params()
    incidents = [
        i for i in build(view, groups_of(view, params, automatic=True)) if _on(i, day)
    ]
    return {
        "kind": "automatic",
        "date": day.isoformat(),
        "params": vars(params),
        "incidents": [_summary(i) for i in incidents],
    }


def reviewed_content(
    log: Log, day: date, params: Params | None = None
) -> dict[str, Any]:
    """The reviewed bulletin of ``day``: decided incidents with their decisions."""
    view = read_log(log.store)
    params = params or view.params or Params()
    incidents = [i for i in build(view, groups_of(view, params)) if _on(i, day)]
    published = []
    for incident in incidents:
        if incident.state not in PUBLISHED:
            continue
        decision = decision_of(log, incident.id) or {}
        replies = {
            row.id: reply
            for row, reply in read_bodies(log, entries.Reply, subject=incident.id)
        }
        published.append(
            {
                **_summary(incident),
                "state": incident.state,
                "decision": {
                    "entry": decision.get("entry"),
                    "reason": decision.get("reason"),
                    "decided_at": decision.get("decided_at"),
                    "considered_replies": [
                        _considered(entry, replies[entry])
                        for entry in decision.get("considered_replies", [])
                        if entry in replies
                    ],
                    "parties_without_reply": decision.get("parties_without_reply", []),
                },
            }
        )
    return {
        "kind": "reviewed",
        "date": day.isoformat(),
        "params": vars(params),
        "incidents": published,
        "dismissed": sorted(i.id for i in incidents if i.state == "dismissed"),
        "pending": [
            {"id": i.id, "state": i.state, "report_ids": list(i.report_ids)}
            for i in incidents
            if i.state not in (*PUBLISHED, "dismissed")
        ],
    }


def _considered(entry: str, reply: entries.Reply) -> dict[str, Any]:
    """A reply a decision weighed, as the reviewed bulletin lists it."""
    return {
        "entry": entry,
        "party": reply.party,
        "position": reply.position,
        "statement": reply.statement,
        "counter_evidence": [c.sha256 for c in reply.counter_evidence],
    }


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(
        orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def versions(log: Log, kind: str, day: date) -> list[EntryRow]:
    """Every version of a bulletin, oldest first."""
    return [
        r for r in log.store.entries_about(subject(kind, day)) if r.kind == BULLETIN
    ]


def _from_row(row: EntryRow, new: bool) -> Bulletin:
    body = body_of(row, entries.Bulletin)
    return Bulletin(
        body.kind, body.date, body.version, body.sha256, body.content, row.id, new
    )


def issue(
    log: Log, kind: str, day: date, actor: str, params: Params | None = None
) -> Bulletin:
    """Issue the bulletin of ``day``: a new version only if its content changed."""
    if kind not in KINDS:
        raise DetailedError("unknown bulletin", value=kind, expected=" or ".join(KINDS))
    build_content = automatic_content if kind == "automatic" else reviewed_content
    content = build_content(log, day, params)
    digest = _digest(content)
    previous = versions(log, kind, day)
    if previous:
        last = _from_row(previous[-1], new=False)
        if last.sha256 == digest:
            return last
    body = entries.Bulletin(
        kind=kind,  # type: ignore[arg-type]  # checked against KINDS above
        date=day.isoformat(),
        version=len(previous) + 1,
        sha256=digest,
        content=content,
    )
    draft = Draft(BULLETIN, dump_body(body), subject=subject(kind, day), actor=actor)
    row = log.append([draft])[0]
    return _from_row(row, new=True)


def latest(log: Log, kind: str, day: date) -> Bulletin | None:
    """The latest version of a bulletin, if issued."""
    rows = versions(log, kind, day)
    return _from_row(rows[-1], new=False) if rows else None


# ------------------------------------------------------------ quality


@dataclass(frozen=True)
class Quality:
    """The automatic bulletin scored against the reviewed one."""

    matched: list[tuple[str, str]]
    """(automatic id, reviewed id) pairs."""
    false: list[str]
    missed: list[str]
    pending: list[str]

    @property
    def precision(self) -> float | None:
        """matched / (matched + false)."""
        total = len(self.matched) + len(self.false)
        return len(self.matched) / total if total else None

    @property
    def recall(self) -> float | None:
        """matched / (matched + missed)."""
        total = len(self.matched) + len(self.missed)
        return len(self.matched) / total if total else None

    def to_json(self) -> dict[str, Any]:
        """Counts, ratios and ids."""
        return {
            "matched": len(self.matched),
            "false": len(self.false),
            "missed": len(self.missed),
            "pending": len(self.pending),
            "precision": self.precision,
            "recall": self.recall,
            "matched_pairs": [list(p) for p in self.matched],
            "false_ids": self.false,
            "missed_ids": self.missed,
            "pending_ids": self.pending,
        }


def compare(automatic: dict[str, Any], reviewed: dict[str, Any]) -> Quality:
    """Score an automatic bulletin's content against a reviewed one's."""
    auto = {i["id"]: set(i["report_ids"]) for i in automatic["incidents"]}
    final = {i["id"]: set(i["report_ids"]) for i in reviewed["incidents"]}
    pending_reports = {r for p in reviewed.get("pending", []) for r in p["report_ids"]}
    pairs = sorted(
        (
            (-len(a_reports & r_reports), a, r)
            for a, a_reports in auto.items()
            for r, r_reports in final.items()
            if a_reports & r_reports
        )
    )
    matched: list[tuple[str, str]] = []
    used_a: set[str] = set()
    used_r: set[str] = set()
    for _, a, r in pairs:
        if a not in used_a and r not in used_r:
            matched.append((a, r))
            used_a.add(a)
            used_r.add(r)
    unmatched = sorted(a for a in auto if a not in used_a)
    pending = [a for a in unmatched if auto[a] <= pending_reports]
    false = [a for a in unmatched if a not in pending]
    missed = sorted(r for r in final if r not in used_r)
    return Quality(sorted(matched), false, missed, pending)


def quality(log: Log, day: date) -> Quality:
    """Score the latest automatic bulletin of ``day`` against the latest reviewed one."""
    automatic = latest(log, "automatic", day)
    reviewed = latest(log, "reviewed", day)
    missing = [
        k for k, b in (("automatic", automatic), ("reviewed", reviewed)) if b is None
    ]
    if automatic is None or reviewed is None:
        raise DetailedError(
            f"no {' or '.join(missing)} bulletin issued for {day.isoformat()}",
            value=day.isoformat(),
            expected=f"run 'ceasefire bulletin {missing[0]} --date {day.isoformat()}' first",
        )
    return compare(automatic.content, reviewed.content)
