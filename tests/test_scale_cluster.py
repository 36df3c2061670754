"""Fact-finding beyond one process: the Spark partition equals the embedded one (issue 18).

Clustering is not row by row: a report's incident depends on its neighbours,
one report per source, imprecise reports that join but never bridge, and
vague pairings. The scale engine cuts space and time into cells with a halo,
finds links per cell, joins them over the seams and runs the embedded rule on
whole components. The tests compare incident for incident (same anchor, same
members) with the embedded rule run on every report at once: on seeded
synthetic events, with cells small enough that many incidents straddle a
seam, and on the real record (UCDP GED + CIR + Bellingcat) against the store's
own ``ceasefire incidents`` partition.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from ceasefire.factfinding.cluster import Params
from ceasefire.factfinding.incidents import groups_of, read_log
from ceasefire.scale import embedded
from ceasefire.scale.dataset import batch_of, export_store, write_reports
from ceasefire.scale.linking import (
    FEATURE_SCHEMA,
    Grid,
    cluster_component,
    features,
    partition_by_cells,
)
from ceasefire.store.base import Store
from ceasefire.synth import event_report_dicts
from tests import test_scale
from tests.conftest import REPO

real_record = test_scale.real_record  # the record and the session test_scale uses
spark = test_scale.spark

PARAMS = (Params(), Params(distance_m=2_000, time_s=86_400))
"""The default scale (day reports imprecise: joins and vague pairs) and a day
scale (day reports precise: one report per source decides)."""


def _synthetic_table(count: int, seed: int = 18) -> pa.Table:
    bodies = list(event_report_dicts(count, seed=seed))
    batches = [
        batch_of(bodies[i : i + 50_000], first=i) for i in range(0, count, 50_000)
    ]
    return pa.Table.from_batches(batches).select(["seq", "id", "report", "month"])


def _incidents(table: pa.Table) -> dict[str, str]:
    """Report id → incident id."""
    return dict(
        zip(
            table.column("report").to_pylist(),
            table.column("incident").to_pylist(),
            strict=True,
        )
    )


def _read(folder: Path) -> dict[str, str]:
    return _incidents(ds.dataset(folder, partitioning="hive").to_table())


def _groups(incidents: dict[str, str]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for report, incident in incidents.items():
        groups.setdefault(incident, set()).add(report)
    return groups


@pytest.mark.parametrize("params", PARAMS, ids=["1h", "1d"])
def test_cells_and_seams_give_the_embedded_partition(params: Params) -> None:
    table = _synthetic_table(20_000)
    whole = _incidents(cluster_component(table, params))
    # cells of 5 km and 2 h: most incidents' reports fall in several cells
    grid = Grid(5_000.0, 7_200.0)
    assert _incidents(partition_by_cells(table, params, tasks=3, grid=grid)) == whole
    groups = _groups(whole)
    several = [g for g in groups.values() if len(g) > 1]
    assert len(several) > 3_000  # events seen by two or more sources became one
    # the seams were crossed: reports of one incident copied to different cells
    copies = pa.Table.from_batches(
        [features(b, params, grid) for b in table.to_batches()], schema=FEATURE_SCHEMA
    )
    cells: dict[str, set[int]] = {}
    seq_to_id = dict(
        zip(
            table.column("seq").to_pylist(), table.column("id").to_pylist(), strict=True
        )
    )
    for seq, cell in zip(
        copies.column("seq").to_pylist(), copies.column("cell").to_pylist(), strict=True
    ):
        cells.setdefault(seq_to_id[seq], set()).add(cell)
    straddling = [g for g in several if len(set.union(*(cells[r] for r in g))) > 1]
    assert len(straddling) > 1_000
    # one report per source per incident: the rule survived the cut
    by_id = {
        i: s
        for i, s in zip(
            table.column("id").to_pylist(),
            [b["source"]["id"] for b in event_report_dicts(20_000, seed=18)],
            strict=True,
        )
    }
    assert all(len({by_id[r] for r in g}) == len(g) for g in several)


def _spark_equals_embedded(spark: object, tmp_path: Path, rows: int) -> None:
    from ceasefire.scale.spark import cluster_spark

    write_reports(event_report_dicts(rows, seed=18), tmp_path / "events")
    params = Params()
    mine = embedded.cluster_dataset(tmp_path / "events", tmp_path / "embedded", params)
    theirs = cluster_spark(spark, tmp_path / "events", tmp_path / "spark", params)  # type: ignore[arg-type]
    assert theirs == mine
    assert mine["reports"] == rows and mine["incidents"] < 0.6 * rows
    assert _read(tmp_path / "spark") == _read(tmp_path / "embedded")


@pytest.mark.spark
def test_spark_clustering_equals_the_embedded_partition_on_synthetic_reports(
    spark: object, tmp_path: Path
) -> None:
    rows = int(os.environ.get("CEASEFIRE_SPARK_CLUSTER_ROWS", "100000"))
    _spark_equals_embedded(spark, tmp_path, rows)


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("CEASEFIRE_SPARK_1M") != "1",
    reason="not yet passing: at 1 M reports a local[2] Python worker dies (memory,"
    " unconfirmed) and the SparkContext stops; run with CEASEFIRE_SPARK_1M=1",
)
def test_spark_clustering_equals_the_embedded_partition_on_1m_reports(
    spark: object, tmp_path: Path
) -> None:
    _spark_equals_embedded(spark, tmp_path, 1_000_000)


def _store_incidents(store: Store, params: Params) -> dict[str, str]:
    """``ceasefire incidents``' automatic partition of the store: report → incident."""
    groups = groups_of(read_log(store), params, automatic=True)
    return {r: anchor for anchor, reports in groups.items() for r in reports}


@pytest.mark.parametrize("params", PARAMS, ids=["1h", "1d"])
def test_dataset_clustering_equals_the_store_partition_on_the_real_record(
    real_record: Store, tmp_path: Path, params: Params
) -> None:
    expected = _store_incidents(real_record, params)
    export_store(real_record, tmp_path / "record")
    embedded.cluster_dataset(tmp_path / "record", tmp_path / "incidents", params)
    assert _read(tmp_path / "incidents") == expected
    table = ds.dataset(tmp_path / "record", partitioning="hive").to_table(
        columns=["seq", "id", "report", "month"]
    )
    assert _incidents(partition_by_cells(table, params, tasks=3)) == expected
    sizes = np.bincount([len(g) for g in _groups(expected).values()])
    assert sizes[2:].sum() > 100  # reports of several sources became incidents


@pytest.mark.spark
def test_spark_clustering_equals_the_store_partition_on_the_real_record(
    real_record: Store, spark: object, tmp_path: Path
) -> None:
    from ceasefire.scale.spark import cluster_spark

    export_store(real_record, tmp_path / "record")
    for params in PARAMS:
        expected = _store_incidents(real_record, params)
        out = tmp_path / f"incidents-{params.time_s:g}"
        counts = cluster_spark(spark, tmp_path / "record", out, params)  # type: ignore[arg-type]
        assert _read(out) == expected
        assert counts == {
            "reports": len(expected),
            "incidents": len(set(expected.values())),
        }


def test_cli_clusters_a_dataset(tmp_path: Path) -> None:
    write_reports(event_report_dicts(3_000, seed=7), tmp_path / "events")
    done = subprocess.run(
        [sys.executable, "-m", "ceasefire", "incidents", "cluster",
         "--input", str(tmp_path / "events"), "-o", str(tmp_path / "out"),
         "--distance", "2", "--time", "1h"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    table = _synthetic_table(3_000, seed=7)
    expected = _incidents(cluster_component(table, Params()))
    assert _read(tmp_path / "out") == expected
    assert f"3,000 reports → {len(set(expected.values())):,} incidents" in done.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "ceasefire", "incidents", "cluster",
         "--input", str(tmp_path / "events")],
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
    )  # fmt: skip
    assert missing.returncode != 0 and "-o DIR" in missing.stderr
