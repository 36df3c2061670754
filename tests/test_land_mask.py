"""The bundled land polygon of Ukraine: valid, the right size, sea out, land in.

``ceasefire/data/boundaries/ukr-land.geojson`` is the union of the bundled
oblasts minus the sea, derived by ``scripts/derive_land_mask.py`` from the ADM1
file and the ``global-land-mask`` package. These checks use known places, not
the script's own code, except the reproduction test, which re-runs the script.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyproj
import pytest
import shapely
from conftest import REPO
from shapely.geometry import Point

SCRIPT = REPO / "scripts" / "derive_land_mask.py"
LAND = "ceasefire/data/boundaries/ukr-land.geojson"
ADM1 = "ceasefire/data/boundaries/ukr-adm1.geojson"
SIZE_BUDGET = 250_000

# Ukraine's land area, Crimea included, is about 603,600 km².
AREA_KM2 = (590_000, 615_000)

# Sea (lon, lat). The first three lie just beyond the 12-nmi limit, so the
# oblasts already exclude them; the rest lie inside the oblasts' territorial
# sea, so only the subtraction can remove them.
SEA_OUTSIDE_OBLASTS = {
    "Sea of Azov": (36.5, 46.5),
    "Black Sea off Odesa": (31.0, 46.2),
    "Black Sea off Crimea": (33.0, 44.3),
}
SEA_INSIDE_OBLASTS = {
    "Dnipro-Buh estuary off Ochakiv": (31.9, 46.6),
    "Dnipro estuary below Kherson": (32.1, 46.55),
    "Karkinit Bay": (33.2, 45.95),
    "Sea of Azov off Berdiansk": (36.9, 46.6),
    "Taganrog Bay off Mariupol": (37.6, 46.98),
    "Black Sea off Yalta": (34.17, 44.45),
}
LAND_POINTS = {
    "Kyiv": (30.52, 50.45),
    "Simferopol": (34.1, 44.95),
    "Mariupol city": (37.55, 47.10),
    "Kherson": (32.62, 46.64),
    "Enerhodar": (34.66, 47.50),
    "Kinburn peninsula": (31.75, 46.53),
}
# Inland water that must stay "land": the southern front runs along the Dnipro.
# GLOBE gives inland water an elevation, so none of these is ocean in the mask.
# The Dnipro point is the Antonivskyi road bridge (46°40'09"N 32°43'14"E), which
# crosses the river at Kherson: 32.66E 46.66N lies in the city, not the river.
INLAND_WATER = {
    "Kakhovka reservoir": (34.2, 47.45),
    "Kremenchuk reservoir": (32.8, 49.2),
    "Kyiv reservoir": (30.45, 50.9),
    "Dnipro at the Antonivskyi bridge, Kherson": (32.7206, 46.6692),
}
# Oblasts with no sea coast: the land polygon must cover them entirely.
COASTAL_ISO = {"UA-14", "UA-23", "UA-40", "UA-43", "UA-48", "UA-51", "UA-65"}

_TO_LAEA = pyproj.Transformer.from_crs(
    "OGC:CRS84",
    "+proj=laea +lat_0=48.5 +lon_0=31 +datum=WGS84 +units=m",
    always_xy=True,
)


# ------------------------------------------------------------------ helpers


def km2(geom: shapely.Geometry) -> float:
    """Area of a lon/lat geometry in km² (equal-area projection)."""

    def func(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(_TO_LAEA.transform(coords[:, 0], coords[:, 1]))

    return float(shapely.transform(geom, func).area) / 1e6


@cache
def read(relative: str) -> dict[str, Any]:
    """A bundled GeoJSON file, parsed once."""
    data: dict[str, Any] = orjson.loads((REPO / relative).read_bytes())
    return data


def geometry(feature: dict[str, Any]) -> shapely.Geometry:
    """A feature's geometry as a shapely object."""
    return shapely.from_geojson(orjson.dumps(feature["geometry"]))


@cache
def land() -> shapely.Geometry:
    """The shipped land polygon."""
    return geometry(read(LAND)["features"][0])


@cache
def oblasts() -> dict[str, shapely.Geometry]:
    """The bundled oblasts by ISO code."""
    return {f["properties"]["iso"]: geometry(f) for f in read(ADM1)["features"]}


def oblast_shells() -> shapely.Geometry:
    """Union of the oblasts with their inner sliver gaps closed (outer rings)."""
    union = shapely.union_all(list(oblasts().values()))
    return shapely.union_all(
        [shapely.Polygon(p.exterior) for p in shapely.get_parts(union)]
    )


def mask_is_ocean(lon: float, lat: float) -> bool:
    """The global-land-mask ocean flag at a point (skips if not installed)."""
    globe = pytest.importorskip(
        "global_land_mask.globe", reason="global-land-mask is not installed"
    )
    return bool(globe.is_ocean(lat, lon))


# ------------------------------------------------------------------ the file


def test_file_layout_and_attribution() -> None:
    fc = read(LAND)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 1
    assert fc["features"][0]["properties"] == {"name": "Ukraine (land)"}
    attribution = fc["attribution"]
    for needle in ("GLOBE", "NOAA", "global-land-mask", "geoBoundaries", "500 m"):
        assert needle in attribution


def test_size_budget() -> None:
    assert (REPO / LAND).stat().st_size < SIZE_BUDGET


def test_valid_polygonal_and_rounded() -> None:
    geom = land()
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    assert geom.is_valid and not geom.is_empty
    coords = shapely.get_coordinates(geom)
    assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=1e-9)


def test_area_is_ukraines_land_area() -> None:
    assert AREA_KM2[0] < km2(land()) < AREA_KM2[1]


# ------------------------------------------------------------------ places


@pytest.mark.parametrize("name", sorted(SEA_OUTSIDE_OBLASTS | SEA_INSIDE_OBLASTS))
def test_sea_points_are_outside(name: str) -> None:
    lon, lat = (SEA_OUTSIDE_OBLASTS | SEA_INSIDE_OBLASTS)[name]
    assert not land().contains(Point(lon, lat))


@pytest.mark.parametrize("name", sorted(SEA_INSIDE_OBLASTS))
def test_sea_points_inside_oblasts_test_the_subtraction(name: str) -> None:
    """These points would be 'land' without the sea mask: the test has teeth."""
    lon, lat = SEA_INSIDE_OBLASTS[name]
    assert oblast_shells().contains(Point(lon, lat))
    assert mask_is_ocean(lon, lat)


@pytest.mark.parametrize("name", sorted(LAND_POINTS))
def test_land_points_are_inside(name: str) -> None:
    assert land().contains(Point(*LAND_POINTS[name]))


@pytest.mark.parametrize("name", sorted(INLAND_WATER))
def test_inland_water_is_land(name: str) -> None:
    lon, lat = INLAND_WATER[name]
    assert land().contains(Point(lon, lat))
    assert not mask_is_ocean(lon, lat)


def test_inland_oblasts_are_untouched() -> None:
    """No sea was carved out of an oblast without a coast (e.g. up the Dnipro)."""
    geom = land()
    for iso, oblast in oblasts().items():
        if iso not in COASTAL_ISO:
            assert km2(shapely.difference(oblast, geom)) < 0.01, iso


def test_coastal_oblasts_lost_their_territorial_sea() -> None:
    """Donetsk Oblast is 26,517 km² of land; the ADM1 outline has ~28,900."""
    donetsk = shapely.intersection(oblasts()["UA-14"], land())
    assert 26_000 < km2(donetsk) < 27_000


def test_within_the_oblasts() -> None:
    geom = land()
    # Rounding to 5 decimals may move a vertex by under a metre.
    assert km2(shapely.difference(geom, oblast_shells())) < 0.1
    # The only land outside the raw union is the filled inter-oblast gaps.
    raw = shapely.union_all(list(oblasts().values()))
    assert km2(shapely.difference(geom, raw)) < 100


def test_no_holes() -> None:
    """Ukraine has no enclaves; a hole would be a false 'edge of Ukraine'."""
    assert int(shapely.get_num_interior_rings(shapely.get_parts(land())).sum()) == 0


# ------------------------------------------------------------------ reproduction


def test_script_reproduces_the_file(tmp_path: Path) -> None:
    for module in ("global_land_mask", "scipy"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed: cannot re-run {SCRIPT.name}")
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / LAND).read_bytes() == (REPO / LAND).read_bytes()
