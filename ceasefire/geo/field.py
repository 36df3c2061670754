"""A precomputed distance field: a lon/lat grid around a geometry's segments.

Each cell stores a lower bound of the geodesic distance from any point in it
to the segments (the exact distance from the cell centre minus the cell's
geodesic half-diagonal: the triangle inequality makes it a true bound), and,
for cells near the geometry, the short list of segments that can be nearest
to some point of the cell (those within d(centre) + 2 × half-diagonal of the
centre). A batch of points is then classified by one array lookup; only the
points whose bound does not already settle the question are measured, each
against its cell's few candidates. Built once per geometry.

The same cells decide distance bands for the compliance engine (``banded``,
below): measure each occupied cell's centre, decide every point whose cell
lies wholly on one side of every threshold, refine the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import NDArray

from ceasefire.geo.segments import WGS84, Floats, Ints, Segments, inverse_r2

CELL_KM = 2.0
"""Target cell edge; the refinement band is wider than the query by ~2 cells."""
MARGIN_KM = 100.0
"""The grid reaches at least this far beyond the geometry's bounding box."""
CANDIDATES_KM = 80.0
"""Cells whose bound exceeds this keep no candidate list (farther queries
fall back to the general nearest-segment search)."""
COARSE_KM = 16.0
BUILD_CHUNK = 8_192
MAX_CELLS = 600_000


class DistanceField:
    """Distance lower bounds and nearest-segment candidates per grid cell.

    Built coarse to fine: a coarse field (cells of ``COARSE_KM`` or more) is
    built with the general segment search, and each field's candidate lists
    measure the centres of the next finer one (cells a third the size),
    since every segment that can be nearest to a point of a fine cell is a
    candidate of the coarse cell around it.
    """

    def __init__(
        self,
        segments: Segments,
        cell_km: float = CELL_KM,
        parent: DistanceField | None = None,
    ) -> None:
        minx, miny, maxx, maxy = segments.bounds
        top = min(max(abs(miny), abs(maxy)) + 1.0, 85.0)
        km_per_deg_lon = 111.0 * np.cos(np.radians(top))  # the narrowest row
        margin_lat = MARGIN_KM / 110.0
        margin_lon = min(MARGIN_KM / km_per_deg_lon, 30.0)
        self.x0, self.y0 = minx - margin_lon, max(miny - margin_lat, -89.0)
        x1, y1 = maxx + margin_lon, min(maxy + margin_lat, 89.0)
        mid = np.radians((self.y0 + y1) / 2.0)
        while True:
            self.dy = cell_km / 111.0
            self.dx = cell_km / (111.0 * max(np.cos(mid), 0.05))
            self.nx = int(np.ceil((x1 - self.x0) / self.dx))
            self.ny = int(np.ceil((y1 - self.y0) / self.dy))
            if self.nx * self.ny <= MAX_CELLS:
                break
            cell_km *= 1.5
        # beyond the grid a point is at least the margin away from the bbox
        self.outside_m = self._margin_m(minx, miny, maxx, maxy)
        if parent is None and cell_km < COARSE_KM:
            parent = DistanceField(segments, cell_km * 3.0)
        self._build(segments, parent)

    def _margin_m(self, minx: float, miny: float, maxx: float, maxy: float) -> float:
        x1 = self.x0 + self.nx * self.dx
        y1 = self.y0 + self.ny * self.dy
        lats = np.array([self.y0, y1, miny, maxy])
        lats = lats[np.abs(lats) < 89.5]
        # east-west gaps are narrowest at the row farthest from the equator
        gaps = [WGS84.inv(self.x0, lat, minx, lat)[2] for lat in lats]
        gaps += [WGS84.inv(maxx, lat, x1, lat)[2] for lat in lats]
        gaps += [
            WGS84.inv(minx, self.y0, minx, miny)[2],
            WGS84.inv(minx, maxy, minx, y1)[2],
        ]
        return float(min(gaps)) * 0.99

    def _half_diagonals(self, cx: Floats, cy: Floats) -> Floats:
        """Geodesic half-diagonal of each row's cells: centre to the farther corner."""
        return np.repeat(half_diagonal_m(self.dx, self.dy, cy, cx[0]), len(cx))

    def _build(self, segments: Segments, parent: DistanceField | None) -> None:
        nx, ny = self.nx, self.ny
        cx = self.x0 + (np.arange(nx) + 0.5) * self.dx
        cy = self.y0 + (np.arange(ny) + 0.5) * self.dy
        lon = np.tile(cx, ny)
        lat = np.repeat(cy, nx)
        half = self._half_diagonals(cx, cy)
        if parent is None:
            centre_m, lower, which, seg, pair_m = self._measure_directly(
                segments, lon, lat, half
            )
        else:
            centre_m, lower, which, seg, pair_m = self._measure_by(
                parent, segments, lon, lat, half
            )
        exact = np.isfinite(centre_m)
        lower[exact] = np.maximum(
            (centre_m[exact] - half[exact]) * (1 - 1e-6) - 1.0, 0.0
        )
        self.lower_m = self._padded(lower, self.outside_m)

        # keep the pairs that can be nearest for some point of a near cell
        near = exact & (lower <= CANDIDATES_KM * 1e3)
        reach = centre_m + 2.0 * half
        ok = near[which] & (pair_m <= reach[which] * (1 + 1e-5) + 1.0)
        which, seg = which[ok], seg[ok]
        order = np.argsort(which, kind="stable")
        self.candidates: Ints = seg[order].astype(np.int32)
        count = np.bincount(which, minlength=nx * ny)
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        self.count = self._padded(count, 0).astype(np.int32)
        self.start: Ints = self._padded(start, 0).astype(np.int64)
        self.tie2 = self._tie2(segments)

    def _padded(self, values: Floats | Ints, border: float) -> Floats:
        """Per-cell values on the grid with a one-cell border of ``border``."""
        grid = np.full((self.ny + 2, self.nx + 2), border, dtype=np.float64)
        grid[1:-1, 1:-1] = np.asarray(values).reshape(self.ny, self.nx)
        return grid.ravel()

    def _tie2(self, segments: Segments) -> float:
        """Bound of (k_max / k_min)² over the grid: squared planar distances that
        close to a minimum may still be the geodesic minimum."""
        edge = np.linspace(0.0, 1.0, 64)
        lon = np.concatenate(
            [np.full(64, self.x0), np.full(64, self.x0 + self.nx * self.dx)]
        )
        lat = np.tile(self.y0 + edge * self.ny * self.dy, 2)
        x, _ = segments.project(lon, lat)
        k = segments.k_max(x, lat).max()
        return float(k * k) * (1 + 1e-9)

    @staticmethod
    def _measure_directly(
        segments: Segments, lon: Floats, lat: Floats, half: Floats
    ) -> tuple[Floats, Floats, Ints, Ints, Floats]:
        """Centre distances and candidate pairs by the general segment search."""
        near = segments.nearest(lon, lat, within_m=(CANDIDATES_KM + 50.0) * 1e3)
        centre_m = np.where(near.exact, near.distance_m, np.nan)
        lower = np.maximum(near.distance_m - half, 0.0)
        keep = np.flatnonzero(near.exact)
        x, y = segments.project(lon[keep], lat[keep])
        reach_geo = centre_m[keep] + 2.0 * half[keep]
        reach = reach_geo * segments.k_max(x, lat[keep]) * (1 + 1e-6) + 1.0
        cell_i, seg = segments.tree.query(
            shapely.points(x, y), predicate="dwithin", distance=reach
        )
        pair_m, _ = segments.pair_distance(
            x[cell_i], y[cell_i], inverse_r2(lat[keep][cell_i]), seg
        )
        return centre_m, lower, keep[cell_i], seg, pair_m

    @staticmethod
    def _measure_by(
        parent: DistanceField,
        segments: Segments,
        lon: Floats,
        lat: Floats,
        half: Floats,
    ) -> tuple[Floats, Floats, Ints, Ints, Floats]:
        """Centre distances and candidate pairs from the coarse field's candidates.

        In chunks of cells, keeping only the pairs that can matter, so the
        transient pair arrays stay small (tens of MB, not hundreds)."""
        pcell = parent.cells(lon, lat)
        lower = parent.lower_m[pcell]  # a bound for the whole cell
        centre_m = np.full(len(lon), np.nan)
        keep = np.flatnonzero(
            (parent.count[pcell] > 0) & (lower <= CANDIDATES_KM * 1e3)
        )
        kept: list[tuple[Ints, Ints, Floats]] = []
        for chunk in np.array_split(keep, max(1, len(keep) // BUILD_CHUNK)):
            x, y = segments.project(lon[chunk], lat[chunk])
            which, seg = parent.pairs(pcell[chunk])
            pair_m, _ = segments.pair_distance(
                x[which], y[which], inverse_r2(lat[chunk])[which], seg
            )
            starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
            best = np.minimum.reduceat(pair_m, starts)
            centre_m[chunk] = best
            reach = (best + 2.0 * half[chunk]) * (1 + 1e-5) + 1.0
            ok = pair_m <= reach[which]
            kept.append((chunk[which[ok]], seg[ok], pair_m[ok]))
        if not kept:
            empty = np.zeros(0, dtype=np.intp)
            return centre_m, lower, empty, empty, np.zeros(0)
        which_all, seg_all, pair_all = (
            np.concatenate(a) for a in zip(*kept, strict=True)
        )
        return centre_m, lower, which_all, seg_all, pair_all

    @property
    def nbytes(self) -> int:
        """Memory held by the field's arrays."""
        return int(
            self.lower_m.nbytes
            + self.candidates.nbytes
            + self.count.nbytes
            + self.start.nbytes
        )

    def cells(self, lon: Floats, lat: Floats) -> NDArray[np.int64]:
        """Cell index of each point in the padded grid (a border of far cells).

        Coordinates must be finite (the caller maps NaN elsewhere first)."""
        fx = lon - (self.x0 - self.dx)  # shifted by one cell: the border is 0
        fx *= 1.0 / self.dx
        np.clip(fx, 0.0, self.nx + 1.0, out=fx)
        fy = lat - (self.y0 - self.dy)
        fy *= 1.0 / self.dy
        np.clip(fy, 0.0, self.ny + 1.0, out=fy)
        cell: NDArray[np.int64] = fy.astype(np.int64)
        cell *= self.nx + 2
        cell += fx.astype(np.int64)
        return cell

    def pairs(self, cell: NDArray[np.int64]) -> tuple[Ints, Ints]:
        """(query index, segment) for every candidate of each query's cell."""
        count = self.count[cell]
        which = np.repeat(np.arange(len(cell)), count)
        first = np.repeat(
            self.start[cell] - np.concatenate([[0], np.cumsum(count)[:-1]]), count
        )
        segment = self.candidates[first + np.arange(len(which))]
        return which, segment


# ------------------------------------------------ distance bands from cells
#
# Deciding "is d within 25 km?" needs the exact distance only near 25 km. A
# distance to a set is 1-Lipschitz: a point within h km of a cell's centre is
# within h km of the centre's distance. So after measuring each occupied
# cell's centre exactly, every point whose interval [d(c) - h, d(c) + h]
# (widened by its own precision radius) lies wholly on one side of every
# threshold is decided; only the rest go to a finer grid, and finally to the
# exact measure. The values kept for decided points are the cell's (they
# decide every comparison exactly as the true distance would). Cells are
# bounded as the field's are: the geodesic distance from centre to corner.

BAND_LEVELS = (0.2, 0.05, 0.01, 0.0025)
"""Cell sizes in degrees, coarse to fine."""
BAND_MIN_POINTS = 2_000
"""Below this many undecided points, measure them exactly at once."""
DENSE_CELLS = 4_000_000
"""Up to this many cells in the points' box, cells are found by counting, not sorting."""

Exact = Callable[[Floats, Floats, float | Floats | None], Floats]
"""exact(lon, lat, within_km) → distances (beyond within_km only a lower bound)."""
Undecided = Callable[[Floats, Floats, Ints], NDArray[np.bool_]]
"""undecided(lo, hi, index) → which points a value in [lo, hi] may not decide."""
Memo = dict[float, tuple[NDArray[np.int64], Floats]]
"""Per cell size: sorted cell keys and their centres' distances."""


def half_diagonal_m(dx: float, dy: float, lat: Floats, lon: float = 0.0) -> Floats:
    """A bound on the distance from the centre of a dx° × dy° cell centred at
    each ``lat`` to any point of it: the geodesic distance to the farther corner
    (the one nearer the equator), widened by 0.1 % and 1 m. Every grid in geo
    bounds its cells this way; no km-per-degree constant is involved."""
    centre = np.full(len(lat), lon)
    corner = np.full(len(lat), lon - dx / 2)
    half = np.maximum(
        WGS84.inv(centre, lat, corner, np.maximum(lat - dy / 2, -90.0))[2],
        WGS84.inv(centre, lat, corner, np.minimum(lat + dy / 2, 90.0))[2],
    )
    bound: Floats = half * 1.001 + 1.0
    return bound


def half_diagonal_km(size: float, lat_centre: Floats) -> Floats:
    """``half_diagonal_m`` of square ``size``° cells centred at ``lat_centre``
    (each (k + 0.5) · size), in km: measured once per row of cells."""
    row = np.floor(lat_centre / size).astype(np.int64)
    if not len(row):
        return np.zeros(0)
    first = int(row.min())
    bound: Floats = _row_bounds_km(size, first, int(row.max()))[row - first]
    return bound


@lru_cache(maxsize=64)
def _row_bounds_km(size: float, first: int, last: int) -> Floats:
    """Half-diagonals (km) of rows ``first``..``last`` of ``size``° cells; every
    clause of a batch asks for the same rows (read only: never written)."""
    rows = (np.arange(first, last + 1, dtype=np.float64) + 0.5) * size
    bound: Floats = half_diagonal_m(size, size, rows) / 1e3
    bound.flags.writeable = False  # shared by every caller through the cache
    return bound


def _cells(
    ix: NDArray[np.int64], iy: NDArray[np.int64]
) -> tuple[NDArray[np.int64], Ints]:
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
    keys: NDArray[np.int64], size: float, exact: Exact, far_km: float, memo: Memo
) -> Floats:
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
    lon: Floats,
    lat: Floats,
    exact: Exact,
    undecided: Undecided,
    far_km: float,
    within_km: Floats | None,
    memo: Memo | None = None,
) -> Floats:
    """Distances good enough to decide every threshold, exact near the thresholds.

    ``far_km``: beyond this a distance decides nothing (largest threshold plus
    the largest radius), so cell centres need only be exact up to it plus the
    cell's size. ``within_km`` is passed to ``exact`` for single points.
    ``memo`` keeps cell centres between calls for the same geometry (and the
    same ``far_km``), so clauses that measure different rows share cells.
    """
    memo = {} if memo is None else memo
    values = np.empty(len(lon), np.float64)
    todo = np.arange(len(lon))
    for size in BAND_LEVELS:
        if len(todo) < BAND_MIN_POINTS:
            break
        ix = np.floor(lon[todo] / size).astype(np.int64)
        iy = np.floor(lat[todo] / size).astype(np.int64)
        cells, inverse = _cells(ix, iy)
        cy = np.asarray(((cells % 8_000_000) - 4_000_000 + 0.5) * size, np.float64)
        reach = half_diagonal_km(size, cy)[inverse]
        mid = _centres(cells, size, exact, far_km, memo)[inverse]
        open_ = undecided(mid - reach, mid + reach, todo)
        values[todo[~open_]] = mid[~open_]
        todo = todo[open_]
    if len(todo):
        within = None if within_km is None else within_km[todo]
        values[todo] = exact(lon[todo], lat[todo], within)
    return values
