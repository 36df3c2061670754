"""Intake of the Ukrainian Air Force daily missile/drone reports."""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shapely
from conftest import shared_data
from pyproj import Geod

from ceasefire.geo.boundaries import admin_units, country
from ceasefire.io import missiles
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

MISSILES = "missile-drone-attacks/missile_attacks_daily_2022-09_2026-04.csv.gz"
GEOD = Geod(ellps="WGS84")


def source_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def covers(report: Report, geometry: shapely.Geometry) -> bool:
    """Every vertex of ``geometry`` lies within the report's radius (geodesic)."""
    coords = shapely.get_coordinates(geometry)
    n = len(coords)
    _, _, dist = GEOD.inv(
        [report.location.lon] * n, [report.location.lat] * n, coords[:, 0], coords[:, 1]
    )
    return max(dist) <= report.location.precision_m * 1.005


@pytest.mark.shared_data
def test_real_file_imports_with_honest_counts_and_reimports_nothing(
    tmp_path: Path,
) -> None:
    path = shared_data(MISSILES)
    importer = importer_for(path)
    assert importer.name == "missiles"
    rows = source_rows(path)
    # physical lines of the file: the header is line 1
    no_count = [i for i, r in enumerate(rows, start=2) if not r["launched"].strip()]
    assert len(no_count) == 3  # the source leaves launched empty on three rows
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        first = import_file(log, path, importer)
        assert (first.read, first.duplicates) == (len(rows), 0)
        assert first.quarantined == len(no_count)
        assert first.reconciles
        kept = quarantined(log)
        assert [(r["row"], r["column"]) for r in kept] == [
            (i, "launched") for i in no_count
        ]
        size = store.size()
        second = import_file(log, path, importer)
        assert second.reconciles and second.imported == 0
        assert second.duplicates == first.imported
        assert store.size() == size
        assert log.verify() == []


@pytest.mark.shared_data
def test_counts_times_and_weapons_follow_the_source() -> None:
    path = shared_data(MISSILES)
    rows = source_rows(path)
    reports = list(missiles.IMPORTER.read(path))
    first = reports[0]
    assert isinstance(first, Report)
    # 2026-04-04 18:00 Kyiv summer time (UTC+3) … 2026-04-05 08:00
    assert first.observed.start == datetime(2026, 4, 4, 15, 0, tzinfo=UTC)
    assert first.observed.end == datetime(2026, 4, 5, 5, 0, tzinfo=UTC)
    assert first.observed.precision == "minute"
    assert first.weapon is not None
    assert (first.weapon.class_, first.weapon.count) == ("loitering_munition", 93)
    assert first.event_type == "drone_strike"
    assert first.properties["destroyed_count"] == 76
    assert first.source.type == "party_report" and first.source.id == "kpszsu"
    winter = next(
        (row, report)
        for row, report in zip(rows, reports, strict=True)
        if row["time_start"] == "2025-01-19 19:00"
    )
    assert isinstance(winter[1], Report)  # Kyiv winter time is UTC+2
    assert winter[1].observed.start == datetime(2025, 1, 19, 17, 0, tzinfo=UTC)
    for row, report in zip(rows[::37], reports[::37], strict=True):
        if isinstance(report, Rejection):
            continue
        assert report.weapon is not None
        assert report.weapon.count == int(float(row["launched"]))
        assert report.weapon.model == row["model"]
        assert report.properties["launched"] == row["launched"]
        assert report.attribution is not None and report.attribution.party == "ru"
        if "Iskander-M" in row["model"] and " and " not in row["model"]:
            assert report.weapon.class_ == "ballistic_missile"
            assert report.event_type == "missile_strike"
        if row["model"] in ("Orlan-10", "ZALA", "Supercam"):
            assert report.event_type == "drone_flight"


@pytest.mark.shared_data
def test_areas_are_placed_in_their_oblasts_with_a_covering_radius() -> None:
    path = shared_data(MISSILES)
    rows = source_rows(path)
    reports = list(missiles.IMPORTER.read(path))
    oblasts = {unit.name: unit.geometry for unit in admin_units(1)}
    checked: set[str] = set()
    for row, report in zip(rows, reports, strict=True):
        target = row["target"]
        if target in checked or not isinstance(report, Report):
            continue
        checked.add(target)
        if target == "Odesa oblast":
            assert oblasts["Odessa Oblast"].contains(
                shapely.Point(report.location.lon, report.location.lat)
            )
            assert covers(report, oblasts["Odessa Oblast"])
        elif target == "Odesa oblast and Mykolaiv oblast":
            both = shapely.union(oblasts["Odessa Oblast"], oblasts["Mykolaiv Oblast"])
            assert covers(report, both)
            assert report.properties["placed_in"] == [
                "Mykolaiv Oblast",
                "Odessa Oblast",
            ]
        elif target == "Kryvyi Rih":  # a city stands for its oblast
            assert covers(report, oblasts["Dnipropetrovsk Oblast"])
        elif target in ("Ukraine", "south", ""):
            assert covers(report, country())
            assert 600_000 < report.location.precision_m < 800_000
            assert report.properties["placed_in"] == []
    assert {"Odesa oblast", "Kryvyi Rih", "Ukraine", "south"} <= checked


@pytest.mark.shared_data
def test_broken_rows_are_quarantined_naming_column_and_value(tmp_path: Path) -> None:
    rows = source_rows(shared_data(MISSILES))[:8]
    rows[1]["model"] = "Tomahawk"
    rows[3]["time_start"] = "04/04/2026"
    rows[4]["time_end"] = "2020-01-01 00:00"
    rows[6]["launched"] = "many"
    broken = tmp_path / "missiles.csv"
    write_rows(broken, rows)
    assert importer_for(broken).name == "missiles"
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, broken, importer_for(broken))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.quarantined) == (8, 4, 4)
    assert [(r["row"], r["column"], r["value"]) for r in kept] == [
        (3, "model", "Tomahawk"),  # physical lines: the header is line 1
        (5, "time_start", "04/04/2026"),
        (6, "time_end", "2020-01-01 00:00"),
        (8, "launched", "many"),
    ]
    assert "unknown weapon model 'Tomahawk'" in str(kept[0]["reason"])
    assert "before time_start" in str(kept[2]["reason"])


def test_combined_models_get_a_common_class_or_none() -> None:
    assert missiles.weapon_of("X-101/X-555 and Kalibr")[:2] == (
        "cruise_missile",
        "missile_strike",
    )
    assert missiles.weapon_of("C-400 and Iskander-M")[:2] == (None, "missile_strike")
    assert missiles.weapon_of("Orlan-10 and ZALA")[:2] == ("uav", "drone_flight")
    assert missiles.weapon_of("Shahed-136/131 and Lancet")[1] == "drone_strike"
    assert missiles.weapon_of("GBU")[1] == "air_strike"
