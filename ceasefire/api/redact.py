"""What each role may see, for the API: thin adapters over ``ceasefire.model.redaction``.

The policy itself (one table of fields × roles) lives in the model layer so
that exports and reports obey the same rows; this module only adapts it to
the shapes the routes hand over.
"""

from __future__ import annotations

from typing import Any

from ceasefire.model import redaction
from ceasefire.model.redaction import (
    OPEN_SOURCE_TYPES,
    PUBLIC_GRID_DEG,
    Reader,
    actor_view,
    cell,
    cell_radius_m,
    centre,
    coarsen,
    protected,
    report_view,
    verdict_view,
)

__all__ = [
    "OPEN_SOURCE_TYPES", "PUBLIC_GRID_DEG", "actor_view", "cell", "cell_radius_m",
    "centre", "coarsen", "evidence_view", "place_view", "places_view", "protected",
    "report_view", "verdict_view",
]  # fmt: skip


def place_view(
    location: dict[str, Any], who: Reader, grid: float = PUBLIC_GRID_DEG
) -> tuple[float, float, float | None]:
    """(lon, lat, precision_m) as ``who`` may see them: coarsened for the public."""
    return redaction.place(
        location["lon"], location["lat"], location.get("precision_m"), who, grid
    )


def places_view(
    lon: list[float], lat: list[float], who: Reader, grid: float = PUBLIC_GRID_DEG
) -> tuple[list[float], list[float]]:
    """Columns of places as ``who`` may see them: ``place_view``'s lon and lat, for many."""
    if redaction.rule("place", who) != "cell":
        return lon, lat
    return redaction.coarse_columns(lon, grid), redaction.coarse_columns(lat, grid)


def evidence_view(
    body: dict[str, Any], who: Reader, report_protected: bool
) -> dict[str, Any]:
    """A logged evidence entry as ``who`` may see it: hashes always, custody for staff."""
    return redaction.evidence_view(body, who, not report_protected)
