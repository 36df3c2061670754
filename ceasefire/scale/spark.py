"""The same kernel on Apache Spark: ``mapInArrow`` over the dataset's batches.

The compiled agreement (an ``Evaluator``) is broadcast once and unpickled once
per Python worker; each task turns its Arrow batches into verdict batches with
``ceasefire.scale.kernel``, so verdicts equal the embedded engine's. Works in
``local[N]`` mode and under ``spark-submit`` on any Spark 3.5/4.x cluster (the
workers need ceasefire installed: ``pip install "ceasefire[spark]"``).

``cluster_spark`` runs fact-finding: reports copied to the space–time cells
their link boxes touch, links found per partition of cells, joined over the
seams into components, and the embedded rule run per partition of whole
components (``ceasefire.scale.linking`` explains why that is exact).
"""

from __future__ import annotations

import hashlib
import os
import pickle  # noqa: S403 - our own Evaluator, broadcast to our own workers
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ceasefire.compliance.evaluate import Evaluator
from ceasefire.errors import SparkMissing as SparkMissing  # re-exported
from ceasefire.factfinding.cluster import Params
from ceasefire.scale import linking
from ceasefire.scale.dataset import head_of, open_dataset, ordered_dataset
from ceasefire.scale.kernel import (
    COUNT_SCHEMA,
    KERNEL_COLUMNS,
    VERDICT_SCHEMA,
    count_batch,
    merge_counts,
    verdict_batch,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_UNPICKLED: dict[str, Any] = {}
"""Digest → object, so a reused Python worker unpickles each agreement once."""


def session(master: str = "local[2]", *, app: str = "ceasefire") -> SparkSession:
    """A Spark session; in local mode bound to loopback with no web UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise SparkMissing(
            'the Spark engine needs pyspark: pip install "ceasefire[spark]"'
            " (and Java 17+)"
        ) from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app)
    for key, value in _LOCAL_CONFIG.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


_LOCAL_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "50000",
    "spark.sql.session.timeZone": "UTC",
}


def _spark_schema(schema: pa.Schema) -> str:
    names = {
        pa.string(): "string",
        pa.bool_(): "boolean",
        pa.int64(): "bigint",
        pa.float64(): "double",
    }
    return ", ".join(f"{f.name} {names[f.type]}" for f in schema)


def _ship(spark: SparkSession, thing: object) -> tuple[str, Any]:
    """``thing`` pickled and broadcast once, with the digest workers cache it by."""
    data = pickle.dumps(thing)
    return hashlib.sha256(data).hexdigest(), spark.sparkContext.broadcast(data)


def _cached(shipped: tuple[str, Any]) -> Any:
    digest, broadcast = shipped
    found = _UNPICKLED.get(digest)
    if found is None:
        found = _UNPICKLED[digest] = pickle.loads(broadcast.value)  # noqa: S301
    return found


def _frame(spark: SparkSession, path: Path) -> Any:
    open_dataset(path)  # a clear error for a path that is no dataset
    frame = spark.read.parquet(str(path))  # month=… directories become a column
    return frame.select(*KERNEL_COLUMNS)  # geometry and bbox stay on disk


def evaluate_spark(
    spark: SparkSession, evaluator: Evaluator, path: Path, out: Path
) -> dict[str, int]:
    """Judge every report of the dataset on the cluster; verdicts to ``out``."""
    shipped = _ship(spark, evaluator)
    head = head_of(path)

    def judge(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        mine = _cached(shipped)
        for batch in batches:
            if batch.num_rows:
                yield verdict_batch(mine, batch, head)

    verdicts = _frame(spark, path).mapInArrow(judge, _spark_schema(VERDICT_SCHEMA))
    verdicts.write.mode("overwrite").partitionBy("month").parquet(str(out))
    found = spark.read.parquet(str(out)).groupBy("verdict").count().collect()
    return {row["verdict"]: int(row["count"]) for row in found}


def sweep_spark(
    spark: SparkSession, variants: Sequence[tuple[str, Evaluator]], path: Path
) -> list[dict[str, object]]:
    """Every variant over the dataset in one scan; counts summed on the cluster."""
    shipped = _ship(spark, list(variants))

    def count(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        mine = _cached(shipped)
        for batch in batches:
            if batch.num_rows:
                yield count_batch(mine, batch)

    partial = _frame(spark, path).mapInArrow(count, _spark_schema(COUNT_SCHEMA))
    summed = partial.groupBy("variant", "clause", "month").sum(
        "breach", "breach_established", "undetermined"
    )
    rows = summed.toDF(*COUNT_SCHEMA.names).collect()
    table = pa.Table.from_pylist([r.asDict() for r in rows], schema=COUNT_SCHEMA)
    return merge_counts([table])


def cluster_spark(
    spark: SparkSession, path: Path, out: Path, params: Params
) -> dict[str, int]:
    """The embedded partition of the dataset's reports, computed on the cluster.

    One row per report (its incident, named by the anchor report) to ``out``,
    partitioned by month. Three passes: copies of each report to the cells
    its box touches (giants apart, broadcast); links per partition of cells,
    reduced to component stars and joined over the seams on the driver (one
    pair of integers per linked report); the embedded rule per partition of
    whole components.
    """
    ordered_dataset(path)  # a clear error for a dataset without log order
    frame = spark.read.parquet(str(path)).select(*linking.CLUSTER_COLUMNS)
    tasks = int(spark.conf.get("spark.sql.shuffle.partitions") or "8")
    roots = _component_roots(spark, frame, params, tasks)
    keyed = frame.join(roots, "seq", "left").selectExpr(
        *linking.CLUSTER_COLUMNS, "coalesce(root, seq) as root"
    )

    def incidents(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches))
        if table.num_rows:
            yield from linking.cluster_component(table, params).to_batches()

    found = keyed.repartition(tasks, "root").mapInArrow(
        incidents, _spark_schema(linking.INCIDENT_SCHEMA)
    )
    found.write.mode("overwrite").partitionBy("month").parquet(str(out))
    counts = spark.read.parquet(str(out)).selectExpr(
        "count(*) as reports", "count(distinct incident) as incidents"
    )
    row = counts.collect()[0]
    return {"reports": int(row["reports"]), "incidents": int(row["incidents"])}


def _component_roots(
    spark: SparkSession, frame: Any, params: Params, tasks: int
) -> Any:
    """(seq, root): each linked report and the earliest report of its component."""
    grid = linking.Grid.for_params(params)

    def copies_of(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield linking.features(batch, params, grid)

    copies = frame.select("seq", "report").mapInArrow(
        copies_of, _spark_schema(linking.FEATURE_SCHEMA)
    )
    copies = copies.persist()
    giants = copies.filter("cell = -1").toArrow().cast(linking.FEATURE_SCHEMA)
    shipped = _ship(spark, giants)

    def links(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches))
        if table.num_rows:
            yield linking.cell_links(table, _cached(shipped), params)

    stars = (
        copies.filter("cell >= 0")
        .repartition(tasks, "cell")
        .mapInArrow(links, _spark_schema(linking.EDGE_SCHEMA))
        .toArrow()
    )
    copies.unpersist()
    seq, root = linking.components([stars, linking.giant_stars(giants, params)])
    return spark.createDataFrame(pa.table({"seq": seq, "root": root}))
