"""What each role may see of a report: the role boundaries of issue 8.

Mission staff and guarantors see reports whole. A party's liaison officer
never sees a protected source's identity (its id, name, what it derives from,
the descriptions and file names of its evidence, raw source properties). The
public sees no source identity at all, no free-text place names, and
locations coarsened to a grid.
"""

from __future__ import annotations

import math
from typing import Any

from ceasefire.api.auth import Principal

OPEN_SOURCE_TYPES = frozenset({"media", "osint_item"})
"""Source types that are published material: naming them exposes no one."""
PUBLIC_GRID_DEG = 0.1
"""The public map's grid, unless the app is told otherwise."""
_HIDDEN = "withheld"


def protected(body: dict[str, Any]) -> bool:
    """Whether the report's source must stay anonymous outside the mission.

    Patrols, sensors, imagery and party reports are protected; published
    media and open-source items are not, unless the report says
    ``properties.protected_source: true``.
    """
    flagged = bool((body.get("properties") or {}).get("protected_source"))
    return flagged or body["source"]["type"] not in OPEN_SOURCE_TYPES


def cell(value: float, grid: float) -> int:
    """The index of the grid cell ``value`` falls in."""
    return math.floor(value / grid)


def centre(index: int, grid: float) -> float:
    """The centre of grid cell ``index``."""
    return round((index + 0.5) * grid, 6)


def coarsen(value: float, grid: float) -> float:
    """The centre of the grid cell ``value`` falls in."""
    return centre(cell(value, grid), grid)


def _coarsen_all(values: list[float], grid: float) -> list[float]:
    # each cell's centre once: many points share few cells
    cells = [cell(value, grid) for value in values]
    centres = {index: centre(index, grid) for index in set(cells)}
    return list(map(centres.__getitem__, cells))


def cell_radius_m(lat: float, grid: float) -> float:
    """Half the diagonal of a grid cell at ``lat``, in metres (an upper bound)."""
    dy = grid * 111_320.0
    dx = grid * 111_320.0 * math.cos(math.radians(lat))
    return math.hypot(dx, dy) / 2


def place_view(
    location: dict[str, Any], who: Principal, grid: float = PUBLIC_GRID_DEG
) -> tuple[float, float, float | None]:
    """(lon, lat, precision_m) as ``who`` may see them: coarsened for the public."""
    lon, lat = location["lon"], location["lat"]
    precision = location.get("precision_m")
    if who.role != "public":
        return lon, lat, precision
    lat = coarsen(lat, grid)
    return coarsen(lon, grid), lat, max(float(precision or 0), cell_radius_m(lat, grid))


def places_view(
    lon: list[float], lat: list[float], who: Principal, grid: float = PUBLIC_GRID_DEG
) -> tuple[list[float], list[float]]:
    """Columns of places as ``who`` may see them: ``place_view``'s lon and lat, for many."""
    if who.role != "public":
        return lon, lat
    return _coarsen_all(lon, grid), _coarsen_all(lat, grid)


def _anonymous_source(source: dict[str, Any]) -> dict[str, Any]:
    kept = ("type", "reliability", "credibility")
    return {"id": _HIDDEN, **{k: source[k] for k in kept if k in source}}


def _bare_evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: e[k] for k in ("sha256", "media_type") if k in e} for e in items]


def report_view(
    body: dict[str, Any], who: Principal, grid: float = PUBLIC_GRID_DEG
) -> dict[str, Any]:
    """The report as ``who`` may see it (a new dict; ``body`` is untouched)."""
    if who.trusted:
        return body
    view = dict(body)
    if who.role == "public" or protected(body):
        view["source"] = _anonymous_source(body["source"])
        view["evidence"] = _bare_evidence(body.get("evidence") or [])
        view.pop("properties", None)
        view.pop("source_report_id", None)
    if who.role == "public":
        view.pop("narrative", None)
        location = body["location"]
        lat = coarsen(location["lat"], grid)
        view["location"] = {
            "lon": coarsen(location["lon"], grid),
            "lat": lat,
            "precision_m": max(
                float(location.get("precision_m", 0)), cell_radius_m(lat, grid)
            ),
            **{k: location[k] for k in ("admin1", "admin2") if k in location},
        }
    return view


def evidence_view(
    body: dict[str, Any], who: Principal, report_protected: bool
) -> dict[str, Any]:
    """A logged evidence entry as ``who`` may see it: hashes always, custody for staff."""
    if who.trusted:
        return body
    kept: dict[str, Any] = {
        k: body[k] for k in ("sha256", "size", "media_type") if k in body
    }
    if who.role != "public" and not report_protected:
        kept.update({k: body[k] for k in ("filename", "captured_at") if k in body})
    return kept


def actor_view(actor: str | None, who: Principal) -> str | None:
    """Who wrote an entry: named for the mission, a role for parties and the public.

    Actors named by people (a monitor, an importer) could identify a source,
    so outside the mission only role names and parties are shown.
    """
    if actor is None or who.trusted:
        return actor
    if actor in ("monitor", "analyst", "guarantor") or actor.startswith("party:"):
        return actor
    return "mission"
