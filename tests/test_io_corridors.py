"""Intake of PeaceRep's humanitarian corridors (Ukraine, March–May 2022)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import shared_data

from ceasefire.io import corridors
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

CORRIDORS = (
    "humanitarian-corridors-2022/humanitarian_corridors_ukraine_2022_geocoded.csv"
)


def source_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_hc_id(path: Path) -> dict[str, Report]:
    found = {}
    for row in corridors.IMPORTER.read(path):
        assert isinstance(row, Report), str(row)
        found[row.properties["hc_id"]] = row
    return found


@pytest.mark.shared_data
def test_real_file_imports_with_honest_counts_and_reimports_nothing(
    tmp_path: Path,
) -> None:
    path = shared_data(CORRIDORS)
    assert importer_for(path).name == "corridors"
    rows = source_rows(path)
    assert len(rows) == 282  # SOURCE.md: 282 rows, every HC_ID distinct
    assert len({row["HC_ID"] for row in rows}) == 282
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        first = import_file(log, path, importer_for(path))
        assert (first.read, first.imported, first.duplicates, first.quarantined) == (
            282,
            282,
            0,
            0,
        )
        assert first.reconciles
        size = store.size()
        second = import_file(log, path, importer_for(path))
        assert second.reconciles and second.imported == 0
        assert second.duplicates == 282
        assert store.size() == size
        assert log.verify() == []


@pytest.mark.shared_data
def test_fields_follow_the_source_rows() -> None:
    reports = by_hc_id(shared_data(CORRIDORS))
    # HC_ID 1 (read by hand): 05.03.22, Agreed, disputed, Mariupol
    # 47.09514 N 37.54131 E → Zaporizhzhya 47.85167 N 35.11714 E.
    first = reports["1"]
    assert first.observed.start == datetime(2022, 3, 5, tzinfo=UTC)
    assert first.observed.precision == "day"
    assert (first.location.lat, first.location.lon) == (47.09514, 37.54131)
    assert first.location.place == "Mariupol"
    assert first.event_type == "other"
    assert first.properties["kind"] == "humanitarian_corridor"
    assert first.properties["status_result"] == "disputed"
    assert first.properties["proposal"] == "Agreed"
    assert first.properties["proposed_by"] == ["ua", "ru"]
    assert first.properties["to"] == {
        "name": "Zaporizhzhya",
        "lon": 35.11714,
        "lat": 47.85167,
        "country": "UA",
    }
    assert first.source.type == "media"
    assert first.source.derived_from == (
        "https://interfax.com/newsroom/top-stories/75561/?sphrase_id=79069"
    )
    assert len(first.properties["links"]) == 5
    # HC_ID 8: proposed by Russia, Kharkiv → Belgorod (RU), to_name blank.
    eight = reports["8"]
    assert eight.observed.start == datetime(2022, 3, 7, tzinfo=UTC)
    assert (eight.location.lat, eight.location.lon) == (49.98081, 36.25272)
    assert eight.properties["proposed_by"] == ["ru"]
    assert eight.properties["to"]["country"] == "RU"
    assert (eight.properties["to"]["lat"], eight.properties["to"]["lon"]) == (
        50.61074,
        36.58015,
    )
    # HC_ID 46: from_name blank, From "Izyum"; links split on "; ".
    izyum = reports["46"]
    assert izyum.location.place == "Izyum"
    assert izyum.properties["status_result"] == "unsuccessful/disrupted"
    assert len(izyum.properties["links"]) == 3
    assert reports["416"].observed.start == datetime(2022, 5, 4, tzinfo=UTC)


def test_bad_rows_are_quarantined_with_their_reasons(tmp_path: Path) -> None:
    header = [
        "HC_ID", "Date", "date", "proposal", "status_result", "text", "Link",
        "From", "from_name", "from_latitude", "from_longitude",
        "To", "to_name", "to_latitude", "to_longitude", "to_country_code",
    ]  # fmt: skip
    good = {
        "HC_ID": "7",
        "Date": "07.03.22",
        "date": "2022-03-07",
        "proposal": "Ukraine",
        "status_result": "successful",
        "text": "see source: https://example.org/a",
        "Link": "https://example.org/a",
        "From": "Sumy",
        "from_name": "Sumy",
        "from_latitude": "50.9216",
        "from_longitude": "34.80029",
        "To": "Poltava",
        "to_name": "Poltava",
        "to_latitude": "49.59373",
        "to_longitude": "34.54073",
        "to_country_code": "UA",
    }
    rows = [
        good,
        {**good, "HC_ID": "900", "date": "", "Date": "12.03.22"},  # fallback
        {**good, "HC_ID": "901", "date": "2022-13-45", "Date": "45.13.22"},
        {**good, "HC_ID": "902", "from_latitude": "north"},
        {**good, "HC_ID": "903", "proposal": "ICRC"},
        {**good, "HC_ID": ""},
        {
            **good,
            "HC_ID": "904",
            "from_latitude": "34.80029",
            "from_longitude": "50.9216",
        },
    ]
    path = tmp_path / "corridors.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    assert importer_for(path).name == "corridors"
    read = list(corridors.IMPORTER.read(path))
    fallback = read[1]
    assert isinstance(fallback, Report)
    assert fallback.observed.start == datetime(2022, 3, 12, tzinfo=UTC)
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, path, corridors.IMPORTER)
        assert (summary.read, summary.imported, summary.quarantined) == (7, 2, 5)
        kept = {(r["row"], r["column"], r["value"]) for r in quarantined(log)}
        reasons = {r["row"]: str(r["reason"]) for r in quarantined(log)}
    assert kept == {
        (4, "date", "2022-13-45"),  # physical lines: the header is line 1
        (5, "from_latitude", "north"),
        (6, "proposal", "ICRC"),
        (7, "HC_ID", ""),
        (8, "location", "lat 34.8003, lon 50.9216"),
    }
    assert "DD.MM.YY" in reasons[4]
    assert "expected -90 to 90" in reasons[5]
    assert "expected Ukraine, Russia, Agreed" in reasons[6]
    assert "swapped" in reasons[8]
    assert not any(isinstance(r, Rejection) for r in read[:2])
