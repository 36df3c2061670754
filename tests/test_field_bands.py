"""The band decider's cell bound (geo/field.py): checked against pyproj directly."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from ceasefire.geo.field import half_diagonal_km

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("size", [0.2, 0.05, 0.0025])
@pytest.mark.parametrize("lat", [0.1, 45.0, 48.5, 70.0, 88.0, -52.3])
def test_a_cells_half_diagonal_bounds_every_point_of_it(
    size: float, lat: float
) -> None:
    """Every point of a cell is within the bound of its centre, and the bound is
    tight (within 0.2 % + 1 m of the farthest point found)."""
    cx, cy = 30.0 + size / 2, lat
    edge = np.linspace(-size / 2, size / 2, 81)
    lon, la = np.meshgrid(cx + edge, cy + edge)
    far_m = GEOD.inv(
        np.full(lon.size, cx), np.full(lon.size, cy), lon.ravel(), la.ravel()
    )[2].max()
    bound_km = float(half_diagonal_km(size, np.array([cy]))[0])
    assert far_m / 1e3 <= bound_km
    assert bound_km <= (far_m * 1.002 + 1.0) / 1e3


def test_rows_are_bounded_each_by_their_own_latitude() -> None:
    lats = np.array([48.0, 10.0, 48.0, 60.0])
    bounds = half_diagonal_km(0.05, lats)
    assert bounds[0] == bounds[2]
    assert bounds[1] > bounds[0] > bounds[3]  # cells narrow towards the poles
