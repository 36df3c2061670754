"""The interchange: the log's reports as hive-partitioned GeoParquet 1.1.

One row per current report with what the compliance engine needs beside the
report itself: its verification state and whether a joint team decided it,
and ``seq``, its place in log order, which fact-finding's tie-breaks follow.
Every file carries the GeoParquet ``geo`` key (WKB points, bbox covering) and
the log head the dataset was taken from, so verdicts computed anywhere stay
traceable to a signed head. ``_ceasefire.json`` repeats the head for people.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.dataset as ds

from ceasefire.errors import DatasetError as DatasetError  # re-exported
from ceasefire.io.geoparquet import geo_metadata, point_wkb
from ceasefire.model.verdict import LogHead

PARTITIONS = ("month", "none")
HEAD_KEY = "ceasefire:log_head"
SIDECAR = "_ceasefire.json"
BATCH = 100_000

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("seq", pa.int64()),
        ("observed_start", pa.timestamp("us", tz="UTC")),
        ("state", pa.string()),
        ("joint", pa.bool_()),
        ("report", pa.string()),
        ("geometry", pa.binary()),
        (
            "bbox",
            pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")]),
        ),
        ("month", pa.string()),
    ]
)


@dataclass(frozen=True)
class Written:
    """What ``write_dataset`` wrote."""

    rows: int
    head: LogHead | None
    path: Path


def schema_for(head: LogHead | None) -> pa.Schema:
    """The dataset schema with the ``geo`` key and the log head in its metadata."""
    meta = {"geo": orjson.dumps(geo_metadata()).decode()}
    if head is not None:
        meta[HEAD_KEY] = orjson.dumps(head.to_dict()).decode()
    return SCHEMA.with_metadata(meta)


def _instant(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _month(start: datetime) -> str:
    return start.astimezone(UTC).strftime("%Y-%m")


def batch_of(
    bodies: Sequence[Mapping[str, Any]],
    states: Mapping[str, str] | None = None,
    joint: Mapping[str, bool] | None = None,
    *,
    partition: str = "month",
    first: int = 0,
) -> pa.RecordBatch:
    """Report bodies (JSON forms) as one record batch of the dataset's schema.

    The bodies are in log order; the first is number ``first`` (``seq``).
    """
    states, joint = states or {}, joint or {}
    ids = [str(b["id"]) for b in bodies]
    starts = [_instant(b["observed"]["start"]) for b in bodies]
    lon = np.fromiter((b["location"]["lon"] for b in bodies), np.float64, len(ids))
    lat = np.fromiter((b["location"]["lat"] for b in bodies), np.float64, len(ids))
    x, y = pa.array(lon), pa.array(lat)
    month = [_month(s) if partition == "month" else "all" for s in starts]
    arrays = [
        pa.array(ids, pa.string()),
        pa.array(range(first, first + len(ids)), pa.int64()),
        pa.array(starts, SCHEMA.field("observed_start").type),
        pa.array([states.get(i, "reported") for i in ids], pa.string()),
        pa.array([bool(joint.get(i, False)) for i in ids], pa.bool_()),
        pa.array([orjson.dumps(b).decode() for b in bodies], pa.string()),
        point_wkb(lon, lat),
        pa.StructArray.from_arrays(
            [x, y, x, y], names=["xmin", "ymin", "xmax", "ymax"]
        ),
        pa.array(month, pa.string()),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def write_by_month(
    batches: Iterable[pa.RecordBatch], out: Path, schema: pa.Schema, name: str
) -> None:
    """Batches of ``schema`` as Parquet files in ``out/month=YYYY-MM/`` (hive)."""
    ds.write_dataset(
        batches,
        out,
        schema=schema,
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([("month", pa.string())]), flavor="hive"
        ),
        existing_data_behavior="delete_matching",
        basename_template=name + "-{i}.parquet",
        max_rows_per_group=BATCH,
    )


def write_batches(
    batches: Iterable[pa.RecordBatch], out: Path, head: LogHead | None
) -> int:
    """Write batches as a hive-partitioned dataset (``month=YYYY-MM/``) at ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    schema = schema_for(head)
    count = 0

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal count
        for batch in batches:
            count += batch.num_rows
            yield batch.replace_schema_metadata(schema.metadata)

    write_by_month(counted(), out, schema, "part")
    sidecar = {"rows": count, "log_head": head.to_dict() if head else None}
    (out / SIDECAR).write_bytes(orjson.dumps(sidecar, option=orjson.OPT_INDENT_2))
    return count


def open_dataset(path: Path) -> ds.Dataset:
    """A dataset written by ``write_batches`` (partition column ``month`` read back)."""
    if not path.exists():
        raise DatasetError(
            f"{path}: no such dataset (expected a directory of GeoParquet)"
        )
    if not (path / SIDECAR).exists() and not any(path.glob("month=*")):
        raise DatasetError(
            f"{path}: not a ceasefire dataset: no {SIDECAR} and no month=… folders"
            " (write one with `ceasefire export --partition month`)"
        )
    found = ds.dataset(
        path,
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([("month", pa.string())]), flavor="hive"
        ),
        exclude_invalid_files=True,
        ignore_prefixes=["_", "."],
    )
    missing = {"id", "report", "state", "joint"} - set(found.schema.names)
    if missing:
        raise DatasetError(
            f"{path}: not a ceasefire dataset: columns {sorted(missing)} are missing"
            " (write one with `ceasefire export --partition month`)"
        )
    return found


def ordered_dataset(path: Path) -> ds.Dataset:
    """A dataset that carries ``seq`` (log order), as fact-finding needs."""
    found = open_dataset(path)
    if "seq" not in found.schema.names:
        raise DatasetError(
            f"{path}: the dataset has no seq column (log order), which clustering"
            " needs; it was written by an older ceasefire: export it again"
        )
    return found


def head_of(path: Path) -> LogHead | None:
    """The log head a dataset was taken from (None when it records none)."""
    meta = open_dataset(path).schema.metadata or {}
    raw = meta.get(HEAD_KEY.encode())
    if raw is None:
        return None
    data = orjson.loads(raw)
    return LogHead(int(data["tree_size"]), str(data["root"]))


def export_store(
    store: Any, out: Path, *, partition: str = "month", since: str | None = None
) -> Written:
    """Write the current reports of ``store`` (a ``Store``) as a dataset at ``out``."""
    from ceasefire.compliance.run import current_reports, log_head

    if partition not in PARTITIONS:
        raise ValueError(f"partition {partition!r}: expected one of {PARTITIONS}")
    head = log_head(store)
    bodies, states, joint = current_reports(store, since)
    batches = (
        batch_of(bodies[i : i + BATCH], states, joint, partition=partition, first=i)
        for i in range(0, len(bodies), BATCH)
    )
    return Written(write_batches(batches, out, head), head, out)


def write_reports(
    bodies: Iterable[Mapping[str, Any]], out: Path, head: LogHead | None = None
) -> int:
    """Report bodies (e.g. ``ceasefire.synth.report_dicts``) straight to a dataset."""

    def batches() -> Iterator[pa.RecordBatch]:
        pending: list[Mapping[str, Any]] = []
        done = 0
        for body in bodies:
            pending.append(body)
            if len(pending) == BATCH:
                yield batch_of(pending, first=done)
                done += len(pending)
                pending = []
        if pending:
            yield batch_of(pending, first=done)

    return write_batches(batches(), out, head)
