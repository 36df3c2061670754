"""The dataset interchange, and the Spark engine against the embedded one (issue 18).

Equality is the point: Spark runs the same kernel on Arrow batches, so on the
real record and on synthetic data its verdicts and sweep tables must equal
the embedded engine's, verdict for verdict. The dataset is read back with
independent readers (DuckDB, geopandas) to show it is GeoParquet others use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow.dataset as ds
import pytest

from ceasefire.agreement.load import load
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.run import evaluate_store, log_head
from ceasefire.io.intake import import_file
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.scale import embedded
from ceasefire.scale.dataset import export_store, head_of, write_reports
from ceasefire.store import open_store
from ceasefire.store.base import Store
from ceasefire.synth import report_dicts
from tests.conftest import EXAMPLES, REPO, shared_data

REAL_RECORD = (
    "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz",
    "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz",
    "bellingcat-civilian-harm/bellingcat_civilian_harm_incidents_2022-2025.json",
)
MINSK = EXAMPLES / "minsk-ii.yaml"


def _no_spark(reason: str) -> None:
    if os.environ.get("CEASEFIRE_REQUIRE_SPARK") == "1":
        pytest.fail(f"{reason} (CEASEFIRE_REQUIRE_SPARK=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    if shutil.which("java") is None:
        _no_spark("no Java: the Spark engine needs Java 17+")
    pytest.importorskip("pyspark")
    from ceasefire.scale.spark import session

    found = session("local[2]", app="ceasefire-tests")
    found.sparkContext.setLogLevel("ERROR")
    yield found
    found.stop()


@pytest.fixture(scope="module")
def real_record(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """UCDP GED 2014–22, CIR 2022 and Bellingcat, imported as a user would."""
    paths = [shared_data(name) for name in REAL_RECORD]
    folder = tmp_path_factory.mktemp("record")
    with open_store(f"sqlite:///{folder / 'record.db'}") as store:
        log = Log(store)
        for path in paths:
            import_file(log, path, importer_for(path), "test")
        yield store


def _verdict_rows(folder: Path) -> list[dict[str, object]]:
    table = ds.dataset(folder, partitioning="hive", ignore_prefixes=["_", "."])
    return [
        orjson.loads(r) for r in table.to_table().column("verdict_json").to_pylist()
    ]


def _key(row: dict[str, object]) -> tuple[str, str]:
    return str(row["incident"]), str(row["clause"])


def test_dataset_is_geoparquet_that_duckdb_and_geopandas_read(
    real_record: Store, tmp_path: Path
) -> None:
    written = export_store(real_record, tmp_path / "record")
    head = log_head(real_record)
    assert head_of(tmp_path / "record") == head == written.head
    duckdb = pytest.importorskip("duckdb")
    glob = str(tmp_path / "record" / "**" / "*.parquet")
    count, months = duckdb.sql(
        f"select count(*), count(distinct month) from read_parquet('{glob}', hive_partitioning=1)"
    ).fetchone()
    assert count == written.rows
    # one partition per calendar month (UTC) in which a current report starts
    expected_months = {
        row["observed"]["start"][:7] for row in _current_bodies(real_record)
    }
    assert months == len(expected_months)
    geopandas = pytest.importorskip("geopandas")
    one = sorted((tmp_path / "record").glob("month=2015-02/*.parquet"))[0]
    frame = geopandas.read_parquet(one)
    assert frame.crs is None or frame.crs.to_epsg() in (4326, None)
    report = orjson.loads(frame["report"].iloc[0])
    point = frame.geometry.iloc[0]
    assert (point.x, point.y) == (report["location"]["lon"], report["location"]["lat"])


def _store_verdicts(
    evaluator: Evaluator, store: Store
) -> dict[tuple[str, str], dict[str, object]]:
    """The store engine's verdicts (``ceasefire evaluate``), keyed by incident and clause."""
    return {
        _key(v.to_dict()): v.to_dict()
        for v in evaluate_store(evaluator, store).verdicts()
    }


def _current_bodies(store: Store) -> list[dict[str, object]]:
    from ceasefire.compliance.run import current_reports

    return current_reports(store)[0]


def test_embedded_dataset_engine_equals_the_store_engine_on_the_real_record(
    real_record: Store, tmp_path: Path
) -> None:
    evaluator = Evaluator(load(MINSK))
    expected = _store_verdicts(evaluator, real_record)
    export_store(real_record, tmp_path / "record")
    embedded.evaluate_dataset(evaluator, tmp_path / "record", tmp_path / "verdicts")
    found = {_key(v): v for v in _verdict_rows(tmp_path / "verdicts")}
    assert len(expected) > 1_000
    assert found == expected


@pytest.mark.spark
def test_spark_verdicts_equal_the_embedded_engine_on_the_real_record(
    real_record: Store, spark: object, tmp_path: Path
) -> None:
    from ceasefire.scale.spark import evaluate_spark

    evaluator = Evaluator(load(MINSK))
    expected = _store_verdicts(evaluator, real_record)
    export_store(real_record, tmp_path / "record")
    counts = evaluate_spark(
        spark, evaluator, tmp_path / "record", tmp_path / "verdicts"
    )  # type: ignore[arg-type]
    found = {_key(v): v for v in _verdict_rows(tmp_path / "verdicts")}
    assert found == expected
    assert counts == dict(Counter(str(v["verdict"]) for v in expected.values()))
    # partitioned like the input: every verdict sits in its report's month
    months = {p.name for p in (tmp_path / "verdicts").glob("month=*")}
    assert months <= {p.name for p in (tmp_path / "record").glob("month=*")}


def minsk_variants(folder: Path) -> list[Path]:
    """Five drafts of Minsk II: band half-widths and the calibre threshold varied."""
    text = MINSK.read_text(encoding="utf-8")
    shutil.copytree(EXAMPLES / "geometry", folder / "geometry")
    edits = {
        "base": [],
        "band-15km": [("km: 25, within", "km: 15, within")],
        "band-35km": [
            ("km: 25, within", "km: 35, within"),
            ("distance_km(line_of_contact) < 25", "distance_km(line_of_contact) < 35"),
        ],
        "calibre-80mm": [("weapon.calibre_mm >= 100", "weapon.calibre_mm >= 80")],
        "calibre-130mm": [("weapon.calibre_mm >= 100", "weapon.calibre_mm >= 130")],
    }
    paths = []
    for name, changes in edits.items():
        variant = text
        for old, new in changes:
            assert old in variant, f"{old!r} not in {MINSK.name}"
            variant = variant.replace(old, new)
        path = folder / f"minsk-{name}.yaml"
        path.write_text(variant, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.spark
def test_sweep_of_five_minsk_variants_is_identical_on_both_engines(
    real_record: Store, spark: object, tmp_path: Path
) -> None:
    from ceasefire.scale.spark import sweep_spark

    variants = [(p.stem, Evaluator(load(p))) for p in minsk_variants(tmp_path)]
    export_store(real_record, tmp_path / "record")
    mine = embedded.sweep_dataset(variants, tmp_path / "record")
    theirs = sweep_spark(spark, variants, tmp_path / "record")  # type: ignore[arg-type]
    assert mine == theirs
    # the table agrees with each variant's own verdicts counted by hand
    for name, evaluator in variants:
        run = evaluate_store(evaluator, real_record)
        ids = [c.id for c in evaluator.clauses]
        truths = zip(run.table.clause, run.table.truth, strict=True)
        by_clause = Counter(ids[c] for c, t in truths if t == 2)  # 2: true, a breach
        table = Counter()
        for row in mine:
            if row["variant"] == name:
                table[row["clause"]] += int(row["breach"])  # type: ignore[call-overload]
        assert table == by_clause, name
    breaches = Counter()
    for row in mine:
        breaches[(row["variant"], row["clause"])] += int(row["breach"])  # type: ignore[call-overload]
    # a lower calibre threshold can only catch more artillery, never less
    assert (
        breaches[("minsk-calibre-80mm", "artillery-100mm")]
        >= breaches[("minsk-base", "artillery-100mm")]
    )


@pytest.mark.spark
def test_spark_equals_embedded_on_synthetic_incidents(
    spark: object, tmp_path: Path
) -> None:
    from ceasefire.scale.spark import sweep_spark

    rows = int(os.environ.get("CEASEFIRE_SPARK_TEST_ROWS", "200000"))
    write_reports(report_dicts(rows, seed=18), tmp_path / "synthetic")
    variants = [("minsk", Evaluator(load(MINSK)))]
    mine = embedded.sweep_dataset(variants, tmp_path / "synthetic")
    assert sum(int(r["breach"]) for r in mine) > rows / 2  # type: ignore[call-overload]
    assert sweep_spark(spark, variants, tmp_path / "synthetic") == mine  # type: ignore[arg-type]


def test_cli_export_partition_and_sweep(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    run = [sys.executable, "-m", "ceasefire"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    sample = REPO / "tests" / "data" / "reports" / "ucdp-ged-2015.jsonl"
    subprocess.run(
        [*run, "log", "append", "--db", db, str(sample)],
        check=True,
        env=env,
        capture_output=True,
    )
    done = subprocess.run(
        [
            *run,
            "export",
            "--db",
            db,
            "--partition",
            "month",
            "-o",
            str(tmp_path / "rec"),
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "reports to" in done.stdout and "log size" in done.stdout
    swept = subprocess.run(
        [
            *run,
            "sweep",
            "--agreement",
            str(MINSK),
            "--input",
            str(tmp_path / "rec"),
            "--format",
            "json",
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    table = orjson.loads(swept.stdout)
    assert table and {"variant", "clause", "month", "breach", "undetermined"} <= set(
        table[0]
    )
    wrong = subprocess.run(
        [*run, "sweep", "--agreement", str(MINSK), "--input", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode != 0
    assert "not a ceasefire dataset" in wrong.stderr
