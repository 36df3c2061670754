"""Benchmark the map's filters and date brush with 100,000 incidents (issue 17.3).

Measured in headless Chromium over the real app: the time from changing a
filter to the incidents redrawn (the mask over the columns, the histogram of
the brush, the URL, then one canvas redraw), against the peer in the same
page: fetching the same filter from the API (/api/map/incidents?event_type=…)
and drawing its answer, as a server-side filter would.

Data: the seeded synthetic store of bench/bench_map.py (ceasefire/synth.py).

Run: .venv/bin/python bench/bench_map_filters.py [--count 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench_map import MINSK, build

from ceasefire.web.testing import browser, offline_page, serve

CLIENT_SIDE = """async (type) => {
    const {layer} = window.ceasefire;
    const select = document.getElementById('f-type');
    const started = performance.now();
    const drawn = new Promise((ok) => layer.once('drawn', ok));
    select.value = select.value === type ? '' : type;
    select.dispatchEvent(new Event('change'));
    await drawn;
    return performance.now() - started;
}"""

SERVER_SIDE = """async (type) => {
    const {layer} = window.ceasefire;
    const {fromMapColumns} = await import('/static/js/incident-layer.js');
    const started = performance.now();
    const answer = await (await fetch('/api/map/incidents?event_type=' + type)).json();
    const drawn = new Promise((ok) => layer.once('drawn', ok));
    layer.setColumns(fromMapColumns(answer));
    await drawn;
    return performance.now() - started;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = Path(tempfile.gettempdir()) / f"ceasefire-bench-map-{args.count}.db"
    build(db, args.count)
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    ours, peer, brush = [], [], []
    with serve(f"sqlite:///{db}", [MINSK], {}) as base, browser() as chromium:
        for _ in range(args.runs):
            page = offline_page(chromium, base, [])
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready=true]", timeout=120_000)
            ours.append(page.evaluate(CLIENT_SIDE, "shelling"))
            brush.append(page.evaluate("window.ceasefire.applyMs"))
            peer.append(page.evaluate(SERVER_SIDE, "shelling"))
            page.close()
    mine, theirs = statistics.median(ours), statistics.median(peer)
    print(f"{args.count:,} incidents, median of {args.runs} runs:")
    print(f"  filter in the browser (mask + histogram + redraw): {mine:.0f} ms")
    print(f"    of which mask + histogram + URL: {statistics.median(brush):.0f} ms")
    print(f"  peer, filter by the API and draw its answer:       {theirs:.0f} ms")
    print(f"  ratio peer / ours: {theirs / mine:.1f}x")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
