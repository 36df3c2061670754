"""Which oblast and raion each point falls in, for many points at once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import shapely

from ceasefire.geo import boundaries


@lru_cache(maxsize=2)
def _index(level: int) -> tuple[shapely.STRtree, tuple[boundaries.AdminUnit, ...]]:
    units = boundaries.admin_units(level)
    return shapely.STRtree([unit.geometry for unit in units]), units


def _first_hit(level: int, points: np.ndarray) -> list[boundaries.AdminUnit | None]:
    tree, units = _index(level)
    point_index, unit_index = tree.query(points, predicate="within")
    found: list[boundaries.AdminUnit | None] = [None] * len(points)
    for p, u in zip(point_index.tolist(), unit_index.tolist(), strict=True):
        if found[p] is None:  # overlapping simplified edges: keep the first
            found[p] = units[u]
    return found


def admin_units_at(
    lons: Sequence[float], lats: Sequence[float]
) -> list[tuple[str | None, str | None]]:
    """(oblast ISO code, raion name) for each point; None outside Ukraine."""
    points = shapely.points(np.column_stack([lons, lats]))
    oblasts = _first_hit(1, points)
    raions = _first_hit(2, points)
    return [
        (oblast.iso if oblast else None, raion.name if raion else None)
        for oblast, raion in zip(oblasts, raions, strict=True)
    ]
