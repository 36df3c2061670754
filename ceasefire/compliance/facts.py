"""Incidents as columns: the facts a predicate can read, one numpy array each.

An incident is a group of reports about one event (``factfinding.Incident``).
What the engine reads about one is a ``Case``: any number of report bodies,
the state they are judged in and whether a joint team decided it. The facts
of a case are read from its most precisely located report, with the time
span and the source counts taken over all of them; one report alone is a
case too (``cases_from_reports``).

Missing facts stay missing: a report that names no weapon has ``NaN`` for
``weapon.calibre_mm`` and code -1 for ``weapon.class``. The logic module
decides what a comparison with a missing fact means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ceasefire.model import vocabulary as vocab
from ceasefire.model.report import Report, act_of
from ceasefire.model.vocabulary import PRECISION_SECONDS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
SmallArray = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]

MISSING = -1
"""The code of a categorical fact that was not reported."""

FIXED_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "event_type": vocab.EVENT_TYPES,
    "weapon.class": vocab.WEAPON_CLASSES,
    "target.category": vocab.TARGET_CATEGORIES,
    "personnel.category": vocab.PERSONNEL_CATEGORIES,
    "source.type": vocab.SOURCE_TYPES,
    "state": vocab.INCIDENT_STATES,
}
OPEN_TEXT = ("party", "weapon.model", "personnel.nationality")
"""Categorical facts whose categories come from the data, not a vocabulary."""
NUMERIC = (
    "weapon.calibre_mm",
    "weapon.range_km",
    "weapon.count",
    "casualties.killed",
    "casualties.injured",
    "casualties.civilians_killed",
    "casualties.civilians_injured",
)
GRADE_NONE = 7
"""Admiralty grade code for "not graded": worse than F (6) and 6."""


@dataclass(frozen=True)
class Column:
    """A categorical fact: integer codes into ``categories`` (-1 = not reported)."""

    codes: IntArray
    categories: tuple[str, ...]

    def code_of(self, value: str) -> int:
        """The code of ``value``; -2 (matches no row) when no row has it."""
        try:
            return self.categories.index(value)
        except ValueError:
            return -2

    def value_at(self, row: int) -> str | None:
        """The value of one row, None when not reported."""
        code = int(self.codes[row])
        return None if code < 0 else self.categories[code]


@dataclass(frozen=True)
class Facts:
    """Columns of facts, one row per incident."""

    incident: Sequence[str]
    """Incident ids (a report's id while each report is its own incident)."""
    source_id: Sequence[str | None]
    """The source's own id of the primary report (UCDP id, ACLED id …)."""
    lon: FloatArray
    lat: FloatArray
    precision_km: FloatArray
    """Radius within which the true place lies."""
    earliest: FloatArray
    """Earliest instant the event can have happened, Unix seconds."""
    latest: FloatArray
    """Latest instant (inclusive), Unix seconds: one second before the span's
    exclusive end, or the last second of the start's precision unit."""
    categorical: dict[str, Column]
    numeric: dict[str, FloatArray]
    sources: IntArray
    """Independent sources (distinct origins) among the incident's reports."""
    reliability: SmallArray
    """Best Admiralty reliability, A=1 … F=6, 7 = not graded."""
    credibility: SmallArray
    """Best Admiralty credibility, 1 … 6, 7 = not graded."""
    joint: BoolArray
    """Whether the incident's state was decided by a joint team."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Anything a caller wants carried along (e.g. admin1 for tables)."""

    def __len__(self) -> int:
        return len(self.lon)

    def take(self, rows: npt.NDArray[np.intp]) -> Facts:
        """The facts of ``rows`` only, in that order."""
        return Facts(
            incident=[self.incident[int(i)] for i in rows],
            source_id=[self.source_id[int(i)] for i in rows],
            lon=self.lon[rows],
            lat=self.lat[rows],
            precision_km=self.precision_km[rows],
            earliest=self.earliest[rows],
            latest=self.latest[rows],
            categorical={
                k: Column(c.codes[rows], c.categories)
                for k, c in self.categorical.items()
            },
            numeric={k: v[rows] for k, v in self.numeric.items()},
            sources=self.sources[rows],
            reliability=self.reliability[rows],
            credibility=self.credibility[rows],
            joint=self.joint[rows],
            extra={
                k: v[rows] if isinstance(v, np.ndarray) else [v[int(i)] for i in rows]
                for k, v in self.extra.items()
            },
        )


@dataclass(frozen=True)
class Case:
    """One incident as put to the engine: the reports it reads and the state it is judged in.

    Not the incident itself (``factfinding.Incident``: reports grouped by place
    and time, with their corroboration and the state the log gives them). A
    case is what one evaluation reads about an incident or a single report:
    the bodies in play (``compliance.run.load_incident_facts`` leaves out the
    reports before ``since``), and a state and joint flag that may be assumed
    rather than logged (snapback asks what a breach would be if it were
    jointly verified).
    """

    id: str
    reports: tuple[dict[str, Any], ...]
    """Report bodies in their JSON form (as logged)."""
    state: str = "reported"
    """Verification state from the log's state machine."""
    joint: bool = False
    """The state was decided by a joint team (see evaluate.standard_met)."""


def report_body(report: Report | dict[str, Any]) -> dict[str, Any]:
    """A report's JSON form, as the log stores it."""
    if isinstance(report, Report):
        return report.model_dump(mode="json", by_alias=True, exclude_none=True)
    return report


def cases_from_reports(
    reports: Iterable[Report | dict[str, Any]],
    states: Mapping[str, str] | None = None,
    joint: Mapping[str, bool] | None = None,
) -> list[Case]:
    """One case per report, with the states the log gives them."""
    states = states or {}
    joint = joint or {}
    found = []
    for report in reports:
        body = report_body(report)
        rid = body["id"]
        found.append(
            Case(rid, (body,), states.get(rid, "reported"), joint.get(rid, False))
        )
    return found


def area_key(codes: Sequence[str] | None) -> str | None:
    """A report's ``location.area`` as one key ("UA-46|UA-61"); None: a point."""
    return "|".join(sorted(set(codes))) if codes else None


def _counts(body: dict[str, Any]) -> dict[str, int] | None:
    """Launched and destroyed, for sources that count weapons (the Air Force)."""
    destroyed = (body.get("properties") or {}).get("destroyed_count")
    if destroyed is None:
        return None
    return {"launched": int((body.get("weapon") or {}).get("count", 1)),
            "destroyed": int(destroyed)}  # fmt: skip


def _epoch(text: str | datetime) -> float:
    moment = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    return moment.timestamp()


def _source_key(source: dict[str, Any]) -> str:
    # a repost counts as its origin, so corroboration counts origins once
    return source.get("derived_from") or f"{source['type']}:{source['id']}"


def _grade(value: str | int | None) -> int:
    if value is None:
        return GRADE_NONE
    if isinstance(value, str):
        return vocab.RELIABILITY_GRADES.index(value) + 1
    return int(value)


ActorKey = tuple[str, str, str | None, str]
"""(scheme, name, code, role) of an actor a source names."""


def _actors(bodies: Sequence[dict[str, Any]]) -> tuple[ActorKey, ...]:
    """The actors the incident's reports name, each once, in report order."""
    found = {
        (a["scheme"], a["name"], a.get("code"), a["role"]): None
        for body in bodies
        for a in body.get("actors") or ()
    }
    return tuple(found)


def observed_span(observed: dict[str, Any]) -> tuple[float, float]:
    """First and last second of an observation, Unix seconds, both inclusive.

    ``[start, end)`` is half-open: a span that gives its end ends one second
    before it, and precision never stretches an end the source gave. Without
    an end (or with end = start, an instant), the span is the start's whole
    precision unit: 2015-03-01 at day precision is any second of that day.
    """
    start = _epoch(observed["start"])
    end = observed.get("end")
    stop = None if end is None else _epoch(end)
    if stop is None or stop <= start:
        unit = PRECISION_SECONDS[observed.get("precision", "minute")]
        return start, start + unit - 1
    return start, stop - 1


class _Builder:
    """Appends one case at a time to plain lists, then makes arrays."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Any]] = {}
        self.open_text: dict[str, dict[str, int]] = {k: {} for k in OPEN_TEXT}

    def put(self, name: str, value: Any) -> None:
        self.rows.setdefault(name, []).append(value)

    def category(self, name: str, value: str | None) -> None:
        if value is None:
            self.put(name, MISSING)
        elif name in FIXED_VOCABULARIES:
            vocabulary = FIXED_VOCABULARIES[name]
            self.put(name, vocabulary.index(value) if value in vocabulary else -2)
        else:
            codes = self.open_text[name]
            self.put(name, codes.setdefault(value, len(codes)))

    def add(self, case: Case) -> None:
        bodies = case.reports
        primary = min(bodies, key=lambda b: b["location"].get("precision_m", 0.0))
        location = primary["location"]
        self.put("incident", case.id)
        self.put("source_id", primary.get("source_report_id"))
        self.put("lon", location["lon"])
        self.put("lat", location["lat"])
        self.put("precision_km", location.get("precision_m", 100.0) / 1000.0)
        self.put("admin1", location.get("admin1"))
        self.put("area", area_key(location.get("area")))
        self.put("counts", _counts(primary))
        starts, ends = [], []
        for body in bodies:
            first, last = observed_span(body["observed"])
            starts.append(first)
            ends.append(last)
        self.put("earliest", min(starts))
        self.put("latest", max(ends))
        weapon = primary.get("weapon") or {}
        personnel = primary.get("personnel") or {}
        casualties = primary.get("casualties")
        self.category("event_type", act_of(primary))  # old logs: issue 11
        self.category("party", (primary.get("attribution") or {}).get("party"))
        self.category("weapon.class", weapon.get("class"))
        self.category("weapon.model", weapon.get("model"))
        self.category("target.category", (primary.get("target") or {}).get("category"))
        self.category("personnel.category", personnel.get("category"))
        self.category("personnel.nationality", personnel.get("nationality"))
        self.category("source.type", primary["source"]["type"])
        self.category("state", case.state)
        nan = float("nan")
        for name in NUMERIC:
            group, key = name.split(".")
            part = weapon if group == "weapon" else casualties
            value = None if part is None else part.get(key)
            if value is None and group == "weapon" and key == "count" and weapon:
                value = 1  # the report schema's default
            if value is None and group == "casualties" and casualties is not None:
                value = 0
            self.put(name, nan if value is None else float(value))
        self.put("actors", _actors(bodies))
        sources = [body["source"] for body in bodies]
        self.put("sources", len({_source_key(s) for s in sources}))
        self.put("reliability", min(_grade(s.get("reliability")) for s in sources))
        self.put("credibility", min(_grade(s.get("credibility")) for s in sources))
        self.put("joint", case.joint)

    def facts(self) -> Facts:
        rows = self.rows

        def floats(name: str) -> FloatArray:
            return np.asarray(rows.get(name, []), dtype=np.float64)

        categorical = {
            name: Column(np.asarray(rows.get(name, []), dtype=np.int32), vocabulary)
            for name, vocabulary in FIXED_VOCABULARIES.items()
        }
        for name in OPEN_TEXT:
            categorical[name] = Column(
                np.asarray(rows.get(name, []), dtype=np.int32),
                tuple(self.open_text[name]),
            )
        return Facts(
            incident=list(rows.get("incident", [])),
            source_id=list(rows.get("source_id", [])),
            lon=floats("lon"),
            lat=floats("lat"),
            precision_km=floats("precision_km"),
            earliest=floats("earliest"),
            latest=floats("latest"),
            categorical=categorical,
            numeric={name: floats(name) for name in NUMERIC},
            sources=np.asarray(rows.get("sources", []), dtype=np.int32),
            reliability=np.asarray(rows.get("reliability", []), dtype=np.int8),
            credibility=np.asarray(rows.get("credibility", []), dtype=np.int8),
            joint=np.asarray(rows.get("joint", []), dtype=np.bool_),
            extra={
                "admin1": list(rows.get("admin1", [])),
                "area": list(rows.get("area", [])),
                "counts": list(rows.get("counts", [])),
                "actors": list(rows.get("actors", [])),
            },
        )


def facts_from_cases(cases: Iterable[Case]) -> Facts:
    """The columns of ``cases``, one row each, in order."""
    builder = _Builder()
    for case in cases:
        builder.add(case)
    return builder.facts()


def facts_from_reports(
    reports: Iterable[Report | dict[str, Any]],
    states: Mapping[str, str] | None = None,
    joint: Mapping[str, bool] | None = None,
) -> Facts:
    """Facts with one case (incident) per report."""
    return facts_from_cases(cases_from_reports(reports, states, joint))
