"""Benchmark the web map with 100,000 incidents in headless Chromium (issue 8: < 2 s).

Measured: the time from navigation to the incidents layer reporting every
incident drawn (``window.ceasefire.incidentsAtMs``); when the columnar answer
of /api/map/incidents arrived from the real API over HTTP; and the redraw
after a pan.

Peer for the transfer, in the same page: the same incidents fetched as the
map fetched them before, /api/incidents.geojson in pages of 10,000, against
one fetch of /api/map/incidents (both parsed by the browser).

Peer, in the same browser over the same 100,000 features in memory: Leaflet's
own way of drawing many points, one ``L.circleMarker`` per incident on an
``L.canvas`` renderer (``preferCanvas``), against our typed-array canvas layer
(columns + first frame).

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

DRAW_FROM_MEMORY = """async () => {
    // the same features for both: every page of the real API, fetched once
    const features = [];
    let cursor = null;
    const pagedStarted = performance.now();
    do {
        const q = new URLSearchParams({limit: '10000', agreement: 'minsk-ii'});
        if (cursor) q.set('cursor', cursor);
        const page = await (await fetch('/api/incidents.geojson?' + q)).json();
        features.push(...page.features);
        cursor = page.next;
    } while (cursor);
    const paged = performance.now() - pagedStarted;
    const columnsStarted = performance.now();
    const columns = await (await fetch('/api/map/incidents?agreement=minsk-ii')).json();
    const columnar = performance.now() - columnsStarted;
    if (columns.n !== features.length) throw new Error(`${columns.n} != ${features.length}`);
    const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const freshMap = () => {
        const box = document.createElement('div');
        box.style.cssText = 'position:fixed;inset:0;z-index:9999;background:#000';
        document.body.append(box);
        const map = L.map(box, {preferCanvas: true, zoomAnimation: false});
        map.createPane('incidents');
        return [box, map.fitBounds([[46.8, 36.8], [49.2, 40.4]])];
    };
    const {IncidentLayer, toColumns} = await import('/static/js/incident-layer.js');
    const draw = {
        ours: (map) => new IncidentLayer(toColumns(features)).addTo(map),
        peer: (map) => {
            const renderer = L.canvas();
            for (const f of features) {
                const [lon, lat] = f.geometry.coordinates;
                L.circleMarker([lat, lon], {renderer, radius: 3.5, weight: 0, fillOpacity: 0.8}).addTo(map);
            }
        },
    };
    // alternate twice and keep each method's best: a garbage collection of
    // the fetched JSON must not land on whichever method happens to go first
    const best = {ours: Infinity, peer: Infinity};
    for (const name of ['ours', 'peer', 'ours', 'peer']) {
        await frame();
        const [box, map] = freshMap();
        const started = performance.now();
        draw[name](map);
        await frame();
        best[name] = Math.min(best[name], performance.now() - started);
        map.remove();
        box.remove();
    }
    const {ours, peer} = best;
    return {n: features.length, ours, peer, paged, columnar};
}"""

OURS = """() => {
    const r = window.ceasefire;
    return {n: r.incidentsShown, fetched: r.fetchedAtMs,
            drawn: r.incidentsAtMs, redraw: r.lastDrawMs};
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

    rows: list[dict[str, float]] = []
    with serve(f"sqlite:///{db}", [MINSK], {}) as base, browser() as chromium:
        for run in range(args.runs):
            outside: list[str] = []
            page = offline_page(chromium, base, outside)
            page.goto(f"{base}/?agreement=minsk-ii")
            page.wait_for_function(
                "window.ceasefire && window.ceasefire.incidentsAtMs", timeout=300_000
            )
            ours = page.evaluate(OURS)
            assert ours["n"] == args.count, ours
            assert not outside, outside
            redraw = pan_redraw(page)
            memory = page.evaluate(DRAW_FROM_MEMORY)
            assert memory["n"] == args.count
            row = {
                "total": ours["drawn"] / 1000,
                "fetched": ours["fetched"] / 1000,
                "redraw": redraw,
                "ours": memory["ours"],
                "peer": memory["peer"],
                "paged": memory["paged"] / 1000,
                "columnar": memory["columnar"] / 1000,
            }
            rows.append(row)
            print(
                f"run {run + 1}: navigation → all drawn {row['total']:.2f} s"
                f" (columns in at {row['fetched']:.2f} s; pan redraw {redraw:.0f} ms)"
                f" | fetch: /api/map/incidents {row['columnar']:.2f} s, GeoJSON"
                f" pages {row['paged']:.2f} s | from memory:"
                f" ours {memory['ours']:.0f} ms, L.circleMarker {memory['peer']:.0f} ms"
            )
            page.context.close()

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    def spread(key: str) -> str:
        return f"{min(r[key] for r in rows):.2f}–{max(r[key] for r in rows):.2f}"

    print(f"\n{args.count:,} incidents, median of {args.runs} runs:")
    print(
        f"  navigation → every incident drawn: {median('total'):.2f} s ({spread('total')})"
    )
    print(f"  navigation → columns in: {median('fetched'):.2f} s")
    print(
        f"  fetch of every incident: /api/map/incidents {median('columnar'):.2f} s"
        f" ({spread('columnar')}), GeoJSON pages of 10k {median('paged'):.2f} s"
        f" ({spread('paged')}) (paged / columnar"
        f" {median('paged') / median('columnar'):.0f}×)"
    )
    print(f"  pan redraw: {median('redraw'):.0f} ms")
    print(
        f"  from features in memory to first frame: ours {median('ours'):.0f} ms,"
        f" peer L.circleMarker × n on L.canvas {median('peer'):.0f} ms"
        f" (peer / ours {median('peer') / median('ours'):.1f}×)"
    )
    print(f"  load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
