"""Front-line change: the area each party holds that it did not hold at the baseline.

For each observed day the source's held area is compared with the same
source's held area on the baseline day: ``day − baseline`` is what the holder
gained, ``baseline − day`` what the other party gained. Nothing is simplified
or smoothed; areas are geodesic (WGS84) and counted within the agreement's
territory, then broken down by its zones. Pieces narrower than the noise width
are labelled noise but stay in the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely
from numpy.typing import NDArray

from ceasefire.control.area import (
    Floats,
    Shapes,
    areas_perimeters_m,
    flat_polygons,
    mean_width_m,
)

NOISE_WIDTH_M = 5.0
"""DeepState's daily polygons are unioned with a ±0.000009° (≈1 m) buffer;
slivers narrower than 5 m are that artefact, not movement."""


@dataclass(frozen=True)
class Zone:
    """A zone of the agreement to break change down by."""

    id: str
    shape: shapely.Geometry


@dataclass
class Gain:
    """What one party gained on one day, as polygons and geodesic km²."""

    shape: shapely.Geometry
    km2: float
    noise_km2: float
    by_zone: dict[str, float] = field(default_factory=dict)


@dataclass
class DayChange:
    """A day's change against the baseline, per party."""

    day: date
    baseline: date
    source: str
    gains: dict[str, Gain]


@dataclass
class Pieces:
    """The polygons of a change with their areas (m²) and noise flags.

    A noise piece (narrower than the noise width) is counted whole in the
    zone holding its representative point rather than cut at the zone's
    edge: it stays in every total, and the cost of cutting hundreds of
    one-metre slivers a day is spared (the error is below the noise area).
    """

    parts: NDArray[np.object_]
    area_m2: Floats
    noise: NDArray[np.bool_]
    points: NDArray[np.object_]

    @classmethod
    def of(cls, array: Shapes, noise_width_m: float) -> Pieces:
        area, perimeter = areas_perimeters_m(array)
        noise = mean_width_m(area, perimeter) < noise_width_m
        return cls(array, area, noise, shapely.point_on_surface(array))

    def clipped(self, territory: Tiled, noise_width_m: float) -> Pieces:
        """The pieces within ``territory``: real pieces crossing its edge are cut."""
        if not len(self.parts):
            return self
        inside = shapely.contains_properly(territory.shape, self.parts)
        slivers = ~inside & self.noise
        keep = inside.copy()
        keep[slivers] = shapely.contains(territory.shape, self.points[slivers])
        edge = ~inside & ~self.noise
        kept = Pieces(
            self.parts[keep], self.area_m2[keep], self.noise[keep], self.points[keep]
        )
        if not edge.any():
            return kept
        cut = Pieces.of(territory.cut(self.parts[edge]), noise_width_m)
        return Pieces(
            np.concatenate([kept.parts, cut.parts]),
            np.concatenate([kept.area_m2, cut.area_m2]),
            np.concatenate([kept.noise, cut.noise]),
            np.concatenate([kept.points, cut.points]),
        )

    def within(self, zone: Tiled) -> float:
        """m² of the pieces inside ``zone`` (real pieces crossing its edge are cut)."""
        if not len(self.parts):
            return 0.0
        inside = shapely.contains_properly(zone.shape, self.parts)
        total = float(self.area_m2[inside].sum())
        slivers = ~inside & self.noise
        if slivers.any():
            hit = shapely.contains(zone.shape, self.points[slivers])
            total += float(self.area_m2[slivers][hit].sum())
        edge = ~inside & ~self.noise & shapely.intersects(zone.shape, self.parts)
        if edge.any():
            total += float(areas_perimeters_m(zone.cut(self.parts[edge]))[0].sum())
        return total


class Tiled:
    """A large polygon split into grid tiles, so cutting a small piece by it
    only touches the few tiles the piece overlaps."""

    def __init__(self, shape: shapely.Geometry, cell_deg: float = 0.2) -> None:
        self.shape = shape
        shapely.prepare(shape)
        minx, miny, maxx, maxy = shape.bounds
        xs = np.arange(minx, maxx + cell_deg, cell_deg)
        ys = np.arange(miny, maxy + cell_deg, cell_deg)
        gx, gy = np.meshgrid(xs[:-1], ys[:-1])
        boxes = shapely.box(
            gx.ravel(), gy.ravel(), gx.ravel() + cell_deg, gy.ravel() + cell_deg
        )
        boxes = boxes[shapely.intersects(shape, boxes)]
        tiles = shapely.intersection(boxes, shape)
        self.tiles = tiles[~shapely.is_empty(tiles)]
        self.tree = shapely.STRtree(self.tiles)

    def cut(self, parts: NDArray[np.object_]) -> NDArray[np.object_]:
        """The polygons of ``parts ∩ shape`` (tiles do not overlap: areas add up)."""
        which, tile = self.tree.query(parts, predicate="intersects")
        if not len(which):
            return np.asarray([], dtype=object)
        return flat_polygons(shapely.intersection(parts[which], self.tiles[tile]))


class Frontline:
    """Change of one source's held area against its baseline map.

    ``holder`` is the party whose held area the source draws (e.g. 'ru');
    ``other`` holds the rest of the territory.
    """

    def __init__(
        self,
        baseline: shapely.Geometry,
        baseline_day: date,
        holder: str,
        other: str,
        territory: shapely.Geometry | None = None,
        zones: list[Zone] | None = None,
        noise_width_m: float = NOISE_WIDTH_M,
    ) -> None:
        self.baseline, self.baseline_day = baseline, baseline_day
        self.holder, self.other = holder, other
        self.territory = None if territory is None else Tiled(territory)
        self.zones = [(zone.id, Tiled(zone.shape)) for zone in zones or []]
        self.noise_width_m = noise_width_m
        shapely.prepare(baseline)
        self._done: dict[int, dict[str, Gain]] = {}

    def change(self, day: date, source: str, held: shapely.Geometry) -> DayChange:
        """The change on ``day`` given the source's held area that day."""
        key = id(held)  # held areas are cached per distinct map: same map, same object
        gains = self._done.get(key)
        if gains is None:
            gains = self._gains(held)
            self._done[key] = gains
        return DayChange(day, self.baseline_day, source, gains)

    def _gains(self, held: shapely.Geometry) -> dict[str, Gain]:
        """One overlay for both parties: the symmetric difference of the two
        maps, each piece the holder's gain when it lies in ``held`` (pieces of
        a symmetric difference lie wholly in one map or the other)."""
        changed = shapely.symmetric_difference(held, self.baseline)
        parts = flat_polygons(np.asarray([changed], dtype=object))
        if not len(parts):
            return {self.holder: self._gain(parts), self.other: self._gain(parts)}
        shapely.prepare(held)
        ours = shapely.contains(held, shapely.point_on_surface(parts))
        return {
            self.holder: self._gain(parts[ours]),
            self.other: self._gain(parts[~ours]),
        }

    def _gain(self, parts: NDArray[np.object_]) -> Gain:
        pieces = Pieces.of(parts, self.noise_width_m)
        if self.territory is not None:
            pieces = pieces.clipped(self.territory, self.noise_width_m)
        gain = Gain(
            shapely.multipolygons(pieces.parts)
            if len(pieces.parts)
            else shapely.MultiPolygon(),
            float(pieces.area_m2.sum()) / 1e6,
            float(pieces.area_m2[pieces.noise].sum()) / 1e6,
        )
        gain.by_zone = {zid: pieces.within(tiled) / 1e6 for zid, tiled in self.zones}
        return gain
