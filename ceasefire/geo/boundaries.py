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
    features = _read(f"ukr-adm{level}.geojson")
    geometries = shapely.from_geojson(
        [orjson.dumps(feature["geometry"]) for feature in features]
    )
    units = []
    for feature, geometry in zip(features, geometries, strict=True):
        props: dict[str, str] = feature["properties"]  # type: ignore[assignment]
        iso = props.get("iso") or None
        units.append(
            AdminUnit(level, props["name"], iso, props.get("oblast_iso", iso), geometry)
        )
    return tuple(units)


def _read(name: str) -> list[dict[str, object]]:
    raw = resources.files("ceasefire.data.boundaries").joinpath(name).read_bytes()
    features: list[dict[str, object]] = orjson.loads(raw)["features"]
    return features


@lru_cache(maxsize=1)
def land() -> shapely.Geometry:
    """Ukraine's land: the oblasts less the sea (inland water counts as land)."""
    geometries = [orjson.dumps(f["geometry"]) for f in _read("ukr-land.geojson")]
    return shapely.union_all(shapely.from_geojson(geometries))


@lru_cache(maxsize=1)
def country() -> shapely.Geometry:
    """Ukraine within its internationally recognised borders (union of ADM1)."""
    return shapely.union_all([unit.geometry for unit in admin_units(1)])
