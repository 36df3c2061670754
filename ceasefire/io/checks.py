"""Plausibility checks every imported row passes, whatever its format.

A row can be well-formed and still wrong. Two mistakes are common in the
field's data and cheap to catch:

- **a date in the future**: an event observed after the moment of import
  cannot have been observed yet (a typo in the year, or day and month read
  the wrong way round). Quarantined, naming the date and the import time.
- **latitude and longitude swapped**: for a format that only covers the war
  in Ukraine, a point outside Ukraine whose swapped twin lies inside it was
  written the wrong way round. Quarantined, naming both readings. Formats
  with worldwide coverage (UCDP, ACLED) are not checked: there, a swapped
  point is often a real place elsewhere (Baghdad swapped lands in Crimea).

- **the point 0,0** ("null island", in the Gulf of Guinea): the blank a
  tool writes for a missing place. Quarantined for every format (anything
  within 0.1° of it: there is only ocean there).
- **outside the declared country**: a row that says which country it is in
  (UCDP's, ACLED's and CIR's ``country`` column), or a file of a format that
  only covers Ukraine (``Importer.country``), whose point lies outside Ukraine by more
  than ``MARGIN_DEG`` (≈ 19–28 km: the 12-nautical-mile territorial sea and
  the simplified coastline). Quarantined naming the country and how far
  outside the point is. Rows declaring another country are not checked (no
  other country's borders are bundled); the Bellingcat files declare none,
  as they record strikes inside Russia too.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod
from shapely.ops import nearest_points

from ceasefire.geo.boundaries import country
from ceasefire.io.base import UKRAINE, Box, RowError

__all__ = ["UKRAINE"]  # the box is declared with the importer contract


def _inside(box: tuple[float, float, float, float], lon: float, lat: float) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def implausible(
    scope: Box | None, lon: float, lat: float, start: datetime, now: datetime
) -> RowError | None:
    """Why a mapped row cannot be right, or None.

    ``scope``: the importer's (``Importer.scope``), the box its points lie in.
    """
    if start > now:
        return RowError(
            "observed.start",
            start.isoformat(),
            f"in the future; expected a time before the import ({now.isoformat(timespec='seconds')})",
        )
    box = scope
    if box is not None and not _inside(box, lon, lat) and _inside(box, lat, lon):
        return RowError(
            "location",
            f"lat {lat:g}, lon {lon:g}",
            f"latitude and longitude look swapped: lat {lat:g}, lon {lon:g} is"
            f" outside Ukraine but lat {lon:g}, lon {lat:g} is inside; expected"
            f" latitude {box[1]:g} to {box[3]:g} and longitude {box[0]:g} to {box[2]:g}",
        )
    if abs(lon) < NULL_ISLAND_DEG and abs(lat) < NULL_ISLAND_DEG:
        return RowError(
            "location",
            f"lat {lat:g}, lon {lon:g}",
            "the point 0,0 (in the Gulf of Guinea), the blank a tool writes for a"
            " missing place; expected the event's own latitude and longitude",
        )
    return None


NULL_ISLAND_DEG = 0.1
MARGIN_DEG = 0.25
"""How far outside Ukraine's border a point of a row declaring Ukraine may lie."""
DECLARED: dict[str, str] = {"ukraine": "Ukraine", "ukrain": "Ukraine"} | {
    "crimea": "Ukraine",  # within Ukraine's internationally recognised borders
}
"""A row's country as written (lower case) → the country it declares."""


def declared_country(country: str | None, body: dict[str, Any]) -> str | None:
    """The country a row says it is in: its own ``country``, else its format's
    (``Importer.country``)."""
    written = str((body.get("properties") or {}).get("country") or "").strip()
    if written:
        return DECLARED.get(written.lower())
    return country


@lru_cache(maxsize=1)
def _ukraine_with_margin() -> shapely.Geometry:
    shape = shapely.simplify(country().buffer(MARGIN_DEG), 0.01)
    shapely.prepare(shape)
    return shape


def outside_ukraine(lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """For many points at once: True where a point is outside Ukraine's margin."""
    inside = np.asarray(shapely.contains_xy(_ukraine_with_margin(), lons, lats))
    outside: npt.NDArray[np.bool_] = np.logical_not(inside)
    return outside


def outside_country(lon: float, lat: float, written: str) -> RowError:
    """Why a point outside Ukraine cannot be right for a row declaring it."""
    point = shapely.Point(lon, lat)
    border = nearest_points(country(), point)[0]
    _, _, metres = Geod(ellps="WGS84").inv(lon, lat, border.x, border.y)
    return RowError(
        "location",
        f"lat {lat:g}, lon {lon:g}",
        f"outside Ukraine, the country the row declares; the point is"
        f" {metres / 1000:.0f} km beyond its border (country {written!r});"
        f" expected a point in Ukraine or within {MARGIN_DEG}° of it (check the"
        " coordinates or the country)",
    )
