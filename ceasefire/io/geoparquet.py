"""GeoParquet 1.1: reports as a columnar file GIS tools and dataframes open.

One row per report. ``geometry`` is the point as WKB in OGC:CRS84 (lon,
lat), ``bbox`` the GeoParquet 1.1 covering struct that lets readers skip row
groups by area, and ``report`` the whole report as JSON, so the file reads
back to the same records (``from_geoparquet``). The other columns (id,
event_type, source_type, party, admin1, observed_start, precision_m) are
there to filter and group on without parsing JSON.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, NamedTuple

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from ceasefire.io.base import Importer, Rejection, Row, to_row
from ceasefire.model.report import Report
from ceasefire.store.base import ReportQuery, Store
from ceasefire.store.projection import utc_text

GEO_VERSION = "1.1.0"
ROW_GROUP = 100_000
COMPRESSION = "snappy"
"""Parquet's usual codec; zstd makes files a third smaller and writes 1.5× slower."""


class Columns(NamedTuple):
    """A batch of reports as columns (what a store can give without parsing)."""

    id: Sequence[str]
    event_type: Sequence[str]
    source_type: Sequence[str]
    party: Sequence[str | None]
    admin1: Sequence[str | None]
    observed_start: Sequence[str]
    """UTC ISO 8601 text."""
    lon: Sequence[float]
    lat: Sequence[float]
    precision_m: Sequence[float]
    entry: Sequence[bytes]
    """JSON whose last key is ``"body"``, the report (a logged envelope)."""


SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("event_type", pa.dictionary(pa.int16(), pa.string())),
        ("source_type", pa.dictionary(pa.int16(), pa.string())),
        ("party", pa.dictionary(pa.int32(), pa.string())),
        ("admin1", pa.dictionary(pa.int16(), pa.string())),
        ("observed_start", pa.timestamp("us", tz="UTC")),
        ("precision_m", pa.float64()),
        ("report", pa.string()),
        ("geometry", pa.binary()),
        (
            "bbox",
            pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")]),
        ),
    ]
)


def geo_metadata(bbox: list[float] | None = None) -> dict[str, Any]:
    """The file-level ``geo`` key (GeoParquet 1.1); CRS omitted means OGC:CRS84.

    ``bbox`` is the data's extent when known (a dataset written in parts has none).
    """
    column: dict[str, Any] = {"encoding": "WKB", "geometry_types": ["Point"]}
    if bbox is not None:
        column["bbox"] = bbox
    column["covering"] = {
        "bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}
    }
    return {
        "version": GEO_VERSION,
        "primary_column": "geometry",
        "columns": {"geometry": column},
    }


def _dictionary(values: Sequence[str | None]) -> pa.Array:
    return pa.array(values, pa.string()).dictionary_encode()


_WKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
_BODY = b'"body":'


def point_wkb(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """2D points as ISO WKB (little-endian, type 1), built in one numpy pass."""
    points = np.empty(len(lon), _WKB_POINT)
    points["order"], points["type"], points["x"], points["y"] = 1, 1, lon, lat
    offsets = np.arange(0, _WKB_POINT.itemsize * (len(lon) + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.binary(),
        len(lon),
        [None, pa.py_buffer(offsets), pa.py_buffer(points.tobytes())],
    )


def _bodies(entries: Sequence[bytes]) -> pa.Array:
    """The reports inside the entries, as one string array (copied once)."""
    # the body is the envelope's last key: slice it out rather than parse
    bodies = [e[e.find(_BODY) + 7 : -1] for e in entries]
    offsets = np.zeros(len(bodies) + 1, np.int32)  # a batch is far below 2 GB
    np.cumsum(np.fromiter(map(len, bodies), np.int32, len(bodies)), out=offsets[1:])
    array = pa.Array.from_buffers(
        pa.string(),
        len(bodies),
        [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(bodies))],
    )
    array.validate(full=True)  # UTF-8, as the log wrote it
    return array


def _with_points(
    arrays: list[pa.Array], lon: np.ndarray, lat: np.ndarray
) -> tuple[pa.RecordBatch, list[float]]:
    """The batch of ``arrays`` plus the point and bbox-covering columns, and its bbox."""
    x, y = pa.array(lon), pa.array(lat)
    covering = pa.StructArray.from_arrays(
        [x, y, x, y], names=["xmin", "ymin", "xmax", "ymax"]
    )
    box = (
        [float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())]
        if len(lon)
        else []
    )
    batch = [*arrays, point_wkb(lon, lat), covering]
    return pa.RecordBatch.from_arrays(batch, schema=SCHEMA), box


def _batch(columns: Columns) -> tuple[pa.RecordBatch, list[float]]:
    """A record batch and the bounding box of its points."""
    lon = np.asarray(columns.lon, dtype=np.float64)
    lat = np.asarray(columns.lat, dtype=np.float64)
    starts = pa.array(columns.observed_start, pa.string())
    arrays = [
        pa.array(columns.id, pa.string()),
        _dictionary(columns.event_type).cast(SCHEMA.field("event_type").type),
        _dictionary(columns.source_type).cast(SCHEMA.field("source_type").type),
        _dictionary(columns.party).cast(SCHEMA.field("party").type),
        _dictionary(columns.admin1).cast(SCHEMA.field("admin1").type),
        starts.cast(pa.timestamp("us", tz="UTC")),
        pa.array(columns.precision_m, pa.float64()),
        _bodies(columns.entry),
    ]
    return _with_points(arrays, lon, lat)


def write_columns(batches: Iterable[Columns], out: IO[bytes] | Path) -> int:
    """Write batches of report columns; return how many reports.

    Batches are converted and written on a worker thread while the caller's
    iterator reads the next one (a store's cursor stays on its own thread);
    pyarrow and SQLite both release the GIL, so two cores both work. The
    ``geo`` metadata goes in the footer, when the bbox of all batches is known.
    """
    box: list[float] = []
    count = 0

    def write(columns: Columns) -> None:
        nonlocal box, count
        batch, found = _batch(columns)
        box = found if not box else _union(box, found)
        writer.write_batch(batch, row_group_size=ROW_GROUP)
        count += batch.num_rows

    with (
        _writer(out) as writer,
        ThreadPoolExecutor(1) as pool,
    ):
        pending: Future[None] | None = None
        for columns in batches:
            if columns.id:
                if pending is not None:
                    pending.result()
                pending = pool.submit(write, columns)
        if pending is not None:
            pending.result()
        writer.add_key_value_metadata({"geo": orjson.dumps(geo_metadata(box)).decode()})
    return count


DICTIONARY_COLUMNS = ["event_type", "source_type", "party", "admin1"]
STATISTICS_COLUMNS = [
    "id", *DICTIONARY_COLUMNS, "observed_start", "precision_m",
    "bbox.xmin", "bbox.ymin", "bbox.xmax", "bbox.ymax",
]  # fmt: skip


def _writer(out: IO[bytes] | Path) -> pq.ParquetWriter:
    """A Parquet writer for SCHEMA.

    Only the low-cardinality columns are dictionary-encoded and only the
    columns a reader filters on get min/max statistics (the bbox covering
    among them): trying dictionaries on, and taking statistics of, a million
    unique report texts and WKB points cost a quarter of the write.
    """
    return pq.ParquetWriter(
        out,
        SCHEMA,
        compression=COMPRESSION,
        use_dictionary=DICTIONARY_COLUMNS,
        write_statistics=STATISTICS_COLUMNS,
    )


def _union(a: list[float], b: list[float]) -> list[float]:
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def columns_of(reports: Iterable[Report | dict[str, Any]]) -> Columns:
    """Reports (or their JSON forms) as columns; the slow, general way in."""
    rows = []
    for report in reports:
        data: dict[str, Any] = (
            orjson.loads(report.model_dump_json(by_alias=True, exclude_none=True))
            if isinstance(report, Report)
            else report
        )
        location = data["location"]
        rows.append(
            (
                data["id"],
                data["event_type"],
                data["source"]["type"],
                (data.get("attribution") or {}).get("party"),
                location.get("admin1"),
                utc_text(data["observed"]["start"]),
                location["lon"],
                location["lat"],
                location.get("precision_m", 100.0),
                b'{"body":' + orjson.dumps(data) + b"}",
            )
        )
    if not rows:
        return Columns([], [], [], [], [], [], [], [], [], [])
    return Columns(*(list(column) for column in zip(*rows, strict=True)))


def to_geoparquet(reports: Iterable[Report | dict[str, Any]], out: IO[bytes]) -> int:
    """Write reports as GeoParquet; return how many (the exporters' signature).

    For a whole store, ``write_columns`` with ``Store.report_columns`` is
    faster: it takes the projection's columns and skips parsing the JSON.
    """
    return write_columns([columns_of(reports)], out)


def from_geoparquet(path: Path) -> Iterator[Report]:
    """Reports from a GeoParquet file written by ``to_geoparquet``."""
    for row in IMPORTER.read(path):
        if isinstance(row, Rejection):
            raise ValueError(str(row))
        yield row


def _validate(text: str) -> Report:
    return Report.model_validate_json(text)


class GeoParquetImporter(Importer):
    """Our own GeoParquet files: the ``report`` column read back."""

    unit: ClassVar[Literal["line", "record"]] = "record"

    def detect(self, header: list[str]) -> bool:
        """Parquet is binary: decided by ``detect_file``."""
        return False

    def detect_file(self, path: Path) -> bool:
        """True for a .parquet file with a ``report`` column and ``geo`` metadata."""
        if path.suffix.lower() != ".parquet":
            return False
        try:
            found = pq.read_metadata(path)
        except (OSError, pa.ArrowInvalid):
            return False
        return "report" in found.schema.names and b"geo" in (found.metadata or {})

    def read(self, path: Path) -> Iterator[Row]:
        """Every row as a Report, or a Rejection naming the row."""
        reader = pq.ParquetFile(path)
        number = 0
        for batch in reader.iter_batches(columns=["report"], batch_size=10_000):
            for text in batch.column(0).to_pylist():
                number += 1
                raw = {"report": text or ""}
                yield to_row(_validate, text or "", str(path), number, raw)


IMPORTER = GeoParquetImporter(
    "geoparquet",
    "ceasefire GeoParquet export (report column, geo metadata)",
    frozenset({"report"}),
    _validate,  # type: ignore[arg-type]
)


def store_columns(store: Store, query: ReportQuery) -> Iterator[Columns]:
    """The reports of ``store`` matching ``query``, as batches of columns."""
    for rows in store.report_export_rows(query):
        yield Columns(*zip(*rows, strict=True))


def export_store(store: Store, query: ReportQuery, out: IO[bytes] | Path) -> int:
    """Write the reports of ``store`` matching ``query`` as GeoParquet.

    A store that streams its projection as Arrow batches (SQLite with the
    ADBC driver) is written batch by batch with no Python object per value.
    Otherwise rows are fetched; the cyclic garbage collector is paused
    meanwhile: millions of fetched tuples would make each of its passes walk
    them all, for nothing.
    """
    arrow = getattr(store, "report_export_arrow", None)
    batches = arrow(query) if arrow is not None else None
    if batches is not None:
        return write_batches(map(arrow_batch, batches), out)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return write_columns(store_columns(store, query), out)
    finally:
        if was_enabled:
            gc.enable()


def arrow_batch(found: pa.RecordBatch) -> tuple[pa.RecordBatch, list[float]]:
    """A store's Arrow batch (EXPORT_ARROW_COLUMNS) as a GeoParquet batch and bbox."""
    lon = found.column("lon").to_numpy(zero_copy_only=False)
    lat = found.column("lat").to_numpy(zero_copy_only=False)
    arrays = [
        found.column("id"),
        *(
            found.column(name).dictionary_encode().cast(SCHEMA.field(name).type)
            for name in ("event_type", "source_type", "party", "admin1")
        ),
        found.column("observed_start").cast(pa.timestamp("us", tz="UTC")),
        found.column("precision_m").cast(pa.float64()),
        found.column("report"),
    ]
    return _with_points(arrays, lon, lat)


def write_batches(
    batches: Iterable[tuple[pa.RecordBatch, list[float]]], out: IO[bytes] | Path
) -> int:
    """Write GeoParquet batches (each with its bbox); return how many reports.

    The next batch is read and converted (the driver and Arrow release the
    GIL) while a worker thread compresses and writes the previous one.
    """
    box: list[float] = []
    count = 0
    with (
        _writer(out) as writer,
        ThreadPoolExecutor(1) as pool,
    ):
        pending: Future[None] | None = None
        for batch, found in batches:
            if not batch.num_rows:
                continue
            box = found if not box else _union(box, found)
            count += batch.num_rows
            if pending is not None:
                pending.result()
            pending = pool.submit(writer.write_batch, batch, row_group_size=ROW_GROUP)
        if pending is not None:
            pending.result()
        writer.add_key_value_metadata({"geo": orjson.dumps(geo_metadata(box)).decode()})
    return count
