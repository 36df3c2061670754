"""Fact-finding's incidents as the API serves them, kept up to date with the log.

The view is built once and then follows the log: on each request it reads
only the entries appended since it last looked (``factfinding.incidents.extend``).
Entries that change no grouping (state changes, replies, evidence, verdicts)
only refresh the states of the incidents they touch; new reports, merges,
splits or a clustering run regroup the reports with fact-finding's own
``groups_of``, so the API's incidents are always exactly ``incidents_of``'s.
Nothing is recomputed while the log stands still.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from ceasefire.factfinding.analyst import MERGE, SPLIT
from ceasefire.factfinding.incidents import (
    CLUSTERING,
    Incident,
    LogView,
    build,
    extend,
    groups_of,
)
from ceasefire.model.entries import Kind
from ceasefire.model.states import INITIAL
from ceasefire.store.base import EntryRow, Store

REGROUPING = frozenset({Kind.REPORT, MERGE, SPLIT, CLUSTERING})
"""Entry kinds after which the reports are grouped again."""


@dataclass(frozen=True)
class Incidents:
    """The incidents at one log size, indexed; never changed once made."""

    incidents: tuple[Incident, ...] = ()
    by_id: dict[str, Incident] = field(default_factory=dict)
    """Incident id → incident."""
    of_report: dict[str, str] = field(default_factory=dict)
    """Report id → the id of the incident it belongs to."""
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Report id → body (superseded reports left out)."""

    def incident_of(self, ref: str) -> Incident | None:
        """The incident with id ``ref``, or the one report ``ref`` belongs to."""
        return self.by_id.get(self.of_report.get(ref, ref))


@dataclass
class IncidentView:
    """Fact-finding's incidents of the first ``size`` log entries."""

    size: int = 0
    log: LogView = field(default_factory=LogView)
    now: Incidents = field(default_factory=Incidents)

    def follow(self, store: Store) -> Incidents:
        """This view brought up to the store's log (only new entries read)."""
        size = store.size()
        if size == self.size:
            return self.now
        rows = list(store.entries(self.size, size))
        extend(self.log, rows)
        self.size = size
        if any(row.kind in REGROUPING for row in rows):
            self._regroup()
        else:
            self._restate(rows)
        return self.now

    def _regroup(self) -> None:
        self._index(build(self.log, groups_of(self.log)))

    def _restate(self, rows: list[EntryRow]) -> None:
        # a transition changes one incident's state, not its reports
        touched = {r.subject for r in rows if r.kind == Kind.STATE_CHANGE}
        if not touched & self.now.by_id.keys():
            return
        self._index(
            [
                replace(i, state=self.log.states.get(i.id, INITIAL))
                if i.id in touched
                else i
                for i in self.now.incidents
            ]
        )

    def _index(self, incidents: list[Incident]) -> None:
        self.now = Incidents(
            tuple(incidents),
            {i.id: i for i in incidents},
            {r: i.id for i in incidents for r in i.report_ids},
            self.log.by_id,
        )


@dataclass
class IncidentCache:
    """One ``IncidentView`` per app, shared by its request threads."""

    view: IncidentView = field(default_factory=IncidentView)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, store: Store) -> Incidents:
        """The view as of the store's log now (invalidated by the log's size)."""
        with self.lock:
            return self.view.follow(store)
