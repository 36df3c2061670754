"""Geodesic measures from many points to one agreement geometry.

One ``Measure`` per line, zone, corridor or site, built once (``measure_for``)
and reused for every batch of incidents. All inputs and outputs are numpy
arrays of WGS84 longitude/latitude; distances are geodesic on the WGS84
ellipsoid, in kilometres, accurate to 0.1 % (measured: 2e-5 worst) and to
1 m near zero; results are 1-D (inputs are flattened). Large batches go
through a precomputed distance field (``ceasefire.geo.field``, built by
``prepare()`` or the first batch of ``FIELD_MIN_POINTS``). Everything is
vectorised: no Python loop runs per point. See docs/measure.md.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from ceasefire.geo.build import Feature
from ceasefire.geo.field import Memo, Undecided, banded
from ceasefire.geo.segments import Floats, Nearest, Segments

Within = float | ArrayLike | None
"""``within_km``: a scalar or one value per point."""

ON_LINE_KM = 1e-3
"""Points this close to a line are on it (side 0)."""
FIELD_MIN_POINTS = 50_000
"""A batch this large builds the distance field first (``Measure.prepare``)."""


def _points(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lon has shape {x.shape} but lat has shape {y.shape}")
    return x.ravel(), y.ravel()


def _within_m(within_km: Within, n: int) -> Floats | float | None:
    if within_km is None:
        return None
    value = np.asarray(within_km, dtype=np.float64)
    if value.ndim == 0:
        return float(value) * 1e3
    if value.shape != (n,):
        raise ValueError(f"within_km has shape {value.shape}; expected () or ({n},)")
    return value * 1e3


class Measure:
    """Distances, containment and sides from points to one geometry."""

    kind: str
    """'line', 'point' or 'area'."""

    def __init__(self, geometry: shapely.Geometry) -> None:
        self.geometry = geometry

    def distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, within_km: Within = None
    ) -> Floats:
        """Geodesic distance from each point to the geometry, km (0 inside a zone).

        With ``within_km``, points farther than it may get any value greater
        than it (a lower bound) instead of their exact distance.
        """
        raise NotImplementedError

    def inside(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
        """Whether each point is inside the geometry (always False for lines)."""
        x, _ = _points(lon, lat)
        return np.zeros(len(x), dtype=bool)

    def edge_distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, within_km: Within = None
    ) -> Floats:
        """Distance to an area's boundary; for lines and points, ``distance_km``."""
        return self.distance_km(lon, lat, within_km=within_km)

    def side(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int8]:
        """+1 left of a line (or inside its zone), -1 right (outside), 0 on it."""
        raise TypeError(f"side() is defined for lines only, not for a {self.kind}")

    def nearest_point(self, lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
        """Lon/lat of the nearest point of the geometry (of its edge, for areas)."""
        raise NotImplementedError

    def prepare(self) -> Measure:
        """Build the distance field now (else the first batch of
        ``FIELD_MIN_POINTS`` or more builds it); returns self."""
        return self

    def banded_km(
        self,
        lon: Floats,
        lat: Floats,
        undecided: Undecided,
        far_km: float,
        within_km: Floats | None,
        memo: Memo | None = None,
        *,
        edge: bool = False,
    ) -> Floats:
        """Distances (to an area's edge, with ``edge``) good enough to decide
        every distance band, exact where a band is close: the one band decider
        (``ceasefire.geo.field.banded``; ``undecided`` says which values in an
        interval cannot decide a point's bands yet)."""
        measure = self.edge_distance_km if edge else self.distance_km

        def exact(x: Floats, y: Floats, within: float | Floats | None) -> Floats:
            return measure(x, y, within_km=within)

        return banded(lon, lat, exact, undecided, far_km, within_km, memo)


class _SegmentMeasure(Measure):
    """Lines and points: everything is the distance to the segments."""

    def __init__(self, geometry: shapely.Geometry) -> None:
        super().__init__(geometry)
        self.segments = Segments(geometry)

    def prepare(self) -> Measure:
        self.segments.prepare()
        return self

    def _nearest(
        self, lon: ArrayLike, lat: ArrayLike, within_km: Within, detail: bool = True
    ) -> Nearest:
        x, y = _points(lon, lat)
        if len(x) >= FIELD_MIN_POINTS:
            self.prepare()
        limit = _within_m(within_km, len(x))
        return self.segments.nearest(x, y, limit, detail=detail)

    def distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, within_km: Within = None
    ) -> Floats:
        return self._nearest(lon, lat, within_km, detail=False).distance_m / 1e3

    def nearest_point(self, lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
        x, y = _points(lon, lat)
        return self.segments.foot_lonlat(x, y, self._nearest(x, y, None))


class PointMeasure(_SegmentMeasure):
    """A site given as a point or points."""

    kind = "point"


class LineMeasure(_SegmentMeasure):
    """A line; ``inside_zone`` makes its sides inside (+1) and outside (-1) of it."""

    kind = "line"

    def __init__(
        self, geometry: shapely.Geometry, inside_zone: shapely.Geometry | None = None
    ) -> None:
        super().__init__(geometry)
        self.inside_zone = None if inside_zone is None else AreaMeasure(inside_zone)

    def side(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int8]:
        x, y = _points(lon, lat)
        if self.inside_zone is None:
            nearest = self._nearest(x, y, None)
            result = self.segments.side(x, y, nearest)
            on = nearest.distance_m <= ON_LINE_KM * 1e3
        else:
            inside = self.inside_zone.inside(x, y)
            result = np.where(inside, 1, -1).astype(np.int8)
            near = self._nearest(x, y, ON_LINE_KM, detail=False)
            on = near.distance_m <= ON_LINE_KM * 1e3
        result[on | ~(np.isfinite(x) & np.isfinite(y))] = 0
        return result


class AreaMeasure(Measure):
    """A zone, corridor or site given as (multi)polygon."""

    kind = "area"

    def __init__(self, geometry: shapely.Geometry) -> None:
        super().__init__(geometry)
        self.area = geometry
        shapely.prepare(self.area)
        self.edge = _SegmentMeasure(shapely.boundary(geometry))
        self._cell_state: NDArray[np.int8] | None = None
        """Per field cell: 1 inside, 0 outside, 2 near the edge (test each point)."""

    def prepare(self) -> Measure:
        self.edge.prepare()
        if self._cell_state is None:
            self._cell_state = self._cell_states()
        return self

    def _cell_states(self) -> NDArray[np.int8]:
        field = self.edge.segments.field
        assert field is not None
        nx, ny = field.nx + 2, field.ny + 2  # the padded grid
        lon = np.tile(field.x0 + (np.arange(nx) - 0.5) * field.dx, ny)
        lat = np.repeat(field.y0 + (np.arange(ny) - 0.5) * field.dy, nx)
        state: NDArray[np.int8] = shapely.contains_xy(self.area, lon, lat).astype(
            np.int8
        )
        # A cell whose distance bound is positive holds no edge point, so it is
        # wholly inside or outside; the margin covers shapely's edges being
        # straight in lon/lat where ours are straight in the projection.
        seg = self.edge.segments
        longest = float(np.sqrt(1.0 / seg.inv_len2[seg.inv_len2 > 0].min()))
        top = max(abs(field.y0), abs(field.y0 + ny * field.dy))
        sagitta = longest**2 * np.tan(np.radians(min(top, 85.0))) / (4 * 6.3e6) + 10.0
        state[field.lower_m <= sagitta] = 2
        return state

    def inside(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
        x, y = _points(lon, lat)
        if len(x) >= FIELD_MIN_POINTS:
            self.prepare()
        field = self.edge.segments.field
        if self._cell_state is None or field is None:
            return np.asarray(shapely.contains_xy(self.area, x, y), dtype=bool)
        finite = np.isfinite(x) & np.isfinite(y)
        cell = field.cells(np.where(finite, x, -1e9), np.where(finite, y, -1e9))
        state = self._cell_state[cell]
        result: NDArray[np.bool_] = state == 1
        test = np.flatnonzero(state == 2)
        result[test] = shapely.contains_xy(self.area, x[test], y[test])
        return result

    def edge_distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, within_km: Within = None
    ) -> Floats:
        return self.edge.distance_km(lon, lat, within_km=within_km)

    def distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, within_km: Within = None
    ) -> Floats:
        x, y = _points(lon, lat)
        inside = self.inside(x, y)
        distance = np.zeros(len(x))
        out = np.flatnonzero(~inside)
        limit = _within_m(within_km, len(x))
        if isinstance(limit, np.ndarray):
            limit = limit[out]
        within = None if limit is None else limit / 1e3
        distance[out] = self.edge.distance_km(x[out], y[out], within_km=within)
        return distance

    def nearest_point(self, lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
        return self.edge.nearest_point(lon, lat)


def measure_for(
    geometry: shapely.Geometry, *, inside_zone: shapely.Geometry | None = None
) -> Measure:
    """The measure for a lon/lat point, line or polygon (or multi-part) geometry.

    ``inside_zone``: for a line that is the boundary of a zone (an agreement's
    ``boundary:`` geometry), that zone, whose inside is side +1.
    """
    kind: str = geometry.geom_type
    if kind in ("Point", "MultiPoint"):
        return PointMeasure(geometry)
    if kind in ("LineString", "MultiLineString", "LinearRing"):
        return LineMeasure(geometry, inside_zone)
    if kind in ("Polygon", "MultiPolygon"):
        return AreaMeasure(geometry)
    raise TypeError(
        f"cannot measure a {kind}; expected a Point, LineString or Polygon"
        " (or their Multi- forms)"
    )


def measure_for_feature(feature: Feature, features: dict[str, Feature]) -> Measure:
    """``measure_for`` an agreement feature, passing the zone of a boundary line.

    ``features`` is ``Agreement.features``.
    """
    boundary = feature.spec.boundary
    zone = features[boundary.of].shape if boundary is not None else None
    return measure_for(feature.shape, inside_zone=zone)
