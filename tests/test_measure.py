"""Geodesic measures (ceasefire.geo.measure) against pyproj.Geod, independently.

The reference densifies each geometry geodesically (Geod.npts, ~100 m), takes
the nearest dense vertex by Geod.inv (pre-filtered by an ECEF k-d tree with a
safe margin), then densifies the two dense intervals around it to ~1 m. It
shares no code with the module under test. Real geometry: the Alaska example's
freeze line (boundary of the occupied area), its zones and the ZNPP site.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

import ceasefire
from ceasefire.geo.measure import (
    AreaMeasure,
    LineMeasure,
    Measure,
    PointMeasure,
    measure_for,
    measure_for_feature,
)

GEOD = Geod(ellps="WGS84")
REPO = Path(__file__).resolve().parent.parent
ECEF = Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
RTOL = 1e-3  # the contract: 0.1 % of the geodesic distance …
ATOL_KM = 1e-3  # … and 1 m near zero


class Reference:
    """Brute-force geodesic distance to the edges of a lon/lat geometry."""

    def __init__(self, geometry: shapely.Geometry, spacing_m: float = 100.0) -> None:
        self.spacing = spacing_m
        lons: list[float] = []
        lats: list[float] = []
        part_of: list[int] = []
        for k, part in enumerate(shapely.get_parts(shapely.get_parts(geometry))):
            edges = part if part.geom_type != "Polygon" else shapely.boundary(part)
            for ring in shapely.get_parts(edges):
                coords = shapely.get_coordinates(ring)
                for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:], strict=True):
                    n = int(GEOD.inv(x0, y0, x1, y1)[2] // spacing_m)
                    inner = GEOD.npts(x0, y0, x1, y1, n) if n else []
                    lons += [x0, *(p[0] for p in inner)]
                    lats += [y0, *(p[1] for p in inner)]
                    part_of += [k] * (n + 1)
                lons.append(coords[-1, 0])
                lats.append(coords[-1, 1])
                part_of.append(k)
                k += 10_000  # rings of one polygon are separate chains
        self.lon, self.lat = np.array(lons), np.array(lats)
        self.part = np.array(part_of)
        self.tree = cKDTree(
            np.column_stack(ECEF.transform(self.lon, self.lat, 0 * self.lon))
        )

    def distance_km(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        xyz = np.column_stack(ECEF.transform(lon, lat, 0 * lon))
        chord, _ = self.tree.query(xyz)
        out = np.empty(len(lon))
        for i, ball in enumerate(self.tree.query_ball_point(xyz, chord * 1.02 + 50)):
            ball = np.asarray(ball)
            d = GEOD.inv(
                np.full(len(ball), lon[i]),
                np.full(len(ball), lat[i]),
                self.lon[ball],
                self.lat[ball],
            )[2]
            best = d.min()
            # the nearest point lies in an interval next to a vertex this close
            starts = {k for j in ball[d <= best + self.spacing] for k in (j - 1, j)}
            for k in starts:
                if 0 <= k < len(self.lon) - 1 and self.part[k] == self.part[k + 1]:
                    fine = GEOD.npts(
                        self.lon[k], self.lat[k], self.lon[k + 1], self.lat[k + 1], 150
                    )
                    flon, flat = np.array(fine).T
                    dd = GEOD.inv(
                        np.full(150, lon[i]), np.full(150, lat[i]), flon, flat
                    )[2]
                    best = min(best, dd.min())
            out[i] = best / 1e3
        return out


def assert_geodesic(got: np.ndarray, want: np.ndarray) -> None:
    error = np.abs(got - want)
    worst = int(np.argmax(error - RTOL * want))
    assert np.all(error <= RTOL * want + ATOL_KM), (
        f"worst: got {got[worst]!r} km, reference {want[worst]!r} km"
    )


@pytest.fixture(scope="module")
def alaska() -> ceasefire.Agreement:
    return ceasefire.load(REPO / "examples" / "alaska-terms.yaml")


@pytest.fixture(scope="module", params=["tree", "field"])
def freeze(alaska: ceasefire.Agreement, request: pytest.FixtureRequest) -> Measure:
    """The freeze line measure, searched by segment tree or by distance field."""
    m = measure_for_feature(alaska.features["freeze_line"], alaska.features)
    return m.prepare() if request.param == "field" else m


@functools.cache
def reference(geometry: shapely.Geometry) -> Reference:
    return Reference(geometry)


@pytest.fixture(scope="module")
def freeze_points(
    alaska: ceasefire.Agreement,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points near and far from the freeze line and their reference distances."""
    line = alaska.features["freeze_line"].shape
    lon, lat = near_and_far(line, seed=5, n=1500)
    return lon, lat, reference(line).distance_km(lon, lat)


def near_and_far(
    line: shapely.Geometry, seed: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points offset 0–40 km from the line's vertices, and points anywhere nearby."""
    rng = np.random.default_rng(seed)
    coords = shapely.get_coordinates(line)
    pick = coords[rng.integers(0, len(coords), n)]
    km = np.concatenate(
        [rng.uniform(0, 0.05, n // 10), rng.uniform(0, 40, n - n // 10)]
    )
    lon, lat, _ = GEOD.fwd(pick[:, 0], pick[:, 1], rng.uniform(0, 360, n), km * 1e3)
    far_lon = rng.uniform(20, 45, n)
    far_lat = rng.uniform(42, 56, n)
    return np.concatenate([lon, far_lon]), np.concatenate([lat, far_lat])


def test_freeze_line_distances_match_geodesic(
    freeze: Measure, freeze_points: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    lon, lat, want = freeze_points
    got = freeze.distance_km(lon, lat)
    assert got.dtype == np.float64 and got.shape == lon.shape
    assert_geodesic(got, want)
    assert (want < 1).sum() > 100 and (want > 300).sum() > 100  # both regimes covered
    for limit in (1.0, 25.0, 60.0):  # banded: exact inside the band, bound outside
        banded = freeze.distance_km(lon, lat, within_km=limit)
        assert_geodesic(banded[want <= limit], want[want <= limit])
        assert np.all(banded[want > limit * 1.001] > limit)


def test_vertices_are_at_distance_zero(
    alaska: ceasefire.Agreement, freeze: Measure
) -> None:
    coords = shapely.get_coordinates(alaska.features["freeze_line"].shape)
    assert np.all(freeze.distance_km(coords[:, 0], coords[:, 1]) < 1e-6)


def test_within_km_gives_exact_values_inside_and_bounds_outside(
    alaska: ceasefire.Agreement, freeze: Measure
) -> None:
    lon, lat = near_and_far(alaska.features["freeze_line"].shape, seed=6, n=2000)
    full = freeze.distance_km(lon, lat)
    banded = freeze.distance_km(lon, lat, within_km=25.0)
    close = full <= 25.0
    assert close.sum() > 500
    np.testing.assert_allclose(banded[close], full[close], rtol=1e-12, atol=1e-9)
    assert np.all(banded[~close] > 25.0)
    assert np.all(banded[~close] <= full[~close] * (1 + 1e-9))  # a lower bound
    # per-point thresholds: each point exact up to its own limit
    limit = np.random.default_rng(1).uniform(0, 60, len(lon))
    per_point = freeze.distance_km(lon, lat, within_km=limit)
    mine = full <= limit
    np.testing.assert_allclose(per_point[mine], full[mine], rtol=1e-12, atol=1e-9)
    assert np.all(per_point[~mine] > limit[~mine])


def test_sides_of_the_freeze_line(freeze: Measure) -> None:
    # Donetsk and Melitopol are in the occupied area (inside: ru), Kharkiv and
    # Zaporizhzhia city are not; a vertex of the line is on it.
    lon = np.array([37.80, 35.37, 36.23, 35.14])
    lat = np.array([48.00, 46.85, 49.99, 47.84])
    assert freeze.side(lon, lat).tolist() == [1, 1, -1, -1]
    assert freeze.distance_km([36.23], [49.99])[0] > 20  # Kharkiv is well off it


def test_side_on_the_line_is_zero(alaska: ceasefire.Agreement, freeze: Measure) -> None:
    coords = shapely.get_coordinates(alaska.features["freeze_line"].shape)[::50]
    assert np.all(freeze.side(coords[:, 0], coords[:, 1]) == 0)


def test_side_follows_the_direction_of_a_plain_line() -> None:
    north = measure_for(shapely.LineString([(37.0, 47.0), (37.0, 49.0)]))
    assert north.side([36.9, 37.1], [48.0, 48.0]).tolist() == [1, -1]
    south = measure_for(shapely.LineString([(37.0, 49.0), (37.0, 47.0)]))
    assert south.side([36.9, 37.1], [48.0, 48.0]).tolist() == [-1, 1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-0.3, 0.3), min_size=3, max_size=12),
    st.floats(-1.0, 1.0),
    st.floats(0.0, 1.0),
)
def test_side_of_a_northward_zigzag(
    wiggle: list[float], dx: float, frac: float
) -> None:
    # A line running north with random east-west bends; a point is left
    # (west) exactly when it lies west of the line at its own latitude.
    lats = np.linspace(47.0, 49.0, len(wiggle))
    lons = 37.0 + np.array(wiggle)
    line = shapely.LineString(np.column_stack([lons, lats]))
    lat = 47.0 + 2.0 * frac
    line_lon = float(np.interp(lat, lats, lons))
    lon = line_lon + dx
    m = measure_for(line)
    if m.distance_km([lon], [lat])[0] < 0.2:
        return  # too close for lon/lat-straight vs projected-straight edges to agree
    expected = 1 if dx < 0 else -1
    assert m.side([lon], [lat])[0] == expected


def test_site_point_distance_is_geodesic(alaska: ceasefire.Agreement) -> None:
    site = alaska.features["znpp"].shape
    m = measure_for(site)
    assert isinstance(m, PointMeasure)
    rng = np.random.default_rng(7)
    lon = np.concatenate([rng.uniform(34.4, 34.8, 500), rng.uniform(-180, 180, 500)])
    lat = np.concatenate([rng.uniform(47.3, 47.7, 500), rng.uniform(-89, 89, 500)])
    want = GEOD.inv(np.full(1000, site.x), np.full(1000, site.y), lon, lat)[2] / 1e3
    assert_geodesic(m.distance_km(lon, lat), want)
    assert not m.inside(lon, lat).any()
    with pytest.raises(TypeError, match="lines only"):
        m.side(lon, lat)


@settings(max_examples=80, deadline=None)
@given(
    st.floats(-179, 179),
    st.floats(-80, 80),
    st.floats(-180, 180),
    st.floats(-89.9, 89.9),
)
def test_point_distance_anywhere_on_earth(
    x0: float, y0: float, x: float, y: float
) -> None:
    m = measure_for(shapely.MultiPoint([(x0, y0), (x0 + 0.5, y0)]))
    want = min(GEOD.inv(x0, y0, x, y)[2], GEOD.inv(x0 + 0.5, y0, x, y)[2]) / 1e3
    assert_geodesic(m.distance_km([x], [y]), np.array([want]))


@functools.cache
def zone_case(zone: shapely.Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points near a zone's edge and nearby, and their distances to the edge."""
    lon, lat = near_and_far(shapely.boundary(zone), seed=11, n=600)
    minx, miny, maxx, maxy = zone.bounds
    keep = (lon > minx - 1) & (lon < maxx + 1) & (lat > miny - 1) & (lat < maxy + 1)
    lon, lat = lon[keep], lat[keep]
    return lon, lat, reference(zone).distance_km(lon, lat)


@pytest.mark.parametrize(
    "zone_id", ["ru_pullback_zone", "southern_sector", "monitoring_corridor"]
)
@pytest.mark.parametrize("prepared", [False, True])
def test_zone_distance_inside_and_edge(
    alaska: ceasefire.Agreement, zone_id: str, prepared: bool
) -> None:
    zone = alaska.features[zone_id].shape
    m = measure_for(zone)
    if prepared:
        m.prepare()
    assert isinstance(m, AreaMeasure)
    lon, lat, edge = zone_case(zone)
    inside = shapely.contains_xy(zone, lon, lat)
    assert inside.sum() > 50 and (~inside).sum() > 50
    assert m.inside(lon, lat).tolist() == inside.tolist()
    assert_geodesic(m.edge_distance_km(lon, lat), edge)
    distance = m.distance_km(lon, lat)
    assert np.all(distance[inside] == 0)
    assert_geodesic(distance[~inside], edge[~inside])
    banded = m.distance_km(lon, lat, within_km=5.0)
    assert np.all(banded[inside] == 0)
    assert np.all(banded[~inside & (edge > 5.01)] > 5.0)


def test_nearest_point_lies_on_the_line(
    alaska: ceasefire.Agreement, freeze: Measure
) -> None:
    lon, lat = near_and_far(alaska.features["freeze_line"].shape, seed=9, n=200)
    flon, flat = freeze.nearest_point(lon, lat)
    assert np.all(freeze.distance_km(flon, flat) < 1e-3)
    apart = GEOD.inv(lon, lat, flon, flat)[2] / 1e3
    assert_geodesic(freeze.distance_km(lon, lat), apart)


def test_kinds_and_bad_input(alaska: ceasefire.Agreement) -> None:
    assert isinstance(measure_for(alaska.features["corridor_route"].shape), LineMeasure)
    assert not measure_for(alaska.features["corridor_route"].shape).inside(
        [35.0], [47.6]
    )[0]
    with pytest.raises(TypeError, match="lines only"):
        measure_for(alaska.features["southern_sector"].shape).side([35.0], [47.0])
    with pytest.raises(TypeError, match="GeometryCollection"):
        measure_for(shapely.GeometryCollection([shapely.Point(0, 0)]))
    with pytest.raises(ValueError, match="shape"):
        measure_for(shapely.Point(35, 47)).distance_km([35.0, 36.0], [47.0])
    nan = measure_for(shapely.Point(35, 47)).distance_km([np.nan], [47.0])
    assert np.isnan(nan[0])


def test_large_batches_use_the_field_and_agree_with_shapely(
    alaska: ceasefire.Agreement,
) -> None:
    # 200,000 points build the field on first use; containment must still be
    # exactly shapely's (lon/lat edges), NaN must stay NaN.
    zone = alaska.features["occupied_area"].shape
    m = measure_for(zone)
    rng = np.random.default_rng(3)
    lon = rng.uniform(22.0, 41.0, 200_000)
    lat = rng.uniform(44.0, 53.0, 200_000)
    lon[:10] = np.nan
    inside = m.inside(lon, lat)
    assert m.edge.segments.field is not None  # type: ignore[attr-defined]
    assert inside.tolist() == shapely.contains_xy(zone, lon, lat).tolist()
    d = m.distance_km(lon, lat, within_km=10.0)
    assert np.isnan(d[:10]).all() and not np.isnan(d[10:]).any()
    assert np.all(d[inside] == 0)
    plain = measure_for(zone).edge_distance_km(lon[10:3000], lat[10:3000])
    field = m.edge_distance_km(lon[10:3000], lat[10:3000])
    np.testing.assert_allclose(field, plain, rtol=1e-9, atol=1e-9)


def test_sides_of_many_points_match_the_zone(alaska: ceasefire.Agreement) -> None:
    # 60,000 points: the zone's cell states decide most, shapely the rest.
    freeze = measure_for_feature(alaska.features["freeze_line"], alaska.features)
    zone = alaska.features["occupied_area"].shape
    rng = np.random.default_rng(4)
    lon = rng.uniform(30.0, 40.0, 60_000)
    lat = rng.uniform(45.0, 52.0, 60_000)
    side = freeze.side(lon, lat)
    expected = np.where(shapely.contains_xy(zone, lon, lat), 1, -1)
    assert side.tolist() == expected.tolist()


def test_side_of_a_plain_line_with_the_field() -> None:
    # A northward zigzag: left (+1) is west of the line at the point's latitude.
    rng = np.random.default_rng(8)
    lats = np.linspace(47.0, 49.0, 41)
    lons = 37.0 + rng.uniform(-0.2, 0.2, 41)
    m = measure_for(shapely.LineString(np.column_stack([lons, lats]))).prepare()
    lat = rng.uniform(47.0, 49.0, 60_000)
    lon = np.interp(lat, lats, lons) + rng.uniform(-0.5, 0.5, 60_000)
    clear = m.distance_km(lon, lat) > 0.2
    expected = np.where(lon < np.interp(lat, lats, lons), 1, -1)
    assert clear.sum() > 50_000
    assert m.side(lon, lat)[clear].tolist() == expected[clear].tolist()


def test_site_with_the_field(alaska: ceasefire.Agreement) -> None:
    site = alaska.features["znpp"].shape
    m = measure_for(site).prepare()
    rng = np.random.default_rng(12)
    lon = rng.uniform(34.0, 35.2, 60_000)
    lat = rng.uniform(47.1, 47.9, 60_000)
    want = GEOD.inv(np.full(len(lon), site.x), np.full(len(lon), site.y), lon, lat)[2]
    assert_geodesic(m.distance_km(lon, lat), want / 1e3)
    banded = m.distance_km(lon, lat, within_km=5.0)
    near = want / 1e3 <= 5.0
    assert near.sum() > 100
    assert_geodesic(banded[near], want[near] / 1e3)
    assert np.all(banded[~near] > 5.0)
