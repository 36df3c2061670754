"""GeoParquet export: valid GeoParquet 1.1 as other tools read it, and lossless."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import shared_data

from ceasefire.io import ucdp
from ceasefire.io.geoparquet import export_store, from_geoparquet, to_geoparquet
from ceasefire.io.intake import import_file
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.base import ReportQuery, Store
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.synth import reports as synthetic

UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
ALL = ReportQuery(limit=2**62)


@pytest.fixture
def ucdp_store(tmp_path: Path) -> Store:
    store = SQLiteStore(tmp_path / "log.db")
    import_file(Log(store), shared_data(UCDP), ucdp.IMPORTER)
    return store


def test_export_reads_back_to_the_same_reports(
    ucdp_store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "reports.parquet"
    with target.open("wb") as out:
        count = export_store(ucdp_store, ALL, out)
    logged = [Report.model_validate(body) for body in ucdp_store.reports(ALL)]
    assert count == len(logged) > 3000
    assert list(from_geoparquet(target)) == logged


def test_geopandas_reads_points_where_the_reports_say(
    ucdp_store: Store, tmp_path: Path
) -> None:
    geopandas = pytest.importorskip("geopandas")
    target = tmp_path / "reports.parquet"
    with target.open("wb") as out:
        export_store(ucdp_store, ALL, out)
    frame = geopandas.read_parquet(target)
    logged = ucdp_store.reports(ALL)
    assert frame.crs is not None and frame.crs.to_string() == "OGC:CRS84"
    assert list(frame["id"]) == [body["id"] for body in logged]
    assert list(frame.geometry.x) == [body["location"]["lon"] for body in logged]
    assert list(frame.geometry.y) == [body["location"]["lat"] for body in logged]
    assert set(frame["event_type"]) == {"armed_clash"}  # UCDP type_of_violence 1
    # spatial filter through the bbox covering, as geopandas applies it
    box = (37.0, 47.5, 38.5, 48.5)
    inside = geopandas.read_parquet(target, bbox=box)
    expected = {
        b["id"]
        for b in logged
        if box[0] <= b["location"]["lon"] <= box[2]
        and box[1] <= b["location"]["lat"] <= box[3]
    }
    assert 0 < len(expected) < len(logged) and set(inside["id"]) == expected


def test_geo_metadata_has_what_the_spec_requires(
    ucdp_store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "reports.parquet"
    with target.open("wb") as out:
        export_store(ucdp_store, ALL, out)
    geo = json.loads(pq.read_metadata(target).metadata[b"geo"])
    # GeoParquet 1.1: version, primary_column, columns; per column encoding and
    # geometry_types are required; bbox and covering optional but must be right
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == ["Point"]
    assert "crs" not in column  # absent means OGC:CRS84: lon, lat on WGS84
    lons = [b["location"]["lon"] for b in ucdp_store.reports(ALL)]
    lats = [b["location"]["lat"] for b in ucdp_store.reports(ALL)]
    assert column["bbox"] == [min(lons), min(lats), max(lons), max(lats)]
    assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    schema = pq.read_schema(target)
    assert str(schema.field("bbox").type) == (
        "struct<xmin: double, ymin: double, xmax: double, ymax: double>"
    )


def test_the_general_writer_equals_the_store_writer(tmp_path: Path) -> None:
    sample = list(synthetic(300, seed=11))
    with SQLiteStore(tmp_path / "log.db") as store:
        Log(store).append_reports(sample)
        bodies = store.reports(ALL)
        with (tmp_path / "fast.parquet").open("wb") as out:
            export_store(store, ALL, out)
    with (tmp_path / "general.parquet").open("wb") as out:
        to_geoparquet(bodies, out)
    fast = pq.read_table(tmp_path / "fast.parquet")
    general = pq.read_table(tmp_path / "general.parquet")
    assert fast.equals(general)
    assert list(from_geoparquet(tmp_path / "general.parquet")) == [
        Report.model_validate(b) for b in bodies
    ]


def test_an_empty_store_writes_a_valid_empty_file(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "log.db") as store:
        with (tmp_path / "none.parquet").open("wb") as out:
            assert export_store(store, ALL, out) == 0
    assert pq.read_table(tmp_path / "none.parquet").num_rows == 0
    assert list(from_geoparquet(tmp_path / "none.parquet")) == []


def test_cli_export_then_import_gives_the_same_reports(
    ucdp_store: Store, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from ceasefire.cli import cli

    source = f"sqlite:///{ucdp_store.path}"  # type: ignore[attr-defined]
    target = tmp_path / "reports.parquet"
    runner = CliRunner()
    done = runner.invoke(cli, ["export", "--db", source, "-o", str(target)])
    assert done.exit_code == 0, done.output
    logged = ucdp_store.reports(ALL)
    assert f"wrote {len(logged):,} reports" in done.output
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    done = runner.invoke(cli, ["import", "--db", copy, str(target)])  # detected
    assert done.exit_code == 0, done.output
    assert f"read {len(logged):,} = imported {len(logged):,}" in done.output
    with SQLiteStore(tmp_path / "copy.db") as copied:
        assert copied.reports(ALL) == logged
    again = runner.invoke(cli, ["import", "--db", source, str(target)])
    assert f"imported 0 + duplicates {len(logged):,}" in again.output


def test_point_wkb_is_what_geos_writes() -> None:
    import numpy as np
    import shapely

    from ceasefire.io.geoparquet import point_wkb

    lon = np.array([37.8, -180.0, 180.0, 0.0, -0.0, 30.523331234567])
    lat = np.array([48.0, -90.0, 90.0, 0.0, 1e-300, 50.45])
    expected = shapely.to_wkb(
        shapely.points(lon, lat), output_dimension=2, byte_order=1
    )
    assert point_wkb(lon, lat).to_pylist() == list(expected)


def test_the_arrow_stream_equals_the_row_by_row_export(tmp_path: Path) -> None:
    # the ADBC path (SQL slices the report out of its envelope, nullable text
    # comes with a flag) against the rows path, on reports with and without
    # a party and an oblast, a correction, and a box with a limit
    pytest.importorskip("adbc_driver_sqlite")
    sample = list(synthetic(2500, seed=12))
    for i in range(0, 2500, 3):  # no attribution, and places outside any oblast
        sample[i] = sample[i].model_copy(update={"attribution": None})
    for i in range(0, 2500, 7):
        location = sample[i].location.model_copy(update={"lon": 10.0, "lat": 10.0})
        sample[i] = sample[i].model_copy(update={"location": location})
    fix = sample[5].model_copy(
        update={"id": "01J0000000000000000000FIX0", "supersedes": sample[5].id}
    )
    with SQLiteStore(tmp_path / "log.db") as store:
        Log(store).append_reports([*sample, fix], batch=1000)
        counts = []
        for query in (ReportQuery(bbox=(36.0, 46.0, 39.0, 49.0), limit=700), ALL):
            with (tmp_path / "arrow.parquet").open("wb") as out:
                arrow_count = export_store(store, query, out)
            rows_only = _RowsOnly(store)
            with (tmp_path / "rows.parquet").open("wb") as out:
                assert export_store(rows_only, query, out) == arrow_count  # type: ignore[arg-type]
            arrow = pq.read_table(tmp_path / "arrow.parquet")
            rows = pq.read_table(tmp_path / "rows.parquet")
            assert arrow.equals(rows)
            assert (
                pq.read_metadata(tmp_path / "arrow.parquet").metadata[b"geo"]
                == (pq.read_metadata(tmp_path / "rows.parquet").metadata[b"geo"])
            )
            counts.append(arrow_count)
        assert counts == [700, 2500]  # the corrected report is left out
        full = pq.read_table(tmp_path / "arrow.parquet", columns=["party", "admin1"])
        assert (
            full.column("party").null_count > 0 and full.column("admin1").null_count > 0
        )


class _RowsOnly:
    """A store without the Arrow stream: export falls back to fetching rows."""

    def __init__(self, store: SQLiteStore) -> None:
        self.report_export_rows = store.report_export_rows
