"""Build an agreement's lines, zones, corridors and sites as shapely geometries.

Geometries are built in dependency order (a buffer after the line it
buffers); every failure is a ``GeometryError`` naming the geometry and the key
at fault so the loader can point at the file position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import shapely
from shapely.ops import substring

from ceasefire.errors import GeometryError as GeometryError  # re-exported
from ceasefire.errors import suggest
from ceasefire.geo import boundaries
from ceasefire.geo.crs import in_metres, local_projection
from ceasefire.model.agreement import AdminRef, Geometry

LINEAR = {"LineString", "MultiLineString"}
POLYGONAL = {"Polygon", "MultiPolygon"}
KIND_TYPES = {
    "line": LINEAR,
    "zone": POLYGONAL,
    "corridor": POLYGONAL,
    "site": POLYGONAL | {"Point", "MultiPoint"},
}


@dataclass(frozen=True)
class Feature:
    """A built geometry of the agreement, in lon/lat (WGS84)."""

    id: str
    kind: str
    label: str
    shape: shapely.Geometry
    spec: Geometry


def dependencies(spec: Geometry) -> list[tuple[tuple[str | int, ...], str]]:
    """(key path, id) of every geometry ``spec`` is derived from."""
    for key in ("buffer", "side"):
        derived = getattr(spec, key)
        if derived is not None:
            found: list[tuple[tuple[str | int, ...], str]] = [((key, "of"), derived.of)]
            if derived.within is not None:
                found.append(((key, "within"), derived.within))
            return found
    if spec.boundary is not None:
        return [
            (("boundary", "of"), spec.boundary.of),
            (("boundary", "within"), spec.boundary.within),
        ]
    for op in ("union", "intersection", "difference"):
        ids: list[str] | None = getattr(spec, op)
        if ids is not None:
            return [((op, i), gid) for i, gid in enumerate(ids)]
    return []


def build_all(
    specs: list[Geometry],
    base_dir: Path,
    on_error: Callable[[int, GeometryError], None],
) -> dict[str, Feature]:
    """Build every geometry; report failures through ``on_error(index, error)``."""
    by_id = {spec.id: (index, spec) for index, spec in enumerate(specs)}
    built: dict[str, Feature] = {}
    failed: set[str] = set()
    visiting: list[str] = []

    def visit(gid: str) -> None:
        if gid in built or gid in failed:
            return
        index, spec = by_id[gid]
        if gid in visiting:
            cycle = " → ".join([*visiting[visiting.index(gid) :], gid])
            failed.add(gid)
            on_error(
                index, GeometryError(f"geometries derive from each other: {cycle}")
            )
            return
        visiting.append(gid)
        try:
            for key, dep in dependencies(spec):
                if dep not in by_id:
                    raise GeometryError(
                        f"unknown geometry {dep!r}",
                        key,
                        value=dep,
                        expected="the id of a geometry of this agreement",
                        suggestion=suggest(dep, by_id),
                    )
                visit(dep)
                if dep in failed:  # reported at its root; no cascade of echoes
                    failed.add(gid)
                    return
            built[gid] = _feature(spec, build_one(spec, built, base_dir))
        except GeometryError as exc:
            failed.add(gid)
            on_error(index, exc)
        finally:
            visiting.pop()

    for spec in specs:
        visit(spec.id)
    return built


def _feature(spec: Geometry, shape: shapely.Geometry) -> Feature:
    wanted = KIND_TYPES[spec.kind]
    if shape.is_empty:
        raise GeometryError(
            f"{spec.kind} {spec.id!r} is empty",
            (spec.source_key(),),
            expected=f"a non-empty {spec.kind}",
        )
    if shape.geom_type not in wanted:
        raise GeometryError(
            f"{spec.kind} {spec.id!r} came out as a {shape.geom_type}",
            ("kind",),
            value=spec.kind,
            expected=" or ".join(sorted(wanted)),
        )
    return Feature(spec.id, spec.kind, spec.label or spec.id, shape, spec)


def build_one(
    spec: Geometry, built: dict[str, Feature], base_dir: Path
) -> shapely.Geometry:
    """The shape of one geometry, its dependencies already in ``built``."""
    key = spec.source_key()
    if spec.geojson is not None:
        return _checked(_from_geojson(spec.geojson, ("geojson",)), ("geojson",))
    if spec.file is not None:
        return _checked(_from_file(base_dir, spec.file), ("file",))
    if spec.admin is not None:
        return _from_admin(spec.admin)
    if spec.buffer is not None:
        metres = spec.buffer.km * 1e3
        belt = in_metres(built[spec.buffer.of].shape, lambda g: fast_buffer(g, metres))
        return _clip(belt, spec.buffer.within, built)
    if spec.side is not None:
        return _clip(_side(spec, built), spec.side.within, built)
    if spec.boundary is not None:
        return _boundary(spec, built)
    shapes = [built[gid].shape for gid in getattr(spec, key)]
    if key == "union":
        return shapely.union_all(shapes)
    if key == "intersection":
        return shapely.intersection_all(shapes)
    return shapely.difference(shapes[0], shapely.union_all(shapes[1:]))


BUFFER_TOLERANCE = 0.02
"""The outer edge of a buffer by d stays within d × this of a 32-segment-arc
buffer (GEOS's own 8-segment arcs already differ by 1–1.4 %); area within 0.5 %."""


def fast_buffer(shape: shapely.Geometry, metres: float) -> shapely.Geometry:
    """Buffer a projected geometry by ``metres``, within BUFFER_TOLERANCE.

    GEOS buffers a long, wiggly line slowly because every offset curve
    overlaps its neighbours. Buffering a thin polygon first (5 % of the
    distance) and then the rest is about 3 times faster on a front line.
    """
    if shape.geom_type not in ("LineString", "MultiLineString") or metres < 5_000:
        return shapely.buffer(shape, metres, quad_segs=8)
    thin = shapely.buffer(shape, metres * 0.05, quad_segs=4)
    thin = shapely.simplify(thin, metres * 0.002, preserve_topology=True)
    return shapely.buffer(thin, metres * 0.95, quad_segs=8)


def _clip(
    shape: shapely.Geometry, within: str | None, built: dict[str, Feature]
) -> shapely.Geometry:
    return shape if within is None else shapely.intersection(shape, built[within].shape)


def _checked(shape: shapely.Geometry, key: tuple[str | int, ...]) -> shapely.Geometry:
    if not shapely.is_valid(shape):
        reason = shapely.is_valid_reason(shape)
        raise GeometryError(
            f"invalid geometry: {reason}",
            key,
            value=reason,
            expected="a valid OGC simple-features geometry (no self-intersections,"
            " closed rings); shapely.make_valid can repair it",
        )
    minx, miny, maxx, maxy = shapely.bounds(shape)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(
            "coordinates are outside longitude/latitude range",
            key,
            value=[minx, miny, maxx, maxy],
            expected="WGS84 longitude, latitude (GeoJSON order: lon first)",
        )
    return shape


def _from_geojson(data: dict[str, Any], key: tuple[str | int, ...]) -> shapely.Geometry:
    kind = data.get("type")
    if kind == "FeatureCollection":
        parts = [_from_geojson(f, key) for f in data.get("features", [])]
        return shapely.union_all(parts) if parts else shapely.GeometryCollection()
    if kind == "Feature":
        return _from_geojson(data.get("geometry") or {}, key)
    try:
        return shapely.from_geojson(orjson.dumps(data))
    except shapely.errors.GEOSException as exc:
        raise GeometryError(
            f"not a GeoJSON geometry: {exc}",
            key,
            value=kind,
            expected="a GeoJSON Geometry, Feature or FeatureCollection",
        ) from None


def _from_file(base_dir: Path, name: str) -> shapely.Geometry:
    path = (base_dir / name).resolve()
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        nearby = [p.name for p in path.parent.glob("*")] if path.parent.exists() else []
        raise GeometryError(
            f"geometry file not found: {path}",
            ("file",),
            value=name,
            expected="a GeoJSON file, relative to the agreement",
            suggestion=suggest(Path(name).name, nearby),
        ) from None
    except orjson.JSONDecodeError as exc:
        raise GeometryError(
            f"{path} is not JSON: {exc}", ("file",), value=name
        ) from None
    return _from_geojson(data, ("file",))


def _from_admin(ref: AdminRef) -> shapely.Geometry:
    shape = _admin_units(ref)
    return shapely.intersection(shape, boundaries.land()) if ref.land else shape


def _admin_units(ref: AdminRef) -> shapely.Geometry:
    if ref.level == 0:
        return boundaries.land() if ref.land else boundaries.country()
    units = boundaries.admin_units(ref.level)
    chosen: list[shapely.Geometry] = []
    for field, wanted in (("iso", ref.iso), ("name", ref.name)):
        if wanted is None:
            continue
        pool = [u for u in units if ref.oblast is None or u.oblast_iso == ref.oblast]
        index = {getattr(u, field): u for u in pool}
        for i, value in enumerate([wanted] if isinstance(wanted, str) else wanted):
            if value not in index:
                key: tuple[str | int, ...] = ("admin", field)
                raise GeometryError(
                    f"no level-{ref.level} unit with {field} {value!r}",
                    key if isinstance(wanted, str) else (*key, i),
                    value=value,
                    expected=f"the {'ISO code' if field == 'iso' else 'name'} of a bundled"
                    f" geoBoundaries ADM{ref.level} unit",
                    suggestion=suggest(value, [k for k in index if k]),
                )
            chosen.append(index[value].geometry)
    if not chosen:
        raise GeometryError(
            "an admin reference needs 'iso' or 'name'",
            ("admin",),
            expected="iso or name",
        )
    return shapely.union_all(chosen)


def _side(spec: Geometry, built: dict[str, Feature]) -> shapely.Geometry:
    assert spec.side is not None
    line = built[spec.side.of]
    if line.kind != "line" or not line.spec.sides:
        raise GeometryError(
            f"{spec.side.of!r} is not a line with 'sides'",
            ("side", "of"),
            value=spec.side.of,
            expected="a line whose 'sides' names the parties",
        )
    sides = {party: side for side, party in line.spec.sides.items()}
    if spec.side.party not in sides:
        raise GeometryError(
            f"line {spec.side.of!r} has no side for party {spec.side.party!r}",
            ("side", "party"),
            value=spec.side.party,
            expected="one of " + ", ".join(sides),
            suggestion=suggest(spec.side.party, sides),
        )
    side, metres = sides[spec.side.party], spec.side.km * 1e3
    if side in ("left", "right"):
        signed = metres if side == "left" else -metres
        return in_metres(
            line.shape, lambda g: shapely.buffer(g, signed, single_sided=True)
        )
    assert line.spec.boundary is not None  # inside/outside exist only on boundaries
    area = built[line.spec.boundary.of].shape
    strip = in_metres(line.shape, lambda g: fast_buffer(g, metres))
    if side == "inside":
        return shapely.intersection(strip, area)
    return shapely.difference(strip, area)


def _boundary(spec: Geometry, built: dict[str, Feature]) -> shapely.Geometry:
    """Edges of ``of`` that run inside ``within``, at least ``margin_km`` from its edge.

    Vectorised over segments: cheaper and more exact than buffering the whole
    country inwards, and it keeps the front line where it meets the border.
    """
    assert spec.boundary is not None
    area = built[spec.boundary.of].shape
    within = built[spec.boundary.within].shape
    margin = spec.boundary.margin_km * 1e3

    def inner_edges(edge: shapely.Geometry) -> shapely.Geometry:
        return _segments_away_from(edge, shapely.transform(within, to_metres), margin)

    to_metres, _ = local_projection(area)
    return in_metres(shapely.boundary(area), inner_edges)


def _segments_away_from(
    edge: shapely.Geometry, region: shapely.Geometry, margin: float
) -> shapely.Geometry:
    """The parts of ``edge`` inside ``region`` that are not its rim (coast, border).

    A vertex is *on the line* when it lies inside ``region`` and farther than
    ``margin`` from its rim. A stretch of vertices near the rim between two such
    vertices is border where the edge touches the rim, and line before its
    first and after its last contact: the margin drops the border, never a
    segment of the line, so the line ends exactly where the edge meets the rim.
    """
    rim = shapely.boundary(region)
    shapely.prepare(rim)
    shapely.prepare(region)
    lines: list[shapely.Geometry] = []
    for part in shapely.get_parts(shapely.line_merge(edge)):
        coords = shapely.get_coordinates(part)
        points = shapely.points(coords)
        keep = shapely.contains_xy(region, coords[:, 0], coords[:, 1])
        keep &= ~shapely.dwithin(points, rim, margin)
        lines.extend(_line_pieces(coords, keep, rim, bool(part.is_closed)))
    # line_merge also rejoins a run that wrapped round a closed ring's start
    return shapely.line_merge(shapely.MultiLineString(lines))


def _line_pieces(
    coords: np.ndarray, keep: np.ndarray, rim: shapely.Geometry, closed: bool
) -> list[shapely.Geometry]:
    """The pieces of one edge part: kept runs, each stretch between them trimmed."""
    if closed:
        coords, keep = coords[:-1], keep[:-1]  # the closing vertex repeats the first
        if not keep.any():
            return []
        kept = np.flatnonzero(keep)
        # start at a kept vertex so every stretch lies between two kept ones
        order = np.roll(np.arange(len(coords)), -int(kept[0]))
        coords = np.vstack([coords[order], coords[order[:1]]])
        keep = np.append(keep[order], True)
    kept = np.flatnonzero(keep)
    if len(kept) == 0:
        return []
    pieces = [
        _trimmed(coords[a : b + 1], rim)
        for a, b in zip(kept[:-1], kept[1:], strict=True)
    ]
    if not closed:  # open ends: line up to the first contact with the rim
        pieces.append(_trimmed(coords[: kept[0] + 1], rim, keep_end="last"))
        pieces.append(_trimmed(coords[kept[-1] :], rim, keep_end="first"))
    return [p for piece in pieces for p in piece]


def _trimmed(
    stretch: np.ndarray, rim: shapely.Geometry, keep_end: str = "both"
) -> list[shapely.Geometry]:
    """A stretch of the edge less its part between its first and last rim contact."""
    if len(stretch) < 2:
        return []
    line = shapely.LineString(stretch)
    if len(stretch) == 2 and keep_end == "both":
        return [line]  # a segment between two kept vertices is line
    contact = shapely.intersection(line, rim)
    if contact.is_empty:
        return [line]  # near the rim but never on it: all of it is line
    at = [line.project(shapely.Point(xy)) for xy in shapely.get_coordinates(contact)]
    first, last = min(at), max(at)
    found = []
    if keep_end in ("both", "first") and first > 0:
        found.append(substring(line, 0, first))
    if keep_end in ("both", "last") and last < line.length:
        found.append(substring(line, last, line.length))
    return [g for g in found if g.geom_type == "LineString" and g.length > 0]
