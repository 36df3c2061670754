#!/usr/bin/env python
"""Derive the land polygon of Ukraine: the ADM1 oblasts minus the sea.

The bundled geoBoundaries oblasts (``ceasefire/data/boundaries/ukr-adm1.geojson``)
follow OpenStreetMap 12 nautical miles out into the territorial sea. A front
line derived as "the edge of the Russian-held area inside Ukraine" would then
run along the Crimean and Azov coasts. This script writes
``ceasefire/data/boundaries/ukr-land.geojson``: the union of the oblasts with
the sea cut away, and inland water (the Dnipro, its reservoirs, lakes) kept as
land, because the southern front runs along the Dnipro.

Method:

1. Rasterise the ``global_land_mask`` ocean mask (the GLOBE 30 arc-second DEM's
   ocean flag, about 1 km) over a fixed box around Ukraine.
2. The sea is the ocean cells connected (edge to edge) to a seed far out in the
   open Black Sea. Every other cell is land. GLOBE gives lakes and reservoirs
   an elevation, so they are land in the mask already; ocean cells cut off
   from the sea (Lake Sasyk behind its dam, most of the Berezan liman) become
   land too.
3. Polygonise the sea cells as row runs merged into rectangles, simplify the
   sea at 500 m in an equal-area metric CRS, and subtract it from the union of
   the oblasts, whose inter-oblast sliver gaps are filled first.
4. Snap to a 1e-5 degree grid, make valid, and keep polygons only.

The output is deterministic: the same inputs give a byte-identical file. Only
the bundled ADM1 file and the ``global-land-mask`` package are needed;
``scipy`` is a script-only dependency for the flood fill.

Usage::

    python scripts/derive_land_mask.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyproj
import shapely
from global_land_mask import globe
from scipy import ndimage
from shapely.geometry import mapping

REPO = Path(__file__).resolve().parent.parent
SCRIPT = "scripts/derive_land_mask.py"
ADM1_FILE = "ceasefire/data/boundaries/ukr-adm1.geojson"
OUT_LAND = "ceasefire/data/boundaries/ukr-land.geojson"
FEATURE_NAME = "Ukraine (land)"

# Same CRS as scripts/derive_example_geometry.py: equal-area, and nearly
# conformal over Ukraine, so it serves both simplification and areas.
METRIC_CRS = "+proj=laea +lat_0=48.5 +lon_0=31 +x_0=0 +y_0=0 +datum=WGS84 +units=m"
_TO_METRIC = pyproj.Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)
_TO_LONLAT = pyproj.Transformer.from_crs(METRIC_CRS, "OGC:CRS84", always_xy=True)

DECIMALS = 5  # ~1 m, far below the tolerance
GRID = 10.0**-DECIMALS
TOLERANCE_M = 500.0
# Land specks left in the sea by single GLOBE cells (bits of the Tendra spit,
# shoals) are below a cell's area; real islands we keep are larger.
MIN_PART_KM2 = 1.0

# The mask has 120 cells per degree with edges on whole multiples of 1/120
# degree (globe.is_land truncates towards the north-west corner). Whole-degree
# box edges therefore fall on cell edges.
CELLS_PER_DEGREE = 120
RASTER_BOX = (22.0, 43.0, 41.0, 53.0)  # west, south, east, north
# Far out in the open Black Sea, south of Crimea: certainly sea.
SEA_SEED = (31.0, 43.5)  # lon, lat
# Edge neighbours only: diagonal contacts would let the sea leak through
# one-cell spits and dams into enclosed lagoons.
FOUR_CONNECTED = ndimage.generate_binary_structure(2, 1)

GLOBE_CITE = (
    "NOAA National Geophysical Data Center, 1999: Global Land One-kilometer Base "
    "Elevation (GLOBE) v.1, doi:10.7289/V52R3PMS, via the ocean mask shipped in "
    "the global-land-mask 1.0.0 Python package by Todd Karin (MIT License)"
)


@dataclass(frozen=True)
class Grid:
    """A window of the 1/120 degree mask grid, rows running north to south."""

    west: float
    north: float
    rows: int
    cols: int

    @classmethod
    def covering(cls, box: tuple[float, float, float, float]) -> Grid:
        """The window whose cell edges bound ``box`` (west, south, east, north)."""
        west, south, east, north = box
        n = CELLS_PER_DEGREE
        return cls(west, north, round((north - south) * n), round((east - west) * n))

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Lon and lat of every cell centre, each of shape (rows, cols)."""
        n = CELLS_PER_DEGREE
        lon = self.west + (np.arange(self.cols) + 0.5) / n
        lat = self.north - (np.arange(self.rows) + 0.5) / n
        return np.meshgrid(lon, lat)

    def cell(self, lon: float, lat: float) -> tuple[int, int]:
        """Row and column of the cell holding a point."""
        n = CELLS_PER_DEGREE
        return int((self.north - lat) * n), int((lon - self.west) * n)

    def to_lonlat(self, geom: shapely.Geometry) -> shapely.Geometry:
        """Map a geometry in (column, row) cell-edge units to lon/lat."""
        n = CELLS_PER_DEGREE
        return shapely.transform(
            geom,
            lambda c: np.column_stack(
                [self.west + c[:, 0] / n, self.north - c[:, 1] / n]
            ),
        )


# ---------------------------------------------------------------- geometry


def _transformer_func(
    transformer: pyproj.Transformer,
) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a pyproj transformer for ``shapely.transform`` (vectorised)."""

    def func(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))

    return func


def to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    """Project a CRS84 geometry to METRIC_CRS (metres)."""
    return shapely.transform(geom, _transformer_func(_TO_METRIC))


def to_lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    """Project a METRIC_CRS geometry back to CRS84 lon/lat."""
    return shapely.transform(geom, _transformer_func(_TO_LONLAT))


def km2(geom: shapely.Geometry) -> float:
    """Area of a lon/lat geometry in km²."""
    return float(to_metric(geom).area) / 1e6


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Make ``geom`` valid and keep only its polygons, as a MultiPolygon."""
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    parts = shapely.get_parts(geom)
    polys = [
        q
        for p in parts
        if p.geom_type in ("Polygon", "MultiPolygon")
        for q in shapely.get_parts(p)
    ]
    return shapely.multipolygons(polys)


def fill_holes(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop every interior ring.

    The oblasts were simplified one by one, so their union has some 200 sliver
    gaps (about 60 km²) along inner borders. Ukraine has no enclaves, and left
    in place each gap would be an 'edge of Ukraine' deep inside the country.
    """
    shells = [shapely.Polygon(p.exterior) for p in shapely.get_parts(geom)]
    return shapely.union_all(shells)


# ---------------------------------------------------------------- the mask


def sea_cells(grid: Grid, seed: tuple[float, float]) -> np.ndarray:
    """Boolean (rows, cols) array: the ocean cells connected to ``seed``."""
    lon, lat = grid.centres()
    ocean = np.asarray(globe.is_ocean(lat, lon), dtype=bool)
    labels, _ = ndimage.label(ocean, structure=FOUR_CONNECTED)
    row, col = grid.cell(*seed)
    if not ocean[row, col]:
        raise SystemExit(f"the sea seed {seed} is not ocean in the mask")
    return labels == labels[row, col]


def row_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """Half-open column ranges [start, end) of the True cells in one row."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.view(np.int8), [0]])))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def cells_to_boxes(cells: np.ndarray) -> list[shapely.Polygon]:
    """Cover the True cells with rectangles, in (column, row) edge units.

    Each row's runs are extended downwards while the next row has the same
    run, so open sea becomes a few tall rectangles instead of a million
    cells, and the union below stays cheap.
    """
    boxes: list[shapely.Polygon] = []
    open_runs: dict[tuple[int, int], int] = {}  # run -> first row
    for r in range(cells.shape[0] + 1):
        runs = set(row_runs(cells[r])) if r < cells.shape[0] else set()
        for run in sorted(set(open_runs) - runs):
            top = open_runs.pop(run)
            boxes.append(shapely.box(run[0], top, run[1], r))
        for run in runs - set(open_runs):
            open_runs[run] = r
    return boxes


def sea_polygon(box: tuple[float, float, float, float]) -> shapely.Geometry:
    """The sea inside ``box`` as exact cell-edged lon/lat polygons.

    The flood fill runs over the whole RASTER_BOX (so the sea is judged from
    the open Black Sea); only the window covering ``box`` is polygonised.
    """
    if not shapely.box(*RASTER_BOX).contains(shapely.box(*box)):
        raise SystemExit(f"{box} is not inside RASTER_BOX {RASTER_BOX}")
    grid = Grid.covering(RASTER_BOX)
    sea = sea_cells(grid, SEA_SEED)
    r0, c0 = grid.cell(box[0], box[3])
    r1, c1 = grid.cell(box[2], box[1])
    r0, c0 = max(r0 - 1, 0), max(c0 - 1, 0)  # one cell of margin all round
    r1, c1 = min(r1 + 2, grid.rows), min(c1 + 2, grid.cols)
    window = Grid(
        grid.west + c0 / CELLS_PER_DEGREE,
        grid.north - r0 / CELLS_PER_DEGREE,
        r1 - r0,
        c1 - c0,
    )
    # The union runs in integer cell units, so it is exact and deterministic.
    cells = shapely.union_all(cells_to_boxes(sea[r0:r1, c0:c1]))
    return window.to_lonlat(cells)


# ---------------------------------------------------------------- derivation


def read_adm1(path: Path) -> shapely.Geometry:
    """Union of the bundled oblasts, in lon/lat, with sliver gaps filled."""
    fc = orjson.loads(path.read_bytes())
    oblasts = [
        shapely.from_geojson(orjson.dumps(f["geometry"])) for f in fc["features"]
    ]
    return fill_holes(shapely.union_all(oblasts))


def smooth_sea(sea: shapely.Geometry) -> shapely.Geometry:
    """Simplify the staircase sea edge at TOLERANCE_M; return lon/lat.

    A 1/120 degree stair step here is about 580 m x 930 m, so a diagonal
    staircase deviates ~490 m from its mean line and 500 m removes it.
    """
    simple = shapely.simplify(to_metric(sea), TOLERANCE_M, preserve_topology=True)
    return to_lonlat(polygonal(simple))


def derive_land(country: shapely.Geometry) -> tuple[shapely.Geometry, shapely.Geometry]:
    """Return (land, sea removed), both lon/lat, land snapped and valid.

    The subtraction runs in lon/lat so that every vertex of the land border
    stays exactly an ADM1 vertex: the result lies within the oblasts.
    """
    sea = smooth_sea(sea_polygon(country.bounds))
    land = polygonal(shapely.difference(country, sea))
    parts = shapely.get_parts(land)
    keep = [p for p in parts if km2(p) >= MIN_PART_KM2]
    land = shapely.set_precision(shapely.multipolygons(keep), GRID)
    land = shapely.orient_polygons(polygonal(land))  # RFC 7946 ring order
    if land.is_empty or not land.is_valid:
        raise SystemExit(f"land polygon invalid: {shapely.is_valid_reason(land)}")
    removed = shapely.difference(country, land)
    return (land.geoms[0] if len(land.geoms) == 1 else land), removed


def attribution() -> str:
    """Top-level ``attribution``: sources, method and tolerance."""
    return (
        "Land area of Ukraine, inland water included. Outline: the union of the "
        f"oblasts in {ADM1_FILE} (geoBoundaries gbOpen, William & Mary geoLab, "
        "boundary UKR-ADM1-14850775, from OpenStreetMap/Wambacher, (c) "
        "OpenStreetMap contributors; licence reportedly ODbL 1.0; see "
        f"DATA-LICENSE.md). Sea: {GLOBE_CITE}. Method ({SCRIPT}): ocean cells "
        "of the 30 arc-second mask connected edge-to-edge to the open Black Sea "
        f"at {SEA_SEED[0]}E {SEA_SEED[1]}N are sea; all other cells, inland water "
        "included, are land. The sea was polygonised on the mask grid, simplified "
        f"at {TOLERANCE_M:.0f} m (Lambert azimuthal equal-area, 31E 48.5N) and "
        "subtracted from the oblasts, whose sliver gaps were filled; parts under "
        f"{MIN_PART_KM2:g} km2 were dropped and coordinates rounded to "
        f"{DECIMALS} decimals."
    )


# ---------------------------------------------------------------- writing


def _rounded(obj: Any) -> Any:
    """Round every float in nested coordinate sequences to DECIMALS."""
    if isinstance(obj, float):
        return round(obj, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return [_rounded(o) for o in obj]


def dumps(land: shapely.Geometry) -> bytes:
    """The FeatureCollection, in the layout of the other bundled files."""

    def one(obj: Any) -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    geo = mapping(land)
    feature = {
        "type": "Feature",
        "properties": {"name": FEATURE_NAME},
        "geometry": {"type": geo["type"], "coordinates": _rounded(geo["coordinates"])},
    }
    head = one({"type": "FeatureCollection", "attribution": attribution()})[:-1]
    return (head + ',"features":[\n' + one(feature) + "\n]}\n").encode("utf-8")


def summary(data: bytes, country: shapely.Geometry, removed: shapely.Geometry) -> str:
    """One line about the written file, re-read from its bytes."""
    fc = orjson.loads(data)
    land = shapely.from_geojson(orjson.dumps(fc["features"][0]["geometry"]))
    if land.is_empty or not land.is_valid:
        raise SystemExit("the written land polygon is empty or invalid")
    return (
        f"{OUT_LAND}: {shapely.get_num_coordinates(land)} vertices, "
        f"{shapely.get_num_geometries(land)} parts, {len(data)} bytes; "
        f"land {km2(land):,.0f} km2 (oblasts {km2(country):,.0f} km2, "
        f"sea removed {km2(removed):,.0f} km2)"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO,
        help="write the file under this folder (default: the repo)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Derive and write the land polygon; return the exit status."""
    args = parse_args(argv)
    country = read_adm1(REPO / ADM1_FILE)
    land, removed = derive_land(country)
    data = dumps(land)
    path = args.out_dir / OUT_LAND
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(summary(data, country, removed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
