"""Fact-finding cell by cell: which reports can touch, and the rule per component.

The embedded partition (``ceasefire.factfinding.cluster.cluster``) depends on
a report only through the reports it may be linked to: precise links, an
imprecise report's links to precise ones, and vague pairings. Every step of
the rule (core status, one report per source, joining, vague groups) works
within the connected components of those links, and its tie-breaks follow
log order, so running the embedded rule on each component alone, rows in log
order, gives exactly the embedded partition. This module finds a SUPERSET of
those links cell by cell (any two reports of compatible types and different
sources whose places are within the linking distance plus both radii and
whose time windows are within the linking time, one of them precise or both
vague-eligible; a margin of 1 m and 1 s absorbs rounding), reduces each
cell's links to its components, and runs the embedded rule on a component.

A report's **box** is its place ± (half the linking distance + its radius)
and its time window ± half the linking time: two reports can link only when
their boxes overlap. Space is cut into cubes (ECEF metres) and time into
slices; a report goes to every cell its box touches (the halo), so each
linkable pair meets in at least one cell. A report whose box touches more
than ``MAX_CELLS`` cells (a country centroid, a year) is a **giant**: it is
not copied but tested against every report, once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ceasefire.factfinding.cluster import (
    COMPATIBLE,
    Params,
    cluster,
    points_from_bodies,
)

MAX_CELLS = 512
"""A report whose box touches more cells than this is tested apart (a giant)."""
MARGIN = 1.0
"""Metres and seconds added to every reach, so rounding never drops a link."""

FEATURE_SCHEMA = pa.schema(
    [
        ("cell", pa.int64()),
        ("seq", pa.int64()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("z", pa.float64()),
        ("start", pa.float64()),
        ("window", pa.float64()),
        ("radius", pa.float64()),
        ("kind", pa.int64()),
        ("source", pa.string()),
    ]
)
"""One row per report and cell its box touches; ``cell`` −1: a giant."""
EDGE_SCHEMA = pa.schema([("seq", pa.int64()), ("root", pa.int64())])
"""A report and the earliest report of its component (a star per component)."""
INCIDENT_SCHEMA = pa.schema(
    [
        ("report", pa.string()),
        ("incident", pa.string()),
        ("seq", pa.int64()),
        ("month", pa.string()),
    ]
)
"""One row per report: the incident it belongs to (named by its anchor report)."""
CLUSTER_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("id", pa.string()),
        ("report", pa.string()),
        ("month", pa.string()),
    ]
)
CLUSTER_COLUMNS = tuple(CLUSTER_SCHEMA.names)
"""What the clustering reads of a dataset."""


@dataclass(frozen=True)
class Grid:
    """Cell sizes: a cube side in metres and a time slice in seconds."""

    metres: float
    seconds: float

    @classmethod
    def for_params(cls, params: Params) -> Grid:
        """Cells ten linking scales wide (at least 20 km and a day): few copies."""
        return cls(
            max(20_000.0, 10 * params.distance_m), max(86_400.0, 10 * params.time_s)
        )


@dataclass(frozen=True)
class Feats:
    """Reports as the link test needs them, one row each."""

    seq: NDArray[np.int64]
    xyz: NDArray[np.float64]
    start: NDArray[np.float64]
    window: NDArray[np.float64]
    radius: NDArray[np.float64]
    kind: NDArray[np.int64]
    source: NDArray[np.int64]
    """Source codes, equal for equal source ids (within this object)."""

    @classmethod
    def of_table(cls, table: pa.Table | pa.RecordBatch) -> Feats:
        """From columns named as in ``FEATURE_SCHEMA``."""
        col = {
            name: table.column(name).to_numpy(zero_copy_only=False)
            for name in table.schema.names
        }
        _, source = np.unique(col["source"].astype(str), return_inverse=True)
        return cls(
            col["seq"].astype(np.int64),
            np.column_stack([col["x"], col["y"], col["z"]]).astype(np.float64),
            col["start"].astype(np.float64),
            col["window"].astype(np.float64),
            col["radius"].astype(np.float64),
            col["kind"].astype(np.int64),
            source.astype(np.int64),
        )

    def __len__(self) -> int:
        return len(self.seq)

    def lo_hi(self, params: Params) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Each report's box: (n, 4) lower and upper corners (x, y, z, t)."""
        half = params.distance_m / 2 + self.radius + MARGIN
        slack = params.time_s / 2 + MARGIN
        lo = np.column_stack([self.xyz - half[:, None], self.start - slack])
        hi = np.column_stack(
            [self.xyz + half[:, None], self.start + self.window + slack]
        )
        return lo, hi


def features(batch: pa.RecordBatch, params: Params, grid: Grid) -> pa.RecordBatch:
    """A dataset batch (``seq``, ``report``) → one row per report and touched cell."""
    bodies = [orjson.loads(text) for text in batch.column("report").to_pylist()]
    points = points_from_bodies(bodies)
    seq = batch.column("seq").to_numpy().astype(np.int64)
    sources = np.asarray([b["source"]["id"] for b in bodies], dtype=object)
    feats = Feats(
        seq,
        points.xyz,
        points.start,
        points.window,
        points.radius,
        points.kind,
        np.zeros(len(seq), np.int64),
    )
    row, cell = cells_of(feats, params, grid)
    columns = [
        pa.array(cell, pa.int64()),
        pa.array(seq[row]),
        pa.array(points.xyz[row, 0]),
        pa.array(points.xyz[row, 1]),
        pa.array(points.xyz[row, 2]),
        pa.array(points.start[row]),
        pa.array(points.window[row]),
        pa.array(points.radius[row]),
        pa.array(points.kind[row]),
        pa.array(sources[row], pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=FEATURE_SCHEMA)


def cells_of(
    feats: Feats, params: Params, grid: Grid
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, cell key) for every cell each report's box touches; giants once, cell −1."""
    lo, hi = feats.lo_hi(params)
    size = np.array([grid.metres] * 3 + [grid.seconds])
    first = np.floor(lo / size).astype(np.int64)
    span = np.floor(hi / size).astype(np.int64) - first + 1
    count = span.prod(axis=1)
    giant = count > MAX_CELLS
    rows = np.flatnonzero(~giant)
    row = np.repeat(rows, count[rows])
    # the k-th copy of a report: k read as mixed-radix digits over its spans
    k = np.arange(len(row)) - np.repeat(
        np.cumsum(count[rows]) - count[rows], count[rows]
    )
    index = np.empty((len(row), 4), dtype=np.int64)
    for axis in range(3, -1, -1):
        index[:, axis] = first[row, axis] + k % span[row, axis]
        k //= span[row, axis]
    cell = _key(index)
    giants = np.flatnonzero(giant)
    return np.concatenate([row, giants]), np.concatenate(
        [cell, np.full(len(giants), -1)]
    )


def _key(index: NDArray[np.int64]) -> NDArray[np.int64]:
    """One int64 per cell (a collision only puts two cells in one group: harmless)."""
    key = np.zeros(len(index), dtype=np.int64)
    with np.errstate(over="ignore"):
        for axis in range(4):
            key = key * np.int64(1_000_003) + index[:, axis]
    return key & np.int64(2**62 - 1)  # never −1, the giants' cell


def link_mask(
    feats: Feats, i: NDArray[np.int64], j: NDArray[np.int64], params: Params
) -> NDArray[np.bool_]:
    """Which pairs may link or pair under the rule (a superset; see the module)."""
    distance = np.linalg.norm(feats.xyz[i] - feats.xyz[j], axis=1)
    end_i = feats.start[i] + feats.window[i]
    end_j = feats.start[j] + feats.window[j]
    gap = np.maximum(
        0.0, np.maximum(feats.start[i], feats.start[j]) - np.minimum(end_i, end_j)
    )
    precise = (feats.radius <= params.distance_m) & (feats.window <= params.time_s)
    vague = (
        (feats.radius <= params.distance_m)
        & (feats.window <= params.vague_window_s)
        & (params.vague_window_s > 0)
    )
    ok: NDArray[np.bool_] = (
        (distance <= params.distance_m + feats.radius[i] + feats.radius[j] + MARGIN)
        & (gap <= params.time_s + MARGIN)
        & (feats.source[i] != feats.source[j])
        & COMPATIBLE[feats.kind[i], feats.kind[j]]
        & (precise[i] | precise[j] | (vague[i] & vague[j]))
    )
    return ok


def candidate_pairs(
    feats: Feats, params: Params
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row pairs whose boxes may overlap, by KD-trees over box centres.

    Boxes are grouped by size (powers of two of their Chebyshev half-width,
    time scaled to metres); each two groups are matched at the sum of their
    sizes, so one large box does not widen every search.
    """
    lo, hi = feats.lo_hi(params)
    scale = np.array([1.0, 1.0, 1.0, params.distance_m / max(params.time_s, 1.0)])
    centre, half = (lo + hi) / 2 * scale, (hi - lo) / 2 * scale
    level = np.ceil(np.log2(np.maximum(half.max(axis=1), 1.0))).astype(np.int64)
    groups = {int(v): np.flatnonzero(level == v) for v in np.unique(level)}
    trees = {v: cKDTree(centre[rows]) for v, rows in groups.items()}
    out_i, out_j = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for a, b in itertools.combinations_with_replacement(sorted(groups), 2):
        reach = 2.0**a + 2.0**b
        if a == b:
            pairs = trees[a].query_pairs(reach, p=np.inf, output_type="ndarray")
            i, j = pairs[:, 0], pairs[:, 1]
        else:
            found = trees[a].sparse_distance_matrix(
                trees[b], reach, p=np.inf, output_type="ndarray"
            )
            i, j = found["i"], found["j"]
        out_i.append(groups[a][i])
        out_j.append(groups[b][j])
    return np.concatenate(out_i), np.concatenate(out_j)


def stars(seq_i: NDArray[np.int64], seq_j: NDArray[np.int64]) -> pa.RecordBatch:
    """Links → (report, earliest report of its component), one row per linked report."""
    if not len(seq_i):
        empty = pa.array([], pa.int64())
        return pa.RecordBatch.from_arrays([empty, empty], schema=EDGE_SCHEMA)
    nodes, inverse = np.unique(np.concatenate([seq_i, seq_j]), return_inverse=True)
    n, m = len(nodes), len(seq_i)
    graph = coo_matrix((np.ones(m, np.int8), (inverse[:m], inverse[m:])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    root = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(root, label, nodes)
    return pa.RecordBatch.from_arrays(
        [pa.array(nodes), pa.array(root[label])], schema=EDGE_SCHEMA
    )


def cell_links(cells: pa.Table, giants: pa.Table, params: Params) -> pa.RecordBatch:
    """The component stars of the reports copied to some cells (``FEATURE_SCHEMA``).

    A task holds many cells: pairs are sought among all its rows at once (a
    pair across two of its cells is only one more candidate for the exact
    test), each report once. ``giants`` (the same schema) are tested against
    them too; links among giants are found once, apart (``giant_stars``).
    """
    _, first = np.unique(cells.column("seq").to_numpy(), return_index=True)
    cells = cells.take(pa.array(first)).cast(giants.schema)
    feats = Feats.of_table(pa.concat_tables([giants, cells]))
    g = giants.num_rows
    own = Feats(*(getattr(feats, f)[g:] for f in Feats.__dataclass_fields__))
    i, j = candidate_pairs(own, params)
    ok = link_mask(own, i, j, params)
    gi, gj = giant_links(feats, g, params)
    return stars(
        np.concatenate([own.seq[i[ok]], gi]), np.concatenate([own.seq[j[ok]], gj])
    )


def giant_links(
    feats: Feats, giants: int, params: Params
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Links (seq pairs) of the first ``giants`` rows with the rows after them.

    With no rows after them (``giants == len(feats)``), links among the giants.
    """
    lo, hi = feats.lo_hi(params)
    among = giants == len(feats)
    others = np.arange(0 if among else giants, len(feats))
    if not len(others) or not giants:
        empty = np.empty(0, np.int64)
        return empty, empty
    # only giants that reach the others at all
    near = (
        (lo[:giants] <= hi[others].max(axis=0))
        & (hi[:giants] >= lo[others].min(axis=0))
    ).all(axis=1)
    out_i, out_j = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for g in np.flatnonzero(near).tolist():
        touch = others[((lo[others] <= hi[g]) & (hi[others] >= lo[g])).all(axis=1)]
        touch = touch[touch > g] if among else touch
        i = np.full(len(touch), g)
        ok = link_mask(feats, i, touch, params)
        out_i.append(feats.seq[i[ok]])
        out_j.append(feats.seq[touch[ok]])
    return np.concatenate(out_i), np.concatenate(out_j)


def components(
    stars_: Iterable[pa.RecordBatch | pa.Table],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Cells' stars joined over the seams: (seq, component root), linked reports only."""
    tables = [t for t in stars_ if t.num_rows]
    if not tables:
        empty = np.empty(0, np.int64)
        return empty, empty
    seq = np.concatenate([t.column("seq").to_numpy() for t in tables])
    root = np.concatenate([t.column("root").to_numpy() for t in tables])
    merged = stars(seq, root)
    return merged.column("seq").to_numpy(), merged.column("root").to_numpy()


def cluster_component(table: pa.Table, params: Params) -> pa.Table:
    """The embedded rule on one component's reports (``CLUSTER_COLUMNS``), in log order."""
    table = table.select(list(CLUSTER_COLUMNS)).cast(CLUSTER_SCHEMA)
    order = np.argsort(table.column("seq").to_numpy(), kind="stable")
    ordered = table.take(pa.array(order))
    ids = ordered.column("id").to_pylist()
    bodies = [orjson.loads(t) for t in ordered.column("report").to_pylist()]
    anchor = cluster(points_from_bodies(bodies), params).anchor
    return pa.Table.from_arrays(
        [
            ordered.column("id"),
            pa.array([ids[a] for a in anchor.tolist()], pa.string()),
            ordered.column("seq"),
            ordered.column("month"),
        ],
        schema=INCIDENT_SCHEMA,
    )


def partition_by_cells(
    table: pa.Table, params: Params, tasks: int = 8, grid: Grid | None = None
) -> pa.Table:
    """What the Spark engine does, in this process: cells, seams, components.

    Cells are dealt to ``tasks`` groups by their key, as Spark's shuffle
    deals them to partitions; components likewise by their root. For tests
    and for reading the method: ``cluster_component`` on the whole table is
    the embedded partition it must equal.
    """
    grid = grid or Grid.for_params(params)
    copies = pa.Table.from_batches(
        [features(b, params, grid) for b in table.to_batches() if b.num_rows],
        schema=FEATURE_SCHEMA,
    )
    is_giant = pc.equal(copies.column("cell"), -1)
    giants = copies.filter(is_giant)
    rest = copies.filter(pc.invert(is_giant))
    task = rest.column("cell").to_numpy() % tasks
    found = [giant_stars(giants, params)]
    for t in range(tasks):
        found.append(cell_links(rest.filter(pa.array(task == t)), giants, params))
    seq, root = components(found)
    return pa.concat_tables(
        cluster_component(part, params)
        for part in by_component(table, seq, root, tasks)
    )


def giant_stars(giants: pa.Table, params: Params) -> pa.RecordBatch:
    """The component stars of links among giants."""
    feats = Feats.of_table(giants)
    return stars(*giant_links(feats, len(feats), params))


def by_component(
    table: pa.Table, seq: NDArray[np.int64], root: NDArray[np.int64], tasks: int
) -> list[pa.Table]:
    """``table`` dealt to ``tasks`` parts, each component whole in one part."""
    all_seq = table.column("seq").to_numpy()
    order = np.argsort(seq)
    at = np.minimum(np.searchsorted(seq[order], all_seq), max(len(seq) - 1, 0))
    linked = (seq[order][at] == all_seq) if len(seq) else np.zeros(len(all_seq), bool)
    mine = np.where(linked, root[order][at] if len(seq) else all_seq, all_seq)
    part = mine % tasks
    return [table.filter(pa.array(part == t)) for t in range(tasks)]
