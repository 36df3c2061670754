"""The dataset evaluated in this process, batch by batch (no cluster needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from ceasefire.compliance.evaluate import Evaluator
from ceasefire.factfinding.cluster import Params
from ceasefire.scale.dataset import (
    BATCH,
    head_of,
    open_dataset,
    ordered_dataset,
    write_by_month,
)
from ceasefire.scale.kernel import (
    KERNEL_COLUMNS,
    VERDICT_SCHEMA,
    count_batch,
    merge_counts,
    verdict_batch,
)
from ceasefire.scale.linking import (
    CLUSTER_COLUMNS,
    INCIDENT_SCHEMA,
    cluster_component,
)

Progress = Callable[[int], None]
"""Called with the number of reports done after each batch."""


def _batches(path: Path, progress: Progress | None) -> Iterator[pa.RecordBatch]:
    done = 0
    dataset = open_dataset(path)
    for batch in dataset.to_batches(columns=list(KERNEL_COLUMNS), batch_size=BATCH):
        if batch.num_rows:
            yield batch
            done += batch.num_rows
            if progress is not None:
                progress(done)


def write_verdicts(batches: Iterator[pa.RecordBatch], out: Path) -> Counter[str]:
    """Verdict batches written as Parquet partitioned by month, like the input."""
    counts: Counter[str] = Counter()

    def counted() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            counts.update(batch.column("verdict").to_pylist())
            yield batch

    write_by_month(counted(), out, VERDICT_SCHEMA, "verdicts")
    return counts


def evaluate_dataset(
    evaluator: Evaluator, path: Path, out: Path, progress: Progress | None = None
) -> Counter[str]:
    """Judge every report of the dataset at ``path``; verdicts to ``out``."""
    head = head_of(path)
    verdicts = (verdict_batch(evaluator, b, head) for b in _batches(path, progress))
    return write_verdicts(verdicts, out)


def sweep_dataset(
    variants: Sequence[tuple[str, Evaluator]],
    path: Path,
    progress: Progress | None = None,
) -> list[dict[str, object]]:
    """Breaches and undetermined verdicts of every variant, in one scan."""
    return merge_counts([count_batch(variants, b) for b in _batches(path, progress)])


def cluster_dataset(path: Path, out: Path, params: Params) -> dict[str, int]:
    """The embedded partition of the dataset's reports; one row per report to ``out``.

    Every report at once, in log order (``seq``), through the same rule as
    ``ceasefire incidents cluster``; written as Parquet partitioned by month.
    """
    table = ordered_dataset(path).to_table(columns=list(CLUSTER_COLUMNS))
    incidents = cluster_component(table, params)
    write_by_month(incidents.to_batches(BATCH), out, INCIDENT_SCHEMA, "incidents")
    return {
        "reports": incidents.num_rows,
        "incidents": len(set(incidents.column("incident").to_pylist())),
    }
