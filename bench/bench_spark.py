"""Benchmark the Spark engine against the embedded one (issue 18).

    .venv/bin/python bench/bench_spark.py                 # 1 M synthetic reports
    .venv/bin/python bench/bench_spark.py --rows 10000000 # the issue's 10 M

Writes a seeded synthetic dataset (``ceasefire.synth.report_dicts`` through
``ceasefire.scale.dataset.write_reports``) once, then times a sweep of the
Minsk II example over it (every report × every clause, counted per clause and
month) three ways, alternating rounds: the embedded engine in this process,
Spark ``local[1]`` and Spark ``local[2]``. Spark is timed from the job's start
(the JVM and session start are reported apart). Prints the speed-up of
``local[2]`` over ``local[1]`` and Spark's per-core throughput as a share of
the embedded engine's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from ceasefire.agreement.load import load
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.scale import embedded
from ceasefire.scale.dataset import write_reports
from ceasefire.synth import report_dicts

REPO = Path(__file__).resolve().parent.parent


def _spark_round(master: str, variants: list, path: Path) -> tuple[float, float, list]:
    from ceasefire.scale.spark import session, sweep_spark

    started = time.perf_counter()
    spark = session(master, app=f"bench-{master}")
    spark.sparkContext.setLogLevel("ERROR")
    ready = time.perf_counter()
    table = sweep_spark(spark, variants, path)
    done = time.perf_counter()
    spark.stop()
    return ready - started, done - ready, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-spark-"))
    path = folder / "synthetic"
    if not path.exists():
        started = time.perf_counter()
        write_reports(report_dicts(args.rows, seed=18), path)
        print(
            f"dataset: {args.rows:,} reports in {time.perf_counter() - started:.1f} s"
        )
    variants = [("minsk", Evaluator(load(REPO / "examples" / "minsk-ii.yaml")))]
    times: dict[str, list[float]] = {"embedded": [], "local[1]": [], "local[2]": []}
    starts: list[float] = []
    for round_ in range(args.rounds):
        began = time.perf_counter()
        mine = embedded.sweep_dataset(variants, path)
        times["embedded"].append(time.perf_counter() - began)
        for master in ("local[1]", "local[2]"):
            start, job, table = _spark_round(master, variants, path)
            assert table == mine, f"{master} differs from the embedded engine"
            times[master].append(job)
            starts.append(start)
        print(
            f"round {round_ + 1}: "
            + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items())
        )
    median = {k: statistics.median(v) for k, v in times.items()}
    rate = {k: args.rows / v for k, v in median.items()}
    print(
        f"load average {os.getloadavg()[0]:.1f}; Spark session start median {statistics.median(starts):.1f} s"
    )
    for key, value in median.items():
        print(f"{key:>9}: {value:7.1f} s  ({rate[key]:,.0f} reports/s)")
    print(
        f"local[2] / local[1] speed-up: {median['local[1]'] / median['local[2]']:.2f}x"
    )
    print(
        "Spark per-core throughput / embedded:"
        f" {rate['local[2]'] / 2 / rate['embedded']:.2f} (local[2]),"
        f" {rate['local[1]'] / rate['embedded']:.2f} (local[1])"
    )


if __name__ == "__main__":
    main()
