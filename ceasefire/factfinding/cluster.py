"""Reports → incidents by space-time proximity, honouring precision and source.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ceasefire.errors import DetailedError
from ceasefire.factfinding.corroboration import organisation
from ceasefire.model.report import act_of
from ceasefire.model.vocabulary import EVENT_TYPES, PRECISION_SECONDS

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius: distances are chords on this sphere (≤ 0.3 % from the ellipsoid)."""

HARM = "harm"
"""How a report whose act the source did not name (``other``) but whose effects
it did (casualties, damage, a target hit) is matched: as the harm a strike or
clash caused. CIR's damage rows and Bellingcat's unnamed acts are such reports;
an air-raid alert (``other``, no effects) is not."""
MATCH_TYPES = (*EVENT_TYPES, HARM)

# Event types that may describe one event seen by different sources. A strike
# is reported as shelling by a patrol, an explosion by a sensor, civilian harm
# or damage by a hospital or OSINT; troop presence is never the same event as
# a strike.
FAMILIES: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "shelling",
            "explosion",
            "air_strike",
            "drone_strike",
            "missile_strike",
            "one_sided_attack",
            "mines_uxo",
            HARM,
        }
    ),  # fmt: skip
    frozenset(
        {"small_arms", "armed_clash", "ground_assault", "shelling", "explosion", HARM}
    ),
    frozenset({"troop_presence", "heavy_weapon_present", "weapon_missing"}),
    frozenset({"movement_restricted", "uav_jamming", "uav_fired_upon", "drone_flight"}),
)
TYPE_CODE = {name: code for code, name in enumerate(MATCH_TYPES)}
VAGUE_WINDOW_S = 90_000.0
"""A calendar day, 25 h on the day clocks go back: the longest window of a
report that may pair with another imprecise one by default."""


def _compatibility() -> NDArray[np.bool_]:
    table = np.eye(len(MATCH_TYPES), dtype=bool)
    for family in FAMILIES:
        codes = [TYPE_CODE[name] for name in family]
        table[np.ix_(codes, codes)] = True
    return table


COMPATIBLE = _compatibility()
"""COMPATIBLE[a, b]: event type codes a and b may be one event."""


def compatible(a: str, b: str) -> bool:
    """Whether event types ``a`` and ``b`` may describe one event."""
    return bool(COMPATIBLE[TYPE_CODE[a], TYPE_CODE[b]])


@dataclass(frozen=True)
class Params:
    """The linking scale of a clustering pass."""

    distance_m: float = 2_000.0
    time_s: float = 3_600.0
    min_sources: int = 2
    vague_window_s: float = VAGUE_WINDOW_S
    """The longest time window of an imprecise report that may pair with
    another imprecise one (0: never); see ``pair_vague``."""

    def __post_init__(self) -> None:
        if self.vague_window_s < 0:
            raise DetailedError(
                "the longest window of a vague pairing cannot be negative",
                value=self.vague_window_s,
                expected="vague_window_s ≥ 0 s (0 turns vague pairing off)",
            )
        if self.distance_m <= 0 or self.time_s < 0:
            raise DetailedError(
                "the linking distance must be positive and the time window not negative",
                value=(self.distance_m, self.time_s),
                expected="distance > 0 m, time ≥ 0 s",
            )
        if self.min_sources < 2:
            raise DetailedError(
                "an incident needs at least two sources to be more than one report",
                value=self.min_sources,
                expected="min_sources ≥ 2",
            )


@dataclass(frozen=True)
class Points:
    """Reports as arrays, one row per report in log order."""

    xyz: NDArray[np.float64]
    """(n, dims) coordinates in metres (ECEF from lon/lat, or planar)."""
    start: NDArray[np.float64]
    """Start of the time window, seconds since the epoch."""
    window: NDArray[np.float64]
    """Length of the time window in seconds (0 for a precise instant)."""
    radius: NDArray[np.float64]
    """Location precision radius in metres."""
    source: NDArray[np.int64]
    """Source code: equal codes never link."""
    kind: NDArray[np.int64]
    """Event type code (index into EVENT_TYPES)."""
    org: NDArray[np.int64] | None = None
    """Organisation code (None: each source its own organisation): two vague
    reports pair only across organisations."""

    def __post_init__(self) -> None:
        if self.org is None:
            object.__setattr__(self, "org", self.source)

    @property
    def orgs(self) -> NDArray[np.int64]:
        """Organisation codes, one per row."""
        assert self.org is not None  # set in __post_init__
        return self.org

    def __len__(self) -> int:
        return len(self.start)


def ecef(
    lon: Sequence[float] | NDArray[Any], lat: Sequence[float] | NDArray[Any]
) -> NDArray[np.float64]:
    """Points on the sphere in metres: chord length ≈ great-circle length at km scale."""
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_M * np.column_stack(
        [cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)]
    )


def points_from_bodies(bodies: Sequence[dict[str, Any]]) -> Points:
    """Points from report bodies (as stored in the log), in the given order."""
    n = len(bodies)
    lon = np.empty(n)
    lat = np.empty(n)
    start = np.empty(n)
    window = np.empty(n)
    radius = np.empty(n)
    kind = np.empty(n, dtype=np.int64)
    codes: dict[str, int] = {}
    org_codes: dict[str, int] = {}
    source = np.empty(n, dtype=np.int64)
    org = np.empty(n, dtype=np.int64)
    for i, body in enumerate(bodies):
        location = body["location"]
        observed = body["observed"]
        lon[i] = location["lon"]
        lat[i] = location["lat"]
        radius[i] = location.get("precision_m", 100.0)
        start[i], window[i] = time_window(observed)
        kind[i] = TYPE_CODE[match_type(body)]
        source_id = body["source"]["id"]
        source[i] = codes.setdefault(source_id, len(codes))
        org[i] = org_codes.setdefault(organisation(source_id), len(org_codes))
    return Points(ecef(lon, lat), start, window, radius, source, kind, org)


def match_type(body: dict[str, Any]) -> str:
    """The type a report is matched under: its act, or ``HARM`` (see there)."""
    act = act_of(body)
    if act != "other":
        return act
    casualties = body.get("casualties") or {}
    if body.get("damage") or body.get("target") or any(casualties.values()):
        return HARM
    return act


def time_window(observed: dict[str, Any]) -> tuple[float, float]:
    """(start, length) in seconds of an observation's time window.

    Without an end, the window is its precision unit less a second (a day
    report covers ``[D 00:00, D 23:59:59]``). With an end, the interval the
    source gave: an end that lies a unit past the start (a half-open
    ``[D, D+1)``) gives the same window as no end, less one second.
    """
    begin = datetime.fromisoformat(observed["start"]).timestamp()
    unit = float(PRECISION_SECONDS[observed.get("precision", "minute")] - 1)
    end = observed.get("end")
    if end is not None:  # a span: the window covers it
        unit = max(unit, datetime.fromisoformat(end).timestamp() - begin - 1)
    return begin, unit


# ------------------------------------------------------------ batch


@dataclass(frozen=True)
class Clustering:
    """The automatic partition: an anchor (row of the incident's id) per row."""

    anchor: NDArray[np.int64]
    """For each row, the row whose report id names its incident."""
    core: NDArray[np.bool_]
    joined_to: NDArray[np.int64]
    """For a non-core row that joined an incident: the core it joined (else −1)."""
    joined_distance: NDArray[np.float64]


def _scale(params: Params, max_window: float) -> float:
    """Metres per second that make the time tolerance as wide as the distance."""
    reach = params.time_s + max_window
    return params.distance_m / reach if reach > 0 else 1.0


def _valid(
    points: Points,
    i: NDArray[np.int64],
    j: NDArray[np.int64],
    params: Params,
    widen: bool,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Which candidate pairs (i, j) are linked, and their centre distances."""
    distance = np.linalg.norm(points.xyz[i] - points.xyz[j], axis=1)
    reach = params.distance_m
    if widen:
        limit = reach + points.radius[i] + points.radius[j]
    else:
        limit = np.full(len(i), reach)
    a_start, b_start = points.start[i], points.start[j]
    a_end = a_start + points.window[i]
    b_end = b_start + points.window[j]
    gap = np.maximum(0.0, np.maximum(a_start, b_start) - np.minimum(a_end, b_end))
    ok = (
        (distance <= limit)
        & (gap <= params.time_s)
        & (points.source[i] != points.source[j])
        & COMPATIBLE[points.kind[i], points.kind[j]]
    )
    return ok, distance


def precise_mask(points: Points, params: Params) -> NDArray[np.bool_]:
    """Rows whose place and time are known within the linking scale."""
    return (points.radius <= params.distance_m) & (points.window <= params.time_s)


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
        ok, distance = _valid(points, i, j, params, widen=True)
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
    scale = _scale(params, max_window)
    coords = np.column_stack(
        [points.xyz[precise_rows], points.start[precise_rows] * scale]
    )
    tree = cKDTree(coords)
    pairs = tree.query_pairs(params.distance_m, p=np.inf, output_type="ndarray")
    pi = precise_rows[pairs[:, 0]]
    pj = precise_rows[pairs[:, 1]]
    ok, pd = _valid(points, pi, pj, params, widen=False)
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


def _gap(
    points: Points, i: NDArray[np.int64], j: NDArray[np.int64]
) -> NDArray[np.float64]:
    a_end = points.start[i] + points.window[i]
    b_end = points.start[j] + points.window[j]
    later = np.maximum(points.start[i], points.start[j])
    gap: NDArray[np.float64] = np.maximum(0.0, later - np.minimum(a_end, b_end))
    return gap


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
    gap = _gap(points, li, lj)
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


# ------------------------------------------------------------ incremental


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
        self.scale = _scale(self.params, self.params.time_s)
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
        ok, distance = _valid(points, i, candidates, params, widen=widen)
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
                relative, _gap(points, i, others) / self.params.time_s
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
