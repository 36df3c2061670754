"""Plausibility checks every imported row passes, whatever its format.

A row can be well-formed and still wrong. Two mistakes are common in the
field's data and cheap to catch:

- **a date in the future**: an event observed after the moment of import
  cannot have been observed yet (a typo in the year, or day and month read
  the wrong way round). Quarantined, naming the date and the import time.
- **latitude and longitude swapped**: for a format that only covers the war
  in Ukraine, a point outside Ukraine whose swapped twin lies inside it was
  written the wrong way round. Quarantined, naming both readings. Formats
  with worldwide coverage (UCDP, ACLED) are not checked: there, a swapped
  point is often a real place elsewhere (Baghdad swapped lands in Crimea).

Points outside Ukraine are otherwise kept: CIR and Bellingcat record strikes
inside Russia too.
"""

from __future__ import annotations

from datetime import datetime

from ceasefire.io.base import RowError

UKRAINE = (22.1, 44.3, 40.3, 52.4)
"""Ukraine's bounding box with Crimea: min lon, min lat, max lon, max lat."""

SCOPES: dict[str, tuple[float, float, float, float]] = {
    "cir": UKRAINE,
    "alerts": UKRAINE,
    "bellingcat": UKRAINE,
    "bellingcat-timemap": UKRAINE,
    "corridors": UKRAINE,
}
"""Formats that only cover Ukraine, by importer name (add yours)."""


def _inside(box: tuple[float, float, float, float], lon: float, lat: float) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def implausible(
    format_name: str, lon: float, lat: float, start: datetime, now: datetime
) -> RowError | None:
    """Why a mapped row cannot be right, or None."""
    if start > now:
        return RowError(
            "observed.start",
            start.isoformat(),
            f"in the future; expected a time before the import ({now.isoformat(timespec='seconds')})",
        )
    box = SCOPES.get(format_name)
    if box is not None and not _inside(box, lon, lat) and _inside(box, lat, lon):
        return RowError(
            "location",
            f"lat {lat:g}, lon {lon:g}",
            f"latitude and longitude look swapped: lat {lat:g}, lon {lon:g} is"
            f" outside Ukraine but lat {lon:g}, lon {lat:g} is inside; expected"
            f" latitude {box[1]:g} to {box[3]:g} and longitude {box[0]:g} to {box[2]:g}",
        )
    return None
