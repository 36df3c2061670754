"""Geometry an agreement builds: buffers, sides, boundaries, overlays, admin units.

Distances are checked against pyproj.Geod (geodesic on WGS84), not against our
own projection code; places on the 2015–22 line of contact are checked against
what is publicly known about them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
import shapely.ops
from pyproj import Geod

import ceasefire
from ceasefire.geo import boundaries
from ceasefire.geo.build import BUFFER_TOLERANCE, fast_buffer
from ceasefire.geo.crs import area_km2, local_projection

GEOD = Geod(ellps="WGS84")
REPO = Path(__file__).resolve().parent.parent


def agreement_with(geometries: str, tmp_path: Path) -> ceasefire.Agreement:
    text = f"""
format_version: "1.0"
id: geo-test
title: Geometry test
version: "1"
parties:
  - {{id: ua, name: Ukraine}}
  - {{id: ru, name: Russia}}
geometries:
{geometries}
"""
    return ceasefire.loads(text, base_dir=tmp_path)


def geodesic_point(lon: float, lat: float, azimuth: float, km: float) -> shapely.Point:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000)
    return shapely.Point(x, y)


@pytest.fixture(scope="module")
def minsk() -> ceasefire.Agreement:
    return ceasefire.load(REPO / "examples" / "minsk-ii.yaml")


@pytest.fixture(scope="module")
def alaska() -> ceasefire.Agreement:
    return ceasefire.load(REPO / "examples" / "alaska-terms.yaml")


def test_buffer_edge_matches_geodesic_distance(tmp_path: Path) -> None:
    # A north-south line; points 24.8 km and 25.2 km east of its middle,
    # computed geodesically, must fall inside and outside a 25 km buffer.
    built = agreement_with(
        """
  - {id: l, kind: line, geojson: {type: LineString, coordinates: [[37.0, 47.0], [37.0, 49.0]]}}
  - {id: z, kind: zone, buffer: {of: l, km: 25}}
""",
        tmp_path,
    )
    zone = built.features["z"].shape
    for azimuth in (90, 270):
        assert zone.contains(geodesic_point(37.0, 48.0, azimuth, 24.8))
        assert not zone.contains(geodesic_point(37.0, 48.0, azimuth, 25.2))


def test_fast_buffer_stays_within_its_tolerance_on_a_real_front_line(
    alaska: ceasefire.Agreement,
) -> None:
    line = alaska.features["freeze_line"].shape
    to_metres, _ = local_projection(line)
    projected = shapely.transform(line, to_metres)
    for metres in (10_000, 30_000, 70_000):
        exact = shapely.buffer(projected, metres, quad_segs=32)
        fast = fast_buffer(projected, metres)
        gap = shapely.hausdorff_distance(_outer_rings(fast), _outer_rings(exact))
        assert gap <= metres * BUFFER_TOLERANCE, (metres, gap)
        assert abs(fast.area - exact.area) <= 0.005 * exact.area


def _outer_rings(shape: shapely.Geometry) -> shapely.Geometry:
    # Holes come and go with tiny changes of a wiggly line; the edge people
    # measure against is the outer one.
    return shapely.union_all(
        [shapely.get_exterior_ring(p) for p in shapely.get_parts(shape)]
    )


def test_one_sided_strip_lies_on_the_named_party_side(tmp_path: Path) -> None:
    # Walking north, 'left' is west: the UA strip must be west of the line.
    built = agreement_with(
        """
  - {id: l, kind: line, sides: {left: ua, right: ru},
     geojson: {type: LineString, coordinates: [[37.0, 47.0], [37.0, 49.0]]}}
  - {id: ua_strip, kind: zone, side: {of: l, party: ua, km: 20}}
  - {id: ru_strip, kind: zone, side: {of: l, party: ru, km: 20}}
""",
        tmp_path,
    )
    west = geodesic_point(37.0, 48.0, 270, 10)
    east = geodesic_point(37.0, 48.0, 90, 10)
    assert built.features["ua_strip"].shape.contains(west)
    assert not built.features["ua_strip"].shape.contains(east)
    assert built.features["ru_strip"].shape.contains(east)


def test_minsk_line_of_contact_runs_through_known_places(
    minsk: ceasefire.Agreement,
) -> None:
    line = minsk.features["line_of_contact"].shape
    # Places that sat on the 2015–22 line of contact (OSCE SMM reporting).
    on_the_line = {
        "Donetsk airport": (37.74, 48.07),
        "Avdiivka": (37.75, 48.14),
        "Stanytsia Luhanska crossing": (39.47, 48.65),
        "Shyrokyne": (37.87, 47.10),
    }
    for name, (lon, lat) in on_the_line.items():
        nearest = shapely.ops.nearest_points(line, shapely.Point(lon, lat))[0]
        _, _, metres = GEOD.inv(lon, lat, nearest.x, nearest.y)
        assert metres < 8_000, f"{name} is {metres / 1000:.1f} km from the line"


def test_minsk_line_excludes_the_russian_border(minsk: ceasefire.Agreement) -> None:
    # The ORDLO polygon runs along the Russian border east of Donetsk; that edge
    # is the state border, not the line of contact.
    line = minsk.features["line_of_contact"].shape
    izvaryne_border_crossing = shapely.Point(39.77, 48.33)
    nearest = shapely.ops.nearest_points(line, izvaryne_border_crossing)[0]
    _, _, metres = GEOD.inv(39.77, 48.33, nearest.x, nearest.y)
    assert metres > 20_000


def test_minsk_security_zones_nest_and_stop_at_the_border(
    minsk: ceasefire.Agreement,
) -> None:
    widths = {"zone_artillery": 25, "zone_mlrs": 35, "zone_heavy_mlrs": 70}
    areas = {gid: area_km2(minsk.features[gid].shape) for gid in widths}
    assert areas["zone_artillery"] < areas["zone_mlrs"] < areas["zone_heavy_mlrs"]
    line_km = GEOD.geometry_length(minsk.features["line_of_contact"].shape) / 1000
    for gid, km in widths.items():
        # A belt of half-width km along a line of length L covers at most 2·km·L
        # plus the end caps; clipping to Ukraine only removes area.
        assert areas[gid] <= 2 * km * line_km + 3.1416 * km * km
        assert shapely.covered_by(
            minsk.features[gid].shape, boundaries.country().buffer(1e-6)
        )


def test_admin_units_by_iso_and_name(tmp_path: Path) -> None:
    built = agreement_with(
        """
  - {id: by_iso, kind: zone, admin: {level: 1, iso: UA-14}}
  - {id: by_name, kind: zone, admin: {level: 1, name: Donetsk Oblast}}
  - {id: raion, kind: zone, admin: {level: 2, name: Volnovakha, oblast: UA-14}}
""",
        tmp_path,
    )
    assert shapely.equals(
        built.features["by_iso"].shape, built.features["by_name"].shape
    )
    volnovakha_town = shapely.Point(37.50, 47.60)
    assert built.features["raion"].shape.contains(volnovakha_town)
    assert built.features["by_iso"].shape.contains(
        built.features["raion"].shape.centroid
    )


def test_difference_and_intersection_overlay(alaska: ceasefire.Agreement) -> None:
    features = alaska.features
    withdrawal = features["ua_withdrawal_zone"].shape
    occupied = features["occupied_area"].shape
    assert area_km2(shapely.intersection(withdrawal, occupied)) < 1
    kramatorsk = shapely.Point(37.56, 48.72)  # Ukrainian-held in August 2025
    assert withdrawal.contains(kramatorsk)
    azov_sea_off_mariupol = shapely.Point(37.8, 46.95)  # no one withdraws from the sea
    assert not withdrawal.contains(azov_sea_off_mariupol)
    pullback = features["ru_pullback_zone"].shape
    assert shapely.covered_by(pullback, occupied.buffer(1e-6))
    assert shapely.covered_by(pullback, features["northeast"].shape.buffer(1e-6))


def test_geometry_file_resolves_relative_to_the_agreement(tmp_path: Path) -> None:
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "site.geojson").write_text(
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [34.5863, 47.5119]}}'
    )
    built = agreement_with(
        "  - {id: znpp, kind: site, file: shapes/site.geojson}\n", tmp_path
    )
    assert built.features["znpp"].shape.equals(shapely.Point(34.5863, 47.5119))
