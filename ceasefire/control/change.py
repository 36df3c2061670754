"""Front-line change: the area each party holds that it did not hold at the baseline.

For each observed day the source's held area is compared with the same
source's held area on the baseline day: ``day − baseline`` is what the holder
gained, ``baseline − day`` what the other party gained. Nothing is simplified
or smoothed; areas are geodesic (WGS84) and counted within the agreement's
territory, then broken down by its zones. Pieces narrower than the noise width
are labelled noise but stay in the totals.

Speed: the front moves a little each day, so most pieces of a day's change
are exactly the pieces of the day before. Each piece is measured once, under
the digest of its normalised WKB (``PieceBook``): 769 DeepState days give
~295,000 pieces but only ~3,300 distinct ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

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

Indices = NDArray[np.intp]


@dataclass(frozen=True)
class Zone:
    """A zone of the agreement to break change down by."""

    id: str
    shape: shapely.Geometry


@dataclass
class Gain:
    """What one party gained on one day, as polygons and geodesic km²."""

    parts: Shapes
    """The polygons of the gain (clipped to the territory)."""
    km2: float
    noise_km2: float
    by_zone: dict[str, float] = field(default_factory=dict)

    @cached_property
    def shape(self) -> shapely.Geometry:
        """The gain as one MultiPolygon (built on first use)."""
        if not len(self.parts):
            return shapely.MultiPolygon()
        return shapely.multipolygons(list(self.parts))


@dataclass
class DayChange:
    """A day's change against the baseline, per party."""

    day: date
    baseline: date
    source: str
    gains: dict[str, Gain]


@dataclass
class Pieces:
    """Polygons with their areas (m²), noise flags, representative points and
    the index of the piece of change each came from.

    A noise piece (narrower than the noise width) is counted whole in the
    zone holding its representative point rather than cut at the zone's
    edge: it stays in every total, and the cost of cutting hundreds of
    one-metre slivers a day is spared (the error is below the noise area).
    """

    parts: Shapes
    area_m2: Floats
    noise: NDArray[np.bool_]
    points: Shapes
    origin: Indices

    @classmethod
    def of(cls, array: Shapes, noise_width_m: float, origin: Indices) -> Pieces:
        area, perimeter = areas_perimeters_m(array)
        noise = mean_width_m(area, perimeter) < noise_width_m
        return cls(array, area, noise, shapely.point_on_surface(array), origin)

    def take(self, mask: NDArray[np.bool_]) -> Pieces:
        """The pieces where ``mask`` holds."""
        return Pieces(
            self.parts[mask],
            self.area_m2[mask],
            self.noise[mask],
            self.points[mask],
            self.origin[mask],
        )

    @staticmethod
    def join(first: Pieces, second: Pieces) -> Pieces:
        """Both sets of pieces as one."""
        return Pieces(
            np.concatenate([first.parts, second.parts]),
            np.concatenate([first.area_m2, second.area_m2]),
            np.concatenate([first.noise, second.noise]),
            np.concatenate([first.points, second.points]),
            np.concatenate([first.origin, second.origin]),
        )

    def clipped(self, territory: Tiled, noise_width_m: float) -> Pieces:
        """The pieces within ``territory``: real pieces crossing its edge are cut."""
        if not len(self.parts):
            return self
        inside = shapely.contains_properly(territory.shape, self.parts)
        slivers = ~inside & self.noise
        keep = inside.copy()
        keep[slivers] = shapely.contains(territory.shape, self.points[slivers])
        edge = ~inside & ~self.noise
        kept = self.take(keep)
        if not edge.any():
            return kept
        cut, which = territory.cut(self.parts[edge])
        return Pieces.join(
            kept, Pieces.of(cut, noise_width_m, self.origin[edge][which])
        )

    def within(self, zone: Tiled) -> Floats:
        """m² of each piece inside ``zone`` (real pieces crossing its edge are cut)."""
        found = np.zeros(len(self.parts))
        if not len(self.parts):
            return found
        inside = shapely.contains_properly(zone.shape, self.parts)
        found[inside] = self.area_m2[inside]
        slivers = ~inside & self.noise
        if slivers.any():
            hit = shapely.contains(zone.shape, self.points[slivers])
            found[np.flatnonzero(slivers)[hit]] = self.area_m2[slivers][hit]
        edge = ~inside & ~self.noise & shapely.intersects(zone.shape, self.parts)
        if edge.any():
            cut, which = zone.cut(self.parts[edge])
            found[edge] = np.bincount(
                which, areas_perimeters_m(cut)[0], minlength=int(edge.sum())
            )
        return found


def flat_polygons_indexed(shapes: Shapes) -> tuple[Shapes, Indices]:
    """Every non-empty polygon in ``shapes`` with the index of the shape it came from."""
    parts, index = shapely.get_parts(shapes, return_index=True)
    kinds = shapely.get_type_id(parts)
    while (nested := np.isin(kinds, (6, 7))).any():  # MultiPolygon, GeometryCollection
        inner, at = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][at]])
        kinds = shapely.get_type_id(parts)
    keep = (kinds == 3) & ~shapely.is_empty(parts)
    return np.asarray(parts[keep], dtype=object), index[keep]


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

    def cut(self, parts: Shapes) -> tuple[Shapes, Indices]:
        """The polygons of ``parts ∩ shape``, each with the index of its part
        (tiles do not overlap: areas add up)."""
        which, tile = self.tree.query(parts, predicate="intersects")
        if not len(which):
            return np.asarray([], dtype=object), np.zeros(0, dtype=np.intp)
        cut, at = flat_polygons_indexed(
            shapely.intersection(parts[which], self.tiles[tile])
        )
        return cut, which[at]


class PieceBook:
    """Each distinct piece of change measured once, under its content digest.

    A piece of ``held Δ baseline`` lies wholly in one of the two maps: it is
    the holder's gain when it lies outside the baseline. So its owner, its
    clipped polygons, its areas and its zone areas depend only on the piece
    and on the fixed baseline, territory and zones: they are computed the
    first time the piece is seen and reused on every later day that has it.
    """

    def __init__(self, compare: Frontline) -> None:
        self.compare = compare
        self.rows: dict[bytes, int] = {}
        self.ours: list[bool] = []
        self.values: list[Floats] = []
        """Per row: km², noise km², then km² per zone."""
        self.parts: list[list[shapely.Polygon]] = []

    def rows_of(self, parts: Shapes) -> Indices:
        """The book's row of each piece, measuring the pieces not seen before."""
        wkb = shapely.to_wkb(shapely.normalize(parts))
        keys = [hashlib.sha256(w).digest() for w in wkb]
        fresh = [i for i, key in enumerate(keys) if key not in self.rows]
        fresh = list({keys[i]: i for i in fresh}.values())
        if fresh:
            self._measure(
                parts[np.asarray(fresh, dtype=np.intp)], [keys[i] for i in fresh]
            )
        return np.asarray([self.rows[key] for key in keys], dtype=np.intp)

    def _measure(self, parts: Shapes, keys: list[bytes]) -> None:
        compare = self.compare
        count = len(parts)
        pieces = Pieces.of(parts, compare.noise_width_m, np.arange(count))
        ours = ~shapely.contains(compare.baseline, pieces.points)
        if compare.territory is not None:
            pieces = pieces.clipped(compare.territory, compare.noise_width_m)
        columns = [
            pieces.area_m2,
            np.where(pieces.noise, pieces.area_m2, 0.0),
            *(pieces.within(tiled) for _, tiled in compare.zones),
        ]
        table = (
            np.stack(
                [np.bincount(pieces.origin, col, minlength=count) for col in columns],
                axis=1,
            )
            / 1e6
        )
        kept: list[list[shapely.Polygon]] = [[] for _ in range(count)]
        for origin, part in zip(pieces.origin, pieces.parts, strict=True):
            kept[origin].append(part)
        for index, key in enumerate(keys):
            self.rows[key] = len(self.values)
            self.ours.append(bool(ours[index]))
            self.values.append(table[index])
            self.parts.append(kept[index])

    def gains(self, rows: Indices, holder: str, other: str) -> dict[str, Gain]:
        """Each party's gain made of the pieces in ``rows``."""
        ours = (
            np.asarray(self.ours, dtype=np.bool_)[rows]
            if len(rows)
            else np.zeros(0, bool)
        )
        return {
            holder: self._gain(rows[ours]),
            other: self._gain(rows[~ours]),
        }

    def _gain(self, rows: Indices) -> Gain:
        width = 2 + len(self.compare.zones)
        total = (
            np.sum([self.values[r] for r in rows], axis=0)
            if len(rows)
            else np.zeros(width)
        )
        parts = np.asarray([part for r in rows for part in self.parts[r]], dtype=object)
        zones = [zid for zid, _ in self.compare.zones]
        return Gain(
            parts,
            float(total[0]),
            float(total[1]),
            {zid: float(total[2 + i]) for i, zid in enumerate(zones)},
        )


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
        self.book = PieceBook(self)
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
        maps, cut into pieces, each piece looked up in (or added to) the book."""
        changed = shapely.symmetric_difference(held, self.baseline)
        parts = flat_polygons(np.asarray([changed], dtype=object))
        rows = self.book.rows_of(parts) if len(parts) else np.zeros(0, dtype=np.intp)
        return self.book.gains(rows, self.holder, self.other)
