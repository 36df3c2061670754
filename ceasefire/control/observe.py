"""Control observations in the log: append a day's map, read a source's maps back.

Each observation is one log entry of kind ``control_observation`` whose subject
is ``control:<source>``, so one source's maps are read back through the
store's subject index without scanning the log. Its id derives from the
source, the day and the content, so re-importing a file adds nothing, while a
source's later redrawing of a day is logged as a second observation (the
later one is read back).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import shapely

from ceasefire.control.blobs import put_polygons
from ceasefire.log.service import Draft, Log
from ceasefire.model.control import (
    ControlLayer,
    ControlObservation,
    ControlStatus,
)
from ceasefire.model.entries import Kind, dump_body, raw_body, wrap
from ceasefire.store.base import Store


@dataclass
class Layer:
    """A layer of a day's map with its polygons still as shapes."""

    status: ControlStatus
    holder: str
    label: str
    polygons: list[shapely.Polygon] = field(default_factory=list)


@dataclass
class DayMap:
    """One source's map of one day, as read from a file."""

    source: str
    day: date
    file: str
    source_ref: str | None
    layers: list[Layer]


@dataclass
class AppendCounts:
    """What appending a file's maps did."""

    read: int = 0
    imported: int = 0
    duplicates: int = 0


def subject_of(source: str) -> str:
    """The log subject all of ``source``'s control observations share."""
    return f"control:{source}"


def observation_draft(store: Store, day_map: DayMap, actor: str | None) -> Draft:
    """The map's polygons stored as content, the map itself as a log entry."""
    observation = ControlObservation(
        source=day_map.source,
        observed_on=day_map.day,
        file=day_map.file,
        source_ref=day_map.source_ref,
        layers=[
            ControlLayer(
                status=layer.status,
                holder=layer.holder,
                label=layer.label,
                polygons=put_polygons(store, layer.polygons),
            )
            for layer in day_map.layers
        ],
    )
    body = dump_body(wrap(observation))
    key = f"{day_map.source}:{day_map.day.isoformat()}:".encode() + body
    entry_id = "ctl-" + hashlib.sha256(key).hexdigest()[:28]
    return Draft(
        Kind.CONTROL_OBSERVATION,
        body,
        subject=subject_of(day_map.source),
        actor=actor,
        id=entry_id,
    )


def append_maps(
    log: Log,
    maps: Iterable[DayMap],
    actor: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 50,
) -> AppendCounts:
    """Log each day's map once (ids already in the log are duplicates)."""
    counts = AppendCounts()
    pending: list[Draft] = []
    for day_map in maps:
        counts.read += 1
        pending.append(observation_draft(log.store, day_map, actor))
        if len(pending) >= batch:
            _flush(log, pending, counts)
        if progress is not None:
            progress(counts.read)
    _flush(log, pending, counts)
    return counts


def _flush(log: Log, pending: list[Draft], counts: AppendCounts) -> None:
    present = log.store.existing_ids([d.id for d in pending])
    fresh = {d.id: d for d in pending if d.id not in present}
    counts.duplicates += len(pending) - len(fresh)
    counts.imported += len(fresh)
    if fresh:
        log.append(list(fresh.values()))
    pending.clear()


def observations(store: Store, source: str) -> list[ControlObservation]:
    """``source``'s observations by day; the last logged one of a day wins."""
    by_day: dict[date, ControlObservation] = {}
    for row in store.entries_about(subject_of(source)):
        if row.kind != Kind.CONTROL_OBSERVATION:
            continue
        body = raw_body(row)
        observation = ControlObservation.model_validate(body, strict=False)
        by_day[observation.observed_on] = observation
    return [by_day[day] for day in sorted(by_day)]


def sources(store: Store, candidates: Iterable[str]) -> list[str]:
    """Those of ``candidates`` with at least one observation in the store."""
    return [s for s in candidates if store.entries_about(subject_of(s))]
