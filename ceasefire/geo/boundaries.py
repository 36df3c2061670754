"""Bundled administrative boundaries (geoBoundaries ADM1 oblasts, ADM2 raions).

Simplified copies ship in ``ceasefire/data/boundaries`` (see DATA-LICENSE.md),
so agreements can name "Donetsk Oblast" or UA-14 with no download.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import orjson
import shapely


@dataclass(frozen=True)
class AdminUnit:
    """One oblast or raion."""

    level: int
    name: str
    iso: str | None
    oblast_iso: str | None
    geometry: shapely.Geometry


@lru_cache(maxsize=4)
def admin_units(level: int) -> tuple[AdminUnit, ...]:
    """All units of ``level`` (1 = oblasts, 2 = raions), in file order."""
    if level not in (1, 2):
        raise ValueError(f"admin level {level} is not bundled; expected 1 or 2")
    name = f"ukr-adm{level}.geojson"
    raw = resources.files("ceasefire.data.boundaries").joinpath(name).read_bytes()
    features = orjson.loads(raw)["features"]
    geometries = shapely.from_geojson(
        [orjson.dumps(feature["geometry"]) for feature in features]
    )
    units = []
    for feature, geometry in zip(features, geometries, strict=True):
        props = feature["properties"]
        iso = props.get("iso") or None
        units.append(
            AdminUnit(level, props["name"], iso, props.get("oblast_iso", iso), geometry)
        )
    return tuple(units)


@lru_cache(maxsize=1)
def country() -> shapely.Geometry:
    """Ukraine within its internationally recognised borders (union of ADM1)."""
    return shapely.union_all([unit.geometry for unit in admin_units(1)])
