"""Minsk II's line of contact reaches the coast and the border where the polygon does.

The expected line and distances come from the raw files only — the DeepState
``ordlo`` polygon shipped with the example and the bundled land polygon —
with shapely and ``pyproj`` (a UTM projection to find the nearest point,
``pyproj.Geod`` for the distance), never from ``ceasefire.geo``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import orjson
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.ops import nearest_points

from ceasefire.agreement.load import load
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.model.report import new_id

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINSK = EXAMPLES / "minsk-ii.yaml"
GEOD = Geod(ellps="WGS84")
UTM = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)
MARGIN_M = 3_000.0  # the example's margin_km


def _raw(path: Path | bytes) -> shapely.Geometry:
    data = orjson.loads(path if isinstance(path, bytes) else path.read_bytes())
    parts = [orjson.dumps(f["geometry"]) for f in data["features"]]
    return shapely.union_all(shapely.from_geojson(parts))


def _utm(shape: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(shape, lambda xy: np.column_stack(UTM.transform(*xy.T)))


@cache
def expected_line() -> shapely.Geometry:
    """The polygon's edge on land, less the pieces that only follow the rim."""
    ordlo = _raw(EXAMPLES / "geometry" / "ordlo-2022-04-03.geojson")
    land_file = resources.files("ceasefire.data.boundaries") / "ukr-land.geojson"
    land = _raw(land_file.read_bytes())
    on_land = shapely.line_merge(shapely.intersection(ordlo.boundary, land))
    rim = _utm(land.boundary)
    pieces = [
        piece
        for piece in shapely.get_parts(on_land)
        if max(
            shapely.distance(shapely.points(shapely.get_coordinates(_utm(piece))), rim)
        )
        > MARGIN_M
    ]
    return shapely.MultiLineString(pieces) if len(pieces) > 1 else pieces[0]


def geodesic_km(lon: float, lat: float, line_utm: shapely.Geometry) -> float:
    """Distance from a point to the line: nearest point in UTM, length by Geod."""
    x, y = UTM.transform(lon, lat)
    near = nearest_points(shapely.Point(x, y), line_utm)[1]
    nlon, nlat = UTM.transform(near.x, near.y, direction="INVERSE")
    return float(GEOD.inv(lon, lat, nlon, nlat)[2]) / 1000.0


def seeded_points(line: shapely.Geometry, n: int) -> list[tuple[float, float]]:
    """n points up to 40 km from the line; a fifth of them near each end."""
    rng = np.random.default_rng(20150215)
    parts = list(shapely.get_parts(line))
    ends = [shapely.get_coordinates(p)[i] for p in parts for i in (0, -1)]
    found = []
    for k in range(n):
        if k < 2 * n // 5:
            lon, lat = ends[k % len(ends)]
        else:
            part = parts[int(rng.integers(len(parts)))]
            at = part.interpolate(float(rng.uniform(0, part.length)))
            lon, lat = at.x, at.y
        azimuth, metres = rng.uniform(0, 360), rng.uniform(0, 40_000)
        plon, plat, _ = GEOD.fwd(lon, lat, azimuth, metres)
        found.append((float(plon), float(plat)))
    return found


def test_the_line_ends_on_the_coast_and_the_border() -> None:
    built = load(MINSK).features["line_of_contact"].shape
    expected = expected_line()

    def ends(line: shapely.Geometry) -> list[tuple[float, float]]:
        return sorted(
            (float(xy[0]), float(xy[1]))
            for p in shapely.get_parts(line)
            for xy in shapely.get_coordinates(p)[[0, -1]]
        )

    built_ends, expected_ends = ends(built), ends(expected)
    assert len(built_ends) == len(expected_ends) == 2
    for (lon, lat), (elon, elat) in zip(built_ends, expected_ends, strict=True):
        assert GEOD.inv(lon, lat, elon, elat)[2] < 20  # metres
    # the southern end is at the coast by Shyrokyne, not 6.4 km inland
    south = min(built_ends, key=lambda xy: xy[1])
    assert GEOD.inv(*south, 37.905, 47.110)[2] < 1_000
    assert abs(GEOD.geometry_length(built) - GEOD.geometry_length(expected)) < 100


@pytest.mark.parametrize("n", [2_000])
def test_distances_in_reasons_match_an_independent_geodesic(n: int) -> None:
    agreement = load(MINSK)
    expected_utm = _utm(expected_line())
    points = seeded_points(expected_line(), n)
    observed = datetime(2016, 6, 1, 12, tzinfo=UTC).isoformat()
    reports = [
        {
            "id": new_id(1_500_000_000_000 + i, i.to_bytes(10, "big")),
            "source": {"type": "monitor_patrol", "id": "team-1"},
            "observed": {"start": observed},
            "reported_at": observed,
            "location": {"lon": lon, "lat": lat, "precision_m": 0},
            "event_type": "heavy_weapon_present",
            "weapon": {"class": "artillery", "calibre_mm": 152},
        }
        for i, (lon, lat) in enumerate(points)
    ]
    evaluator = Evaluator(agreement)
    verdicts = [
        v
        for v in evaluator.evaluate_reports(reports, include_all=True)
        if v.clause == "artillery-100mm"
    ]
    assert len(verdicts) == n
    worst = 0.0
    for verdict in verdicts:
        reason = next(r for r in verdict.reasons if "distance_km" in r.predicate)
        assert isinstance(reason.measured, float)
        truth = geodesic_km(verdict.lon, verdict.lat, expected_utm)
        worst = max(worst, abs(reason.measured - truth))
    print(f"largest difference {worst:.4f} km over {n} points")
    assert worst <= 0.25, f"largest difference {worst:.3f} km"
