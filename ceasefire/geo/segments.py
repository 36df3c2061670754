"""Nearest points on a lon/lat polyline or point set, with geodesic distances.

The geometry is projected once to a transverse Mercator centred on it. TM is
conformal and its scale factor k ≥ 1 grows only with the distance x from the
central meridian, so for any point P and segment S the planar distance d_p
and the geodesic distance s obey ``s ≤ d_p ≤ k_max · s``. The segment that is
nearest by geodesic distance is therefore among those whose planar distance
is within ``k_max`` of the planar minimum; only those candidates are measured
geodesically, and the smallest wins. Geodesic lengths of short chords (the
common case: a point near the line) come from the planar chord divided by the
mean scale factor along it, which agrees with pyproj.Geod to about 1e-6;
longer chords go through pyproj.Geod itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod

from ceasefire.geo.crs import tm_transformers

if TYPE_CHECKING:
    from ceasefire.geo.field import DistanceField

Floats = NDArray[np.float64]
Ints = NDArray[np.intp]

WGS84 = Geod(ellps="WGS84")
_A = 6378137.0
_E2 = WGS84.es

MAX_WIDTH_DEG = 40.0
"""Widest geometry (degrees of longitude) one projection serves."""
REACH_DEG = 20.0
"""Points farther than this (longitude) beyond the geometry are measured
without the projection, by brute force over geodesically densified vertices."""
SHORT_CHORD_M = 200_000.0
"""Chords up to this length use the scale-corrected planar length (error
< 1e-5 relative); longer ones use pyproj.Geod.inv."""
DENSE_SPACING_M = 2_000.0
CLASSIFY_BLOCK = 1 << 16
"""Points classified per block by the distance field (arrays stay in cache)."""


def inverse_r2(lat: Floats) -> Floats:
    """1 / (ρ·ν), the inverse Gaussian radius of curvature squared, at ``lat``."""
    sin = np.sin(np.radians(lat))
    w = 1.0 - _E2 * sin * sin
    result: Floats = (w * w) / (_A * _A * (1.0 - _E2))
    return result


def scale_factor(x: Floats, inv_r2: Floats | float) -> Floats:
    """Point scale factor of a TM with k0 = 1 at easting ``x`` (metres)."""
    q = x * x * inv_r2
    result: Floats = 1.0 + q * (0.5 + q / 24.0)
    return result


def _mean_scale(x1: Floats, x2: Floats, inv_r2: Floats) -> Floats:
    """Mean scale factor along the chord x1 → x2 (Simpson's rule; k is ~quadratic)."""
    mid = (x1 + x2) / 2.0
    k = scale_factor(x1, inv_r2) + 4.0 * scale_factor(mid, inv_r2)
    result: Floats = (k + scale_factor(x2, inv_r2)) / 6.0
    return result


@dataclass(frozen=True)
class Nearest:
    """Result of ``Segments.nearest`` for each query point."""

    distance_m: Floats
    """Geodesic distance in metres; where ``exact`` is False, a lower bound
    greater than the caller's ``within`` (or NaN for NaN input)."""
    segment: Ints
    """Index of the nearest segment, -1 where not ``exact``."""
    t: Floats
    """Position of the nearest point along that segment, 0 … 1."""
    exact: NDArray[np.bool_]


class Segments:
    """The segments of a lon/lat (multi)line or the points of a (multi)point."""

    def __init__(self, geometry: shapely.Geometry) -> None:
        parts = [p for p in shapely.get_parts(geometry) if not p.is_empty]
        if not parts:
            raise ValueError("cannot measure distances to an empty geometry")
        minx, miny, maxx, maxy = shapely.bounds(geometry)
        if maxx - minx > MAX_WIDTH_DEG:
            raise ValueError(
                f"geometry spans {maxx - minx:.1f}° of longitude;"
                f" distances are supported up to {MAX_WIDTH_DEG:.0f}°"
            )
        # rounded so that nearby geometries share (cached) transformers
        self.lon_0 = round((minx + maxx) / 2.0, 1)
        self.lat_0 = round((miny + maxy) / 2.0, 1)
        self.bounds = (minx, miny, maxx, maxy)
        self._forward, self._inverse = tm_transformers(self.lon_0, self.lat_0)

        starts, ends, prev, next_ = [], [], [], []
        offset = 0
        for part in parts:
            coords = shapely.get_coordinates(part)
            if len(coords) == 1:
                coords = np.vstack([coords, coords])  # a point: a zero-length segment
            n = len(coords) - 1
            starts.append(coords[:-1])
            ends.append(coords[1:])
            index = np.arange(offset, offset + n)
            p, q = index - 1, index + 1
            closed = n >= 3 and np.array_equal(coords[0], coords[-1])
            p[0] = index[-1] if closed else -1
            q[-1] = index[0] if closed else -1
            prev.append(p)
            next_.append(q)
            offset += n
        self.a_lonlat = np.vstack(starts)
        self.b_lonlat = np.vstack(ends)
        self.prev: Ints = np.concatenate(prev)
        self.next: Ints = np.concatenate(next_)
        ax, ay = self.project(self.a_lonlat[:, 0], self.a_lonlat[:, 1])
        bx, by = self.project(self.b_lonlat[:, 0], self.b_lonlat[:, 1])
        self.ax, self.ay, self.bx, self.by = ax, ay, bx, by
        self.sdx, self.sdy = bx - ax, by - ay
        length2 = self.sdx * self.sdx + self.sdy * self.sdy
        self.inv_len2 = np.divide(
            1.0, length2, out=np.zeros_like(length2), where=length2 > 0
        )
        self.max_abs_x = float(max(np.abs(ax).max(), np.abs(bx).max()))
        self.field: DistanceField | None = None
        """Set by ``prepare``: speeds up large batches near the geometry."""
        self.tree = shapely.STRtree(
            shapely.linestrings(
                np.stack([np.column_stack([ax, ay]), np.column_stack([bx, by])], axis=1)
            )
        )

    def prepare(self) -> None:
        """Build the distance field (once; ~0.5 s for a 1,000-segment front line)."""
        if self.field is None:
            from ceasefire.geo.field import DistanceField  # field builds on this module

            self.field = DistanceField(self)

    def __len__(self) -> int:
        return len(self.ax)

    def project(self, lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
        """Lon/lat to this geometry's TM metres."""
        x, y = self._forward.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def unproject(self, x: Floats, y: Floats) -> tuple[Floats, Floats]:
        """TM metres back to lon/lat."""
        lon, lat = self._inverse.transform(x, y)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def reachable(self, lon: Floats, lat: Floats) -> NDArray[np.bool_]:
        """Points the projection serves (the rest go to the brute-force path)."""
        minx, _, maxx, _ = self.bounds
        dlon = (lon - self.lon_0 + 180.0) % 360.0 - 180.0
        half = max(self.lon_0 - minx, maxx - self.lon_0) + REACH_DEG
        ok: NDArray[np.bool_] = (np.abs(dlon) <= half) & (np.abs(lat) <= 85.0)
        return ok

    def k_max(self, x: Floats, lat: Floats) -> Floats:
        """Upper bound of the scale factor on a geodesic from ``x`` to the geometry."""
        reach = np.maximum(np.abs(x), self.max_abs_x) * 1.02 + 1_000.0
        # the smallest radius of curvature (at the equator) bounds k from above
        return scale_factor(reach, inverse_r2(np.zeros_like(lat))) * (1.0 + 1e-9)

    # ------------------------------------------------------------ queries

    def nearest(
        self,
        lon: Floats,
        lat: Floats,
        within_m: Floats | float | None = None,
        *,
        detail: bool = True,
    ) -> Nearest:
        """Nearest segment and geodesic distance for each point.

        With ``within_m`` (scalar or per point), points provably farther than
        it get a lower bound instead of the exact distance. Without ``detail``
        the segment and t may be left unset (-1, 0) where the field answers.
        """
        if self.field is None:
            return self._nearest_general(lon, lat, within_m)
        return self._nearest_field(self.field, lon, lat, within_m, detail)

    def _nearest_field(
        self,
        field: DistanceField,
        lon: Floats,
        lat: Floats,
        within_m: Floats | float | None,
        detail: bool,
    ) -> Nearest:
        """Classify by the distance field; measure only the undecided points."""
        n = len(lon)
        distance, candidates, cell = self._classify(field, lon, lat, within_m)
        todo = np.zeros(n, dtype=bool)
        todo[candidates] = True
        has = field.count[cell] > 0
        fast, slow = candidates[has], candidates[~has]
        fast_cell = cell[has]
        if detail or len(slow):
            segment = np.full(n, -1, dtype=np.intp)
            t = np.zeros(n)
        else:  # distances only: read-only placeholders, no 16 bytes per point
            segment = np.broadcast_to(np.intp(-1), (n,))
            t = np.broadcast_to(0.0, (n,))
        if len(fast):
            x, y = self.project(lon[fast], lat[fast])
            which, seg = field.pairs(fast_cell)
            d2, tt = self._planar_pairs(x, y, which, seg)
            starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
            # only pairs within the scale-factor spread of the planar minimum
            # can be the geodesic minimum: measure those geodesically
            close = np.flatnonzero(
                d2 <= np.minimum.reduceat(d2, starts)[which] * field.tie2
            )
            which, seg, tt = which[close], seg[close], tt[close]
            fx = self.ax[seg] + tt * self.sdx[seg]
            fy = self.ay[seg] + tt * self.sdy[seg]
            d = self._geodesic(
                x[which],
                y[which],
                fx,
                fy,
                np.sqrt(d2[close]),
                inverse_r2(lat[fast])[which],
            )
            starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
            best = np.minimum.reduceat(d, starts)  # one per fast point, in order
            distance[fast] = best
            if detail:  # the first pair reaching each point's minimum
                hit = np.flatnonzero(d == best[which])
                hit = hit[np.r_[True, which[hit][1:] != which[hit][:-1]]]
                segment[fast] = seg[hit]
                t[fast] = tt[hit]
        if len(slow):
            limit = None if within_m is None else np.broadcast_to(within_m, n)[slow]
            rest = self._nearest_general(lon[slow], lat[slow], limit)
            distance[slow], segment[slow], t[slow] = (
                rest.distance_m,
                rest.segment,
                rest.t,
            )
            todo[slow] = rest.exact
        return Nearest(distance, segment, t, todo)

    @staticmethod
    def _classify(
        field: DistanceField,
        lon: Floats,
        lat: Floats,
        within_m: Floats | float | None,
    ) -> tuple[Floats, Ints, NDArray[np.int64]]:
        """Field lower bounds for all points; the points (and their cells) the
        bounds leave undecided. In blocks that stay in the CPU cache."""
        n = len(lon)
        distance = np.empty(n)
        limits = None if within_m is None else np.broadcast_to(within_m, (n,))
        found: list[Ints] = []
        cells: list[NDArray[np.int64]] = []
        for start in range(0, n, CLASSIFY_BLOCK):
            stop = min(start + CLASSIFY_BLOCK, n)
            x, y = lon[start:stop], lat[start:stop]
            finite = None
            if not np.isfinite(x.sum() + y.sum()):  # NaN to a far corner, then NaN
                finite = np.isfinite(x) & np.isfinite(y)
                x, y = np.where(finite, x, -1e9), np.where(finite, y, -1e9)
            cell = field.cells(x, y)
            bound = distance[start:stop]
            np.take(field.lower_m, cell, out=bound)
            if limits is None:
                todo = np.ones(stop - start, dtype=bool)
            else:
                todo = bound <= limits[start:stop]
            if finite is not None:
                bound[~finite] = np.nan
                todo &= finite
            index = np.flatnonzero(todo)
            found.append(index + start)
            cells.append(cell[index])
        if not found:
            return distance, np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        return distance, np.concatenate(found), np.concatenate(cells)

    def _nearest_general(
        self, lon: Floats, lat: Floats, within_m: Floats | float | None
    ) -> Nearest:
        """Nearest segments by the segment tree (any point, any distance)."""
        n = len(lon)
        distance = np.full(n, np.nan)
        segment = np.full(n, -1, dtype=np.intp)
        t = np.zeros(n)
        exact = np.zeros(n, dtype=bool)
        finite = np.isfinite(lon) & np.isfinite(lat)
        near = finite & self.reachable(lon, lat)
        idx = np.flatnonzero(near)
        if len(idx):
            x, y = self.project(lon[idx], lat[idx])
            limit = None if within_m is None else np.broadcast_to(within_m, n)[idx]
            d, s, tt, ok = self._nearest_projected(x, y, lat[idx], limit)
            distance[idx], segment[idx], t[idx], exact[idx] = d, s, tt, ok
        far = np.flatnonzero(finite & ~near)
        if len(far):
            d, s, tt = self._nearest_brute(lon[far], lat[far])
            distance[far], segment[far], t[far], exact[far] = d, s, tt, True
        return Nearest(distance, segment, t, exact)

    def _nearest_projected(
        self, x: Floats, y: Floats, lat: Floats, within_m: Floats | None
    ) -> tuple[Floats, Ints, Floats, NDArray[np.bool_]]:
        points = shapely.points(x, y)
        (which, _), planar = self.tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        d_min = np.empty(len(x))
        d_min[which] = planar
        k_max = self.k_max(x, lat)
        lower = d_min / k_max
        todo = np.ones(len(x), dtype=bool) if within_m is None else lower <= within_m
        distance = lower.copy()
        segment = np.full(len(x), -1, dtype=np.intp)
        t = np.zeros(len(x))
        sel = np.flatnonzero(todo)
        if len(sel):
            reach = d_min[sel] * k_max[sel] + 1e-3
            (pi, si) = self.tree.query(points[sel], predicate="dwithin", distance=reach)
            p = sel[pi]
            d, tt = self.pair_distance(x[p], y[p], inverse_r2(lat[p]), si)
            order = np.lexsort((d, p))
            p, si, d, tt = p[order], si[order], d[order], tt[order]
            first = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
            best = p[first]
            distance[best] = d[first]
            segment[best] = si[first]
            t[best] = tt[first]
        return distance, segment, t, todo

    def foot(self, x: Floats, y: Floats, seg: Ints) -> tuple[Floats, Floats, Floats]:
        """Planar nearest point (fx, fy) on segment ``seg`` and its position t."""
        ax, ay = self.ax[seg], self.ay[seg]
        dx, dy = self.bx[seg] - ax, self.by[seg] - ay
        length2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = ((x - ax) * dx + (y - ay) * dy) / length2
        t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
        return ax + t * dx, ay + t * dy, t

    def _planar_pairs(
        self, x: Floats, y: Floats, which: Ints, seg: Ints
    ) -> tuple[Floats, Floats]:
        """Squared planar distance and foot position t for (point, segment) pairs."""
        ux = x[which]
        ux -= self.ax[seg]
        uy = y[which]
        uy -= self.ay[seg]
        dx, dy = self.sdx[seg], self.sdy[seg]
        t = ux * dx
        t += uy * dy
        t *= self.inv_len2[seg]
        np.clip(t, 0.0, 1.0, out=t)
        ux -= t * dx
        uy -= t * dy
        ux *= ux
        uy *= uy
        ux += uy
        return ux, t

    def _geodesic(
        self,
        x: Floats,
        y: Floats,
        fx: Floats,
        fy: Floats,
        planar: Floats,
        inv_r2: Floats,
    ) -> Floats:
        """Geodesic length of planar chords (x, y) → (fx, fy) of length ``planar``."""
        distance = planar / _mean_scale(x, fx, inv_r2)
        long = np.flatnonzero(planar > SHORT_CHORD_M)
        if len(long):
            plon, plat = self.unproject(x[long], y[long])
            flon, flat = self.unproject(fx[long], fy[long])
            distance[long] = WGS84.inv(
                plon, plat, flon, flat, return_back_azimuth=False
            )[2]
        return distance

    def pair_distance(
        self, x: Floats, y: Floats, inv_r2: Floats, seg: Ints
    ) -> tuple[Floats, Floats]:
        """Geodesic distance from projected points to their paired segments."""
        fx, fy, t = self.foot(x, y, seg)
        planar = np.hypot(x - fx, y - fy)
        return self._geodesic(x, y, fx, fy, planar, inv_r2), t

    @cached_property
    def _dense(self) -> tuple[Floats, Floats, Ints, Floats]:
        """Vertices densified geodesically to ≤ DENSE_SPACING_M, with their segment and t."""
        lons, lats, segs, ts = [], [], [], []
        a, b = self.a_lonlat, self.b_lonlat
        length = WGS84.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2]
        for i in range(len(a)):  # build-time only, for points beyond the projection
            n = int(length[i] // DENSE_SPACING_M)
            inner = WGS84.npts(a[i, 0], a[i, 1], b[i, 0], b[i, 1], n) if n else []
            lons += [a[i, 0], *(p[0] for p in inner), b[i, 0]]
            lats += [a[i, 1], *(p[1] for p in inner), b[i, 1]]
            segs += [i] * (n + 2)
            ts += list(np.linspace(0.0, 1.0, n + 2))
        return (
            np.array(lons),
            np.array(lats),
            np.array(segs, dtype=np.intp),
            np.array(ts),
        )

    def _nearest_brute(self, lon: Floats, lat: Floats) -> tuple[Floats, Ints, Floats]:
        dlon, dlat, dseg, dt = self._dense
        distance = np.empty(len(lon))
        best = np.empty(len(lon), dtype=np.intp)
        for i in range(len(lon)):  # rare: points a continent away from the geometry
            d = WGS84.inv(
                np.full(len(dlon), lon[i]),
                np.full(len(dlon), lat[i]),
                dlon,
                dlat,
                return_back_azimuth=False,
            )[2]
            best[i] = int(np.argmin(d))
            distance[i] = d[best[i]]
        return distance, dseg[best], dt[best]

    def foot_lonlat(
        self, lon: Floats, lat: Floats, nearest: Nearest
    ) -> tuple[Floats, Floats]:
        """Lon/lat of the nearest point for each exactly measured point (NaN elsewhere)."""
        out_lon = np.full(len(lon), np.nan)
        out_lat = np.full(len(lon), np.nan)
        ok = np.flatnonzero(nearest.segment >= 0)
        if len(ok):
            seg, t = nearest.segment[ok], nearest.t[ok]
            fx = self.ax[seg] + t * (self.bx[seg] - self.ax[seg])
            fy = self.ay[seg] + t * (self.by[seg] - self.ay[seg])
            out_lon[ok], out_lat[ok] = self.unproject(fx, fy)
        return out_lon, out_lat

    def side(self, lon: Floats, lat: Floats, nearest: Nearest) -> NDArray[np.int8]:
        """+1 left of the nearest part's direction, -1 right, 0 where undecided.

        At a vertex the two segments' unit left normals are summed (the
        pseudo-normal), which gives the correct side on both sides of a bend.
        """
        out = np.zeros(len(lon), dtype=np.int8)
        ok = np.flatnonzero(nearest.segment >= 0)
        if not len(ok):
            return out
        x, y = self.project(lon[ok], lat[ok])
        seg, t = nearest.segment[ok], nearest.t[ok]
        nx, ny = self._unit_left_normal(seg)
        at_start = (t <= 0.0) & (self.prev[seg] >= 0)
        at_end = (t >= 1.0) & (self.next[seg] >= 0)
        other = np.where(at_start, self.prev[seg], np.where(at_end, self.next[seg], -1))
        has = other >= 0
        ox, oy = self._unit_left_normal(np.where(has, other, 0))
        nx = nx + np.where(has, ox, 0.0)
        ny = ny + np.where(has, oy, 0.0)
        fx = self.ax[seg] + t * (self.bx[seg] - self.ax[seg])
        fy = self.ay[seg] + t * (self.by[seg] - self.ay[seg])
        out[ok] = np.sign((x - fx) * nx + (y - fy) * ny).astype(np.int8)
        return out

    def _unit_left_normal(self, seg: Ints) -> tuple[Floats, Floats]:
        dx = self.bx[seg] - self.ax[seg]
        dy = self.by[seg] - self.ay[seg]
        length = np.hypot(dx, dy)
        length = np.where(length > 0, length, np.inf)
        return -dy / length, dx / length
