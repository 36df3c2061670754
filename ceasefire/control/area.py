"""Geodesic areas and widths of polygons (WGS84 ellipsoid).

Real pieces of change are measured with pyproj.Geod, ring by ring. Slivers
(hundreds a day in DeepState's maps, from its ±1 m smoothing buffer) are
first measured in one vectorised pass in a Lambert azimuthal equal-area
projection on the WGS84 ellipsoid: an equal-area projection keeps area, and
for pieces a few metres wide the difference from a geodesic measure is far
below a square metre. Anything wider than ``GEOD_ABOVE_M`` is re-measured with Geod.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod, Transformer

WGS84 = Geod(ellps="WGS84")
_LAEA = Transformer.from_crs(
    "EPSG:4326",
    "+proj=laea +lat_0=48.5 +lon_0=31.5 +ellps=WGS84 +units=m",
    always_xy=True,
)
GEOD_ABOVE_M = 20.0
"""Pieces at least this wide (2·area/perimeter) are measured with Geod."""

Floats = NDArray[np.float64]
Shapes = NDArray[np.object_]


def flat_polygons(shapes: Shapes) -> Shapes:
    """Every non-empty polygon in ``shapes``, multi-parts and collections flattened."""
    parts = shapely.get_parts(shapes)
    kinds = shapely.get_type_id(parts)
    while (nested := np.isin(kinds, (6, 7))).any():  # MultiPolygon, GeometryCollection
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
        kinds = shapely.get_type_id(parts)
    keep = (kinds == 3) & ~shapely.is_empty(parts)
    return np.asarray(parts[keep], dtype=object)


def equal_area_m(polygons: Shapes) -> tuple[Floats, Floats]:
    """Area (m²) and perimeter (m) of each polygon in the equal-area projection."""
    projected = shapely.transform(polygons, _project)
    return shapely.area(projected), shapely.length(shapely.get_exterior_ring(projected))


def _project(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    x, y = _LAEA.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def geodesic_m(polygons: Shapes) -> tuple[Floats, Floats]:
    """Geodesic area (m², holes subtracted) and outer perimeter (m), pyproj.Geod.

    Ring areas are taken as absolute values, so the result does not depend on
    the ring orientation the source drew.
    """
    area = np.zeros(len(polygons))
    perimeter = np.zeros(len(polygons))
    if not len(polygons):
        return area, perimeter
    rings, owner = shapely.get_rings(polygons, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    x, y = np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1])
    starts = np.searchsorted(ring_of, np.arange(len(rings)))
    ends = np.append(starts[1:], len(coords))
    exterior = np.r_[True, owner[1:] != owner[:-1]]
    for ring, (start, end) in enumerate(zip(starts, ends, strict=True)):
        a, p = WGS84.polygon_area_perimeter(x[start:end], y[start:end])
        if exterior[ring]:
            area[owner[ring]] += abs(a)
            perimeter[owner[ring]] = p
        else:
            area[owner[ring]] -= abs(a)
    return area, perimeter


def areas_perimeters_m(polygons: Shapes) -> tuple[Floats, Floats]:
    """Area (m²) and outer perimeter (m) of each polygon: Geod for real pieces."""
    if not len(polygons):
        return np.zeros(0), np.zeros(0)
    area, perimeter = equal_area_m(polygons)
    real = mean_width_m(area, perimeter) >= GEOD_ABOVE_M
    if real.any():
        area[real], perimeter[real] = geodesic_m(polygons[real])
    return area, perimeter


def area_km2(geometry: shapely.Geometry) -> float:
    """Geodesic area of the polygonal parts of ``geometry`` in km²."""
    parts = flat_polygons(np.asarray([geometry], dtype=object))
    return float(geodesic_m(parts)[0].sum()) / 1e6


def mean_width_m(area_m2: Floats, perimeter_m: Floats) -> Floats:
    """2·area/perimeter: the width of a sliver (exact for a long thin strip)."""
    return np.where(perimeter_m > 0, 2 * area_m2 / np.maximum(perimeter_m, 1e-9), 0.0)
