"""Benchmark a distance-band clause on 1 M points against the real Alaska freeze line.

The clause: "≥100 mm within 25 km of the line". For every point we need the
exact geodesic distance when it is within the band, and a flag when its
precision radius straddles the 25 km edge (|d − 25| ≤ r). Points are seeded
uniform over Ukraine's bounding box; radii are mostly 100 m – 2 km
(log-uniform), 5 % are 25 km.

Peers, on the same points and the same line in the same run:
- DuckDB 1.5.5 spatial: ``JOIN segs ON ST_DWithin(p.g, s.g, 25 km)`` on
  projected data (the SPATIAL_JOIN operator), counting pairs, and the same
  join grouped per point with min(ST_Distance) (planar distances);
- PostGIS: the geometry ST_DWithin join points ⨝ segments with GIST indexes,
  and the geography ST_DWithin join (spheroid).
Our evaluation starts from lon/lat numpy arrays and ends with exact geodesic
distances for the band, the straddle flags and the breach candidates; the
measure's build (projection, index, distance field) is timed separately since
it is paid once per agreement.

Run: .venv/bin/python bench/bench_distance_band.py [--points 1000000] [--runs 3]
     [--no-postgres] [--no-duckdb]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

import ceasefire
from ceasefire.geo.measure import measure_for_feature
from ceasefire.geo.segments import Segments

REPO = Path(__file__).resolve().parent.parent
BAND_KM = 25.0
UKRAINE_BBOX = (22.14, 44.38, 40.23, 52.38)


def seeded_points(n: int, seed: int = 25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lon, lat uniform over Ukraine's bbox and a precision radius (km) per point."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = UKRAINE_BBOX
    lon = rng.uniform(minx, maxx, n)
    lat = rng.uniform(miny, maxy, n)
    radius = np.exp(rng.uniform(np.log(0.1), np.log(2.0), n))
    radius[rng.random(n) < 0.05] = 25.0
    return lon, lat, radius


CPU: dict[int, list[float]] = {}
"""CPU seconds of this process (all its threads) per timed run, by id of the
wall-time list: on a shared machine CPU time is steadier than wall time."""


def timed(runs: int, work: Callable[[], object]) -> tuple[list[float], object]:
    times: list[float] = []
    cpu: list[float] = []
    result = None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[id(times)] = cpu
    return times, result


def show(name: str, times: list[float], note: str = "") -> float:
    median = statistics.median(times)
    runs = ", ".join(f"{t:.3f}" for t in times)
    cpu = CPU.get(id(times))
    in_process = f" cpu {statistics.median(cpu):.3f} s" if cpu else ""
    print(f"{name:<52} median {median:7.3f} s  ({runs}){in_process} {note}")
    return median


def cpu_median(times: list[float]) -> float:
    return statistics.median(CPU[id(times)])


def evaluate(measure, lon, lat, radius):  # type: ignore[no-untyped-def]
    """The clause's geometry part: exact distance in band, straddle flag, breach."""
    d = measure.distance_km(lon, lat, within_km=BAND_KM + radius)
    straddle = np.abs(d - BAND_KM) <= radius
    breach = (d <= BAND_KM) & ~straddle
    band = np.flatnonzero(d <= BAND_KM)
    return band, d[band], np.flatnonzero(straddle), int(breach.sum())


def segments_xy(seg: Segments) -> np.ndarray:
    return np.column_stack([seg.ax, seg.ay, seg.bx, seg.by])


def duckdb_peer(x, y, segs, runs):  # type: ignore[no-untyped-def]
    import duckdb
    import duckdb_extension_spatial

    ext = Path(duckdb_extension_spatial.__file__).parent
    path = next(ext.glob("extensions/*/spatial.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{path}'")
    con.execute("SET threads = 2")
    con.register("pxy", {"id": np.arange(len(x)), "x": x, "y": y})
    con.execute("CREATE TABLE pts AS SELECT id, ST_Point(x, y) AS g FROM pxy")
    con.register(
        "sxy", {"x0": segs[:, 0], "y0": segs[:, 1], "x1": segs[:, 2], "y1": segs[:, 3]}
    )
    con.execute(
        "CREATE TABLE segs AS SELECT row_number() OVER () AS sid,"
        " ST_MakeLine(ST_Point(x0, y0), ST_Point(x1, y1)) AS g FROM sxy"
    )
    metres = BAND_KM * 1e3
    join = f"SELECT count(*) FROM pts p JOIN segs s ON ST_DWithin(p.g, s.g, {metres})"
    t_join, pairs = timed(runs, lambda: con.execute(join).fetchone())
    per_point = (
        "SELECT count(*) FROM (SELECT p.id, min(ST_Distance(p.g, s.g)) AS d"
        f" FROM pts p JOIN segs s ON ST_DWithin(p.g, s.g, {metres}) GROUP BY p.id)"
    )
    t_min, near = timed(runs, lambda: con.execute(per_point).fetchone())
    return t_join, pairs, t_min, near


def postgres_url() -> str:
    url = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL")
    if url:
        return url
    done = subprocess.run(
        [str(REPO / "scripts" / "test-postgres.sh"), "start"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def postgis_peer(lon, lat, x, y, segs, seg_lonlat, runs):  # type: ignore[no-untyped-def]
    import psycopg

    with psycopg.connect(postgres_url(), autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS bench_band CASCADE")
        con.execute("CREATE SCHEMA bench_band")
        con.execute("SET search_path = bench_band, public")
        con.execute(
            "CREATE TABLE pts (id int, lon float8, lat float8, x float8, y float8)"
        )
        buf = io.StringIO()
        np.savetxt(
            buf,
            np.column_stack([np.arange(len(x)), lon, lat, x, y]),
            fmt=["%d", "%.10f", "%.10f", "%.4f", "%.4f"],
            delimiter="\t",
        )
        with con.cursor().copy("COPY pts FROM STDIN") as copy:
            copy.write(buf.getvalue())
        con.execute(
            "ALTER TABLE pts ADD COLUMN g geometry(Point), ADD COLUMN geog geography(Point)"
        )
        con.execute(
            "UPDATE pts SET g = ST_Point(x, y),"
            " geog = ST_SetSRID(ST_Point(lon, lat), 4326)::geography"
        )
        con.execute(
            "CREATE TABLE segs (sid int, g geometry(LineString), geog geography)"
        )
        rows = [
            (i, *s, *q)
            for i, (s, q) in enumerate(
                zip(segs.tolist(), seg_lonlat.tolist(), strict=True)
            )
        ]
        with con.cursor() as cur:
            cur.executemany(
                "INSERT INTO segs VALUES (%s,"
                " ST_MakeLine(ST_Point(%s, %s), ST_Point(%s, %s)),"
                " ST_SetSRID(ST_MakeLine(ST_Point(%s, %s), ST_Point(%s, %s)), 4326)::geography)",
                rows,
            )
        for ddl in (
            "CREATE INDEX ON pts USING gist (g)",
            "CREATE INDEX ON pts USING gist (geog)",
            "CREATE INDEX ON segs USING gist (g)",
            "CREATE INDEX ON segs USING gist (geog)",
            "VACUUM ANALYZE pts",
            "VACUUM ANALYZE segs",
        ):
            con.execute(ddl)
        metres = BAND_KM * 1e3

        def query(sql: str) -> Callable[[], object]:
            return lambda: con.execute(sql).fetchone()

        geometry = timed(
            runs,
            query(
                "SELECT count(*) FROM pts p JOIN segs s"
                f" ON ST_DWithin(p.g, s.g, {metres})"
            ),
        )
        geography = timed(
            max(1, runs - 1),
            query(
                "SELECT count(*) FROM pts p JOIN segs s"
                f" ON ST_DWithin(p.geog, s.geog, {metres})"
            ),
        )
        for times, _ in (geometry, geography):  # the work is the server's, not ours
            CPU.pop(id(times))
        # independent check of our band (untimed): which points PostGIS's
        # spheroidal geography puts within 25 km
        rows = con.execute(
            "SELECT DISTINCT p.id FROM pts p JOIN segs s"
            f" ON ST_DWithin(p.geog, s.geog, {metres})"
        ).fetchall()
        con.execute("DROP SCHEMA bench_band CASCADE")
    return geometry, geography, np.array(sorted(r[0] for r in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-duckdb", action="store_true")
    args = parser.parse_args()

    agreement = ceasefire.load(REPO / "examples" / "alaska-terms.yaml")
    feature = agreement.features["freeze_line"]
    print(
        f"uptime: {os.getloadavg()}; line: {shapely.get_num_coordinates(feature.shape)} vertices"
    )
    lon, lat, radius = seeded_points(args.points)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    t_build, measure = timed(
        args.runs,
        lambda: measure_for_feature(feature, agreement.features).prepare(),
    )
    show("build: measure_for(freeze line) incl. distance field", t_build)
    measure.distance_km(
        lon[:10], lat[:10], within_km=1.0
    )  # warm up (first-call caches)
    t_eval, result = timed(args.runs, lambda: evaluate(measure, lon, lat, radius))
    band, dist, straddle, breaches = result  # type: ignore[misc]
    ours = show("ours: exact geodesic band + straddle flags, 1 call", t_eval)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  {len(band):,} points within {BAND_KM:g} km, {len(straddle):,} straddle,"
        f" {breaches:,} breach candidates; peak RSS {rss1 / 1024:.0f} MB"
        f" (+{(rss1 - rss0) / 1024:.0f} MB)"
    )

    seg = measure.segments  # type: ignore[attr-defined]
    x, y = seg.project(lon, lat)
    segs = segments_xy(seg)
    if not args.no_duckdb:
        t_join, pairs, t_min, near = duckdb_peer(x, y, segs, args.runs)
        duck = show(
            "DuckDB spatial: JOIN segs ON ST_DWithin (pairs)",
            t_join,
            f"{pairs[0]:,} pairs",
        )
        duck_min = show(
            "DuckDB spatial: same, min(ST_Distance) per point",
            t_min,
            f"{near[0]:,} points",
        )
        print(
            f"  ratio DuckDB join / ours: {duck / ours:.2f}×; DuckDB per-point / ours: {duck_min / ours:.2f}×"
            f"; in CPU seconds (DuckDB uses 2 threads): {cpu_median(t_join) / cpu_median(t_eval):.2f}×"
        )
    if not args.no_postgres:
        seg_lonlat = np.column_stack([seg.a_lonlat, seg.b_lonlat])
        (t_geom, n_geom), (t_geog, n_geog), pg_band = postgis_peer(
            lon, lat, x, y, segs, seg_lonlat, args.runs
        )
        pg = show(
            "PostGIS geometry ST_DWithin join (GIST)", t_geom, f"{n_geom[0]:,} pairs"
        )  # type: ignore[index]
        pg_geog = show(
            "PostGIS geography ST_DWithin join (GIST)", t_geog, f"{n_geog[0]:,} pairs"
        )  # type: ignore[index]
        print(
            f"  ratio PostGIS geometry / ours: {pg / ours:.1f}×; geography / ours: {pg_geog / ours:.1f}×"
        )
        same = np.array_equal(pg_band, band)
        print(
            f"  PostGIS geography puts {len(pg_band):,} points within {BAND_KM:g} km;"
            f" ours {len(band):,}: {'identical sets' if same else 'SETS DIFFER'}"
        )
        if not same:
            diff = np.setxor1d(pg_band, band)
            print(
                f"  differing points: {diff[:20]} (ours km: {np.round(measure.distance_km(lon[diff], lat[diff]), 6)[:20]})"
            )


if __name__ == "__main__":
    main()
