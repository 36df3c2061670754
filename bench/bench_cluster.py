"""Benchmark clustering reports into incidents (issue 6).

1. Batch: ``ceasefire.factfinding.cluster.batch.cluster`` on N seeded synthetic
   reports (2 km, 1 h, min 2 sources), wall time and peak memory, each run in
   a fresh process.
2. Peer: the ``st-dbscan`` package (``ST_DBSCAN(eps1=2000, eps2=3600,
   min_samples=2)``) on a sample where both apply the same rule: every report
   precise, of one event type, from its own source. The two partitions are
   compared (identical up to labels; st-dbscan's noise is one incident per
   report). st-dbscan is not a dependency; install it into the venv with::

       .venv/bin/pip install "setuptools>=75,<81" wheel
       .venv/bin/pip install --no-build-isolation \\
           --use-deprecated=legacy-resolver st-dbscan==0.2.3

   (its sdist needs pkg_resources and reports version 0.0.0, which the
   default resolver refuses). Without it this part is skipped with a message.
3. Incremental: ``IncidentIndex`` built from a batch of M reports, then new
   reports attached one at a time; per-report latency (median, p99).

Synthetic reports: events uniform over 600 × 400 km and 180 days, each
reported by 1–4 sources (jitter σ 300 m, up to 20 min), sources drawn from
20,000; 3 % placed at an oblast centroid (30 km) or dated to the day only.

Run: .venv/bin/python bench/bench_cluster.py [--n 1000000] [--peer-n 200000]
     [--incremental-n 10000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

from ceasefire.factfinding.cluster import (
    IncidentIndex,
    Params,
    Points,
    cluster,
)

WIDTH_M, HEIGHT_M, DAYS = 600_000.0, 400_000.0, 180
STRIKES = [
    0,
    2,
    3,
    4,
    5,
    12,
    13,
]  # shelling, explosion, air/drone/missile strike, harm, damage


def synthetic(n: int, seed: int = 6, *, same_rule: bool = False) -> Points:
    """N seeded reports; ``same_rule``: all precise, one type, one source each."""
    rng = np.random.default_rng(seed)
    reporters = rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.3, 0.15, 0.1])
    event = np.repeat(np.arange(len(reporters)), reporters)[:n]
    centre = rng.uniform([0, 0], [WIDTH_M, HEIGHT_M], (len(reporters), 2))
    moment = rng.uniform(0, DAYS * 86_400, len(reporters))
    xy = centre[event] + rng.normal(0, 300, (n, 2))
    start = moment[event] + rng.uniform(0, 1_200, n)
    window = np.zeros(n)
    radius = np.full(n, 100.0)
    kind = np.zeros(n, dtype=np.int64)
    source = np.arange(n, dtype=np.int64)
    if not same_rule:
        vague = rng.random(n)
        radius[vague < 0.015] = 30_000.0
        day = vague > 0.985
        window[day] = 86_399.0
        start[day] = np.floor(start[day] / 86_400) * 86_400
        kind = rng.choice(STRIKES, n)
        source = rng.integers(0, 20_000, n)
    xyz = np.column_stack([xy, np.zeros(n)])
    return Points(xyz, start, window, radius, source, kind)


def peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(n: int, same_rule: bool) -> dict[str, Any]:
    points = synthetic(n, same_rule=same_rule)
    base = peak_mb()
    began = time.perf_counter()
    result = cluster(points, Params(2_000, 3_600, 2))
    seconds = time.perf_counter() - began
    incidents = len(np.unique(result.anchor))
    if same_rule:
        np.save(f"/tmp/bench_cluster_ours_{n}.npy", result.anchor)
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "input_mb": base,
        "incidents": incidents,
        "reports": n,
    }


def run_peer(n: int) -> dict[str, Any]:
    from st_dbscan import ST_DBSCAN

    points = synthetic(n, same_rule=True)
    data = np.column_stack([points.start, points.xyz[:, :2]])
    began = time.perf_counter()
    labels = ST_DBSCAN(eps1=2_000, eps2=3_600, min_samples=2).fit(data).labels
    seconds = time.perf_counter() - began
    np.save(f"/tmp/bench_cluster_peer_{n}.npy", labels)
    return {"seconds": seconds, "peak_mb": peak_mb(), "reports": n}


def canonical(labels: np.ndarray, noise_alone: bool) -> np.ndarray:
    """Labels renamed by first appearance; noise (-1) one group per row."""
    labels = labels.astype(np.int64).copy()
    if noise_alone:
        noise = labels < 0
        labels[noise] = labels.max() + 1 + np.arange(int(noise.sum()))
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))
    return rank[inverse]


def run_incremental(n: int, adds: int) -> dict[str, Any]:
    points = synthetic(n + adds, seed=7)
    head = Points(*(getattr(points, f)[:n] for f in Points.__dataclass_fields__))
    began = time.perf_counter()
    batch = cluster(head)
    index = IncidentIndex.from_batch(head, batch, Params())
    build = time.perf_counter() - began
    latencies = []
    actions: dict[str, int] = {}
    for i in range(n, n + adds):
        t0 = time.perf_counter()
        attached = index.add_arrays(
            points.xyz[i], float(points.start[i]), float(points.window[i]),
            float(points.radius[i]), int(points.source[i]), int(points.kind[i]),
        )  # fmt: skip
        latencies.append(time.perf_counter() - t0)
        actions[attached.action] = actions.get(attached.action, 0) + 1
    latencies.sort()
    return {
        "reports": n,
        "adds": adds,
        "build_seconds": build,
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(0.99 * len(latencies))] * 1000,
        "max_ms": latencies[-1] * 1000,
        "actions": actions,
        "peak_mb": peak_mb(),
    }


def child(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process (clean peak memory)."""
    out = subprocess.run(
        [sys.executable, __file__, *args[2:], "--child", *args[:2]],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--peer-n", type=int, default=200_000)
    parser.add_argument("--incremental-n", type=int, default=10_000_000)
    parser.add_argument("--adds", type=int, default=2_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, size = args.child[0], int(args.child[1])
        result = {
            "ours": lambda: run_ours(size, same_rule=False),
            "ours-same-rule": lambda: run_ours(size, same_rule=True),
            "peer": lambda: run_peer(size),
            "incremental": lambda: run_incremental(size, args.adds),
        }[what]()
        print(json.dumps(result))
        return

    ours = child("ours", str(args.n))
    print(
        f"batch, {args.n:,} reports (mixed precision, 20,000 sources): "
        f"{ours['seconds']:.2f} s, peak {ours['peak_mb']:.0f} MB"
        f" (inputs {ours['input_mb']:.0f} MB), {ours['incidents']:,} incidents"
    )
    try:
        import st_dbscan  # noqa: F401
    except ImportError:
        print("st-dbscan is not installed: peer comparison skipped (see the docstring)")
    else:
        mine = child("ours-same-rule", str(args.peer_n))
        peer = child("peer", str(args.peer_n))
        a = canonical(np.load(f"/tmp/bench_cluster_ours_{args.peer_n}.npy"), False)
        b = canonical(np.load(f"/tmp/bench_cluster_peer_{args.peer_n}.npy"), True)
        same = bool((a == b).all())
        print(
            f"same rule, {args.peer_n:,} reports: ours {mine['seconds']:.2f} s,"
            f" peak {mine['peak_mb']:.0f} MB; st-dbscan {peer['seconds']:.2f} s,"
            f" peak {peer['peak_mb']:.0f} MB; ratio {peer['seconds'] / mine['seconds']:.1f}×;"
            f" partitions identical: {same} ({mine['incidents']:,} incidents)"
        )
    if args.incremental_n:
        inc = child("incremental", str(args.incremental_n), "--adds", str(args.adds))
        print(
            f"incremental at {inc['reports']:,} reports: index built in"
            f" {inc['build_seconds']:.1f} s; {inc['adds']:,} reports attached one by one,"
            f" median {inc['median_ms']:.2f} ms, p99 {inc['p99_ms']:.2f} ms,"
            f" max {inc['max_ms']:.1f} ms; {inc['actions']}; peak {inc['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
