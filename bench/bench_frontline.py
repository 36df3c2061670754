"""Benchmark `ceasefire frontline` on DeepState's 769 daily maps (issue 13).

Targets: front-line change for all 769 days in under 60 s on 2 cores;
incremental, one new day in under 1 s.

Ours: the 769 daily maps imported once into SQLite (content-addressed polygons,
not timed as part of the target), then, from cold caches, everything the
command does: read the observations back, decode each distinct polygon once,
and for every day compute both parties' gains against the 2025-08-15 baseline
within the territory, per zone of the Alaska terms (6 zones), with noise
labelling. Incremental: with that state built, one more day's map logged and
its change computed (read + decode + compare).

Peer, in the same run: plain shapely per day from the raw file's geometries,
already parsed: ``difference`` both ways, ``intersection`` with the territory,
and pyproj.Geod area of the result (no zones).

Run: .venv/bin/python bench/bench_frontline.py [--days 769]
"""

from __future__ import annotations

import argparse
import gzip
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import orjson
import shapely
import shapely.affinity
from pyproj import Geod

from ceasefire.agreement.load import load
from ceasefire.control import blobs, held
from ceasefire.control.observe import DayMap, Layer, append_maps, observations
from ceasefire.control.run import changes, frontline
from ceasefire.geo import boundaries
from ceasefire.io.deepstate_daily import IMPORTER
from ceasefire.io.intake import import_file
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("CEASEFIRE_SHARED_DATA", REPO.parent / "shared" / "data"))
DAILY = (
    DATA
    / "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
ALASKA = REPO / "examples" / "alaska-terms.yaml"
GEOD = Geod(ellps="WGS84")


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peer(
    days: list[tuple[str, shapely.Geometry]], base: shapely.Geometry
) -> tuple[float, float]:
    """Plain shapely difference + territory intersection + Geod area per day:
    (wall, CPU) seconds."""
    territory = boundaries.country()
    started, cpu = time.perf_counter(), time.process_time()
    for _, shape in days:
        for diff in (shapely.difference(shape, base), shapely.difference(base, shape)):
            cut = shapely.intersection(diff, territory)
            GEOD.geometry_area_perimeter(
                shapely.geometry.polygon.orient(cut)
                if cut.geom_type == "Polygon"
                else cut
            )
    return time.perf_counter() - started, time.process_time() - cpu


def raw_days() -> list[tuple[str, shapely.Geometry]]:
    found = []
    with gzip.open(DAILY, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = line.strip().rstrip(",")
            if text.startswith('{"type":"Feature"'):
                feature = orjson.loads(text)
                found.append(
                    (
                        feature["properties"]["date"],
                        shapely.from_geojson(orjson.dumps(feature["geometry"])),
                    )
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=769)
    args = parser.parse_args()
    agreement = load(ALASKA)
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "m.db")
        log = Log(store)
        started = time.perf_counter()
        summary = import_file(log, DAILY, IMPORTER)
        print(
            f"import: {summary} in {time.perf_counter() - started:.1f} s (load {load_avg()})"
        )
        blobs._DECODED.clear()
        held._HELD.clear()
        ours_wall, cpu = time.perf_counter(), time.process_time()
        compare, observed = frontline(agreement, store, "deepstate")
        found = [
            compare.change(o.observed_on, "deepstate", held.held_area(store, o))
            for o in observed[: args.days]
        ]
        ours_wall, cpu = time.perf_counter() - ours_wall, time.process_time() - cpu
        print(
            f"ours: {len(found)} days in {ours_wall:.1f} s wall, {cpu:.1f} s CPU (load {load_avg()})"
        )
        last = found[-1]
        print(
            f"  last day {last.day}: "
            + ", ".join(f"{p} {g.km2:.2f} km²" for p, g in last.gains.items())
        )
        newest = raw_days()
        # incremental: a new day's map (the last map moved by a hair: every ring new)
        moved = shapely.affinity.translate(newest[-1][1], xoff=1e-5)
        new_day = DayMap(
            "deepstate",
            date(2026, 8, 23),
            "bench",
            None,
            [Layer("held", "russia", "bench", list(shapely.get_parts(moved)))],
        )
        wall = time.perf_counter()
        append_maps(log, [new_day])
        fresh = observations(store, "deepstate")[-1]
        change = compare.change(
            fresh.observed_on, "deepstate", held.held_area(store, fresh)
        )
        incremental = time.perf_counter() - wall
        print(
            f"incremental, state kept (log the day, read it back, compare): {incremental:.3f} s; "
            f"{change.day}: "
            + ", ".join(f"{p} {g.km2:.2f} km²" for p, g in change.gains.items())
        )
        wall = time.perf_counter()
        list(changes(agreement, store, "deepstate", since=new_day.day))
        print(
            f"incremental, cold command state (rebuild baseline, tiles, read log): {time.perf_counter() - wall:.2f} s (load {load_avg()})"
        )
        base = dict(newest)["2025-08-15"]
        peer_wall, peer_cpu = peer(newest[: args.days], base)
        print(
            f"peer (plain shapely difference + intersection + Geod area): {len(newest[: args.days])} days in {peer_wall:.1f} s wall, {peer_cpu:.1f} s CPU (load {load_avg()})"
        )
        print(
            f"ratio ours/peer: wall {ours_wall / peer_wall:.2f}, CPU {cpu / peer_cpu:.2f}"
        )


if __name__ == "__main__":
    main()
