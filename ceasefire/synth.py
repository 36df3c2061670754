"""Seeded synthetic reports, for scale benchmarks and durability tests only.

Real data is for correctness; this is for volume. Reports fall along the
2015–22 line of contact (a rough polyline) with realistic mixes of event
types, sources and weapons; the same seed gives the same reports.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, overload

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
    for data in report_dicts(count, seed, start):
        yield Report.model_validate(data)


def report_dicts(
    count: int, seed: int = 2015, start: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The same reports as ``reports`` as plain dicts (datetimes not yet text)."""
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
        yield data


# ------------------------------------------------------------ columnar, at scale


class SyntheticIds(Sequence[str]):
    """``prefix-0``, ``prefix-1`` …, made on demand (10 M strings cost 1 GB)."""

    def __init__(self, prefix: str, size: int) -> None:
        self.prefix = prefix
        self.size = size

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.size))]
        if not -self.size <= index < self.size:
            raise IndexError(index)
        return f"{self.prefix}-{index % self.size}"


def incident_columns(
    line: Any,
    count: int,
    *,
    seed: int = 2025,
    start: datetime | None = None,
    days: float = 180.0,
    spread_km: float = 40.0,
    sites: Sequence[tuple[float, float]] = (),
) -> Any:
    """``count`` seeded incidents as compliance Facts, without any Report objects.

    Points fall along ``line`` (a shapely line in lon/lat, e.g. an agreement's
    freeze line) with normal offsets of ``spread_km`` (so about a third lie
    beyond it), a share around ``sites``; times are uniform over ``days``
    from ``start``, so clauses that enter into force later see both sides of
    their windows. Event, weapon, target and personnel mixes are chosen so
    that every clause of the Alaska example has work to do.
    """
    import numpy as np
    import shapely

    from ceasefire.compliance.facts import (
        FIXED_VOCABULARIES,
        NUMERIC,
        Column,
        Facts,
    )

    rng = np.random.default_rng(seed)
    moment = start or datetime(2025, 9, 1, tzinfo=UTC)
    vertices = shapely.get_coordinates(line)  # parts end to end: good enough
    steps = np.hypot(*np.diff(vertices, axis=0).T)
    cumulative = np.concatenate([[0.0], np.cumsum(steps)])
    along = rng.random(count) * cumulative[-1]
    base_lon = np.interp(along, cumulative, vertices[:, 0])
    base_lat = np.interp(along, cumulative, vertices[:, 1])
    east, north = rng.normal(0, spread_km, (2, count))
    lon = base_lon + east / (111.32 * np.cos(np.radians(base_lat)))
    lat = base_lat + north / 110.57
    if sites:
        near = rng.random(count) < 0.02
        pick = rng.integers(0, len(sites), count)
        site = np.asarray(sites)[pick]
        lon = np.where(near, site[:, 0] + rng.normal(0, 0.05, count), lon)
        lat = np.where(near, site[:, 1] + rng.normal(0, 0.05, count), lat)
    earliest = moment.timestamp() + rng.random(count) * days * 86_400
    precision_s = rng.choice(
        np.asarray([60.0, 3_600.0, 86_400.0]), count, p=[0.7, 0.2, 0.1]
    )

    def codes(name: str, values: Sequence[str], weights: Sequence[float]) -> Any:
        vocabulary = FIXED_VOCABULARIES[name]
        index = np.asarray([vocabulary.index(v) for v in values], np.int32)
        p = np.asarray(weights, float)
        return index[rng.choice(len(values), count, p=p / p.sum())]

    event = codes(
        "event_type",
        ["shelling", "small_arms", "heavy_weapon_present", "drone_strike", "drone_flight",
         "troop_presence", "missile_strike", "ground_assault", "movement_restricted",
         "explosion"],
        [30, 15, 15, 8, 8, 5, 5, 5, 4, 5],
    )  # fmt: skip
    armed = rng.random(count) < 0.6
    weapon_class = np.where(
        armed,
        codes(
            "weapon.class",
            ["artillery", "mortar", "mlrs", "tactical_missile", "uav", "loitering_munition", "tank", "small_arms"],
            [30, 20, 10, 3, 15, 7, 10, 5],
        ),
        -1,
    ).astype(np.int32)  # fmt: skip
    calibre = np.where(
        armed, rng.choice([82.0, 120.0, 122.0, 152.0, 203.0], count), np.nan
    )
    range_km = np.where(
        armed, rng.choice([20.0, 40.0, 70.0, 90.0, 300.0], count), np.nan
    )
    target = np.where(
        rng.random(count) < 0.4,
        codes("target.category", ["residential", "power", "military", "transport", "health"], [3, 2, 3, 1, 1]),
        -1,
    ).astype(np.int32)  # fmt: skip
    personnel = np.where(
        rng.random(count) < 0.1,
        codes("personnel.category", ["combat_unit", "trainer", "liaison_officer", "embassy_guard", "contractor"], [4, 2, 1, 1, 2]),
        -1,
    ).astype(np.int32)  # fmt: skip
    state = codes("state", ["reported", "corroborated", "verified"], [0.7, 0.2, 0.1])
    numeric = {name: np.full(count, np.nan) for name in NUMERIC}
    numeric["weapon.calibre_mm"] = calibre
    numeric["weapon.range_km"] = range_km
    numeric["weapon.count"] = np.where(armed, rng.integers(1, 5, count), np.nan)
    categorical = {
        "event_type": Column(event, FIXED_VOCABULARIES["event_type"]),
        "weapon.class": Column(weapon_class, FIXED_VOCABULARIES["weapon.class"]),
        "target.category": Column(target, FIXED_VOCABULARIES["target.category"]),
        "personnel.category": Column(personnel, FIXED_VOCABULARIES["personnel.category"]),
        "source.type": Column(
            rng.integers(0, len(FIXED_VOCABULARIES["source.type"]), count, dtype=np.int32),
            FIXED_VOCABULARIES["source.type"],
        ),
        "state": Column(state, FIXED_VOCABULARIES["state"]),
        "party": Column(rng.integers(-1, 2, count, dtype=np.int32), ("ua", "ru")),
        "weapon.model": Column(np.full(count, -1, np.int32), ()),
        "personnel.nationality": Column(np.full(count, -1, np.int32), ()),
    }  # fmt: skip
    return Facts(
        incident=SyntheticIds(f"synth-{seed}", count),
        source_id=SyntheticIds(f"src-{seed}", count),
        lon=lon,
        lat=lat,
        precision_km=rng.choice(np.asarray([0.1, 0.5, 2.0]), count, p=[0.5, 0.3, 0.2]),
        earliest=earliest,
        latest=earliest + precision_s - 1,
        categorical=categorical,
        numeric=numeric,
        sources=rng.integers(1, 4, count, dtype=np.int32),
        reliability=rng.integers(1, 7, count, dtype=np.int8),
        credibility=rng.integers(1, 7, count, dtype=np.int8),
        joint=rng.random(count) < 0.05,
    )


# ------------------------------------------------------------ events, several sources

SEEN_AS = {
    "shelling": ["shelling", "shelling", "explosion"],
    "small_arms": ["small_arms", "small_arms", "armed_clash"],
    "drone_strike": ["drone_strike", "explosion"],
    "heavy_weapon_present": ["heavy_weapon_present"],
    "drone_flight": ["drone_flight"],
}
"""How sources name one event: a strike heard as an explosion, a clash as fighting."""


def event_report_dicts(
    count: int, seed: int = 18, start: datetime | None = None, days: float = 365.0
) -> Iterator[dict[str, Any]]:
    """``count`` reports of events along the contact line, each seen by 1–4 sources.

    For clustering at scale: a report lies within ~300 m and 20 minutes of
    its event; 1.5 % are placed at a 30 km oblast centroid, 1.5 % dated to the
    day only, 1 % to the hour; sources are drawn from 2,000 (so one source may
    report two nearby events). Reports come in event order, times over ``days``.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    moment = start or datetime(2015, 3, 1, tzinfo=UTC)
    kinds = list(SEEN_AS)
    made = 0
    while made < count:
        lon, lat = _point(rng)
        at = moment + timedelta(seconds=rng.random() * days * 86_400)
        kind = rng.choice(kinds)
        for _ in range(rng.choices([1, 2, 3, 4], [45, 30, 15, 10])[0]):
            if made == count:
                break
            yield _seen(rng, seed, made, lon, lat, at, rng.choice(SEEN_AS[kind]))
            made += 1


def _seen(
    rng: random.Random,
    seed: int,
    number: int,
    lon: float,
    lat: float,
    at: datetime,
    event: str,
) -> dict[str, Any]:
    """One source's report of an event at (lon, lat) and ``at``."""
    east, north = rng.gauss(0, 300), rng.gauss(0, 300)
    observed = at + timedelta(seconds=rng.random() * 1_200)
    place = {
        "lon": round(lon + east / (111_195 * 0.66), 5),
        "lat": round(lat + north / 111_195, 5),
        "precision_m": 100.0,
    }
    precision, vague = "minute", rng.random()
    if vague < 0.015:  # an oblast centroid: the nearest half degree
        place = {
            "lon": round(lon * 2) / 2,
            "lat": round(lat * 2) / 2,
            "precision_m": 30_000.0,
        }
    elif vague < 0.03:
        precision = "day"
        observed = observed.replace(hour=0, minute=0, second=0, microsecond=0)
    elif vague < 0.04:
        precision = "hour"
        observed = observed.replace(minute=0, second=0, microsecond=0)
    else:
        observed = observed.replace(second=0, microsecond=0)
    source = rng.randrange(2_000)
    return {
        "id": new_id(int(observed.timestamp() * 1000), f"{seed}:{number}".encode()),
        "source_report_id": f"events-{seed}-{number}",
        "source": {
            "type": SOURCES[source % len(SOURCES)],
            "id": f"source-{source}",
            "reliability": "ABCDEF"[source % 6],
            "credibility": 1 + source % 6,
        },
        "observed": {"start": observed, "precision": precision},
        "reported_at": observed + timedelta(hours=1),
        "location": place,
        "event_type": event,
        "narrative": f"Synthetic report {number} of an event.",
    }
