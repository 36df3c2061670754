"""Exports read back to the same records (issue 4: round trips)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import shared_data

from ceasefire.io import cir
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file
from ceasefire.io.native import READERS, WRITERS
from ceasefire.log.service import Log, with_admin_units
from ceasefire.store.base import ReportQuery, Store

CIR = "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"


@pytest.mark.shared_data
@pytest.mark.parametrize("suffix", [".jsonl", ".geojson"])
def test_exported_reports_read_back_equal(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    path = shared_data(CIR)
    originals = [r for r in cir.IMPORTER.read(path) if not isinstance(r, Rejection)][
        :800
    ]
    # as logged: the first of any repeated event, with oblast and raion filled
    firsts = list({r.id: r for r in reversed(originals)}.values())
    expected = {r.id: r for r in with_admin_units(firsts)}

    log = Log(store)
    log.append_reports(originals)
    out = tmp_path / f"reports{suffix}"
    with out.open("wb") as handle:
        written = WRITERS[suffix](store.reports(ReportQuery(limit=10**9)), handle)
    assert written == len(expected)
    back = list(READERS[suffix](out))
    assert {r.id: r for r in back} == expected


@pytest.mark.shared_data
def test_geojson_points_are_where_the_reports_say(store: Store, tmp_path: Path) -> None:
    path = shared_data(CIR)
    log = Log(store)
    summary = import_file(log, path, cir.IMPORTER)
    out = tmp_path / "reports.geojson"
    with out.open("wb") as handle:
        WRITERS[".geojson"](store.reports(ReportQuery(limit=10**9)), handle)
    features = orjson.loads(out.read_bytes())["features"]
    # every report; the quarantined rows (no date, outside the declared
    # country) are logged but are not reports
    assert summary.quarantined == 9
    assert len(features) == store.size() - summary.quarantined
    for feature in features[::250]:
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == (
            feature["properties"]["location"]["lon"],
            feature["properties"]["location"]["lat"],
        )


@pytest.mark.shared_data
def test_export_then_append_elsewhere_gives_the_same_reports(tmp_path: Path) -> None:
    path = shared_data(CIR)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ceasefire", *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )

    run("import", "--db", "sqlite:///a.db", str(path))
    run(
        "export",
        "--db",
        "sqlite:///a.db",
        "-o",
        "civilian.jsonl",
        "--event-type",
        "explosion",
    )
    run("log", "append", "--db", "sqlite:///b.db", "civilian.jsonl")
    run("export", "--db", "sqlite:///b.db", "-o", "again.jsonl")
    first = (tmp_path / "civilian.jsonl").read_bytes().splitlines()
    assert first and sorted(first) == sorted(
        (tmp_path / "again.jsonl").read_bytes().splitlines()
    )
    assert all(orjson.loads(line)["event_type"] == "explosion" for line in first)
