"""Shipped geometry files: valid, attributed, true to their source and known facts.

The files are derived by ``scripts/derive_example_geometry.py`` from the published
data in ../shared/data; tests marked ``shared_data`` compare against that data.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely
from conftest import REPO, SHARED_DATA, shared_data
from shapely.geometry import Point, shape

SCRIPT = REPO / "scripts" / "derive_example_geometry.py"

ADM1 = "ceasefire/data/boundaries/ukr-adm1.geojson"
ADM2 = "ceasefire/data/boundaries/ukr-adm2.geojson"
ORDLO = "examples/geometry/ordlo-2022-04-03.geojson"
OCCUPIED = "examples/geometry/occupied-2025-08-15.geojson"
CORRIDOR = "examples/geometry/zaporizhzhia-enerhodar-corridor.geojson"

# relative path -> (property names, size budget in bytes)
SHIPPED: dict[str, tuple[set[str], int]] = {
    ADM1: ({"name", "iso", "id"}, 400_000),
    ADM2: ({"name", "id", "oblast_iso", "oblast"}, 500_000),
    ORDLO: ({"status", "date", "snapshot_utc"}, 100_000),
    OCCUPIED: ({"date", "source_file"}, 250_000),
    CORRIDOR: ({"hc_ids", "from_name", "to_name", "dates"}, 5_000),
}

SRC_ADM1 = "ukraine-admin-boundaries/geoBoundaries-UKR-ADM1.geojson.gz"
SRC_ADM2 = "ukraine-admin-boundaries/geoBoundaries-UKR-ADM2.geojson"
SRC_DEEPSTATE = "deepstate-history/deepstate_control_polygons_daily.geojson.gz"
SRC_OCCUPIED = (
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
SRC_CORRIDORS = (
    "humanitarian-corridors-2022/humanitarian_corridors_ukraine_2022_geocoded.csv"
)

# Lambert azimuthal equal-area centred on Ukraine: exact areas, and distances
# within 0.4 % anywhere in the country, so Hausdorff distances are in metres.
_TO_LAEA = pyproj.Transformer.from_crs(
    "OGC:CRS84",
    "+proj=laea +lat_0=48.5 +lon_0=31 +datum=WGS84 +units=m",
    always_xy=True,
)
UKRAINE_BBOX = (22.0, 44.0, 41.0, 53.0)


# ------------------------------------------------------------------ helpers


def to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    """CRS84 lon/lat -> metres in the equal-area CRS."""

    def func(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(_TO_LAEA.transform(coords[:, 0], coords[:, 1]))

    return shapely.transform(geom, func)


def km2(geom: shapely.Geometry) -> float:
    """Area of a lon/lat geometry in km²."""
    return float(to_metric(geom).area) / 1e6


@cache
def shipped(relative: str) -> dict[str, Any]:
    """A shipped FeatureCollection, parsed once per test session."""
    data: dict[str, Any] = json.loads((REPO / relative).read_text(encoding="utf-8"))
    return data


def shipped_geom(relative: str) -> shapely.Geometry:
    """The single geometry of a one-feature shipped file."""
    (feature,) = shipped(relative)["features"]
    return shape(feature["geometry"])


def shipped_adm1() -> dict[str, shapely.Geometry]:
    """Shipped oblasts by ISO code."""
    return {
        f["properties"]["iso"]: shape(f["geometry"]) for f in shipped(ADM1)["features"]
    }


@cache
def source_collection(relative: str) -> list[dict[str, Any]]:
    """Features of a (gzipped) source FeatureCollection read in one go."""
    path = shared_data(relative)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        features: list[dict[str, Any]] = json.load(fh)["features"]
    return features


def source_lines(relative: str, needle: str) -> list[dict[str, Any]]:
    """Features on the lines of a one-feature-per-line gz file containing needle."""
    with gzip.open(shared_data(relative), "rt", encoding="utf-8") as fh:
        return [json.loads(line.rstrip().rstrip(",")) for line in fh if needle in line]


def assert_within_tolerance(
    source: shapely.Geometry, simple: shapely.Geometry, tolerance_m: float, what: str
) -> None:
    """Hausdorff distance ≤ 1.5 × tolerance and area within 2 %, in metres."""
    src, out = to_metric(source), to_metric(simple)
    distance = shapely.hausdorff_distance(src, out)
    assert distance <= 1.5 * tolerance_m, f"{what}: Hausdorff {distance:.0f} m"
    change = abs(out.area / src.area - 1)
    assert change < 0.02, f"{what}: area differs by {change:.2%}"


# ------------------------------------------------------------ every file


@pytest.mark.parametrize("relative", sorted(SHIPPED))
def test_shipped_file_is_valid_attributed_geojson(relative: str) -> None:
    """Each file is an attributed RFC 7946 collection of valid lon/lat geometry."""
    keys, budget = SHIPPED[relative]
    assert (REPO / relative).stat().st_size < budget
    fc = shipped(relative)
    assert fc["type"] == "FeatureCollection"
    assert "licence" in fc["attribution"]
    assert "scripts/derive_example_geometry.py" in fc["attribution"]
    assert fc["features"]
    for feature in fc["features"]:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == keys
        geom = shape(feature["geometry"])
        assert not geom.is_empty and geom.is_valid, shapely.is_valid_reason(geom)
        x0, y0, x1, y1 = geom.bounds
        assert UKRAINE_BBOX[0] <= x0 and x1 <= UKRAINE_BBOX[2], "lon out of Ukraine"
        assert UKRAINE_BBOX[1] <= y0 and y1 <= UKRAINE_BBOX[3], "lat out of Ukraine"
        coords = shapely.get_coordinates(geom)
        assert np.allclose(coords, coords.round(5), rtol=0, atol=1e-9)


# ---------------------------------------------------- faithful to the source


@pytest.mark.shared_data
def test_adm1_is_within_500_m_of_geoboundaries() -> None:
    """All 27 oblasts, matched by ISO code, stay within tolerance of the source."""
    source = {f["properties"]["shapeISO"]: f for f in source_collection(SRC_ADM1)}
    ours = shipped_adm1()
    assert sorted(ours) == sorted(source) and len(ours) == 27
    for iso, geom in ours.items():
        assert_within_tolerance(shape(source[iso]["geometry"]), geom, 500, iso)


@pytest.mark.shared_data
def test_ordlo_is_within_200_m_of_deepstate() -> None:
    """The ORDLO polygon matches DeepState's ordlo_pre2022 of 2022-04-03."""
    features = [
        f
        for f in source_lines(SRC_DEEPSTATE, '"date":"2022-04-03"')
        if f["properties"]["status"] == "ordlo_pre2022"
    ]
    source = shapely.union_all(
        [shapely.make_valid(shape(f["geometry"])) for f in features]
    )
    assert_within_tolerance(source, shipped_geom(ORDLO), 200, "ORDLO")


@pytest.mark.shared_data
def test_occupied_is_within_200_m_of_deepstate() -> None:
    """The 2025-08-15 occupied area matches the source; only <1 km² islets differ."""
    (feature,) = source_lines(SRC_OCCUPIED, '"date":"2025-08-15"')
    source = shape(feature["geometry"])
    parts = shapely.get_parts(source)
    big = shapely.multipolygons([p for p in parts if km2(p) >= 1.0])
    assert km2(source) - km2(big) < 5, "dropped islets should be negligible"
    assert_within_tolerance(big, shipped_geom(OCCUPIED), 200, "occupied 2025-08-15")
    assert abs(km2(shipped_geom(OCCUPIED)) / km2(source) - 1) < 0.02


def test_adm2_has_494_raions() -> None:
    """The pre-2020 raion set: 494 named raions with unique IDs."""
    features = shipped(ADM2)["features"]
    assert len(features) == 494
    assert len({f["properties"]["id"] for f in features}) == 494
    assert all(f["properties"]["name"] for f in features)


@pytest.mark.shared_data
def test_adm2_oblast_is_the_one_holding_most_of_the_raion() -> None:
    """oblast_iso is the source oblast holding the largest share of the source raion."""
    oblasts = source_collection(SRC_ADM1)
    isos = [f["properties"]["shapeISO"] for f in oblasts]
    names = {f["properties"]["shapeISO"]: f["properties"]["shapeName"] for f in oblasts}
    oblast_geoms = np.array([to_metric(shape(f["geometry"])) for f in oblasts])
    raions = {
        f["properties"]["shapeID"]: to_metric(shape(f["geometry"]))
        for f in source_collection(SRC_ADM2)
        if f["properties"]
    }
    ours = {f["properties"]["id"]: f["properties"] for f in shipped(ADM2)["features"]}
    assert sorted(ours) == sorted(raions)
    wrong = []
    for raion_id, props in ours.items():
        shares = shapely.area(shapely.intersection(raions[raion_id], oblast_geoms))
        if isos[int(np.argmax(shares))] != props["oblast_iso"]:
            wrong.append(props["name"])
        assert props["oblast"] == names[props["oblast_iso"]]
    assert not wrong, f"raions in the wrong oblast: {wrong}"


@pytest.mark.shared_data
def test_corridor_matches_peacerep_rows() -> None:
    """Every cited HC_ID row runs Enerhodar -> Zaporizhzhya between our two ends."""
    props = shipped(CORRIDOR)["features"][0]["properties"]
    with shared_data(SRC_CORRIDORS).open(newline="", encoding="utf-8") as fh:
        rows = {int(r["HC_ID"]): r for r in csv.DictReader(fh)}
    ends = shapely.get_coordinates(shipped_geom(CORRIDOR))
    for hc_id in props["hc_ids"]:
        row = rows[hc_id]
        assert (row["from_name"], row["to_name"]) == (
            props["from_name"],
            props["to_name"],
        )
        assert row["date"] in props["dates"]
        start = (float(row["from_longitude"]), float(row["from_latitude"]))
        end = (float(row["to_longitude"]), float(row["to_latitude"]))
        assert np.allclose(ends, [start, end], atol=1e-5)


# ------------------------------------------------------------- known facts


def test_ordlo_lies_in_donetsk_and_luhansk_oblasts() -> None:
    """Pre-2022 occupied Donbas is inside Donetsk (UA-14) and Luhansk (UA-09)."""
    adm1 = shipped_adm1()
    donbas = to_metric(shapely.union_all([adm1["UA-14"], adm1["UA-09"]]))
    ordlo = to_metric(shipped_geom(ORDLO))
    assert ordlo.intersection(donbas).area / ordlo.area >= 0.99


def test_ordlo_area_is_about_16800_km2() -> None:
    """ORDLO covered roughly 16,800 km² (about a third of Donbas)."""
    assert 14_000 < km2(shipped_geom(ORDLO)) < 18_000


def test_occupied_area_on_2025_08_15_is_about_114000_km2() -> None:
    """DeepState reported ~114,000 km² occupied (incl. Crimea) in mid-2025."""
    assert 100_000 < km2(shipped_geom(OCCUPIED)) < 125_000


def test_luhansk_oblast_area_matches_official_26684_km2() -> None:
    """Landlocked Luhansk Oblast: official area 26,684 km² (±5 %)."""
    assert km2(shipped_adm1()["UA-09"]) == pytest.approx(26_684, rel=0.05)


def test_donetsk_oblast_is_26517_km2_of_land_plus_azov_territorial_sea() -> None:
    """Donetsk Oblast: 26,517 km² of land; OSM outlines add the 12-nmi sea strip.

    Users must not read coastal oblast outlines as land: a point 12 km off
    Mariupol is in UA-14 but not in DeepState's (coast-following) occupied area.
    """
    donetsk = shipped_adm1()["UA-14"]
    assert 26_517 < km2(donetsk) < 26_517 * 1.12
    offshore = Point(37.55, 46.95)
    assert donetsk.contains(offshore)
    assert not shipped_geom(OCCUPIED).contains(offshore)


def test_corridor_ends_are_in_zaporizhzhia_oblast() -> None:
    """Enerhodar and Zaporizhzhia: ~50 km apart, both in Zaporizhzhia Oblast (UA-23).

    Only the ends: the straight line crosses the Kakhovka reservoir, where about
    half of it lies in Dnipropetrovsk Oblast; the road ran via Vasylivka.
    """
    line = shipped_geom(CORRIDOR)
    zaporizhzhia = shipped_adm1()["UA-23"]
    assert all(zaporizhzhia.contains(p) for p in shapely.points(line.coords))
    assert 40_000 < to_metric(line).length < 60_000


# ------------------------------------------------------------- determinism


@pytest.mark.shared_data
def test_script_rebuilds_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    """Two runs of the script give byte-identical files, equal to the shipped ones."""
    for relative in (SRC_ADM1, SRC_ADM2, SRC_DEEPSTATE, SRC_OCCUPIED, SRC_CORRIDORS):
        shared_data(relative)
    runs = [tmp_path / "a", tmp_path / "b"]
    procs = [  # run both at once to halve the wall time
        subprocess.Popen(
            [
                sys.executable,
                str(SCRIPT),
                "--shared-data",
                str(SHARED_DATA),
                "--out-dir",
                str(out),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in runs
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    for relative in SHIPPED:
        committed = (REPO / relative).read_bytes()
        for out in runs:
            assert (out / relative).read_bytes() == committed, f"{relative} differs"
