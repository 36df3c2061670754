"""Benchmark fact-finding on Spark against the embedded partition (issue 18).

    .venv/bin/python bench/bench_spark_cluster.py                  # 1 M reports
    .venv/bin/python bench/bench_spark_cluster.py --rows 200000 --master 'local[2]'

Writes seeded synthetic events (``ceasefire.synth.event_report_dicts``: each
event seen by 1–4 of 2,000 sources, 1.5 % at an oblast centroid, 1.5 % dated
to the day) as a dataset once, then clusters it at 2 km / 1 h with the
embedded engine (every report at once, ``scale.embedded.cluster_dataset``) and
with Spark (``scale.spark.cluster_spark``: cells, seams, components), and
asserts that every report lands in the same incident. Spark is timed from the
job's start; its session start is reported apart. Prints the load average.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pyarrow.dataset as ds

from ceasefire.factfinding.cluster import Params
from ceasefire.scale import embedded
from ceasefire.scale.dataset import write_reports
from ceasefire.synth import event_report_dicts


def _read(folder: Path) -> dict[str, str]:
    table = ds.dataset(folder, partitioning="hive").to_table(
        columns=["report", "incident"]
    )
    return dict(
        zip(
            table.column("report").to_pylist(),
            table.column("incident").to_pylist(),
            strict=True,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-spark-cluster-"))
    path = folder / "events"
    if not path.exists():
        began = time.perf_counter()
        write_reports(event_report_dicts(args.rows, seed=18), path)
        print(f"dataset: {args.rows:,} reports in {time.perf_counter() - began:.1f} s")
    params = Params()
    print(f"load average before: {os.getloadavg()}")
    began = time.perf_counter()
    mine = embedded.cluster_dataset(path, folder / "embedded", params)
    embedded_s = time.perf_counter() - began
    print(f"embedded: {embedded_s:.1f} s, {mine}; load {os.getloadavg()[0]:.1f}")

    from ceasefire.scale.spark import cluster_spark, session

    began = time.perf_counter()
    spark = session(args.master, app="bench-cluster")
    spark.sparkContext.setLogLevel("ERROR")
    ready = time.perf_counter()
    theirs = cluster_spark(spark, path, folder / "spark", params)
    spark_s = time.perf_counter() - ready
    spark.stop()
    print(
        f"Spark {args.master}: {spark_s:.1f} s (session start {ready - began:.1f} s),"
        f" {theirs}; load {os.getloadavg()[0]:.1f}"
    )
    assert theirs == mine, (theirs, mine)
    same = _read(folder / "spark") == _read(folder / "embedded")
    assert same, "Spark's partition differs from the embedded one"
    print(
        f"identical partitions: {same}; Spark / embedded time: {spark_s / embedded_s:.2f}"
    )


if __name__ == "__main__":
    main()
