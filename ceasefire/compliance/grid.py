"""Decide distance bands from grid cells, measuring points exactly only near an edge.

A distance to a set (a line, a zone's edge) is 1-Lipschitz: a point within
``h`` km of a cell's centre is within ``h`` km of the centre's distance. So
after measuring each occupied cell's centre exactly, every point whose
interval ``[d(c) - h, d(c) + h]`` (widened by its own precision radius)
lies wholly on one side of every threshold is decided; only the rest go to a
finer grid, and finally to the exact Measure. The values kept for decided
points are the cell's (they decide every comparison exactly as the true
distance would); reasons are always measured exactly (see reasons.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ceasefire.compliance.facts import FloatArray

LEVELS = (0.2, 0.05, 0.01, 0.0025)
"""Cell sizes in degrees, coarse to fine."""
KM_PER_DEGREE = 111.7
"""Upper bound of the WGS84 ellipsoid's km per degree (meridian or parallel)."""
MIN_TODO = 2_000
"""Below this many undecided points, measure them exactly at once."""

Exact = Callable[[FloatArray, FloatArray, float | FloatArray | None], FloatArray]
"""exact(lon, lat, within_km) → distances (beyond within_km only a lower bound)."""
Undecided = Callable[
    [FloatArray, FloatArray, npt.NDArray[np.intp]], npt.NDArray[np.bool_]
]
"""undecided(lo, hi, index) → which points a value in [lo, hi] may not decide."""


def half_diagonal_km(size: float, lat_centre: FloatArray) -> FloatArray:
    """A bound on the distance from a cell's centre to any point of the cell."""
    nearest_pole = np.minimum(np.abs(lat_centre) + size / 2, 90.0)
    width = (
        size
        * KM_PER_DEGREE
        * np.cos(np.radians(np.abs(lat_centre) - size / 2).clip(0, 90))
    )
    width = np.maximum(width, size * KM_PER_DEGREE * np.cos(np.radians(nearest_pole)))
    height = size * KM_PER_DEGREE
    bound: FloatArray = 0.5 * np.hypot(width, height) * 1.01  # 1 %: curvature
    return bound


Memo = dict[float, tuple[npt.NDArray[np.int64], FloatArray]]
"""Per cell size: sorted cell keys and their centres' distances."""


DENSE_CELLS = 4_000_000
"""Up to this many cells in the points' box, cells are found by counting, not sorting."""


def _cells(
    ix: npt.NDArray[np.int64], iy: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Sorted unique cell keys and each point's index into them."""
    x0, y0 = int(ix.min()), int(iy.min())
    nx, ny = int(ix.max()) - x0 + 1, int(iy.max()) - y0 + 1
    if nx * ny > DENSE_CELLS:
        key = (ix + 4_000_000) * 8_000_000 + (iy + 4_000_000)
        cells, inverse = np.unique(key, return_inverse=True)
        return cells, inverse
    flat = (ix - x0) * ny + (iy - y0)
    occupied = np.flatnonzero(np.bincount(flat, minlength=nx * ny))
    position = np.empty(nx * ny, np.intp)
    position[occupied] = np.arange(len(occupied))
    ox, oy = np.divmod(occupied, ny)
    # the same order as the sorted keys: x major, y minor
    cells = (ox + x0 + 4_000_000) * 8_000_000 + (oy + y0 + 4_000_000)
    return cells.astype(np.int64), position[flat]


def _centres(
    keys: npt.NDArray[np.int64], size: float, exact: Exact, far_km: float, memo: Memo
) -> FloatArray:
    """Distances of the centres of cells ``keys`` (sorted, unique), memoised."""
    known, values = memo.get(size, (np.zeros(0, np.int64), np.zeros(0)))
    at = np.searchsorted(known, keys).clip(0, max(len(known) - 1, 0))
    have = (known[at] == keys) if len(known) else np.zeros(len(keys), np.bool_)
    missing = keys[~have]
    found = np.empty(len(keys))
    found[have] = values[at[have]]
    if len(missing):
        cx = ((missing // 8_000_000) - 4_000_000 + 0.5) * size
        cy = ((missing % 8_000_000) - 4_000_000 + 0.5) * size
        reach = float(half_diagonal_km(size, cy).max())
        found[~have] = exact(cx, cy, far_km + reach + 1e-3)
        merged = np.concatenate([known, missing])
        order = np.argsort(merged, kind="stable")
        memo[size] = (merged[order], np.concatenate([values, found[~have]])[order])
    return found


def banded(
    lon: FloatArray,
    lat: FloatArray,
    exact: Exact,
    undecided: Undecided,
    far_km: float,
    within_km: FloatArray | None,
    memo: Memo | None = None,
) -> FloatArray:
    """Distances good enough to decide every threshold, exact near the thresholds.

    ``far_km``: beyond this a distance decides nothing (largest threshold plus
    the largest radius), so cell centres need only be exact up to it plus the
    cell's size. ``within_km`` is passed to ``exact`` for single points.
    ``memo`` keeps cell centres between calls for the same geometry (and the
    same ``far_km``), so clauses that measure different rows share cells.
    """
    memo = {} if memo is None else memo
    n = len(lon)
    values = np.empty(n, np.float64)
    todo = np.arange(n)
    for size in LEVELS:
        if len(todo) < MIN_TODO:
            break
        ix = np.floor(lon[todo] / size).astype(np.int64)
        iy = np.floor(lat[todo] / size).astype(np.int64)
        cells, inverse = _cells(ix, iy)
        cy = np.asarray(((cells % 8_000_000) - 4_000_000 + 0.5) * size, np.float64)
        h = half_diagonal_km(size, cy)
        mid = _centres(cells, size, exact, far_km, memo)[inverse]
        reach = h[inverse]
        open_ = undecided(mid - reach, mid + reach, todo)
        decided = todo[~open_]
        values[decided] = mid[~open_]
        todo = todo[open_]
    if len(todo):
        within = None if within_km is None else within_km[todo]
        values[todo] = exact(lon[todo], lat[todo], within)
    return values
