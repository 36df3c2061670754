"""Front-line change as JSON objects, GeoJSON features and table rows."""

from __future__ import annotations

from typing import Any

import shapely

from ceasefire.control.change import DayChange


def _km2(value: float) -> float:
    return round(value, 4)


def day_json(change: DayChange, noise_width_m: float) -> dict[str, Any]:
    """One day: gains per party, per zone, and net movement per zone.

    ``net_km2[zone][party]`` is what the party gained there minus what the
    other party gained there (positive: it moved forward).
    """
    parties = list(change.gains)
    zones = list(next(iter(change.gains.values())).by_zone) if parties else []
    by_zone = {z: {p: _km2(change.gains[p].by_zone[z]) for p in parties} for z in zones}
    total = {p: change.gains[p].km2 for p in parties}
    net = {
        z: {
            p: _km2(
                2 * change.gains[p].by_zone[z]
                - sum(change.gains[q].by_zone[z] for q in parties)
            )
            for p in parties
        }
        for z in ["all", *zones]
        if z != "all"
    }
    net["all"] = {p: _km2(2 * total[p] - sum(total.values())) for p in parties}
    return {
        "date": change.day.isoformat(),
        "baseline": change.baseline.isoformat(),
        "source": change.source,
        "gained_km2": {p: _km2(v) for p, v in total.items()},
        "noise_km2": {p: _km2(change.gains[p].noise_km2) for p in parties},
        "noise_width_m": noise_width_m,
        "by_zone": by_zone,
        "net_km2": net,
    }


def day_features(change: DayChange) -> list[dict[str, Any]]:
    """GeoJSON features: each party's polygons of change on the day."""
    return [
        {
            "type": "Feature",
            "properties": {
                "date": change.day.isoformat(),
                "baseline": change.baseline.isoformat(),
                "source": change.source,
                "party": party,
                "gained_km2": _km2(gain.km2),
                "noise_km2": _km2(gain.noise_km2),
            },
            "geometry": shapely.geometry.mapping(gain.shape),
        }
        for party, gain in change.gains.items()
    ]


def table_row(change: DayChange) -> list[str]:
    """date, baseline, then km² gained per party."""
    cells = [change.day.isoformat(), change.baseline.isoformat()]
    return cells + [f"{gain.km2:,.2f}" for gain in change.gains.values()]
