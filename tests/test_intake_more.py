"""Intake of the Bellingcat incidents (JSON) and the official air-raid alerts."""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import shapely
from conftest import shared_data

from ceasefire.geo.boundaries import admin_units
from ceasefire.io import alerts, bellingcat
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

BELLINGCAT = (
    "bellingcat-civilian-harm/bellingcat_civilian_harm_incidents_2022-2025.json"
)
ALERTS = "air-raid-alerts/official_data_en_2022-03-15_2024-04-22.csv.gz"


def incidents(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def alert_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_counts(relative: str, path: Path) -> tuple[int, int, list[int]]:
    """Rows, exact repeats and bad rows, counted from the file, not the importer."""
    if relative == BELLINGCAT:
        records = incidents(path)
        keys = Counter(json.dumps(r, sort_keys=True) for r in records)
        bad = [  # record numbers: no date, no place, or the blank point 0,0
            i
            for i, r in enumerate(records, start=1)
            if not r.get("date")
            or r.get("latitude") is None
            or (abs(float(r["latitude"])) < 0.1 and abs(float(r["longitude"])) < 0.1)
        ]
        return len(records), sum(n - 1 for n in keys.values()), bad
    rows = alert_rows(path)
    bad = [  # physical lines: the header is line 1
        i
        for i, r in enumerate(rows, start=2)
        if not (r["oblast"].endswith(" oblast") or r["oblast"] == "Kyiv City")
    ]
    return len(rows), 0, bad


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("relative", "name"), [(BELLINGCAT, "bellingcat"), (ALERTS, "alerts")]
)
def test_real_files_import_with_honest_counts_and_reimport_nothing(
    tmp_path: Path, relative: str, name: str
) -> None:
    path = shared_data(relative)
    importer = importer_for(path)
    assert importer.name == name  # detected from the content
    rows, repeats, bad = expected_counts(relative, path)
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        first = import_file(log, path, importer)
        assert first.read == rows
        assert first.reconciles
        assert first.duplicates == repeats
        assert first.quarantined == len(bad)
        assert [row["row"] for row in quarantined(log)] == bad
        size = store.size()
        assert size == first.imported + first.quarantined
        second = import_file(log, path, importer)
        assert second.read == rows and second.reconciles
        assert second.imported == 0 and second.quarantined == first.quarantined
        assert store.size() == size  # nothing added
        assert log.verify() == []


@pytest.mark.shared_data
def test_alert_with_a_misplaced_oblast_is_quarantined_naming_the_value() -> None:
    path = shared_data(ALERTS)
    rejected = [r for r in alerts.IMPORTER.read(path) if isinstance(r, Rejection)]
    assert [(r.row, r.column, r.value) for r in rejected] == [
        (18, "oblast", "Lubenskyi raion")  # raion and oblast swapped in the source
    ]
    assert "unknown oblast" in rejected[0].reason


@pytest.mark.shared_data
def test_bellingcat_mapping_matches_the_source() -> None:
    path = shared_data(BELLINGCAT)
    records = incidents(path)
    reports = list(bellingcat.IMPORTER.read(path))
    assert len(reports) == len(records)
    for record, report in zip(records[::53], reports[::53], strict=True):
        assert isinstance(report, Report)
        assert report.observed.start.date().isoformat() == record["date"]
        assert report.observed.start.utcoffset() in (
            timedelta(hours=2),
            timedelta(hours=3),
        )
        assert report.location.lat == record["latitude"]
        assert report.location.lon == record["longitude"]
        assert report.narrative == record["description"][:500]
        assert report.properties["evidence_links"] == record["sources"]
        assert report.source.derived_from == (record["sources"] or [None])[0]
        assert report.weapon is None  # the file names no weapon system
        assert report.target is not None  # the harm: civilians or a named place
    # the same record always gives the same id
    again = list(bellingcat.IMPORTER.read(path))
    assert [r.id for r in reports if isinstance(r, Report)] == [
        r.id for r in again if isinstance(r, Report)
    ]


def test_bellingcat_classification_is_explicit() -> None:
    # (act, target, damage): the act named in the text, the harm as effect
    assert bellingcat.classify("Two people killed in a strike on a house.")[:3] == (
        "explosion",
        "residential",
        None,
    )
    assert bellingcat.classify("Damaged hospital following a missile strike.")[:3] == (
        "missile_strike",
        "health",
        "health",
    )
    assert (
        bellingcat.classify("Man injured by a landmine in a field.")[0] == "mines_uxo"
    )
    assert bellingcat.classify("Flooding of street.")[:3] == ("other", "civilian", None)


@pytest.mark.shared_data
def test_alert_mapping_matches_the_source() -> None:
    path = shared_data(ALERTS)
    rows = alert_rows(path)
    reports = list(alerts.IMPORTER.read(path))
    oblasts = {unit.name: unit for unit in admin_units(1)}
    for row, report in zip(rows[::401], reports[::401], strict=True):
        assert isinstance(report, Report)
        assert report.event_type == "other"
        props = report.properties
        assert props["alert_type"] == "air_raid"
        assert props["level"] == row["level"]
        assert props["region"] == row["oblast"]
        assert props["started_at"] == row["started_at"]
        assert props["finished_at"] == row["finished_at"]
        assert report.observed.start.isoformat(" ") == row["started_at"]
        assert report.observed.end is not None
        assert report.observed.end.isoformat(" ") == row["finished_at"]
        unit = oblasts[alerts.OBLASTS[row["oblast"]]]
        centre = shapely.Point(report.location.lon, report.location.lat)
        assert unit.geometry.distance(centre) < 0.2  # at the oblast's centroid
        radius = report.location.precision_m
        assert (8_000 if row["oblast"] == "Kyiv City" else 40_000) < radius < 150_000
    kyiv = alerts.places()["Kyiv City"][2]
    assert math.isclose(kyiv, math.sqrt(839e6 / math.pi), rel_tol=0.15)


@pytest.mark.shared_data
def test_broken_bellingcat_rows_are_quarantined_with_column_and_reason(
    tmp_path: Path,
) -> None:
    records = incidents(shared_data(BELLINGCAT))[:10]
    del records[1]["date"]
    records[4]["latitude"] = None
    del records[6]["longitude"]
    records[8]["date"] = "24/02/2022"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(records), encoding="utf-8")
    assert importer_for(broken).name == "bellingcat"
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, broken, importer_for(broken))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.quarantined) == (10, 6, 4)
    assert [(r["row"], r["column"]) for r in kept] == [
        (2, "date"),
        (5, "latitude"),
        (7, "longitude"),
        (9, "date"),
    ]
    reasons = [str(r["reason"]) for r in kept]
    assert reasons[0].startswith("missing date")
    assert reasons[1].startswith("missing latitude")
    assert reasons[2].startswith("missing longitude")
    assert reasons[3].startswith("not a date")
    assert kept[3]["value"] == "24/02/2022"


@pytest.mark.shared_data
def test_broken_alert_rows_are_quarantined_with_column_and_reason(
    tmp_path: Path,
) -> None:
    rows = alert_rows(shared_data(ALERTS))[:10]
    rows[2]["oblast"] = "Atlantis oblast"
    rows[5]["started_at"] = "yesterday"
    rows[7]["level"] = "village"
    broken = tmp_path / "broken_alerts.csv.gz"
    with gzip.open(broken, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert importer_for(broken).name == "alerts"
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, broken, importer_for(broken))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.quarantined) == (10, 7, 3)
    assert [(r["row"], r["column"], r["value"]) for r in kept] == [
        (4, "oblast", "Atlantis oblast"),  # physical lines: the header is line 1
        (7, "started_at", "yesterday"),
        (9, "level", "village"),
    ]
    assert all(r["reason"] for r in kept)
