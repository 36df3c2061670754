"""Intake of the volunteer (eTryvoga) air-raid alerts."""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from pathlib import Path

import pytest
import shapely
from conftest import shared_data

from ceasefire.geo.boundaries import admin_units
from ceasefire.io import alerts, alerts_volunteer
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

VOLUNTEER = "air-raid-alerts/volunteer_data_en_2022-02-25_2024-10-10.csv.gz"
OFFICIAL = "air-raid-alerts/official_data_en_2022-03-15_2024-04-22.csv.gz"


def source_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.shared_data
def test_real_file_imports_with_honest_counts_and_reimports_nothing(
    tmp_path: Path,
) -> None:
    path = shared_data(VOLUNTEER)
    importer = importer_for(path)
    assert importer.name == "alerts-volunteer"
    rows = source_rows(path)
    placeable = [
        r for r in rows if r["region"].endswith(" oblast") or r["region"] == "Kyiv City"
    ]
    assert len(placeable) == len(rows)  # every region names an oblast: none refused
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        first = import_file(log, path, importer)
        assert (first.read, first.imported, first.quarantined) == (
            len(rows),
            len(rows),
            0,
        )
        assert first.reconciles
        size = store.size()
        second = import_file(log, path, importer)
        assert second.reconciles
        assert (second.imported, second.duplicates) == (0, len(rows))
        assert store.size() == size
        assert log.verify() == []


@pytest.mark.shared_data
def test_naive_ends_are_not_taken_as_observed() -> None:
    path = shared_data(VOLUNTEER)
    rows = source_rows(path)
    reports = list(alerts_volunteer.IMPORTER.read(path))
    naive = 0
    for row, report in zip(rows[::97], reports[::97], strict=True):
        assert isinstance(report, Report)
        assert report.observed.start == datetime.fromisoformat(row["started_at"])
        assert report.properties["finished_at"] == row["finished_at"]
        assert report.properties["region"] == row["region"]
        if row["naive"] == "True":  # the dataset's +30 min guess is kept, not observed
            naive += 1
            assert report.observed.end is None
            assert report.properties["end_inferred"] is True
            assert report.properties["duration_s"] is None
        else:
            end = datetime.fromisoformat(row["finished_at"])
            assert report.observed.end == end
            assert (
                report.properties["duration_s"]
                == (end - report.observed.start).total_seconds()
            )
    assert naive > 0


@pytest.mark.shared_data
def test_volunteer_and_official_alerts_share_place_and_origin() -> None:
    volunteer = next(alerts_volunteer.IMPORTER.read(shared_data(VOLUNTEER)))
    official = next(
        r
        for r in alerts.IMPORTER.read(shared_data(OFFICIAL))
        if isinstance(r, Report) and r.properties["region"] == "Kyiv City"
    )
    assert isinstance(volunteer, Report)
    assert volunteer.properties["region"] == "Kyiv City"  # first row of the file
    assert volunteer.location == official.location
    # one siren network: corroboration must count the two channels once
    assert volunteer.source.derived_from == official.source.derived_from
    assert volunteer.source.id != official.source.id
    assert volunteer.event_type == official.event_type == "other"


@pytest.mark.shared_data
def test_broken_rows_are_quarantined_naming_column_and_value(tmp_path: Path) -> None:
    rows = source_rows(shared_data(VOLUNTEER))[:6]
    rows[1]["region"] = "Atlantis oblast"
    rows[2]["started_at"] = "2022-02-25 18:56:44"  # no offset
    rows[4]["naive"] = "maybe"
    broken = tmp_path / "volunteer.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert importer_for(broken).name == "alerts-volunteer"
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, broken, importer_for(broken))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.quarantined) == (6, 3, 3)
    assert [(r["row"], r["column"], r["value"]) for r in kept] == [
        (3, "region", "Atlantis oblast"),  # physical lines: the header is line 1
        (4, "started_at", "2022-02-25 18:56:44"),
        (6, "naive", "maybe"),
    ]
    assert "no time zone" in str(kept[1]["reason"])


def test_every_alert_place_lies_inside_its_oblast() -> None:
    """Odesa oblast's centroid falls outside it; the alert must not land abroad."""
    units = {unit.name: unit.geometry for unit in admin_units(1)}
    for name, adm1 in alerts.OBLASTS.items():
        lon, lat, _, _ = alerts.places()[name]
        assert units[adm1].contains(shapely.Point(lon, lat)), name
