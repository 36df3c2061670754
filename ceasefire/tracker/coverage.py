"""Air-defence coverage: delivered systems by city, drawn with nominal ranges.

A delivery counts when it is military, ``delivered``, names a city we place
(``CITIES``) as its destination and an item whose name contains a system in
``RANGES_KM``. Ranges are *nominal* published engagement ranges of the
system's common interceptor against aircraft/cruise missiles (manufacturers'
and ministries' public figures); real coverage is smaller against ballistic
missiles and low-flying drones, and depends on radar horizon and terrain —
the map shows a claim, not a guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ceasefire.model.tracker import DeliveryBody

RANGES_KM = {
    "Patriot": 100.0,  # PAC-2 GEM-T; PAC-3 MSE ≈ 35 km against ballistic missiles
    "SAMP/T": 100.0,  # Aster 30
    "IRIS-T SLM": 40.0,
    "NASAMS": 30.0,  # AIM-120 AMRAAM
    "Hawk": 40.0,
    "Crotale": 15.0,
    "Gepard": 5.5,
}
CITIES = {
    "Kyiv": (30.5234, 50.4501), "Kharkiv": (36.2304, 49.9935),
    "Dnipro": (35.0462, 48.4647), "Odesa": (30.7233, 46.4825),
    "Zaporizhzhia": (35.1396, 47.8388), "Lviv": (24.0297, 49.8397),
    "Mykolaiv": (31.9946, 46.9750), "Sumy": (34.7981, 50.9077),
}  # fmt: skip
"""City → (lon, lat) of its centre (OpenStreetMap place nodes, rounded)."""


@dataclass(frozen=True)
class Site:
    """Systems of one kind delivered to one city."""

    city: str
    lon: float
    lat: float
    system: str
    count: float
    range_km: float
    first_delivered: date | None

    def to_json(self) -> dict[str, Any]:
        """GeoJSON feature of the site (a point; the client draws the range)."""
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": {
                "city": self.city, "system": self.system, "count": self.count,
                "range_km": self.range_km,
                "first_delivered": self.first_delivered.isoformat() if self.first_delivered else None,
            },
        }  # fmt: skip


def system_of(item: str | None) -> str | None:
    """The air-defence system an item names, if any."""
    for system in RANGES_KM:
        if item and system.lower() in item.lower():
            return system
    return None


def sites(deliveries: list[DeliveryBody], as_of: date) -> list[Site]:
    """Delivered air-defence systems by city, as of a day."""
    found: dict[tuple[str, str], list[DeliveryBody]] = {}
    for row in deliveries:
        system = system_of(row.item)
        if row.stage != "delivered" or system is None or row.destination not in CITIES:
            continue
        if row.on is not None and row.on > as_of:
            continue
        found.setdefault((row.destination, system), []).append(row)
    result = []
    for (city, system), rows in sorted(found.items()):
        lon, lat = CITIES[city]
        days = [r.on for r in rows if r.on is not None]
        count = sum(r.quantity or 1 for r in rows)
        result.append(
            Site(
                city,
                lon,
                lat,
                system,
                count,
                RANGES_KM[system],
                min(days) if days else None,
            )
        )
    return result
