"""The area a source says is held on a day, built once per distinct map."""

from __future__ import annotations

import numpy as np
import shapely

from ceasefire.control.blobs import get_polygons
from ceasefire.model.control import ControlObservation
from ceasefire.store.base import Store

HELD = frozenset({"held", "gain"})
"""Statuses whose area the holder controls at the end of the day."""

_HELD: dict[tuple[str, ...], shapely.Geometry] = {}
"""Sorted digests → held area; content-addressed, so never stale."""


def polygons(geometry: shapely.Geometry) -> list[shapely.Polygon]:
    """Every non-empty polygon in ``geometry``, collections flattened."""
    found: list[shapely.Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, shapely.Polygon):
            if not part.is_empty:
                found.append(part)
        elif isinstance(part, shapely.MultiPolygon | shapely.GeometryCollection):
            found.extend(polygons(part))
    return found


def held_area(store: Store, observation: ControlObservation) -> shapely.Geometry:
    """The union of the observation's held polygons (invalid ones made valid)."""
    digests = tuple(sorted(observation.digests(HELD)))
    cached = _HELD.get(digests)
    if cached is None:
        cached = _build(get_polygons(store, digests), several=_layers(observation) > 1)
        _HELD[digests] = cached
    return cached


def _layers(observation: ControlObservation) -> int:
    return sum(layer.status in HELD for layer in observation.layers)


def _build(parts: list[shapely.Polygon], several: bool) -> shapely.Geometry:
    """A source's own MultiPolygon is kept as drawn when valid; overlapping
    layers (or invalid drawings) are unioned after make_valid."""
    if not parts:
        return shapely.MultiPolygon()
    array = np.asarray(parts, dtype=object)
    valid = shapely.is_valid(array)
    if not valid.all():
        array[~valid] = shapely.make_valid(array[~valid])
    if not several and valid.all():
        single = shapely.multipolygons(list(array))
        if shapely.is_valid(single):
            return single
    return shapely.union_all(array)
