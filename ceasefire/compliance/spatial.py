"""Geometry answers for the engine: one Measure per geometry, cached per batch.

``Measures`` builds a ``ceasefire.geo.measure`` Measure for each geometry a
predicate names, once per agreement. ``SpatialCache`` answers for one batch of
facts and remembers what it computed, so three clauses about the same line
measure each point once, and rows an earlier ``and`` operand ruled out are
never measured at all.

Distances are exact up to ``limit + r`` km for a point known to ``r`` km,
where ``limit`` is the largest threshold any clause compares that distance
with: beyond that the Measure only guarantees "farther", which decides every
comparison the same way. Zone edges are measured exactly up to ``r``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ceasefire.agreement.load import Agreement
from ceasefire.agreement.predicate import Call, Compare, Literal, walk
from ceasefire.compliance import grid
from ceasefire.compliance.areas import AreaPlaces
from ceasefire.compliance.facts import Facts, FloatArray
from ceasefire.compliance.logic import BoolArray, Rows
from ceasefire.geo.measure import Measure, measure_for


def distance_thresholds(agreement: Agreement) -> dict[str, tuple[float, ...] | None]:
    """Per geometry: the number literals its distance is compared with.

    None when some clause compares it with something other than a number
    literal (then distances are computed exactly everywhere). A line used
    only by side() gets (0.0,): its distance matters within a radius.
    """
    found: dict[str, tuple[float, ...] | None] = {}
    for predicate in agreement.predicates.values():
        for node in walk(predicate.tree):
            if not isinstance(node, Compare):
                continue
            for this, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(this, Call) and this.function == "distance_km":
                    gid = this.argument
                    known = found.get(gid, ())
                    if known is None:
                        continue
                    if isinstance(other, Literal) and isinstance(other.value, float):
                        found[gid] = tuple(sorted({*known, other.value}))
                    else:
                        found[gid] = None
        for node in walk(predicate.tree):
            if isinstance(node, Call) and node.function == "side":
                known = found.get(node.argument, ())
                if known is not None:
                    found[node.argument] = tuple(sorted({*known, 0.0}))
    return found


def distance_limits(agreement: Agreement) -> dict[str, float | None]:
    """Per geometry: the largest literal its distance is compared with (or None)."""
    return {
        gid: None if values is None else max(values)
        for gid, values in distance_thresholds(agreement).items()
    }


class Measures:
    """The Measure of each geometry an agreement's predicates use, built lazily once."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.thresholds = distance_thresholds(agreement)
        self.limits = distance_limits(agreement)
        self._built: dict[str, Measure] = {}

    def __getitem__(self, geometry: str) -> Measure:
        found = self._built.get(geometry)
        if found is None:
            feature = self.agreement.features[geometry]
            zone = None
            spec = feature.spec
            if spec.boundary is not None:  # inside/outside sides of a boundary line
                zone = self.agreement.features[spec.boundary.of].shape
            found = measure_for(feature.shape, inside_zone=zone)
            self._built[geometry] = found
        return found

    def warm(self) -> None:
        """Build every Measure now (e.g. before timing one report)."""
        for predicate in self.agreement.predicates.values():
            for gid in predicate.geometries:
                self[gid]  # noqa: B018 - building is the point


@dataclass
class _Cached:
    values: npt.NDArray[Any]
    done: BoolArray


@dataclass
class SpatialCache:
    """Geometry answers for the rows of one ``Facts``, computed at most once."""

    measures: Measures
    facts: Facts
    fast: bool = True
    """Decide distance bands from grid cells where they can (see grid.py);
    False measures every point exactly (for reasons)."""
    _cache: dict[tuple[str, str], _Cached] = field(default_factory=dict)
    _cells: dict[tuple[str, str], grid.Memo] = field(default_factory=dict)
    _areas: list[AreaPlaces] = field(default_factory=list)

    def exact(self) -> SpatialCache:
        """A view that measures exactly, sharing this cache's exact values."""
        if not self.fast:
            return self
        return SpatialCache(
            self.measures, self.facts, False, self._cache, self._cells, self._areas
        )

    def areas(self) -> AreaPlaces:
        """Rows placed by an area, not a point (see compliance.areas)."""
        if not self._areas:
            found = self.facts.extra.get("area")
            self._areas.append(AreaPlaces.of(found, len(self.facts)))
        return self._areas[0]

    def area_spans(self, geometry: str, rows: Rows) -> tuple[Any, list[Any]]:
        """(positions in ``rows`` of rows placed by an area, their Spans)."""
        shape = self.measures.agreement.features[geometry].shape
        return self.areas().spans(geometry, shape, self.measures[geometry], rows)

    def _get(
        self, key: tuple[str, str], rows: Rows, dtype: Any, compute: Any
    ) -> npt.NDArray[Any]:
        """Values of ``key`` for ``rows``, computing only rows not done before.

        ``compute(index)`` gets None (every row) or an index array.
        """
        cached = self._cache.get(key)
        if cached is None:
            n = len(self.facts)
            cached = _Cached(np.zeros(n, dtype), np.zeros(n, np.bool_))
            self._cache[key] = cached
        wanted = (
            np.flatnonzero(~cached.done) if rows is None else rows[~cached.done[rows]]
        )
        if len(wanted):
            if len(wanted) == len(self.facts):
                cached.values[:] = compute(None)
            else:
                cached.values[wanted] = compute(wanted)
            cached.done[wanted] = True
        return cached.values if rows is None else cached.values[rows]

    def _few(self, rows: Rows) -> bool:
        return (len(self.facts) if rows is None else len(rows)) < grid.MIN_TODO

    def _points(self, index: Rows) -> tuple[FloatArray, FloatArray]:
        facts = self.facts
        if index is None:
            return facts.lon, facts.lat
        return facts.lon[index], facts.lat[index]

    def distance_km(self, geometry: str, rows: Rows) -> FloatArray:
        """Geodesic distance in km (exact where it can decide a comparison)."""
        if self.fast and self._few(rows):  # cells cannot pay off: share exact values
            return self.exact().distance_km(geometry, rows)
        measure = self.measures[geometry]
        limit = self.measures.limits.get(geometry)
        thresholds = self.measures.thresholds.get(geometry)

        def exact(lon: FloatArray, lat: FloatArray, within: Any) -> FloatArray:
            return measure.distance_km(lon, lat, within_km=within)

        def compute(index: Rows) -> FloatArray:
            lon, lat = self._points(index)
            radius = self.facts.precision_km
            radius = radius if index is None else radius[index]
            if limit is None or thresholds is None:
                return exact(lon, lat, None)
            within = limit + radius + 1e-6  # per point: its radius widens its band
            if not self.fast:
                return exact(lon, lat, within)
            edges = np.asarray(thresholds)

            def undecided(lo: FloatArray, hi: FloatArray, at: Any) -> Any:
                # the outcome against each threshold is monotone in the
                # distance: decided when both ends of [lo, hi] agree
                r = radius[at]
                open_ = np.zeros(len(at), np.bool_)
                for edge in edges:
                    open_ |= _outcome(lo, r, edge) != _outcome(hi, r, edge)
                return open_

            far = limit + float(self.facts.precision_km.max(initial=0.0))
            memo = self._cells.setdefault(("distance", geometry), {})
            return grid.banded(lon, lat, exact, undecided, far, within, memo)

        key = ("distance" if self.fast else "distance_exact", geometry)
        return self._get(key, rows, np.float64, compute)

    def lower_bound(self, geometry: str, distance: float, radius: float) -> bool:
        """Whether a distance from ``distance_km`` is only a lower bound."""
        limit = self.measures.limits.get(geometry)
        return limit is not None and distance > limit + radius + 1e-6

    def inside(self, geometry: str, rows: Rows) -> tuple[BoolArray, FloatArray]:
        """Inside the area, and the distance to its edge (exact up to each radius)."""
        if self.fast and self._few(rows):
            return self.exact().inside(geometry, rows)
        measure = self.measures[geometry]

        def inside(index: Rows) -> BoolArray:
            return measure.inside(*self._points(index))

        def exact(lon: FloatArray, lat: FloatArray, within: Any) -> FloatArray:
            return measure.edge_distance_km(lon, lat, within_km=within)

        def edge(index: Rows) -> FloatArray:
            radius = self.facts.precision_km
            radius = radius if index is None else radius[index]
            within = radius + 1e-6
            lon, lat = self._points(index)
            if not self.fast:
                return exact(lon, lat, within)

            def undecided(lo: FloatArray, hi: FloatArray, at: Any) -> Any:
                r = radius[at]
                return ~((lo > r) | (hi < r))

            far = float(self.facts.precision_km.max(initial=0.0))
            memo = self._cells.setdefault(("edge", geometry), {})
            return grid.banded(lon, lat, exact, undecided, far, within, memo)

        key = "edge" if self.fast else "edge_exact"
        return (
            self._get(("inside", geometry), rows, np.bool_, inside),
            self._get((key, geometry), rows, np.float64, edge),
        )

    def side(self, geometry: str, rows: Rows) -> npt.NDArray[np.int8]:
        """+1 left of / inside the line's zone, -1 right of / outside, 0 on it."""
        measure = self.measures[geometry]
        return self._get(
            ("side", geometry),
            rows,
            np.int8,
            lambda index: measure.side(*self._points(index)),
        )


def _outcome(d: FloatArray, r: FloatArray, edge: float) -> npt.NDArray[np.int8]:
    """0 true (d + r < edge), 2 false (d - r > edge), 1 unknown, 3 at a boundary."""
    found = np.where(d + r < edge, 0, np.where(d - r > edge, 2, 1)).astype(np.int8)
    found[(d + r == edge) | (d - r == edge)] = 3
    return found


def line_sides(agreement: Agreement) -> dict[str, dict[int, str]]:
    """Line id → {+1: party, -1: party} from each line's ``sides``."""
    found: dict[str, dict[int, str]] = {}
    for spec in agreement.document.geometries:
        if spec.kind != "line" or not spec.sides:
            continue
        mapping: dict[int, str] = {}
        for name, party in spec.sides.items():
            mapping[+1 if name in ("left", "inside") else -1] = party
        found[spec.id] = mapping
    return found
