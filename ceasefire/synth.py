"""Seeded synthetic reports, for scale benchmarks and durability tests only.

Real data is for correctness; this is for volume. Reports fall along the
2015–22 line of contact (a rough polyline) with realistic mixes of event
types, sources and weapons; the same seed gives the same reports.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ceasefire.model.report import Report, new_id

# Approximate 2015–22 line of contact, south to north (lon, lat).
CONTACT_LINE = [
    (37.87, 47.10),
    (37.60, 47.60),
    (37.75, 48.10),
    (38.05, 48.33),
    (38.55, 48.55),
    (39.45, 48.65),
    (39.90, 48.70),
]
EVENTS = (
    ["shelling"] * 6
    + ["small_arms"] * 3
    + ["explosion", "heavy_weapon_present", "movement_restricted", "drone_flight"]
)
SOURCES = [
    "monitor_patrol",
    "fixed_camera",
    "uav",
    "acoustic_sensor",
    "osint_item",
    "party_report",
]
WEAPONS = [
    ("artillery", "2S19 Msta-S", 152.0),
    ("artillery", "D-30", 122.0),
    ("mortar", "2B11", 120.0),
    ("mlrs", "BM-21 Grad", 122.0),
]


def _point(rng: random.Random) -> tuple[float, float]:
    i = rng.randrange(len(CONTACT_LINE) - 1)
    (x0, y0), (x1, y1) = CONTACT_LINE[i], CONTACT_LINE[i + 1]
    t = rng.random()
    return x0 + t * (x1 - x0) + rng.gauss(0, 0.08), y0 + t * (y1 - y0) + rng.gauss(
        0, 0.08
    )


def reports(
    count: int, seed: int = 2015, start: datetime | None = None
) -> Iterator[Report]:
    """``count`` synthetic reports, about one every 30 seconds from ``start``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    moment = start or datetime(2015, 3, 1, tzinfo=UTC)
    base_ms = int(moment.timestamp() * 1000)
    for number in range(count):
        lon, lat = _point(rng)
        observed = moment + timedelta(seconds=30 * number)
        event = rng.choice(EVENTS)
        data: dict[str, Any] = {
            "id": new_id(base_ms + number * 30_000),
            "source_report_id": f"synth-{seed}-{number}",
            "source": {
                "type": rng.choice(SOURCES),
                "id": f"source-{rng.randrange(40)}",
                "reliability": rng.choice("ABCDEF"),
                "credibility": rng.randint(1, 6),
            },
            "observed": {"start": observed, "precision": "minute"},
            "reported_at": observed + timedelta(hours=rng.randint(1, 12)),
            "location": {
                "lon": round(lon, 5),
                "lat": round(lat, 5),
                "precision_m": rng.choice([100.0, 500.0, 2000.0]),
            },
            "event_type": event,
            "attribution": {
                "party": rng.choice(["ua", "cadlr"]),
                "confidence": rng.choice(["low", "medium", "high"]),
            },
            "narrative": f"Synthetic report {number}.",
        }
        if event in ("shelling", "heavy_weapon_present"):
            kind, model, calibre = rng.choice(WEAPONS)
            data["weapon"] = {
                "class": kind,
                "model": model,
                "calibre_mm": calibre,
                "count": rng.randint(1, 4),
            }
        yield Report.model_validate(data)
