"""Write verdicts as JSON Lines, CSV or GeoJSON."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

import orjson

from ceasefire.model.verdict import Verdict

FORMATS = ("jsonl", "csv", "geojson")
CSV_COLUMNS = (
    "incident", "source_id", "clause", "verdict", "standard_met", "party",
    "perpetrator_established", "dyad", "observed_at", "lon", "lat", "admin1", "agreement_id", "agreement_version",
    "log_size", "log_root", "text", "reasons",
)  # fmt: skip


def write_jsonl(verdicts: Iterable[Verdict], out: IO[bytes]) -> int:
    """One verdict per line; return the count."""
    count = 0
    for verdict in verdicts:
        out.write(orjson.dumps(verdict.to_dict()) + b"\n")
        count += 1
    return count


def write_csv(verdicts: Iterable[Verdict], out: IO[str]) -> int:
    """One verdict per row; ``reasons`` is a JSON array in one cell."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for verdict in verdicts:
        data = verdict.to_dict()
        head = data.pop("log_head") or {}
        data["log_size"] = head.get("tree_size")
        data["log_root"] = head.get("root")
        data["reasons"] = orjson.dumps(data["reasons"]).decode()
        data["dyad"] = " vs ".join(data["dyad"])
        writer.writerow([data[c] for c in CSV_COLUMNS])
        count += 1
    return count


def write_geojson(verdicts: Iterable[Verdict], out: IO[bytes]) -> int:
    """A FeatureCollection of points, streamed (the whole file is one object)."""
    out.write(b'{"type":"FeatureCollection","features":[\n')
    count = 0
    for verdict in verdicts:
        properties = verdict.to_dict()
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [verdict.lon, verdict.lat]},
            "properties": properties,
        }
        out.write((b",\n" if count else b"") + orjson.dumps(feature))
        count += 1
    out.write(b"\n]}\n")
    return count
