"""Incidents as the rest of ceasefire sees them: ``incidents_of(store)``.

One pass over the log gathers the reports (those not superseded), the
analysts' merges and splits and the state changes; the automatic clustering
runs over the reports, the analysts' edits are applied on top, and each
incident gets its corroboration and its state from the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ceasefire.factfinding.analyst import MERGE, SPLIT, Edit, apply_edits, edit_from_row
from ceasefire.factfinding.cluster import Params, cluster, points_from_bodies
from ceasefire.factfinding.corroboration import Corroboration, corroborate
from ceasefire.model.entries import Kind, raw_body
from ceasefire.model.states import INITIAL
from ceasefire.model.vocabulary import PRECISION_SECONDS
from ceasefire.store.base import EntryRow, Store

CLUSTERING = Kind.INCIDENT_CLUSTERING
"""A log entry recording a clustering run: its scale and what it found."""


@dataclass(frozen=True)
class Incident:
    """One event as one or more reports describe it."""

    id: str
    """The id of its first-logged core report; kept when others merge in."""
    report_ids: tuple[str, ...]
    lon: float
    lat: float
    precision_m: float
    start: datetime
    time_precision: str
    event_types: tuple[str, ...]
    state: str
    corroboration: Corroboration

    @property
    def independent_sources(self) -> int:
        """How many independent sources reported it."""
        return self.corroboration.independent_sources

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601 UTC)."""
        c = self.corroboration
        return {
            "id": self.id,
            "state": self.state,
            "start": self.start.isoformat(),
            "time_precision": self.time_precision,
            "lon": self.lon,
            "lat": self.lat,
            "precision_m": self.precision_m,
            "event_types": list(self.event_types),
            "report_ids": list(self.report_ids),
            "report_count": len(self.report_ids),
            "independent_sources": c.independent_sources,
            "sources": [list(g.sources) for g in c.groups],
            "best_reliability": c.best_reliability,
            "best_credibility": c.best_credibility,
            "score": c.score,
            "explanation": c.explanation,
        }


@dataclass
class LogView:
    """What fact-finding needs from the log, gathered in one pass."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    """Report bodies in log order (superseded ones left out)."""
    order: dict[str, int] = field(default_factory=dict)
    """Report id → log position."""
    edits: list[Edit] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)
    params: Params | None = None
    """The linking scale of the latest ``incident_clustering`` entry, if any."""
    superseded: set[str] = field(default_factory=set)
    """Ids of reports a later report supersedes (left out of ``bodies``)."""

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        """Report bodies by id."""
        return {body["id"]: body for body in self.bodies}


def read_log(store: Store) -> LogView:
    """Reports, analysts' edits and states, from one pass over the log."""
    return extend(LogView(), store.entries())


def extend(view: LogView, rows: Iterable[EntryRow]) -> LogView:
    """``view`` with the log entries ``rows`` (those after it) read in.

    The API's incident view reads only the entries appended since it last
    looked, so a long log is not read again on every append.
    """
    superseded: set[str] = set()
    for row in rows:
        if row.kind == Kind.REPORT:
            body = raw_body(row)
            view.bodies.append(body)
            view.order[body["id"]] = row.seq
            if body.get("supersedes"):
                superseded.add(body["supersedes"])
        elif row.kind in (MERGE, SPLIT):
            view.edits.append(edit_from_row(row))
        elif row.kind == CLUSTERING:
            body = raw_body(row)
            view.params = Params(**body["params"])
        elif row.kind == Kind.STATE_CHANGE and row.subject is not None:
            view.states[row.subject] = raw_body(row)["to"]
    if superseded - view.superseded:
        view.superseded |= superseded
        view.bodies = [b for b in view.bodies if b["id"] not in view.superseded]
    return view


def groups_of(
    view: LogView, params: Params | None = None, *, automatic: bool = False
) -> dict[str, list[str]]:
    """Incident id → report ids; ``automatic`` leaves the analysts' edits out.

    Without ``params``, the scale of the latest clustering run logged (or the
    default, 2 km and 1 h) is used, so every command sees the same incidents.
    """
    params = params or view.params or Params()
    if not view.bodies:
        return {}
    clustering = cluster(points_from_bodies(view.bodies), params)
    ids = [body["id"] for body in view.bodies]
    groups: dict[str, list[str]] = {}
    for row, anchor in enumerate(clustering.anchor.tolist()):
        groups.setdefault(ids[anchor], []).append(ids[row])
    if automatic or not view.edits:
        return groups
    return apply_edits(groups, view.edits, view.order)


def build(view: LogView, groups: dict[str, list[str]]) -> list[Incident]:
    """Incidents from groups of report ids, sorted by time then id."""
    by_id = view.by_id
    incidents = [
        _incident(anchor, [by_id[r] for r in reports], view.states.get(anchor, INITIAL))
        for anchor, reports in groups.items()
    ]
    incidents.sort(key=lambda i: (i.start, i.id))
    return incidents


def incidents_of(
    store: Store, params: Params | None = None, *, automatic: bool = False
) -> list[Incident]:
    """Every incident in the log (the automatic pass plus the analysts' edits)."""
    view = read_log(store)
    return build(view, groups_of(view, params, automatic=automatic))


def _window(body: dict[str, Any]) -> tuple[int, datetime]:
    observed = body["observed"]
    return (
        PRECISION_SECONDS[observed.get("precision", "minute")],
        datetime.fromisoformat(observed["start"]).astimezone(UTC),
    )


def _incident(anchor: str, bodies: list[dict[str, Any]], state: str) -> Incident:
    # the best-placed and best-timed reports stand for the incident
    placed = min(bodies, key=lambda b: b["location"].get("precision_m", 100.0))
    timed = min(bodies, key=_window)
    return Incident(
        id=anchor,
        report_ids=tuple(b["id"] for b in bodies),
        lon=placed["location"]["lon"],
        lat=placed["location"]["lat"],
        precision_m=placed["location"].get("precision_m", 100.0),
        start=_window(timed)[1],
        time_precision=timed["observed"].get("precision", "minute"),
        event_types=tuple(dict.fromkeys(b["event_type"] for b in bodies)),
        state=state,
        corroboration=corroborate(bodies),
    )


def find_incident(incidents: Iterable[Incident], ref: str) -> Incident | None:
    """The incident with id ``ref``, or the one that contains report ``ref``."""
    for incident in incidents:
        if incident.id == ref or ref in incident.report_ids:
            return incident
    return None


def clustering_draft(
    params: Params, incidents: list[Incident], actor: str
) -> dict[str, Any]:
    """The body of an ``incident_clustering`` entry: the scale and what it found."""
    return {
        "params": vars(params),
        "reports": sum(len(i.report_ids) for i in incidents),
        "incidents": len(incidents),
        "with_several_reports": sum(len(i.report_ids) > 1 for i in incidents),
        "with_independent_sources": sum(i.independent_sources > 1 for i in incidents),
        "by": actor,
    }
