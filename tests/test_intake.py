"""Intake on the real datasets: honest counts, idempotent re-imports, quarantine."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_data

from ceasefire.io import cir, ucdp
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import UnknownFormat, importer_for
from ceasefire.log.service import Log
from ceasefire.store.base import Store

UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
CIR = "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"


def source_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.shared_data
@pytest.mark.parametrize(("relative", "name"), [(UCDP, "ucdp"), (CIR, "cir")])
def test_real_dataset_imports_with_honest_counts_and_reimports_nothing(
    store: Store, relative: str, name: str
) -> None:
    path = shared_data(relative)
    importer = importer_for(path)
    assert importer.name == name  # detected from the header
    log = Log(store)
    first = import_file(log, path, importer)
    rows = source_rows(path)
    assert first.read == len(rows)  # counted independently of the importer
    assert first.reconciles
    assert store.size() == first.imported + first.quarantined
    second = import_file(log, path, importer)
    assert second.imported == 0 and second.reconciles
    assert store.size() == first.imported + first.quarantined  # nothing added
    assert log.verify() == []


@pytest.mark.shared_data
def test_cir_rows_without_a_date_are_quarantined_with_reasons(tmp_path: Path) -> None:
    from ceasefire.store.sqlite import SQLiteStore

    path = shared_data(CIR)
    # physical lines (header = 1), as an editor numbers them (CIR has no
    # multi-line cells: 6,650 rows end on line 6,651)
    undated = [i for i, r in enumerate(source_rows(path), start=2) if not r["date"]]
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        import_file(log, path, cir.IMPORTER)
        kept = [k for k in quarantined(log) if k["column"] == "date"]
    assert len(undated) == 4
    assert [row["row"] for row in kept] == undated
    assert all(
        row["column"] == "date" and "missing date" in str(row["reason"]) for row in kept
    )
    assert all(isinstance(row["raw"], dict) and row["raw"]["entry"] for row in kept)


@pytest.mark.shared_data
def test_ucdp_mapping_matches_the_source(tmp_path: Path) -> None:
    path = shared_data(UCDP)
    rows = source_rows(path)
    reports = [r for r in ucdp.IMPORTER.read(path) if not isinstance(r, Rejection)]
    assert len(reports) == len(rows)
    for row, report in zip(rows[::97], reports[::97], strict=True):
        assert report.source_report_id == f"ucdp-ged-{row['id']}"
        assert report.location.lat == float(row["latitude"])
        assert report.location.lon == float(row["longitude"])
        assert report.casualties is not None and report.casualties.killed == int(
            row["best"]
        )
        assert report.observed.start.date().isoformat() == row["date_start"][:10]
    # where_prec 1 is an exact place, 4 an oblast centroid: radius grows with it
    by_prec = {r.properties["where_prec"]: r.location.precision_m for r in reports}
    assert by_prec["1"] < by_prec["3"] < by_prec["4"]


def broken_copy(source: Path, target: Path) -> list[int]:
    """A CSV of the first 40 source rows with 3 broken; returns their physical
    lines (header = 1), found by searching the written text for the bad values."""
    rows = source_rows(source)[:40]
    rows[4]["latitude"] = "95.5"  # beyond the pole
    rows[11]["date_start"] = "2015-13-45"  # no such date
    rows[30]["longitude"] = "thirty-seven"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = target.read_text(encoding="utf-8").splitlines()
    bad = (",95.5,", ",2015-13-45,", ",thirty-seven,")
    return [next(i for i, t in enumerate(lines, 1) if value in t) for value in bad]


@pytest.mark.shared_data
def test_broken_rows_are_quarantined_and_good_rows_land(tmp_path: Path) -> None:
    target = tmp_path / "ucdp-broken.csv"
    bad_rows = broken_copy(shared_data(UCDP), target)
    done = subprocess.run(
        [sys.executable, "-m", "ceasefire", "import", "--db", "sqlite:///log.db", str(target)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "read 40 = imported 37 + duplicates 0 + quarantined 3" in done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "ceasefire", "quarantine", "list", "--db", "sqlite:///log.db", "--format", "json"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    kept = json.loads(listed.stdout)
    assert [r["row"] for r in kept] == bad_rows
    assert [(r["column"], r["value"]) for r in kept] == [
        ("latitude", "95.5"),
        ("date_start", "2015-13-45"),
        ("longitude", "thirty-seven"),
    ]
    assert "out of range" in kept[0]["reason"] and "not a date" in kept[1]["reason"]


@pytest.mark.shared_data
def test_strict_refuses_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "ucdp-broken.csv"
    first_bad = broken_copy(shared_data(UCDP), target)[0]
    done = subprocess.run(
        [sys.executable, "-m", "ceasefire", "import", "--strict", "--db", "sqlite:///log.db", str(target)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert first_bad == 6  # the 5th data row, under the header
    assert "refused" in done.stderr and f":{first_bad} [latitude]" in done.stderr
    head = subprocess.run(
        [sys.executable, "-m", "ceasefire", "log", "head", "--db", "sqlite:///log.db"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert head.stdout.startswith("size 0 ")


def test_unknown_format_names_what_each_importer_needs(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("when,where,what\n2022-01-01,Kyiv,x\n")
    with pytest.raises(UnknownFormat) as refused:
        importer_for(odd)
    assert "when, where, what" in refused.value.message
    assert "ucdp:" in (refused.value.expected or "") and "cir:" in (
        refused.value.expected or ""
    )
    with pytest.raises(UnknownFormat) as misspelt:
        importer_for(odd, "ucpd")
    assert misspelt.value.suggestion == "ucdp"


def test_cir_event_groups_map_or_are_refused_by_name() -> None:
    damage = cir.classify("Civilian Infrastructure Damage March 2022")
    assert (damage.act, damage.target, damage.damage) == (
        "other",
        "civilian",
        "civilian",
    )
    assert cir.classify("Russian Military Presence Oct 2022").party == "ru"
    assert cir.classify("Munitions Feb - June").act == "mines_uxo"
    with pytest.raises(ValueError, match="unknown event group"):
        cir.classify("Alien Landing")
