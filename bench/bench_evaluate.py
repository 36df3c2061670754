"""Benchmark the compliance engine (issue 5).

    .venv/bin/python bench/bench_evaluate.py            # 10 M incidents
    .venv/bin/python bench/bench_evaluate.py --count 1000000

Seeded synthetic incidents (ceasefire.synth.incident_columns) around the real
Alaska freeze line, with 2 % near the ZNPP, evaluated against every clause of
examples/alaska-terms.yaml. Prints:

* full evaluation: every incident × every clause → verdict columns (breach /
  undetermined / no breach, standard_met), wall time and peak RSS;
* explanation: verdicts with reasons and sentence, per second (on a sample);
* incremental: one newly logged report through ``Evaluator.evaluate_reports``,
  median and 95th percentile over 300 reports.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ceasefire.agreement.load import load
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.spatial import SpatialCache
from ceasefire.synth import incident_columns, reports

REPO = Path(__file__).resolve().parent.parent


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    started = time.perf_counter()
    agreement = load(REPO / "examples" / "alaska-terms.yaml")
    evaluator = Evaluator(agreement)
    evaluator.measures.warm()
    print(f"agreement loaded, measures built: {time.perf_counter() - started:.1f} s")

    znpp = agreement.features["znpp"].shape
    started = time.perf_counter()
    facts = incident_columns(
        agreement.features["freeze_line"].shape,
        args.count,
        seed=args.seed,
        sites=[(znpp.x, znpp.y)],
    )
    print(
        f"{args.count:,} synthetic incidents: {time.perf_counter() - started:.1f} s,"
        f" peak RSS {peak_rss_gb():.2f} GB"
    )

    timings = {}

    def progress(clause: str) -> None:
        timings[clause] = time.perf_counter()

    cache = SpatialCache(evaluator.measures, facts)
    started, started_cpu = time.perf_counter(), time.process_time()
    table = evaluator.evaluate(facts, progress=progress, cache=cache)
    elapsed = time.perf_counter() - started
    print(
        f"  (CPU time {time.process_time() - started_cpu:.1f} s; load {os.getloadavg()[0]:.1f})"
    )
    counts = table.counts()
    print(
        f"FULL EVALUATION {args.count:,} × {len(evaluator.clauses)} clauses:"
        f" {elapsed:.1f} s ({args.count / elapsed / 1e6:.2f} M incidents/s);"
        f" {counts['breach']:,} breach, {counts['undetermined']:,} undetermined;"
        f" peak RSS {peak_rss_gb():.2f} GB"
    )
    previous = started
    for clause, at in timings.items():
        print(f"  {clause:18} {at - previous:6.2f} s")
        previous = at

    sample = min(len(table), 100_000)
    rows = np.sort(np.random.default_rng(1).choice(len(table), sample, replace=False))
    from ceasefire.compliance.evaluate import VerdictTable

    part = VerdictTable(
        table.clause[rows], table.row[rows], table.truth[rows], table.standard_met[rows]
    )
    started = time.perf_counter()
    explained = sum(1 for _ in evaluator.verdicts(facts, part, cache=cache))
    elapsed = time.perf_counter() - started
    print(
        f"explained {explained:,} verdicts (reasons + sentence): {elapsed:.1f} s"
        f" ({explained / elapsed:,.0f} verdicts/s)"
    )

    bodies = [
        r.model_dump(mode="json", by_alias=True, exclude_none=True)
        for r in reports(330, seed=5, start=datetime(2025, 11, 5, tzinfo=UTC))
    ]
    for body in bodies[:30]:  # warm up
        evaluator.evaluate_reports([body])
    times, cpu = [], []
    for body in bodies[30:]:
        started, started_cpu = time.perf_counter(), time.process_time()
        evaluator.evaluate_reports([body])
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    print(
        f"INCREMENTAL one report, all clauses, with reasons: median"
        f" {statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times))]:.2f} ms"
        f" wall; median {statistics.median(cpu):.2f} ms CPU ({len(times)} reports)"
    )
    print(f"peak RSS {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
