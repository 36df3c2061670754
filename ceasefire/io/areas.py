"""Places for reports that name only an area: oblasts, a few cities, the country.

Sources like the Air Force's daily reports say "Odesa oblast and Mykolaiv
oblast" or "Kryvyi Rih", not coordinates. Such a report is placed at the
centroid of the named oblasts (bundled geoBoundaries ADM1; a point on their
surface if the centroid falls outside) with a radius that **covers** the
whole area from that point: the true place lies within it, as
``Location.precision_m`` promises. A city stands for its oblast (we ship
no gazetteer; the city name stays in the report). A report that names
nothing we can place gets the country, with the radius that covers Ukraine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from ceasefire.geo.boundaries import admin_units, country
from ceasefire.geo.crs import local_projection

# Spellings in English-language sources → the bundled ADM1 names.
OBLAST_SPELLINGS = {
    "odesa": "Odessa Oblast",
    "zaporizhzhia": "Zaporizhia Oblast",
    "zakarpattia": "Zakarpattia Oblast",
    "lutsk": "Volyn Oblast",  # "Lutsk oblast" in the reports: Volyn's capital
}
# Cities the reports name → their oblast (or Kyiv, a unit of its own).
CITY_OBLAST = {
    "kyiv": "Kyiv",
    "dnipro": "Dnipropetrovsk Oblast",
    "kryvyi rih": "Dnipropetrovsk Oblast",
    "kharkiv": "Kharkiv Oblast",
    "kherson": "Kherson Oblast",
    "kolomyia": "Ivano-Frankivsk Oblast",
    "kramatorsk": "Donetsk Oblast",
    "ochakiv": "Mykolaiv Oblast",
    "odesa": "Odessa Oblast",
    "starokostiantyniv": "Khmelnytskyi Oblast",
    "sumy": "Sumy Oblast",
    "zaporizhzhia": "Zaporizhia Oblast",
    "kremenchuk": "Poltava Oblast",
    "vinnytsia": "Vinnytsia Oblast",
    "snake island": "Odessa Oblast",
}


@dataclass(frozen=True)
class Area:
    """A centroid, a covering radius and the ADM1 units it was built from."""

    lon: float
    lat: float
    radius_m: float
    units: tuple[str, ...]
    """ADM1 names; empty for the whole country."""
    unplaced: tuple[str, ...]
    """Parts of the name that matched no oblast or city."""


def _oblasts() -> dict[str, str]:
    """Lower-case short names ("kyiv", "odessa") → ADM1 names."""
    names = {}
    for unit in admin_units(1):
        short = unit.name.removesuffix(" Oblast").lower()
        names[short] = unit.name
    return {**names, **OBLAST_SPELLINGS}


def unit_for(part: str) -> str | None:
    """The ADM1 name for one part like "Kyiv oblast (south)" or "Kryvyi Rih"."""
    text = re.sub(r"\(.*?\)", "", part).split(",")[0].strip().lower()
    if text.endswith(" oblast"):
        return _oblasts().get(text.removesuffix(" oblast").strip())
    return CITY_OBLAST.get(text)


def covering(geometry: shapely.Geometry) -> tuple[float, float, float]:
    """(lon, lat, radius in metres) of a centre inside and the farthest point.

    The centre is the centroid, or a point on the surface when the centroid
    falls outside (Odesa oblast curls round Transnistria).
    """
    centre = shapely.centroid(geometry)
    if not shapely.contains(geometry, centre):
        centre = shapely.point_on_surface(geometry)
    to_metres, _ = local_projection(geometry)
    hull = shapely.get_coordinates(shapely.convex_hull(geometry))
    far = to_metres(hull) - to_metres(shapely.get_coordinates(centre))
    radius = float(np.max(np.hypot(far[:, 0], far[:, 1])))
    return float(centre.x), float(centre.y), radius


def area_codes(placed: Area) -> list[str]:
    """The area as ``Location.area`` codes: the oblasts' ISO codes, or "UA"
    (the country) when any part of the name could not be placed: a report
    of "south and Odesa oblast" may be about any of the south."""
    if placed.unplaced or not placed.units:
        return ["UA"]
    iso = {unit.name: unit.iso for unit in admin_units(1)}
    return sorted(str(iso[name]) for name in placed.units)


@lru_cache(maxsize=1024)
def area(name: str, separator: str = " and ") -> Area:
    """The area a text like "Odesa oblast and Mykolaiv oblast" names."""
    parts = [p.strip() for p in name.split(separator) if p.strip()]
    found = {p: unit_for(p) for p in parts}
    units = tuple(sorted({u for u in found.values() if u is not None}))
    unplaced = tuple(p for p, u in found.items() if u is None)
    if units:
        by_name = {unit.name: unit.geometry for unit in admin_units(1)}
        geometry = shapely.union_all([by_name[u] for u in units])
    else:
        geometry = country()
    lon, lat, radius = covering(geometry)
    return Area(lon, lat, radius, units, unplaced)
