"""Export formats by name, and picking one from an output file's name.

Every writer takes reports (or logged report bodies) and a binary stream and
returns how many it wrote. ``.csv`` alone is our flat CSV; the field's
shapes are named by a second suffix (``reports.hxl.csv``,
``reports.acled.csv``) or by ``--format``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from ceasefire.io import acled, flat, geoparquet, hxl, native
from ceasefire.model.report import Report

Writer = Callable[[Iterable[Report | dict[str, Any]], IO[bytes]], int]

FORMATS: dict[str, Writer] = {
    "jsonl": native.to_jsonl,
    "geojson": native.to_geojson,
    "csv": flat.to_csv,
    "hxl": hxl.to_hxl,
    "acled": acled.to_acled,
    "geoparquet": geoparquet.to_geoparquet,
}
# Longest first: ``x.hxl.csv`` is HXL, not flat CSV.
SUFFIXES: tuple[tuple[str, str], ...] = (
    (".hxl.csv", "hxl"),
    (".acled.csv", "acled"),
    (".csv", "csv"),
    (".jsonl", "jsonl"),
    (".geojson", "geojson"),
    (".parquet", "geoparquet"),
)


def format_for(path: Path) -> str | None:
    """The format an output name asks for, or None."""
    name = path.name.lower()
    return next((fmt for suffix, fmt in SUFFIXES if name.endswith(suffix)), None)
