"""The batch pass: every report at once → incidents (the rule, stated once).

The rule (a space-time DBSCAN with three refinements):

- Two reports are **linked** when their centres are within ``distance_m``, the
  gap between their time windows is at most ``time_s``, their event types are
  compatible (``COMPATIBLE``) and their sources differ: a source's two reports
  are never linked to each other directly, so a source cannot corroborate itself.
- A report is **precise** when its location radius is at most ``distance_m``
  and its time window at most ``time_s``. Only precise reports can be **core**
  (linked to reports of at least ``min_sources`` distinct sources, itself
  included), and only links between two cores form incidents. An imprecise
  report (an oblast centroid, a date without a time) is compatible with a core
  when the gap between them, less both radii, is within ``distance_m``; it
  JOINS the nearest compatible core's incident but never BRIDGES two.
- An incident holds at most one report per source: a source that filed two
  reports told us of two events (a correction supersedes instead). Where the
  links would put two reports of one source together, they are taken closest
  first (distance and time gap, each relative to its scale) and a link
  between two groups that already share a source is skipped; a joining report
  goes to the nearest core whose incident lacks its source.
- A report with no core to join is an incident of its own.

A time window is ``[start, start + unit − 1 s]`` for the report's time
precision (a ``day`` report lies within its calendar day); the window gap of
two reports on the same or adjacent days is therefore below a day.

The batch pass is vectorised: one KD-tree over precise reports in (x, y, z, t)
scaled so a Chebyshev ball covers the space-time cylinder, candidate pairs
filtered exactly with numpy, connected components of core links in a sparse
graph; only components where a source repeats are rebuilt link by link.
``IncidentIndex`` attaches one new report at a time with the same rule: its
result equals the batch's whenever no source repeats among the reports
involved (tested); where one does, both keep one report per source, but the
order of arrival can pick a different pairing than the batch's closest-first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ceasefire.factfinding.cluster.points import (
    COMPATIBLE,
    Params,
    Points,
    linked,
    precise_mask,
    time_scale,
    window_gap,
)


@dataclass(frozen=True)
class Clustering:
    """The automatic partition: an anchor (row of the incident's id) per row."""

    anchor: NDArray[np.int64]
    """For each row, the row whose report id names its incident."""
    core: NDArray[np.bool_]
    joined_to: NDArray[np.int64]
    """For a non-core row that joined an incident: the core it joined (else −1)."""
    joined_distance: NDArray[np.float64]


def _imprecise_pairs(
    points: Points,
    params: Params,
    tree: cKDTree,
    precise_rows: NDArray[np.int64],
    scale: float,
    queries: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """(imprecise row, precise row, distance) for every compatible pair.

    A report vague in space (an oblast centroid) needs a wide, short
    neighbourhood; one vague in time (a date) a narrow, long one. Each kind is
    looked up in a tree whose time axis is scaled to its shape, so the
    Chebyshev ball fits the neighbourhood instead of the largest of both.
    """
    max_window = float(points.window[precise_rows].max()) if len(precise_rows) else 0.0
    space = 2 * params.distance_m + points.radius[queries]
    time = params.time_s + points.window[queries] + max_window
    wide = space >= time * scale
    parts = []
    for group in (wide, ~wide):
        if not group.any():
            continue
        # the time scale that makes this group's neighbourhoods cubes
        fit = float((space[group] / time[group]).min())
        if np.isclose(fit, scale):
            fitted = tree
        else:
            fitted = cKDTree(
                np.column_stack(
                    [points.xyz[precise_rows], points.start[precise_rows] * fit]
                )
            )
        parts.append(
            _pairs_in(
                points, params, fitted, precise_rows, fit, queries[group], space[group]
            )
        )
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _pairs_in(
    points: Points,
    params: Params,
    tree: cKDTree,
    precise_rows: NDArray[np.int64],
    scale: float,
    queries: NDArray[np.int64],
    space: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Compatible pairs of ``queries`` with precise rows, by dual-tree search.

    Query radii are rounded up to powers of 1.25, and each group is matched
    against the precise tree at once (``sparse_distance_matrix``), with no
    per-query Python work; the exact test then drops the extra candidates.
    """
    out_i: list[NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    out_j: list[NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    out_d: list[NDArray[np.float64]] = [np.empty(0)]
    if not len(queries):
        return out_i[0], out_j[0], out_d[0]
    max_window = float(points.window[precise_rows].max()) if len(precise_rows) else 0.0
    # a Chebyshev ball wide enough in space and in time for each query
    time = (params.time_s + points.window[queries] + max_window) * scale
    radius = np.maximum(space, time)
    bucket = np.ceil(np.log(radius) / np.log(1.25)).astype(np.int64)
    for level in np.unique(bucket).tolist():
        rows = queries[bucket == level]
        coords = np.column_stack([points.xyz[rows], points.start[rows] * scale])
        found = cKDTree(coords).sparse_distance_matrix(
            tree, 1.25**level, p=np.inf, output_type="ndarray"
        )
        if not len(found):
            continue
        i = rows[found["i"]]
        j = precise_rows[found["j"]]
        ok, distance = linked(points, i, j, params, widen=True)
        out_i.append(i[ok])
        out_j.append(j[ok])
        out_d.append(distance[ok])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_d)


def cluster(points: Points, params: Params | None = None) -> Clustering:
    """The automatic partition of ``points`` (see the module docstring for the rule)."""
    params = params or Params()
    n = len(points)
    precise = precise_mask(points, params)
    precise_rows = np.flatnonzero(precise)
    max_window = float(points.window[precise_rows].max()) if len(precise_rows) else 0.0
    scale = time_scale(params, max_window)
    coords = np.column_stack(
        [points.xyz[precise_rows], points.start[precise_rows] * scale]
    )
    tree = cKDTree(coords)
    pairs = tree.query_pairs(params.distance_m, p=np.inf, output_type="ndarray")
    pi = precise_rows[pairs[:, 0]]
    pj = precise_rows[pairs[:, 1]]
    ok, pd = linked(points, pi, pj, params, widen=False)
    pi, pj, pd = pi[ok], pj[ok], pd[ok]
    del pairs, ok

    ii, ij, idist = _imprecise_pairs(
        points, params, tree, precise_rows, scale, np.flatnonzero(~precise)
    )

    core = _core(points, params, n, pi, pj, ii, ij)
    both = core[pi] & core[pj]
    graph = coo_matrix(
        (np.ones(int(both.sum()), dtype=np.int8), (pi[both], pj[both])), shape=(n, n)
    )
    _, component = connected_components(graph, directed=False)
    component = _one_per_source(
        points, params, core, pi[both], pj[both], pd[both], component.astype(np.int64)
    )
    # the incident's id: its earliest-logged core report
    rows = np.arange(n, dtype=np.int64)
    first = np.full(2 * n + 1, n, dtype=np.int64)
    np.minimum.at(first, component[core], rows[core])
    anchor = np.where(core, first[component], rows)

    # non-core rows join the nearest core they are compatible with
    bi = np.concatenate([ii, pi, pj])
    bj = np.concatenate([ij, pj, pi])
    bd = np.concatenate([idist, pd, pd])
    keep = ~core[bi] & core[bj]
    joined_to = np.full(n, -1, dtype=np.int64)
    joined_distance = np.full(n, np.inf)
    _join(
        points,
        core,
        component,
        anchor,
        bi[keep],
        bj[keep],
        bd[keep],
        joined_to,
        joined_distance,
    )
    pair_vague(points, params, core, joined_to, anchor)
    return Clustering(anchor, core, joined_to, joined_distance)


def vague_candidates(
    points: Points,
    params: Params,
    core: NDArray[np.bool_],
    joined_to: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Rows that may pair with another vague report: imprecise, alone, placed
    within the linking distance and timed within ``vague_window_s``."""
    return np.flatnonzero(
        ~core
        & (joined_to < 0)
        & ~precise_mask(points, params)
        & (points.radius <= params.distance_m)
        & (points.window <= params.vague_window_s)
    )


def vague_links(
    points: Points, params: Params, rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Pairs of ``rows`` that may be one event: (i, j, centre distance).

    Centres within the linking distance plus both radii, time windows that
    overlap (not merely touch: a report of D and one of D + 1 stay apart),
    compatible types and different organisations.
    """
    empty = np.empty(0, dtype=np.int64)
    if len(rows) < 2:
        return empty, empty, np.empty(0)
    reach = params.distance_m + 2 * float(points.radius[rows].max())
    longest = float(points.window[rows].max()) + 1.0
    coords = np.column_stack([points.xyz[rows], points.start[rows] * (reach / longest)])
    pairs = cKDTree(coords).query_pairs(reach, p=np.inf, output_type="ndarray")
    i, j = rows[pairs[:, 0]], rows[pairs[:, 1]]
    distance = np.linalg.norm(points.xyz[i] - points.xyz[j], axis=1)
    overlap = np.minimum(
        points.start[i] + points.window[i] + 1, points.start[j] + points.window[j] + 1
    ) - np.maximum(points.start[i], points.start[j])
    ok = (
        (distance <= params.distance_m + points.radius[i] + points.radius[j])
        & (overlap > 0)
        & (points.orgs[i] != points.orgs[j])
        & COMPATIBLE[points.kind[i], points.kind[j]]
    )
    return i[ok], j[ok], distance[ok]


def pair_vague(
    points: Points,
    params: Params,
    core: NDArray[np.bool_],
    joined_to: NDArray[np.int64],
    anchor: NDArray[np.int64],
) -> None:
    """Group vague reports that nothing precise took: same place, same day.

    Open data gives days, not hours; two organisations' reports of one place
    and day are one incident even when no precise report anchors it. Only
    reports left alone take part, so a vague report still never bridges two
    precise ones. Groups form closest first and by complete linkage (every
    two members linked, hence of different organisations), so no chain of
    day reports can glue a city's day together. The earliest-logged member
    names the group.
    """
    if params.vague_window_s <= 0:
        return
    rows = vague_candidates(points, params, core, joined_to)
    li, lj, ld = vague_links(points, params, rows)
    if not len(li):
        return
    linked = set(zip(li.tolist(), lj.tolist(), strict=True))
    members: dict[int, list[int]] = {}
    order = np.lexsort((lj, li, ld))
    for a, b in zip(li[order].tolist(), lj[order].tolist(), strict=True):
        group_a = members.get(int(anchor[a]), [a])
        group_b = members.get(int(anchor[b]), [b])
        if group_a[0] == group_b[0]:
            continue
        if all((min(x, y), max(x, y)) in linked for x in group_a for y in group_b):
            group = sorted(group_a + group_b)
            for row in group:
                anchor[row] = group[0]
            members[group[0]] = group


def _distinct(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sorted distinct values (a sort: faster here than np.unique's hashing)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    result: NDArray[np.int64] = ordered[keep]
    return result


def _member(values: NDArray[np.int64], ordered: NDArray[np.int64]) -> NDArray[np.bool_]:
    """``values`` found in the sorted distinct array ``ordered`` (binary search)."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    found: NDArray[np.bool_] = ordered[at] == values
    return found


def _one_per_source(
    points: Points,
    params: Params,
    core: NDArray[np.bool_],
    li: NDArray[np.int64],
    lj: NDArray[np.int64],
    ld: NDArray[np.float64],
    component: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Components rebuilt so that none holds two core reports of one source.

    Only components where a source repeats are rebuilt: their links are taken
    closest first (space and time, each relative to its scale) and a link is
    skipped when the two sides already hold a common source. Components are
    numbered above ``n`` for the rebuilt ones.
    """
    n = len(points)
    core_rows = np.flatnonzero(core)
    if not len(core_rows):
        return component
    width = int(points.source.max()) + 1
    keys = _distinct(component[core_rows] * width + points.source[core_rows])
    per_component = np.bincount(component[core_rows], minlength=n)
    distinct = np.bincount(keys // width, minlength=n)
    conflicted = per_component > distinct
    if not conflicted.any():
        return component
    inside = conflicted[component[li]]
    li, lj, ld = li[inside], lj[inside], ld[inside]
    gap = window_gap(points, li, lj)
    relative = ld / params.distance_m
    if params.time_s > 0:
        relative = np.maximum(relative, gap / params.time_s)
    order = np.lexsort((lj, li, relative))
    parent: dict[int, int] = {}
    sources: dict[int, set[int]] = {}
    source = points.source.tolist()

    def find(row: int) -> int:
        root = parent.setdefault(row, row)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    for a, b in zip(li[order].tolist(), lj[order].tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        sa = sources.setdefault(ra, {source[ra]})
        sb = sources.setdefault(rb, {source[rb]})
        if sa & sb:
            continue  # a source's two reports are two events
        root, other = (ra, rb) if ra < rb else (rb, ra)
        parent[other] = root
        sources[root] = sa | sb
    result = component.copy()
    rebuilt = core_rows[conflicted[component[core_rows]]]
    result[rebuilt] = n + np.fromiter(
        (find(int(r)) for r in rebuilt), dtype=np.int64, count=len(rebuilt)
    )
    return result


def _join(
    points: Points,
    core: NDArray[np.bool_],
    component: NDArray[np.int64],
    anchor: NDArray[np.int64],
    bi: NDArray[np.int64],
    bj: NDArray[np.int64],
    bd: NDArray[np.float64],
    joined_to: NDArray[np.int64],
    joined_distance: NDArray[np.float64],
) -> None:
    """Each non-core row joins the nearest core whose incident lacks its source."""
    if not len(bi):
        return
    width = int(points.source.max()) + 1
    core_rows = np.flatnonzero(core)
    taken = _distinct(component[core_rows] * width + points.source[core_rows])
    key = component[bj] * width + points.source[bi]
    allowed = ~_member(key, taken)
    bi, bj, bd, key = bi[allowed], bj[allowed], bd[allowed], key[allowed]
    order = np.lexsort((bj, bd, bi))
    bi, bj, bd, key = bi[order], bj[order], bd[order], key[order]
    lead = np.r_[True, bi[1:] != bi[:-1]]
    chosen_key = key[lead]
    # two joiners of one source choosing one incident: the nearer keeps it,
    # the other tries its next choices
    ordered = np.sort(chosen_key)
    clashing = _distinct(ordered[1:][ordered[1:] == ordered[:-1]])
    clear = lead.copy()
    clear[lead] = ~_member(chosen_key, clashing)
    anchor[bi[clear]] = anchor[bj[clear]]
    joined_to[bi[clear]] = bj[clear]
    joined_distance[bi[clear]] = bd[clear]
    if not len(clashing):
        return
    used = set(taken.tolist()) | set(key[clear].tolist())
    pending = ~_member(bi, _distinct(bi[clear]))
    rows, cores, distances, keys = (
        bi[pending].tolist(),
        bj[pending].tolist(),
        bd[pending].tolist(),
        key[pending].tolist(),
    )
    choices: dict[int, list[tuple[float, int, int]]] = {}
    for row, c, d, k in zip(rows, cores, distances, keys, strict=True):
        choices.setdefault(row, []).append((d, c, k))
    for row in sorted(choices, key=lambda r: (min(choices[r])[0], r)):
        for d, c, k in sorted(choices[row]):
            if k not in used:
                used.add(k)
                anchor[row] = anchor[c]
                joined_to[row] = c
                joined_distance[row] = d
                break


def _core(
    points: Points,
    params: Params,
    n: int,
    pi: NDArray[np.int64],
    pj: NDArray[np.int64],
    ii: NDArray[np.int64],
    ij: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Precise rows linked to at least ``min_sources`` distinct sources (incl. their own)."""
    node = np.concatenate([pi, pj, ij])
    other = np.concatenate([points.source[pj], points.source[pi], points.source[ii]])
    if params.min_sources == 2:
        linked = np.zeros(n, dtype=bool)
        linked[node] = True
    else:
        pair = np.unique(np.column_stack([node, other]), axis=0)
        linked = np.bincount(pair[:, 0], minlength=n) + 1 >= params.min_sources
    return linked & precise_mask(points, params)
