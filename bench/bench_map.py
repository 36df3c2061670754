"""Benchmark the web map with 100,000 incidents in headless Chromium (issue 8: < 2 s).

Measured: the time from navigation to the incidents layer reporting drawn
(``window.ceasefire.incidentsAtMs``), split into fetching the GeoJSON pages
from the real API over HTTP, building the columns, and drawing.

Peer, in the same browser over the same features: Leaflet's own way of
drawing many points, one ``L.circleMarker`` per incident on an ``L.canvas``
renderer (``preferCanvas``), timed from the features in memory to the first
frame, against our typed-array canvas layer's columns + first draw.

Data: seeded synthetic reports along the 2015–22 line of contact
(ceasefire/synth.py), logged in a SQLite store that is cached between runs.

Run: .venv/bin/python bench/bench_map.py [--count 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports
from ceasefire.web.testing import browser, offline_page, serve

REPO = Path(__file__).resolve().parent.parent
MINSK = REPO / "examples/minsk-ii.yaml"

PEER = """async () => {
    const features = [];
    let cursor = null;
    do {
        const q = new URLSearchParams({limit: '10000', agreement: 'minsk-ii'});
        if (cursor) q.set('cursor', cursor);
        const page = await (await fetch('/api/incidents.geojson?' + q)).json();
        features.push(...page.features);
        cursor = page.next;
    } while (cursor);
    const box = document.createElement('div');
    box.style.cssText = 'position:fixed;inset:0;z-index:9999';
    document.body.append(box);
    const map = L.map(box, {preferCanvas: true}).fitBounds([[46.8, 36.8], [49.2, 40.4]]);
    const started = performance.now();
    const renderer = L.canvas();
    for (const f of features) {
        const [lon, lat] = f.geometry.coordinates;
        L.circleMarker([lat, lon], {renderer, radius: 3.5, weight: 0, fillOpacity: 0.8}).addTo(map);
    }
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return {n: features.length, ms: performance.now() - started};
}"""

OURS_DRAW = """() => {
    const r = window.ceasefire;
    return {n: r.incidentsShown, fetched: r.fetchedAtMs, columns: r.columnsAtMs - r.fetchedAtMs,
            drawn: r.incidentsAtMs, draw: r.incidentsAtMs - r.columnsAtMs, redraw: r.lastDrawMs};
}"""


def build(path: Path, count: int) -> None:
    if path.exists():
        return
    started = time.perf_counter()
    with SQLiteStore(path) as store:
        Log(store).append_reports(reports(count, seed=2015))
    print(
        f"built {path} with {count:,} reports in {time.perf_counter() - started:.1f} s"
    )


def pan_redraw(page: object) -> float:
    """Mean time of 10 redraws after a pan (what a user feels when moving the map)."""
    return float(
        page.evaluate(  # type: ignore[attr-defined]
            """async () => {
            const {map, layer} = window.ceasefire;
            const times = [];
            for (let i = 0; i < 10; i++) {
                const done = new Promise((ok) => layer.once('drawn', (s) => ok(s.ms)));
                map.panBy([i % 2 ? 40 : -40, 0], {animate: false});
                times.push(await done);
            }
            return times.reduce((a, b) => a + b) / times.length;
        }"""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db or Path(tempfile.gettempdir()) / f"ceasefire-bench-map-{args.count}.db"
    build(db, args.count)
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")

    totals, fetches, draws, redraws, peers, columns = [], [], [], [], [], []
    with serve(f"sqlite:///{db}", [MINSK], {}) as base, browser() as chromium:
        for run in range(args.runs):
            outside: list[str] = []
            page = offline_page(chromium, base, outside)
            page.goto(f"{base}/?agreement=minsk-ii")
            page.wait_for_function(
                "window.ceasefire && window.ceasefire.incidentsAtMs", timeout=120_000
            )
            ours = page.evaluate(OURS_DRAW)
            assert ours["n"] == args.count, ours
            assert not outside, outside
            redraw = pan_redraw(page)
            peer = page.evaluate(PEER)
            assert peer["n"] == args.count
            totals.append(ours["drawn"] / 1000)
            fetches.append(ours["fetched"] / 1000)
            columns.append(ours["columns"])
            draws.append(ours["draw"])
            redraws.append(redraw)
            peers.append(peer["ms"])
            print(
                f"run {run + 1}: navigation → drawn {ours['drawn'] / 1000:.2f} s"
                f" (fetched at {ours['fetched'] / 1000:.2f} s; columns {ours['columns']:.0f} ms;"
                f" first draw {ours['draw']:.0f} ms; pan redraw {redraw:.0f} ms)"
                f" | peer L.circleMarker on L.canvas: {peer['ms']:.0f} ms"
            )
            page.context.close()
    ours_build = [c + d for c, d in zip(columns, draws, strict=True)]
    print(f"\n{args.count:,} incidents, median of {args.runs}:")
    print(
        f"  navigation → incidents drawn: {statistics.median(totals):.2f} s (range {min(totals):.2f}–{max(totals):.2f})"
    )
    print(f"  of which API pages fetched by: {statistics.median(fetches):.2f} s")
    print(
        f"  ours, columns + first draw: {statistics.median(ours_build):.0f} ms; pan redraw {statistics.median(redraws):.0f} ms"
    )
    print(
        f"  peer, L.circleMarker × n on L.canvas to first frame: {statistics.median(peers):.0f} ms"
    )
    print(
        f"  ratio peer / ours (draw from features in memory): {statistics.median(peers) / statistics.median(ours_build):.1f}×"
    )
    print(f"  load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
