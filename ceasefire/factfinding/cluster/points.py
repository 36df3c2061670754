"""Reports as arrays for clustering: places, time windows, sources, event types.

``points_from_bodies`` turns report bodies into ``Points`` (ECEF metres,
time windows, precision radii, source and event-type codes); ``Params`` is
the linking scale; ``COMPATIBLE`` says which event types may be one event.
The pair tests every pass shares (``linked``, ``window_gap``) are here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.errors import DetailedError
from ceasefire.factfinding.corroboration import organisation
from ceasefire.model.report import act_of
from ceasefire.model.vocabulary import EVENT_TYPES, PRECISION_SECONDS

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius: distances are chords on this sphere (≤ 0.3 % from the ellipsoid)."""

HARM = "harm"
"""How a report whose act the source did not name (``other``) but whose effects
it did (casualties, damage, a target hit) is matched: as the harm a strike or
clash caused. CIR's damage rows and Bellingcat's unnamed acts are such reports;
an air-raid alert (``other``, no effects) is not."""
MATCH_TYPES = (*EVENT_TYPES, HARM)

# Event types that may describe one event seen by different sources. A strike
# is reported as shelling by a patrol, an explosion by a sensor, civilian harm
# or damage by a hospital or OSINT; troop presence is never the same event as
# a strike.
FAMILIES: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "shelling",
            "explosion",
            "air_strike",
            "drone_strike",
            "missile_strike",
            "one_sided_attack",
            "mines_uxo",
            HARM,
        }
    ),  # fmt: skip
    frozenset(
        {"small_arms", "armed_clash", "ground_assault", "shelling", "explosion", HARM}
    ),
    frozenset({"troop_presence", "heavy_weapon_present", "weapon_missing"}),
    frozenset({"movement_restricted", "uav_jamming", "uav_fired_upon", "drone_flight"}),
)
TYPE_CODE = {name: code for code, name in enumerate(MATCH_TYPES)}
VAGUE_WINDOW_S = 90_000.0
"""A calendar day, 25 h on the day clocks go back: the longest window of a
report that may pair with another imprecise one by default."""


def _compatibility() -> NDArray[np.bool_]:
    table = np.eye(len(MATCH_TYPES), dtype=bool)
    for family in FAMILIES:
        codes = [TYPE_CODE[name] for name in family]
        table[np.ix_(codes, codes)] = True
    return table


COMPATIBLE = _compatibility()
"""COMPATIBLE[a, b]: event type codes a and b may be one event."""


def compatible(a: str, b: str) -> bool:
    """Whether event types ``a`` and ``b`` may describe one event."""
    return bool(COMPATIBLE[TYPE_CODE[a], TYPE_CODE[b]])


@dataclass(frozen=True)
class Params:
    """The linking scale of a clustering pass."""

    distance_m: float = 2_000.0
    time_s: float = 3_600.0
    min_sources: int = 2
    vague_window_s: float = VAGUE_WINDOW_S
    """The longest time window of an imprecise report that may pair with
    another imprecise one (0: never); see ``pair_vague``."""

    def __post_init__(self) -> None:
        if self.vague_window_s < 0:
            raise DetailedError(
                "the longest window of a vague pairing cannot be negative",
                value=self.vague_window_s,
                expected="vague_window_s ≥ 0 s (0 turns vague pairing off)",
            )
        if self.distance_m <= 0 or self.time_s < 0:
            raise DetailedError(
                "the linking distance must be positive and the time window not negative",
                value=(self.distance_m, self.time_s),
                expected="distance > 0 m, time ≥ 0 s",
            )
        if self.min_sources < 2:
            raise DetailedError(
                "an incident needs at least two sources to be more than one report",
                value=self.min_sources,
                expected="min_sources ≥ 2",
            )


@dataclass(frozen=True)
class Points:
    """Reports as arrays, one row per report in log order."""

    xyz: NDArray[np.float64]
    """(n, dims) coordinates in metres (ECEF from lon/lat, or planar)."""
    start: NDArray[np.float64]
    """Start of the time window, seconds since the epoch."""
    window: NDArray[np.float64]
    """Length of the time window in seconds (0 for a precise instant)."""
    radius: NDArray[np.float64]
    """Location precision radius in metres."""
    source: NDArray[np.int64]
    """Source code: equal codes never link."""
    kind: NDArray[np.int64]
    """Event type code (index into EVENT_TYPES)."""
    org: NDArray[np.int64] | None = None
    """Organisation code (None: each source its own organisation): two vague
    reports pair only across organisations."""

    def __post_init__(self) -> None:
        if self.org is None:
            object.__setattr__(self, "org", self.source)

    @property
    def orgs(self) -> NDArray[np.int64]:
        """Organisation codes, one per row."""
        assert self.org is not None  # set in __post_init__
        return self.org

    def __len__(self) -> int:
        return len(self.start)


def ecef(
    lon: Sequence[float] | NDArray[Any], lat: Sequence[float] | NDArray[Any]
) -> NDArray[np.float64]:
    """Points on the sphere in metres: chord length ≈ great-circle length at km scale."""
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_M * np.column_stack(
        [cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)]
    )


def points_from_bodies(bodies: Sequence[dict[str, Any]]) -> Points:
    """Points from report bodies (as stored in the log), in the given order."""
    n = len(bodies)
    lon = np.empty(n)
    lat = np.empty(n)
    start = np.empty(n)
    window = np.empty(n)
    radius = np.empty(n)
    kind = np.empty(n, dtype=np.int64)
    codes: dict[str, int] = {}
    org_codes: dict[str, int] = {}
    source = np.empty(n, dtype=np.int64)
    org = np.empty(n, dtype=np.int64)
    for i, body in enumerate(bodies):
        location = body["location"]
        observed = body["observed"]
        lon[i] = location["lon"]
        lat[i] = location["lat"]
        radius[i] = location.get("precision_m", 100.0)
        start[i], window[i] = time_window(observed)
        kind[i] = TYPE_CODE[match_type(body)]
        source_id = body["source"]["id"]
        source[i] = codes.setdefault(source_id, len(codes))
        org[i] = org_codes.setdefault(organisation(source_id), len(org_codes))
    return Points(ecef(lon, lat), start, window, radius, source, kind, org)


def match_type(body: dict[str, Any]) -> str:
    """The type a report is matched under: its act, or ``HARM`` (see there)."""
    act = act_of(body)
    if act != "other":
        return act
    casualties = body.get("casualties") or {}
    if body.get("damage") or body.get("target") or any(casualties.values()):
        return HARM
    return act


def time_window(observed: dict[str, Any]) -> tuple[float, float]:
    """(start, length) in seconds of an observation's time window.

    Without an end, the window is its precision unit less a second (a day
    report covers ``[D 00:00, D 23:59:59]``). With an end, the interval the
    source gave: an end that lies a unit past the start (a half-open
    ``[D, D+1)``) gives the same window as no end, less one second.
    """
    begin = datetime.fromisoformat(observed["start"]).timestamp()
    unit = float(PRECISION_SECONDS[observed.get("precision", "minute")] - 1)
    end = observed.get("end")
    if end is not None:  # a span: the window covers it
        unit = max(unit, datetime.fromisoformat(end).timestamp() - begin - 1)
    return begin, unit


def precise_mask(points: Points, params: Params) -> NDArray[np.bool_]:
    """Rows whose place and time are known within the linking scale."""
    return (points.radius <= params.distance_m) & (points.window <= params.time_s)


def time_scale(params: Params, max_window: float) -> float:
    """Metres per second that make the time tolerance as wide as the distance."""
    reach = params.time_s + max_window
    return params.distance_m / reach if reach > 0 else 1.0


def linked(
    points: Points,
    i: NDArray[np.int64],
    j: NDArray[np.int64],
    params: Params,
    widen: bool,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Which candidate pairs (i, j) are linked, and their centre distances."""
    distance = np.linalg.norm(points.xyz[i] - points.xyz[j], axis=1)
    reach = params.distance_m
    if widen:
        limit = reach + points.radius[i] + points.radius[j]
    else:
        limit = np.full(len(i), reach)
    a_start, b_start = points.start[i], points.start[j]
    a_end = a_start + points.window[i]
    b_end = b_start + points.window[j]
    gap = np.maximum(0.0, np.maximum(a_start, b_start) - np.minimum(a_end, b_end))
    ok = (
        (distance <= limit)
        & (gap <= params.time_s)
        & (points.source[i] != points.source[j])
        & COMPATIBLE[points.kind[i], points.kind[j]]
    )
    return ok, distance


def window_gap(
    points: Points, i: NDArray[np.int64], j: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Seconds between the time windows of rows i and j (0 where they overlap)."""
    a_end = points.start[i] + points.window[i]
    b_end = points.start[j] + points.window[j]
    later = np.maximum(points.start[i], points.start[j])
    gap: NDArray[np.float64] = np.maximum(0.0, later - np.minimum(a_end, b_end))
    return gap
