"""ceasefire's own exchange formats: JSON Lines and GeoJSON, both lossless.

A report written by ``to_*`` and read by ``from_*`` is equal to the original,
so a mission can hand its reports to another mission, a party or an analyst
and get the same records back. GeoJSON keeps the whole report in the
feature's properties (nested, as GeoJSON allows) and its point as the geometry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ceasefire.model.report import Report


def _report_json(report: Report | dict[str, Any]) -> dict[str, Any]:
    if isinstance(report, Report):
        data: dict[str, Any] = orjson.loads(
            report.model_dump_json(by_alias=True, exclude_none=True)
        )
        return data
    return report


def to_jsonl(reports: Iterable[Report | dict[str, Any]], out: IO[bytes]) -> int:
    """Write one report per line; return how many."""
    count = 0
    for report in reports:
        out.write(orjson.dumps(_report_json(report)) + b"\n")
        count += 1
    return count


def from_jsonl(path: Path) -> Iterator[Report]:
    """Reports from a JSON Lines file written by ``to_jsonl``."""
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield Report.model_validate_json(line)


def to_geojson(reports: Iterable[Report | dict[str, Any]], out: IO[bytes]) -> int:
    """Write a FeatureCollection, one Point feature per report; return how many."""
    out.write(b'{"type":"FeatureCollection","features":[\n')
    count = 0
    for report in reports:
        data = _report_json(report)
        location = data["location"]
        feature = {
            "type": "Feature",
            "id": data["id"],
            "geometry": {
                "type": "Point",
                "coordinates": [location["lon"], location["lat"]],
            },
            "properties": data,
        }
        out.write((b",\n" if count else b"") + orjson.dumps(feature))
        count += 1
    out.write(b"\n]}\n")
    return count


def from_geojson(path: Path) -> Iterator[Report]:
    """Reports from a FeatureCollection written by ``to_geojson``."""
    collection = orjson.loads(path.read_bytes())
    for feature in collection.get("features", []):
        yield Report.model_validate(feature["properties"])


WRITERS = {".jsonl": to_jsonl, ".geojson": to_geojson}
READERS = {".jsonl": from_jsonl, ".geojson": from_geojson}
