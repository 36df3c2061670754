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

import orjson
import shapely

from ceasefire.errors import suggest
from ceasefire.geo import boundaries
from ceasefire.geo.crs import in_metres
from ceasefire.model.agreement import AdminRef, Geometry

LINEAR = {"LineString", "MultiLineString"}
POLYGONAL = {"Polygon", "MultiPolygon"}
KIND_TYPES = {
    "line": LINEAR,
    "zone": POLYGONAL,
    "corridor": POLYGONAL,
    "site": POLYGONAL | {"Point", "MultiPoint"},
}


class GeometryError(Exception):
    """A geometry could not be built; ``key`` is the path inside its item."""

    def __init__(
        self,
        message: str,
        key: tuple[str | int, ...] = (),
        *,
        value: Any = None,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.value = value
        self.expected = expected
        self.suggestion = suggestion


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
    if spec.buffer is not None:
        return [(("buffer", "of"), spec.buffer.of)]
    if spec.side is not None:
        return [(("side", "of"), spec.side.of)]
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
            on_error(index, GeometryError(f"geometries derive from each other: {cycle}"))
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
        km = spec.buffer.km
        return in_metres(built[spec.buffer.of].shape, lambda g: shapely.buffer(g, km * 1e3))
    if spec.side is not None:
        return _side(spec, built)
    if spec.boundary is not None:
        return _boundary(spec, built)
    shapes = [built[gid].shape for gid in getattr(spec, key)]
    if key == "union":
        return shapely.union_all(shapes)
    if key == "intersection":
        return shapely.intersection_all(shapes)
    return shapely.difference(shapes[0], shapely.union_all(shapes[1:]))


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
        raise GeometryError(f"{path} is not JSON: {exc}", ("file",), value=name) from None
    return _from_geojson(data, ("file",))


def _from_admin(ref: AdminRef) -> shapely.Geometry:
    if ref.level == 0:
        return boundaries.country()
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
            "an admin reference needs 'iso' or 'name'", ("admin",), expected="iso or name"
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
        return in_metres(line.shape, lambda g: shapely.buffer(g, signed, single_sided=True))
    assert line.spec.boundary is not None  # inside/outside exist only on boundaries
    area = built[line.spec.boundary.of].shape
    strip = in_metres(line.shape, lambda g: shapely.buffer(g, metres))
    if side == "inside":
        return shapely.intersection(strip, area)
    return shapely.difference(strip, area)


def _boundary(spec: Geometry, built: dict[str, Feature]) -> shapely.Geometry:
    assert spec.boundary is not None
    area = built[spec.boundary.of].shape
    within = built[spec.boundary.within].shape
    margin = spec.boundary.margin_km * 1e3
    inner = in_metres(within, lambda g: shapely.buffer(g, -margin)) if margin else within
    edge = shapely.intersection(shapely.boundary(area), inner)
    lines = shapely.get_parts(edge)
    lines = lines[shapely.get_type_id(lines) == 1]  # drop points where edges just touch
    return shapely.line_merge(shapely.multilinestrings(lines))
