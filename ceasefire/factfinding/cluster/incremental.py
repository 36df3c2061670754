"""Attach reports one at a time with the batch rule: the incident index.

``IncidentIndex`` starts from a batch ``Clustering`` and takes new reports
as they are logged; ``incident_rows`` groups rows by their anchor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ceasefire.errors import DetailedError
from ceasefire.factfinding.cluster.batch import Clustering
from ceasefire.factfinding.cluster.points import (
    Params,
    Points,
    linked,
    precise_mask,
    time_scale,
    window_gap,
)


@dataclass(frozen=True)
class Attachment:
    """What adding one report did."""

    row: int
    action: str
    """'started' (an incident of its own), 'joined' or 'merged' (two or more became one)."""
    anchor: int
    merged: tuple[int, ...] = ()
    """Anchors of incidents absorbed into ``anchor`` (the oldest survives)."""


@dataclass
class IncidentIndex:
    """Attach reports one at a time, with the batch rule, for ``min_sources = 2``.

    Precise and imprecise rows each sit in a KD-tree built from the batch
    pass plus a small buffer of rows added since; the buffer is scanned with
    numpy and folded into the tree when it grows past ``rebuild_every``.
    """

    params: Params = field(default_factory=Params)
    rebuild_every: int = 50_000

    def __post_init__(self) -> None:
        if self.params.min_sources != 2:
            raise DetailedError(
                "incremental attachment supports min_sources = 2 only",
                value=self.params.min_sources,
                expected="2 (run the batch pass for other values)",
            )
        self.n = 0
        self.capacity = 0
        self.xyz = np.empty((0, 3))
        self.start = np.empty(0)
        self.window = np.empty(0)
        self.radius = np.empty(0)
        self.source = np.empty(0, dtype=np.int64)
        self.kind = np.empty(0, dtype=np.int64)
        self.core = np.empty(0, dtype=bool)
        self.parent = np.empty(0, dtype=np.int64)
        self.attach = np.empty(0, dtype=np.int64)
        """For a non-core row: the core it joined (−1: none)."""
        self.attach_distance = np.empty(0)
        self.trees: dict[bool, tuple[cKDTree | None, NDArray[np.int64]]] = {
            True: (None, np.empty(0, dtype=np.int64)),
            False: (None, np.empty(0, dtype=np.int64)),
        }
        self.buffers: dict[bool, list[int]] = {True: [], False: []}
        self.by_time: dict[bool, tuple[NDArray[np.float64], NDArray[np.int64]]] = {
            True: (np.empty(0), np.empty(0, dtype=np.int64)),
            False: (np.empty(0), np.empty(0, dtype=np.int64)),
        }
        """Tree rows sorted by start: the lookup for neighbourhoods wide in space."""
        self.scale = time_scale(self.params, self.params.time_s)
        self.max_window = {True: 0.0, False: 0.0}
        self.max_radius = {True: 0.0, False: 0.0}
        self.sources: dict[int, set[int]] = {}
        """Core sources of incidents of several cores, by anchor."""
        self.joiners: dict[int, dict[int, int]] = {}
        """Sources of non-core rows that joined, by anchor: counts."""

    # -------------------------------------------------------- building

    @classmethod
    def from_batch(
        cls, points: Points, clustering: Clustering, params: Params | None = None
    ) -> IncidentIndex:
        """An index holding ``points`` as ``cluster`` partitioned them."""
        params = params or Params()
        index = cls(params)
        # headroom, so the first additions do not copy every array
        index._grow(len(points) + max(1024, len(points) // 4))
        n = len(points)
        index.n = n
        for name in ("start", "window", "radius", "source", "kind"):
            getattr(index, name)[:n] = getattr(points, name)
        index.xyz[:n] = points.xyz
        index.core[:n] = clustering.core
        rows = np.arange(n, dtype=np.int64)
        index.parent[:n] = np.where(clustering.core, clustering.anchor, rows)
        index.attach[:n] = -1
        index.attach_distance[:n] = np.inf
        precise = precise_mask(points, params)
        for flag in (True, False):
            index._rebuild(flag, np.flatnonzero(precise == flag))
        # sources of each incident of several cores (a lone core's is its own)
        anchor = clustering.anchor
        cores = np.flatnonzero(clustering.core)
        order = cores[np.argsort(anchor[cores], kind="stable")]
        cuts = np.flatnonzero(np.diff(anchor[order])) + 1
        source = index.source
        for group in np.split(order, cuts):
            if len(group) > 1:
                index.sources[int(anchor[group[0]])] = set(source[group].tolist())
        # a joined row remembers the core it joined, as the batch chose it
        joined = np.flatnonzero(clustering.joined_to >= 0)
        index.attach[joined] = clustering.joined_to[joined]
        index.attach_distance[joined] = clustering.joined_distance[joined]
        for row in joined.tolist():
            index._count_joiner(int(anchor[row]), int(source[row]), +1)
        return index

    def _grow(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(needed, 2 * self.capacity, 1024)
        for name in (
            "start", "window", "radius", "source", "kind", "core", "parent",
            "attach", "attach_distance",
        ):  # fmt: skip
            old = getattr(self, name)
            new = np.empty(capacity, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        xyz = np.empty((capacity, 3))
        xyz[: self.n] = self.xyz[: self.n]
        self.xyz = xyz
        self.capacity = capacity

    def _coords(self, rows: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.column_stack([self.xyz[rows], self.start[rows] * self.scale])

    def _rebuild(self, precise: bool, rows: NDArray[np.int64]) -> None:
        tree = cKDTree(self._coords(rows)) if len(rows) else None
        self.trees[precise] = (tree, rows)
        by_time = rows[np.argsort(self.start[rows], kind="stable")]
        self.by_time[precise] = (self.start[by_time], by_time)
        self.buffers[precise] = []
        if len(rows):
            self.max_window[precise] = float(self.window[rows].max())
            self.max_radius[precise] = float(self.radius[rows].max())

    # -------------------------------------------------------- union-find

    def find(self, row: int) -> int:
        """The anchor of a core row's incident (with path halving)."""
        parent = self.parent
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = int(parent[row])
        return row

    def anchor_of(self, row: int) -> int:
        """The anchor of the incident ``row`` belongs to."""
        if self.core[row]:
            return self.find(row)
        if self.attach[row] >= 0:
            return self.find(int(self.attach[row]))
        return row

    # -------------------------------------------------------- adding

    def _candidates(
        self, row: int, precise: bool, reach_space: float, reach_time: float
    ) -> NDArray[np.int64]:
        tree, rows = self.trees[precise]
        found: list[NDArray[np.int64]] = []
        point = self._coords(np.array([row]))[0]
        radius = max(reach_space, reach_time * self.scale)
        if reach_space > 4 * reach_time * self.scale:
            # wide and short (an oblast centroid): the tree's cube would span
            # days; a slice by time, then a distance test, is cheaper
            starts, ordered = self.by_time[precise]
            begin = self.start[row]
            lo, hi = np.searchsorted(starts, [begin - reach_time, begin + reach_time])
            window = ordered[lo:hi]
            near = np.abs(self.xyz[window] - self.xyz[row]).max(axis=1) <= reach_space
            found.append(window[near])
        elif tree is not None:
            hits = tree.query_ball_point(point, radius, p=np.inf)
            found.append(rows[np.asarray(hits, dtype=np.int64)])
        if self.buffers[precise]:
            buffered = np.asarray(self.buffers[precise], dtype=np.int64)
            near = np.abs(self._coords(buffered) - point).max(axis=1) <= radius
            found.append(buffered[near])
        return np.concatenate(found) if found else np.empty(0, dtype=np.int64)

    def _links(
        self, row: int, precise_side: bool
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows on one side (precise or not) that ``row`` is linked to, and distances."""
        params = self.params
        row_precise = bool(
            self.radius[row] <= params.distance_m and self.window[row] <= params.time_s
        )
        widen = not (row_precise and precise_side)
        space = (
            2 * params.distance_m
            + self.radius[row]
            + (self.max_radius[precise_side] if widen else 0.0)
        )
        time = params.time_s + self.window[row] + self.max_window[precise_side]
        candidates = self._candidates(row, precise_side, space, time)
        candidates = candidates[candidates != row]
        if not len(candidates):
            return candidates, np.empty(0)
        points = Points(
            self.xyz, self.start, self.window, self.radius, self.source, self.kind
        )
        i = np.full(len(candidates), row, dtype=np.int64)
        ok, distance = linked(points, i, candidates, params, widen=widen)
        return candidates[ok], distance[ok]

    def add_arrays(
        self,
        xyz: NDArray[np.float64],
        start: float,
        window: float,
        radius: float,
        source: int,
        kind: int,
    ) -> Attachment:
        """Attach one report given as array values; see ``add``."""
        row = self.n
        self._grow(row + 1)
        self.n = row + 1
        self.xyz[row] = xyz
        self.start[row] = start
        self.window[row] = window
        self.radius[row] = radius
        self.source[row] = source
        self.kind[row] = kind
        self.core[row] = False
        self.parent[row] = row
        self.attach[row] = -1
        self.attach_distance[row] = np.inf
        params = self.params
        precise = bool(radius <= params.distance_m and window <= params.time_s)
        result = self._attach_precise(row) if precise else self._attach_imprecise(row)
        self.buffers[precise].append(row)
        self.max_window[precise] = max(self.max_window[precise], window)
        self.max_radius[precise] = max(self.max_radius[precise], radius)
        if len(self.buffers[precise]) >= self.rebuild_every:
            tree_rows = self.trees[precise][1]
            self._rebuild(
                precise,
                np.concatenate(
                    [tree_rows, np.asarray(self.buffers[precise], dtype=np.int64)]
                ),
            )
        return result

    def _core_sources(self, root: int) -> set[int]:
        return self.sources.get(root) or {int(self.source[root])}

    def _all_sources(self, root: int) -> set[int]:
        return self._core_sources(root) | set(self.joiners.get(root, {}))

    def _holds(self, root: int, source: int) -> bool:
        """Whether the incident of ``root`` already holds a report of ``source``."""
        return (
            source in self._core_sources(root)
            or self.joiners.get(root, {}).get(source, 0) > 0
        )

    def _count_joiner(self, root: int, source: int, delta: int) -> None:
        counts = self.joiners.setdefault(root, {})
        counts[source] = counts.get(source, 0) + delta
        if not counts[source]:
            del counts[source]

    def _union(self, a: int, b: int) -> int:
        """Join two incidents by their anchors; the older anchor survives."""
        root, other = (a, b) if a < b else (b, a)
        self.parent[other] = root
        self.sources[root] = self._core_sources(root) | self._core_sources(other)
        self.sources.pop(other, None)
        for source, count in self.joiners.pop(other, {}).items():
            self._count_joiner(root, source, count)
        return root

    def _relative(
        self, row: int, others: NDArray[np.int64], distance: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        relative = distance / self.params.distance_m
        if self.params.time_s > 0:
            i = np.full(len(others), row, dtype=np.int64)
            points = Points(
                self.xyz, self.start, self.window, self.radius, self.source, self.kind
            )
            relative = np.maximum(
                relative, window_gap(points, i, others) / self.params.time_s
            )
        return relative

    def _attach_precise(self, row: int) -> Attachment:
        cores, core_distance = self._links(row, precise_side=True)
        vague, vague_distance = self._links(row, precise_side=False)
        if not len(cores) and not len(vague):
            return Attachment(row, "started", row)
        self.core[row] = True
        fresh = [int(c) for c in cores if not self.core[c]]
        for c in fresh:  # a lone precise report becomes core once linked
            self.core[c] = True
            self.parent[c] = c
        # links closest first; a link to an incident holding one of ours is skipped
        order = np.lexsort((cores, self._relative(row, cores, core_distance)))
        home = row
        joined: list[int] = []
        for c in cores[order].tolist():
            there = self.find(c)
            if there == home:
                continue
            if self._all_sources(home) & self._all_sources(there):
                continue
            joined.append(there)
            home = self._union(home, there)
        for v, d in zip(vague.tolist(), vague_distance.tolist(), strict=True):
            self._offer(v, row, d)
        for c in fresh:
            found, distances = self._links(c, precise_side=False)
            for v, d in zip(found.tolist(), distances.tolist(), strict=True):
                self._offer(v, c, d)
        target = self.find(row)
        merged = tuple(sorted(a for a in joined if a != target))
        if len(joined) > 1:
            return Attachment(row, "merged", target, merged)
        return Attachment(row, "joined" if target != row else "started", target)

    def _offer(self, vague: int, core: int, distance: float) -> None:
        """Let a non-core row move to ``core`` if nearer (ties: older core) and allowed."""
        current = int(self.attach[vague])
        best = self.attach_distance[vague]
        if not (
            current < 0 or distance < best or (distance == best and core < current)
        ):
            return
        source = int(self.source[vague])
        there = self.find(core)
        here = self.find(current) if current >= 0 else -1
        if there != here and self._holds(there, source):
            return
        if here >= 0 and here != there:
            self._count_joiner(here, source, -1)
        if here != there:
            self._count_joiner(there, source, +1)
        self.attach[vague] = core
        self.attach_distance[vague] = distance

    def _attach_imprecise(self, row: int) -> Attachment:
        cores, distances = self._links(row, precise_side=True)
        if not len(cores):
            return Attachment(row, "started", row)
        for c in cores.tolist():
            if not self.core[c]:
                self.core[c] = True
                self.parent[c] = c
                found, found_distances = self._links(c, precise_side=False)
                for v, d in zip(found.tolist(), found_distances.tolist(), strict=True):
                    if v != row:
                        self._offer(v, c, d)
        for i in np.lexsort((cores, distances)).tolist():
            self._offer(row, int(cores[i]), float(distances[i]))
            if self.attach[row] >= 0:
                return Attachment(row, "joined", self.find(int(self.attach[row])))
        return Attachment(row, "started", row)

    def _nearest_core(self, row: int, anchor: int) -> tuple[int, float]:
        found, distances = self._links(row, precise_side=True)
        best, best_distance = -1, np.inf
        for c, d in zip(found.tolist(), distances.tolist(), strict=True):
            if not self.core[c] or self.find(c) != anchor:
                continue
            if d < best_distance or (d == best_distance and c < best):
                best, best_distance = c, d
        return best, best_distance

    def anchors(self) -> NDArray[np.int64]:
        """The anchor of every row (as ``Clustering.anchor``)."""
        return np.fromiter(
            (self.anchor_of(r) for r in range(self.n)), dtype=np.int64, count=self.n
        )


def incident_rows(anchor: Iterable[int]) -> dict[int, list[int]]:
    """Rows grouped by anchor, in row order."""
    groups: dict[int, list[int]] = {}
    for row, a in enumerate(anchor):
        groups.setdefault(int(a), []).append(row)
    return groups
