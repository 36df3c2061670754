#!/usr/bin/env python
"""Derive the small, simplified, attributed geometry files that ship in the repo.

Reads the published data in ``../shared/data`` (see each folder's SOURCE.md) and
writes five GeoJSON FeatureCollections (RFC 7946, CRS84 lon/lat):

* ``ceasefire/data/boundaries/ukr-adm1.geojson``  geoBoundaries oblasts
* ``ceasefire/data/boundaries/ukr-adm2.geojson``  geoBoundaries pre-2020 raions
* ``examples/geometry/ordlo-2022-04-03.geojson``   DeepState ``ordlo_pre2022``
* ``examples/geometry/occupied-2025-08-15.geojson`` DeepState occupied area
* ``examples/geometry/zaporizhzhia-enerhodar-corridor.geojson`` PeaceRep corridor

Polygons are simplified in a metric CRS (Lambert azimuthal equal-area centred
on Ukraine) with ``shapely.simplify(preserve_topology=True)``, brought back to
lon/lat, snapped to a 1e-5 degree grid and made valid. The output is
deterministic: the same input gives byte-identical files.

Usage::

    python scripts/derive_example_geometry.py [--shared-data DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyproj
import shapely
from shapely.geometry import mapping, shape

REPO = Path(__file__).resolve().parent.parent
SCRIPT = "scripts/derive_example_geometry.py"

# Equal-area and nearly conformal over Ukraine (< 0.4 % scale error at 10 deg
# from the centre), so one CRS serves both simplification and area checks.
METRIC_CRS = "+proj=laea +lat_0=48.5 +lon_0=31 +x_0=0 +y_0=0 +datum=WGS84 +units=m"
_TO_METRIC = pyproj.Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)
_TO_LONLAT = pyproj.Transformer.from_crs(METRIC_CRS, "OGC:CRS84", always_xy=True)

DECIMALS = 5  # ~1 m at these latitudes: far below every tolerance used here
GRID = 10.0**-DECIMALS

ADM_TOLERANCE_M = 500.0
DEEPSTATE_TOLERANCE_M = 200.0
MIN_PART_KM2 = 1.0

ORDLO_DATE = "2022-04-03"
OCCUPIED_DATE = "2025-08-15"
CORRIDOR_FROM = "Enerhodar"
CORRIDOR_TO = "Zaporizhzhya"  # the spelling used in the PeaceRep CSV

ADM1_SRC = "ukraine-admin-boundaries/geoBoundaries-UKR-ADM1.geojson.gz"
ADM2_SRC = "ukraine-admin-boundaries/geoBoundaries-UKR-ADM2.geojson"
DEEPSTATE_DAILY_SRC = "deepstate-history/deepstate_control_polygons_daily.geojson.gz"
OCCUPIED_SRC = (
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
CORRIDORS_SRC = (
    "humanitarian-corridors-2022/humanitarian_corridors_ukraine_2022_geocoded.csv"
)

OUT_ADM1 = "ceasefire/data/boundaries/ukr-adm1.geojson"
OUT_ADM2 = "ceasefire/data/boundaries/ukr-adm2.geojson"
OUT_ORDLO = f"examples/geometry/ordlo-{ORDLO_DATE}.geojson"
OUT_OCCUPIED = f"examples/geometry/occupied-{OCCUPIED_DATE}.geojson"
OUT_CORRIDOR = "examples/geometry/zaporizhzhia-enerhodar-corridor.geojson"


@dataclass(frozen=True)
class Source:
    """Provenance of one input, copied from the folder's SOURCE.md."""

    folder: str
    publisher: str
    repo: str
    path: str
    commit: str
    licence: str

    def cite(self) -> str:
        """One-sentence citation for the ``attribution`` member."""
        return (
            f"{self.publisher}; source: github.com/{self.repo}, {self.path}, "
            f"commit {self.commit}; licence as stated: {self.licence}"
        )


ADM1_SOURCE = Source(
    folder="ukraine-admin-boundaries",
    publisher=(
        "geoBoundaries gbOpen (William & Mary geoLab), boundary UKR-ADM1-14850775, "
        "from OpenStreetMap/Wambacher, (c) OpenStreetMap contributors"
    ),
    repo="zzmy78/maps",
    path="geoBoundaries-UKR-ADM1.geojson",
    commit="c88664dc8d66f93a7d56c147083a51ff16bae294",
    licence=(
        "none in the holding repository; upstream geoBoundaries metadata "
        "reportedly Open Database License 1.0 (ODbL 1.0)"
    ),
)
ADM2_SOURCE = Source(
    folder="ukraine-admin-boundaries",
    publisher=(
        "geoBoundaries gbOpen (William & Mary geoLab), boundary UKR-ADM2-74538382 "
        "(pre-2020 raions)"
    ),
    repo="khnatusha/WASH-Dashboard",
    path="geoBoundaries-UKR-ADM2.geojson",
    commit="64028cafe3037d8fc72164b7f20f40313b8e5114",
    licence=(
        "none in the holding repository; upstream licence not confirmed (an older "
        "geoBoundaries UKR ADM2 build, UKR-ADM2-31201334, was CC BY-SA 4.0)"
    ),
)
DEEPSTATE_HISTORY_SOURCE = Source(
    folder="deepstate-history",
    publisher="DeepStateMap (deepstatemap.live), archived by DanielRose2310",
    repo="DanielRose2310/deepstatemaps-history",
    path="geojsons/<snapshot_id>.geojson",
    commit="df633a1700680411949934a4345f1af263327377",
    licence=(
        "not stated (no LICENSE in the archive; DeepStateMap terms not stated); "
        "shipped as a simplified derivative with attribution, see DATA-LICENSE.md"
    ),
)
OCCUPIED_SOURCE = Source(
    folder="deepstate-daily-occupied",
    publisher="DeepStateMap (deepstatemap.live), daily scrape by cyterat",
    repo="cyterat/deepstate-map-data",
    path="data/deepstatemap_data_<YYYYMMDD>.geojson",
    commit="e904719a6726c7e6b5d6e87a7701e1b77b18e554",
    licence="GPL-3.0 (repository LICENSE); DeepStateMap's own terms not stated",
)
CORRIDORS_SOURCE = Source(
    folder="humanitarian-corridors-2022",
    publisher=(
        "PeaceRep (Peace and Conflict Resolution Evidence Platform, University of "
        "Edinburgh), Humanitarian Corridors Ukraine 2022"
    ),
    repo="peacerep/ukraine-map",
    path="data/Humanitarian Corridors Ukraine - HC_geocoded.csv",
    commit="7b6e96c26b1658259d923e1495eddf0b73492094",
    licence="not stated",
)


# ---------------------------------------------------------------- geometry


def _transformer_func(
    transformer: pyproj.Transformer,
) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a pyproj transformer for ``shapely.transform`` (vectorised)."""

    def func(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return func


def to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    """Project a CRS84 geometry to METRIC_CRS (metres)."""
    return shapely.transform(geom, _transformer_func(_TO_METRIC))


def to_lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    """Project a METRIC_CRS geometry back to CRS84 lon/lat."""
    return shapely.transform(geom, _transformer_func(_TO_LONLAT))


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Make ``geom`` valid and keep only its polygonal parts, as a MultiPolygon."""
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    parts = [
        p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
    ]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.multipolygons(polys)


def drop_small_parts(geom: shapely.Geometry, min_km2: float) -> shapely.Geometry:
    """Drop polygon parts of a metric geometry smaller than ``min_km2``."""
    parts = shapely.get_parts(geom)
    return shapely.multipolygons(parts[shapely.area(parts) >= min_km2 * 1e6])


def simplify_to_lonlat(
    metric: shapely.Geometry, tolerance_m: float
) -> shapely.Geometry:
    """Simplify a METRIC_CRS polygon at ``tolerance_m``; return a valid lon/lat one.

    The result is snapped to the 1e-5 degree output grid *before* validation so
    that rounding on output cannot break validity.
    """
    simple = shapely.simplify(polygonal(metric), tolerance_m, preserve_topology=True)
    lonlat = shapely.set_precision(to_lonlat(simple), GRID)
    result = shapely.orient_polygons(polygonal(lonlat))  # RFC 7946 ring order
    if result.is_empty or not result.is_valid:
        raise ValueError(f"simplification failed: {shapely.is_valid_reason(result)}")
    # One part reads better as a Polygon, and is what most readers expect.
    return result.geoms[0] if len(result.geoms) == 1 else result


# -------------------------------------------------------------- reading


def read_geojson(path: Path) -> dict[str, Any]:
    """Read a (optionally gzipped) GeoJSON file in one go."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        data: dict[str, Any] = orjson.loads(fh.read())
    return data


def iter_features(path: Path, needles: tuple[bytes, ...]) -> Iterator[dict[str, Any]]:
    """Yield features from a gzipped, one-feature-per-line FeatureCollection.

    Only lines containing every ``needle`` (compact JSON bytes) are parsed: the
    DeepState files are 50-140 MB unpacked and we need one feature of each. A
    single-line collection also works; callers re-check properties exactly.
    """
    with gzip.open(path, "rb") as fh:
        for line in fh:
            if not all(n in line for n in needles):
                continue
            obj = orjson.loads(line.rstrip().rstrip(b","))
            if obj.get("type") == "FeatureCollection":
                yield from obj["features"]
            else:
                yield obj


def check_source(shared: Path, source: Source) -> None:
    """Fail loudly if SOURCE.md no longer names the commit we cite."""
    text = (shared / source.folder / "SOURCE.md").read_text(encoding="utf-8")
    if source.commit not in text or source.repo not in text:
        raise SystemExit(
            f"{source.folder}/SOURCE.md does not mention {source.repo} @ "
            f"{source.commit}: update the Source in {SCRIPT}"
        )


# -------------------------------------------------------------- derivations


def attribution(source: Source, change: str) -> str:
    """Top-level ``attribution`` string: who published it and what we changed."""
    return f"{source.cite()}. {change}"


def simplified_note(tolerance_m: float, extra: str = "") -> str:
    """The 'what we changed' sentence for simplified polygons."""
    return (
        f"Simplified by {SCRIPT}, tolerance {tolerance_m:.0f} m{extra}; "
        f"coordinates rounded to {DECIMALS} decimals."
    )


def derive_adm1(shared: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Oblasts: simplified features and the full-resolution source features."""
    src = read_geojson(shared / ADM1_SRC)["features"]
    feats = [
        feature(
            {
                "name": f["properties"]["shapeName"],
                "iso": f["properties"]["shapeISO"],
                "id": f["properties"]["shapeID"],
            },
            simplify_to_lonlat(to_metric(shape(f["geometry"])), ADM_TOLERANCE_M),
        )
        for f in src
    ]
    feats.sort(key=lambda f: f["properties"]["iso"])
    note = simplified_note(ADM_TOLERANCE_M)
    return collection(attribution(ADM1_SOURCE, note), feats), src


def main_oblast(raion: shapely.Geometry, oblasts: np.ndarray) -> int:
    """Index of the (metric) oblast holding the largest share of a metric raion.

    Largest share, not the representative point: the ADM2 outlines are coarse
    and do not nest in ADM1, and a representative point puts e.g. Myronivka and
    Yahotyn raions (Kyiv Oblast) in Cherkasy Oblast; four border raions have
    their representative point outside every oblast.
    """
    shares = shapely.area(shapely.intersection(raion, oblasts))
    return int(np.argmax(shares))  # ties: first in source order, deterministic


def derive_adm2(shared: Path, adm1_src: list[dict[str, Any]]) -> dict[str, Any]:
    """Raions with the ISO and name of the oblast holding most of their area."""
    oblast_props = [f["properties"] for f in adm1_src]
    oblasts = np.array([to_metric(shape(f["geometry"])) for f in adm1_src])
    feats = []
    for f in read_geojson(shared / ADM2_SRC)["features"]:
        props = f["properties"]
        if not props:  # the one unnamed feature in the source
            continue
        metric = to_metric(shape(f["geometry"]))
        oblast = oblast_props[main_oblast(metric, oblasts)]
        feats.append(
            feature(
                {
                    "name": props["shapeName"],
                    "id": props["shapeID"],
                    "oblast_iso": oblast["shapeISO"],
                    "oblast": oblast["shapeName"],
                },
                simplify_to_lonlat(metric, ADM_TOLERANCE_M),
            )
        )
    feats.sort(
        key=lambda f: (
            f["properties"]["oblast_iso"],
            f["properties"]["name"],
            f["properties"]["id"],
        )
    )
    note = simplified_note(ADM_TOLERANCE_M) + (
        " oblast_iso/oblast: the geoBoundaries ADM1 oblast (UKR-ADM1-14850775) "
        "holding the largest share of the raion's area, both at full resolution."
    )
    return collection(attribution(ADM2_SOURCE, note), feats)


def derive_ordlo(shared: Path) -> dict[str, Any]:
    """DeepState's pre-2022 occupied area (ORDLO) on ORDLO_DATE, unioned."""
    needles = (b'"ordlo_pre2022"', f'"date":"{ORDLO_DATE}"'.encode())
    src = [
        f
        for f in iter_features(shared / DEEPSTATE_DAILY_SRC, needles)
        if f["properties"]["status"] == "ordlo_pre2022"
        and f["properties"]["date"] == ORDLO_DATE
    ]
    if not src:
        raise SystemExit(f"no ordlo_pre2022 polygon on {ORDLO_DATE}")
    snapshots = sorted({f["properties"]["snapshot_utc"] for f in src})
    ids = sorted({f["properties"]["snapshot_id"] for f in src})
    merged = shapely.union_all([polygonal(shape(f["geometry"])) for f in src])
    props = {
        "status": "ordlo_pre2022",
        "date": ORDLO_DATE,
        "snapshot_utc": snapshots[-1],
    }
    geom = simplify_to_lonlat(to_metric(merged), DEEPSTATE_TOLERANCE_M)
    where = ", ".join(f"geojsons/{i}.geojson" for i in ids)
    note = f"Snapshot {where} ({', '.join(snapshots)}). " + simplified_note(
        DEEPSTATE_TOLERANCE_M
    )
    return collection(
        attribution(DEEPSTATE_HISTORY_SOURCE, note), [feature(props, geom)]
    )


def derive_occupied(shared: Path) -> dict[str, Any]:
    """DeepState occupied area (occupied + ORDLO + Crimea) on OCCUPIED_DATE."""
    needles = (f'"date":"{OCCUPIED_DATE}"'.encode(),)
    src = [
        f
        for f in iter_features(shared / OCCUPIED_SRC, needles)
        if f["properties"]["date"] == OCCUPIED_DATE
    ]
    if len(src) != 1:
        raise SystemExit(
            f"expected one occupied polygon on {OCCUPIED_DATE}, got {len(src)}"
        )
    metric = drop_small_parts(
        polygonal(to_metric(shape(src[0]["geometry"]))), MIN_PART_KM2
    )
    geom = simplify_to_lonlat(metric, DEEPSTATE_TOLERANCE_M)
    props = {"date": OCCUPIED_DATE, "source_file": src[0]["properties"]["source_file"]}
    note = f"File {props['source_file']}. " + simplified_note(
        DEEPSTATE_TOLERANCE_M, f", polygon parts under {MIN_PART_KM2:g} km2 dropped"
    )
    return collection(attribution(OCCUPIED_SOURCE, note), [feature(props, geom)])


def derive_corridor(shared: Path) -> dict[str, Any]:
    """A straight line between the geocoded ends of the Enerhodar corridor rows."""
    with (shared / CORRIDORS_SRC).open(newline="", encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["from_name"] == CORRIDOR_FROM and r["to_name"] == CORRIDOR_TO
        ]
    if not rows:
        raise SystemExit(f"no corridor rows {CORRIDOR_FROM} -> {CORRIDOR_TO}")
    ends = {
        (r["from_longitude"], r["from_latitude"], r["to_longitude"], r["to_latitude"])
        for r in rows
    }
    if len(ends) != 1:  # all rows must geocode the same two settlements
        raise SystemExit(f"corridor rows disagree on coordinates: {sorted(ends)}")
    fx, fy, tx, ty = (float(v) for v in ends.pop())
    line = shapely.set_precision(shapely.linestrings([[fx, fy], [tx, ty]]), GRID)
    props = {
        "hc_ids": sorted(int(r["HC_ID"]) for r in rows),
        "from_name": CORRIDOR_FROM,
        "to_name": CORRIDOR_TO,
        "dates": sorted({r["date"] for r in rows}),
    }
    note = (
        f"Rows HC_ID {', '.join(map(str, props['hc_ids']))}. Built by {SCRIPT}: a "
        "straight line between the geocoded settlement points (not the driven "
        f"route), coordinates rounded to {DECIMALS} decimals."
    )
    return collection(attribution(CORRIDORS_SOURCE, note), [feature(props, line)])


# -------------------------------------------------------------- writing


def feature(props: dict[str, Any], geom: shapely.Geometry) -> dict[str, Any]:
    """A GeoJSON Feature with fixed key order."""
    return {"type": "Feature", "properties": props, "geometry": geom}


def collection(attrib: str, feats: list[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection carrying the ``attribution`` member."""
    return {"type": "FeatureCollection", "attribution": attrib, "features": feats}


def _rounded(obj: Any) -> Any:
    """Round every float in nested coordinate sequences to DECIMALS."""
    if isinstance(obj, float):
        return round(obj, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return [_rounded(o) for o in obj]


def dumps(fc: dict[str, Any]) -> bytes:
    """Serialise compactly, one feature per line, so diffs stay readable."""

    def one(obj: Any) -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    lines = []
    for f in fc["features"]:
        geo = mapping(f["geometry"])
        geometry = {"type": geo["type"], "coordinates": _rounded(geo["coordinates"])}
        lines.append(one({**f, "geometry": geometry}))
    head = one({k: v for k, v in fc.items() if k != "features"})[:-1]
    text = head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8")


def check_written(path: Path) -> tuple[int, int]:
    """Re-read a written file; return (features, vertices) or raise if invalid."""
    geoms = [shape(f["geometry"]) for f in read_geojson(path)["features"]]
    bad = [i for i, g in enumerate(geoms) if g.is_empty or not g.is_valid]
    if not geoms or bad:
        raise SystemExit(f"{path}: empty or invalid geometry in features {bad}")
    return len(geoms), int(shapely.get_num_coordinates(geoms).sum())


def write(out_dir: Path, relative: str, fc: dict[str, Any]) -> None:
    """Write one collection, verify it, and print a one-line summary."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dumps(fc)
    path.write_bytes(data)
    n_features, n_vertices = check_written(path)
    print(
        f"{relative}: {n_features} features, {n_vertices} vertices, {len(data)} bytes"
    )


# -------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    default_shared = os.environ.get(
        "CEASEFIRE_SHARED_DATA", REPO.parent / "shared" / "data"
    )
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(default_shared),
        help="folder with the published data (default: %(default)s)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO,
        help="write the files under this folder (default: the repo)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Derive every file; return the process exit status."""
    args = parse_args(argv)
    shared: Path = args.shared_data
    for source in (
        ADM1_SOURCE,
        ADM2_SOURCE,
        DEEPSTATE_HISTORY_SOURCE,
        OCCUPIED_SOURCE,
        CORRIDORS_SOURCE,
    ):
        check_source(shared, source)
    adm1, adm1_src = derive_adm1(shared)
    write(args.out_dir, OUT_ADM1, adm1)
    write(args.out_dir, OUT_ADM2, derive_adm2(shared, adm1_src))
    write(args.out_dir, OUT_ORDLO, derive_ordlo(shared))
    write(args.out_dir, OUT_OCCUPIED, derive_occupied(shared))
    write(args.out_dir, OUT_CORRIDOR, derive_corridor(shared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
