"""Intake of Bellingcat's Civilian Harm TimeMap export (events + sources + associations)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import shared_data

from ceasefire.factfinding.corroboration import corroborate
from ceasefire.io import bellingcat, bellingcat_timemap
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

FOLDER = "bellingcat-civilian-harm"
PREFIX = "bellingcat_timemap_2023-05_export_"
EVENTS = f"{FOLDER}/{PREFIX}events.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def reports(path: Path) -> list[Report]:
    found = []
    for row in bellingcat_timemap.IMPORTER.read(path):
        assert isinstance(row, Report), str(row)
        found.append(row)
    return found


@pytest.mark.shared_data
def test_real_file_imports_with_honest_counts_and_reimports_nothing(
    tmp_path: Path,
) -> None:
    path = shared_data(EVENTS)
    assert importer_for(path).name == "bellingcat-timemap"
    # the 2022-2025 export has the same keys minus ids: still the other format
    other = shared_data(f"{FOLDER}/bellingcat_civilian_harm_incidents_2022-2025.json")
    assert importer_for(other).name == "bellingcat"
    events = load(path)
    assert len(events) == 1159  # SOURCE.md
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        first = import_file(log, path, importer_for(path))
        # CIV1553 names two different strikes: both kept, nothing is a repeat
        assert (first.read, first.imported, first.duplicates, first.quarantined) == (
            1159,
            1159,
            0,
            0,
        )
        assert first.reconciles
        size = store.size()
        second = import_file(log, path, importer_for(path))
        assert second.reconciles and second.imported == 0
        assert second.duplicates == 1159
        assert store.size() == size
        assert log.verify() == []


@pytest.mark.shared_data
def test_fields_follow_the_source_records() -> None:
    path = shared_data(EVENTS)
    by_key = {r.source_report_id: r for r in reports(path)}
    # CIV0001 (read by hand): 02/24/2022, Chuhuiv 49.85005 N 36.659031 E,
    # Residential + Weapon Unknown, 12 sources, all tweets.
    first = by_key["CIV0001"]
    assert first.observed.start == datetime(2022, 2, 24, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert (first.location.lat, first.location.lon) == (49.85005, 36.659031)
    assert first.location.place == "Chuhuiv, south of Kharkiv"
    assert first.event_type == "other" and first.weapon is None  # weapon Unknown
    assert first.target is not None and first.target.category == "residential"
    assert first.properties["categories"] == {
        "Type of area affected": ["Residential"],
        "Weapon System": ["Unknown"],
    }
    assert len(first.properties["evidence_links"]) == 12
    assert first.source.derived_from == (
        "https://twitter.com/Michael1Sheldon/status/1496717647089651716"
    )
    # CIV0021: Residential + Cruise missile, 02/25/2022, Bucha.
    missile = by_key["CIV0021"]
    assert missile.event_type == "missile_strike"
    assert missile.weapon is not None and missile.weapon.class_ == "cruise_missile"
    assert (missile.location.lat, missile.location.lon) == (50.546217, 30.20572)
    # CIV0766: School or childcare; its one source, src_exists_CIV0766_2, joined.
    school = by_key["CIV0766"]
    assert school.observed.start == datetime(
        2022, 4, 11, tzinfo=ZoneInfo("Europe/Kyiv")
    )
    assert school.target is not None and school.target.category == "education"
    assert school.properties["evidence_links"] == [
        "https://t.me/Pravda_Gerashchenko/11906"
    ]
    assert school.properties["sources"][0]["description"] == (
        "Damage in a University and nearby garden in Irpin"
    )
    # M/D/YYYY without zero padding (CIV0189: 3/3/2022)
    assert by_key["CIV0189"].observed.start == datetime(
        2022, 3, 3, tzinfo=ZoneInfo("Europe/Kyiv")
    )
    # the id used twice: both strikes kept, the first keeps the plain id
    twice = [r for r in by_key.values() if r.properties["timemap_id"] == "CIV1553"]
    assert [r.narrative for r in twice] == [
        "Iranian drone striking administrative building.",
        "Drone striking central train station area.",
    ]
    assert twice[0].source_report_id == "CIV1553"
    assert str(twice[1].source_report_id).startswith("CIV1553~")
    assert {r.event_type for r in twice} == {"drone_strike"}
    assert [r.target.category for r in twice if r.target] == [
        "government",
        "transport",
    ]


@pytest.mark.shared_data
def test_both_bellingcat_exports_count_once_in_corroboration() -> None:
    timemap = {r.source_report_id: r for r in reports(shared_data(EVENTS))}
    other_path = shared_data(
        f"{FOLDER}/bellingcat_civilian_harm_incidents_2022-2025.json"
    )
    # The same Chuhuiv strike of 2022-02-24 in the 2022-2025 export (record 8,
    # 49.850781 N 36.659762 E): its first link differs, its origin does not.
    record = load(other_path)[7]
    assert record["date"] == "2022-02-24" and record["latitude"] == 49.850781
    other = bellingcat.to_report(record)
    civ = timemap["CIV0001"]
    assert civ.source.derived_from != other.source.derived_from
    cir = {"id": "cir-1", "source": {"id": "cir-russia-ukraine-monitor"}}
    bodies = [r.model_dump(mode="json", by_alias=True) for r in (civ, other)]
    assert corroborate(bodies).independent_sources == 1
    assert corroborate([*bodies, cir]).independent_sources == 2


def broken_copy(tmp_path: Path) -> Path:
    """The real three files, with an unknown category and a few bad events."""
    for part in ("events", "sources", "associations"):
        shutil.copy(shared_data(f"{FOLDER}/{PREFIX}{part}.json"), tmp_path)
    associations = load(tmp_path / f"{PREFIX}associations.json")
    associations.append(
        {
            "filter_paths": ["Weapon System", "Naval drone"],
            "id": "asc99",
            "title": "Naval drone",
            "mode": "FILTER",
            "desc": "",
        }
    )
    (tmp_path / f"{PREFIX}associations.json").write_text(json.dumps(associations))
    events = load(tmp_path / f"{PREFIX}events.json")[:5]
    events[1]["date"] = "2022-02-24"  # ISO, not the export's M/D/YYYY
    events[2]["associations"] = ["asc1", "asc99"]
    events[3]["latitude"] = ""
    events[4]["sources"] = ["src_nowhere"]
    events.append(events[0])  # an exact repeat
    events.append(["not", "an", "object"])
    (tmp_path / f"{PREFIX}events.json").write_text(json.dumps(events))
    return tmp_path / f"{PREFIX}events.json"


@pytest.mark.shared_data
def test_bad_events_are_quarantined_by_name(tmp_path: Path) -> None:
    path = broken_copy(tmp_path)
    assert importer_for(path).name == "bellingcat-timemap"
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, path, importer_for(path))
        assert (
            summary.read,
            summary.imported,
            summary.duplicates,
            summary.quarantined,
        ) == (7, 1, 1, 5)
        kept = {r["row"]: r for r in quarantined(log)}
    assert {row: (r["column"], r["value"]) for row, r in kept.items()} == {
        2: ("date", "2022-02-24"),
        3: ("associations", "Weapon System/Naval drone"),
        4: ("latitude", ""),
        5: ("sources", "src_nowhere"),
        7: ("record", "['not', 'an', 'object']"),
    }
    assert "MM/DD/YYYY" in str(kept[2]["reason"])
    assert "Loitering munition" in str(kept[3]["reason"])  # the known names
    assert f"{PREFIX}sources.json" in str(kept[5]["reason"])


@pytest.mark.shared_data
def test_a_missing_sibling_file_is_named(tmp_path: Path) -> None:
    shutil.copy(shared_data(EVENTS), tmp_path)
    shutil.copy(shared_data(f"{FOLDER}/{PREFIX}sources.json"), tmp_path)
    path = tmp_path / f"{PREFIX}events.json"
    with pytest.raises(ValueError, match=f"{PREFIX}associations.json: not found"):
        list(bellingcat_timemap.IMPORTER.read(path))


@pytest.mark.shared_data
def test_every_event_keeps_its_place_day_and_categories() -> None:
    path = shared_data(EVENTS)
    events = load(path)
    titles = {
        a["id"]: tuple(a["filter_paths"])
        for a in load(shared_data(f"{FOLDER}/{PREFIX}associations.json"))
    }
    sources = load(shared_data(f"{FOLDER}/{PREFIX}sources.json"))
    for event, report in zip(events, reports(path), strict=True):
        month, day, year = (int(part) for part in event["date"].split("/"))
        assert report.observed.start == datetime(
            year, month, day, tzinfo=ZoneInfo("Europe/Kyiv")
        )
        assert report.location.lat == float(event["latitude"])
        assert report.location.lon == float(event["longitude"])
        named: dict[str, list[str]] = {}
        for key in event["associations"]:
            named.setdefault(titles[key][0], []).append(titles[key][1])
        assert report.properties["categories"] == named
        assert [s["id"] for s in report.properties["sources"]] == event["sources"]
        urls = [p for s in event["sources"] for p in sources[s]["paths"]]
        assert report.properties["evidence_links"] == [
            u for u in urls if u.startswith("http")
        ]
