"""Front-line change on DeepState's daily occupied area, checked independently.

The expected figures are computed here from the raw DeepState file and the
bundled ADM1 boundaries with plain shapely overlays and pyproj.Geod areas; the
project's figures come from `ceasefire import` + `ceasefire frontline --format
json`, which store polygons as content and compare per piece.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from ceasefire.cli import cli
from tests.conftest import EXAMPLES, REPO, shared_data

DAILY = (
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
BASELINE = "2025-08-15"  # alaska-terms.yaml: timeline.control_baseline
DAYS = ["2025-10-01", "2026-01-01", "2026-04-01", "2026-08-22"]
GEOD = Geod(ellps="WGS84")

pytestmark = pytest.mark.shared_data


def _raw_days(path: Path, wanted: set[str]) -> dict[str, str]:
    """The raw feature lines of the wanted dates (the file has one feature a line)."""
    found = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = line.strip().rstrip(",")
            if text.startswith('{"type":"Feature"'):
                day = text[text.index('"date":"') + 8 :][:10]
                if day in wanted:
                    found[day] = text
    return found


def _geodesic_km2(geometry: shapely.Geometry) -> float:
    total = 0.0
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            total += abs(
                GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(part))[0]
            )
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            total += _geodesic_km2(part) * 1e6
    return total / 1e6


def _expected(lines: dict[str, str]) -> dict[str, dict[str, float]]:
    """ru gains = (day − baseline) ∩ Ukraine; ua gains = (baseline − day) ∩ Ukraine."""
    adm1 = json.loads((REPO / "ceasefire/data/boundaries/ukr-adm1.geojson").read_text())
    ukraine = shapely.union_all(
        [shapely.geometry.shape(f["geometry"]) for f in adm1["features"]]
    )
    shapes = {
        day: shapely.make_valid(shapely.geometry.shape(orjson.loads(text)["geometry"]))
        for day, text in lines.items()
    }
    base = shapes[BASELINE]
    return {
        day: {
            "ru": _geodesic_km2(
                shapely.intersection(shapely.difference(shapes[day], base), ukraine)
            ),
            "ua": _geodesic_km2(
                shapely.intersection(shapely.difference(base, shapes[day]), ukraine)
            ),
        }
        for day in DAYS
    }


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """A store holding the baseline and the four days, imported by `ceasefire import`."""
    lines = _raw_days(shared_data(DAILY), {BASELINE, *DAYS})
    folder = tmp_path_factory.mktemp("frontline")
    sliced = folder / "deepstate_slice.geojson"
    sliced.write_text(
        '{"type":"FeatureCollection","name":"deepstatemap_occupied_daily","features":[\n'
        + ",\n".join(lines[d] for d in sorted(lines))
        + "\n]}\n"
    )
    db = f"sqlite:///{folder / 'm.db'}"
    result = CliRunner().invoke(cli, ["import", "--db", db, str(sliced)])
    assert result.exit_code == 0, result.output
    assert "(deepstate-daily): read 5 = imported 5" in result.output
    return db, lines


def test_frontline_gains_match_independent_geod_computation(
    imported: tuple[str, dict[str, str]],
) -> None:
    db, lines = imported
    result = CliRunner().invoke(
        cli,
        ["frontline", "--agreement", str(EXAMPLES / "alaska-terms.yaml"), "--db", db,
         "--from", DAYS[0], "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ours = {day["date"]: day for day in json.loads(result.output)}
    assert sorted(ours) == DAYS
    expected = _expected(lines)
    for day in DAYS:
        assert ours[day]["baseline"] == BASELINE
        for party in ("ru", "ua"):
            want = expected[day][party]
            got = ours[day]["gained_km2"][party]
            assert got == pytest.approx(want, rel=0.01), (day, party, got, want)
        # noise is labelled but stays in the totals
        assert ours[day]["noise_km2"]["ru"] <= ours[day]["gained_km2"]["ru"]
        zones = ours[day]["by_zone"]
        assert set(zones) >= {
            "southern_sector",
            "ru_pullback_zone",
            "ua_withdrawal_zone",
        }


def test_reimport_adds_nothing_and_rings_are_stored_once(
    imported: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    db, lines = imported
    sliced = Path(db.removeprefix("sqlite:///")).parent / "deepstate_slice.geojson"
    again = CliRunner().invoke(cli, ["import", "--db", db, str(sliced)])
    assert "read 5 = imported 0 + duplicates 5" in again.output
    distinct = {
        orjson.dumps(polygon)
        for text in lines.values()
        for polygon in orjson.loads(text)["geometry"]["coordinates"]
    }
    total = sum(len(orjson.loads(t)["geometry"]["coordinates"]) for t in lines.values())
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as con:
        blobs = con.execute("SELECT COUNT(*) FROM blobs").fetchone()[0]
    assert blobs == len(distinct) < total
