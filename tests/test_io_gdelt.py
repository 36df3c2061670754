"""GDELT 2.0 event export: shape detection, CAMEO mapping, Mentions, quarantine."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO

from ceasefire.io import gdelt
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import UnknownFormat, importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.base import Store
from ceasefire.store.sqlite import SQLiteStore

DATA = REPO / "tests" / "data" / "intake"
STAMP = "20220301001500"


def records(name: str) -> list[list[str]]:
    text = (DATA / f"{STAMP}.{name}.CSV").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()]


def zipped(folder: Path, *names: str) -> Path:
    """The fixtures zipped as GDELT publishes them: one member per archive."""
    for name in names:
        member = f"{STAMP}.{name}.CSV"
        with zipfile.ZipFile(folder / f"{member}.zip", "w") as archive:
            archive.write(DATA / member, member)
    return folder / f"{STAMP}.export.CSV.zip"


def read(path: Path) -> tuple[dict[str, Report], list[Rejection]]:
    rows = list(gdelt.IMPORTER.read(path))
    good = {r.properties["gdelt_event_id"]: r for r in rows if isinstance(r, Report)}
    return good, [r for r in rows if isinstance(r, Rejection)]


def test_detected_by_shape_zipped_or_plain(tmp_path: Path) -> None:
    assert importer_for(zipped(tmp_path, "export")).name == "gdelt"
    assert importer_for(DATA / f"{STAMP}.export.CSV").name == "gdelt"
    # the Mentions table (16 fields) is not an event file
    with pytest.raises(UnknownFormat):
        importer_for(DATA / f"{STAMP}.mentions.CSV")


def test_cameo_codes_and_geo_types_map_as_documented(tmp_path: Path) -> None:
    good, _ = read(zipped(tmp_path, "export"))
    # CAMEO (DOMAIN.md b.3): 194 artillery and tanks, 195 aerial weapons,
    # 196 violate ceasefire, 190 conventional force, 1831 suicide bombing
    expected = {
        "1030000001": ("shelling", 25_000.0),  # world city
        "1030000002": ("air_strike", 25_000.0),  # world city
        "1030000004": ("armed_clash", 150_000.0),  # world state (ADM1)
        "1030000006": ("armed_clash", 700_000.0),  # country
        "1030000008": ("explosion", 25_000.0),
    }
    assert {k: (r.event_type, r.location.precision_m) for k, r in good.items()} == (
        expected
    )
    by_id = {rec[0]: rec for rec in records("export")}
    for event_id, report in good.items():
        rec = by_id[event_id]
        assert (report.location.lat, report.location.lon) == (
            float(rec[56]),
            float(rec[57]),
        )
        assert report.observed.start == datetime.strptime(rec[1], "%Y%m%d").replace(
            tzinfo=UTC
        )
        assert report.reported_at == datetime(2022, 3, 1, 0, 15, tzinfo=UTC)
        assert report.source.derived_from == rec[60]
        assert report.properties["event_code"] == rec[26]
        assert report.source_report_id == f"gdelt-{event_id}"


def test_mentions_beside_the_file_count_distinct_sources(tmp_path: Path) -> None:
    with_mentions, _ = read(zipped(tmp_path, "export", "mentions"))
    # counted here from the Mentions fixture: column 0 event, column 4 source
    sources: dict[str, set[str]] = {}
    for rec in records("mentions"):
        sources.setdefault(rec[0], set()).add(rec[4])
    assert sources["1030000001"] == {"bbc.com", "reuters.com", "theguardian.com"}
    for event_id, report in with_mentions.items():
        assert report.properties["gdelt_mentions"] == len(sources.get(event_id, ()))
    alone = tmp_path / "alone"
    alone.mkdir()
    without, _ = read(zipped(alone, "export"))
    assert all("gdelt_mentions" not in r.properties for r in without.values())


def test_bad_and_unmapped_records_are_quarantined_with_reasons(tmp_path: Path) -> None:
    path = zipped(tmp_path, "export")
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, path, importer_for(path))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.quarantined) == (8, 5, 3)
    assert summary.reconciles
    assert [(k["row"], k["column"], k["value"]) for k in kept] == [
        (3, "EventCode", "042"),  # Consult: not an event we monitor
        (5, "ActionGeo_Type", "0"),  # no place
        (7, None, 60),  # a record cut short
    ]
    assert "root 04 Consult" in str(kept[0]["reason"])
    assert "expected 61" in str(kept[2]["reason"])
    raw = kept[0]["raw"]
    assert isinstance(raw, dict) and raw["GLOBALEVENTID"] == "1030000003"


def test_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    path = zipped(tmp_path, "export", "mentions")
    log = Log(store)
    first = import_file(log, path, gdelt.IMPORTER)
    size = store.size()
    assert size == 8 and first.reconciles
    second = import_file(log, path, gdelt.IMPORTER)
    assert second.imported == 0 and second.duplicates == 5
    assert store.size() == size
    assert log.verify() == []


def test_every_cameo_root_outside_the_table_is_refused_by_name() -> None:
    for root in ("01", "04", "07", "13", "14", "16"):
        with pytest.raises(ValueError, match=f"root {root} "):
            gdelt.event_type(root + "0")
    assert gdelt.event_type("1952") == "air_strike"  # longest prefix: 195
    assert gdelt.event_type("2041") == "other"  # 204 before 20
    assert gdelt.event_type("202") == "one_sided_attack"  # mass killings
    assert gdelt.event_type("196") == "armed_clash"  # violate ceasefire


def test_a_mentions_zip_alone_is_an_unknown_format_not_a_crash(
    tmp_path: Path,
) -> None:
    zipped(tmp_path, "mentions")
    with pytest.raises(UnknownFormat):
        importer_for(tmp_path / f"{STAMP}.mentions.CSV.zip")


def test_a_byte_that_is_not_utf8_costs_its_record_not_the_file(
    tmp_path: Path,
) -> None:
    lines = (DATA / f"{STAMP}.export.CSV").read_bytes().splitlines()
    bad = tmp_path / f"{STAMP}.export.CSV"
    bad.write_bytes(
        b"\n".join([lines[0].replace(b"Kharkiv,", b"Kh\xe4rkiv,"), lines[1]])
    )
    rows = list(gdelt.IMPORTER.read(bad))
    assert isinstance(rows[0], Rejection) and isinstance(rows[1], Report)
    # the first field holding it (Actor1Geo comes before ActionGeo)
    assert rows[0].column == "Actor1Geo_FullName" and "0xE4" in rows[0].reason
