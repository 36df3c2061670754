"""The monitor form (forms/monitor-report.xlsx) and imports of its submissions."""

from __future__ import annotations

import csv
import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from conftest import REPO
from pyxform import xls2xform

from ceasefire.io import kobo, monitor_form
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.model.vocabulary import EVENT_TYPES
from ceasefire.store.sqlite import SQLiteStore

DATA = REPO / "tests" / "data" / "kobo"
KOBO_CSV = DATA / "monitor-report_kobo.csv"
KOBO_JSON = DATA / "monitor-report_kobo.json"
ODK_CSV = DATA / "monitor-report_odk.csv"
FORM = REPO / "forms" / "monitor-report.xlsx"


def reports(path: Path) -> list[Report | Rejection]:
    return list(kobo.IMPORTER.read(path))


# ------------------------------------------------------------------ the form


def test_shipped_form_matches_its_source_and_the_docs() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_monitor_form", REPO / "scripts" / "make_monitor_form.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    book = openpyxl.load_workbook(FORM)
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = [
        tuple("" if v is None else str(v) for v in row)
        for row in book["survey"].iter_rows(values_only=True)
    ]
    assert survey[0] == monitor_form.SURVEY_COLUMNS
    assert survey[1:] == list(monitor_form.SURVEY)
    event_types = [
        row[1]
        for row in book["choices"].iter_rows(min_row=2, values_only=True)
        if row[0] == "event_type"
    ]
    assert tuple(event_types) == EVENT_TYPES  # answers are our vocabulary
    docs = (REPO / "docs" / "monitor-form.md").read_text(encoding="utf-8")
    assert docs == script.markdown(), "run scripts/make_monitor_form.py"


def test_shipped_form_converts_to_an_xform() -> None:
    """pyxform (what KoboToolbox and ODK Central use) accepts the form."""
    result = xls2xform.convert(xlsform=str(FORM))
    assert 'id="ceasefire_monitor_report"' in result.xform
    for name in ("team_id", "observed_at", "event_type", "location", "narrative"):
        assert f"<{name}" in result.xform
    assert all("max-pixels" in warning for warning in result.warnings)


def test_the_importer_reads_every_question_path_of_the_form() -> None:
    paths = monitor_form.fields()
    assert paths["event_type"] == "event/event_type"
    assert paths["location"] == "place/location"
    with KOBO_CSV.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    assert set(paths.values()) <= set(header)  # the fixture is a full export
    assert {kobo.canonical(p) for p in paths.values()} == set(paths)


# ------------------------------------------------------------- submissions


def test_exports_are_detected_by_content() -> None:
    for path in (KOBO_CSV, KOBO_JSON, ODK_CSV):
        assert importer_for(path).name == "kobo"


def test_kobo_csv_imports_good_rows_and_quarantines_bad_ones(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, KOBO_CSV, kobo.IMPORTER)
        kept = quarantined(log)
        # 8 submissions: 4 good, 3 bad, row 8 a resend of row 1 (same _uuid)
        assert (summary.read, summary.imported, summary.duplicates) == (8, 4, 1)
        assert summary.quarantined == 3 and summary.reconciles
        assert [(r["row"], r["column"], r["value"]) for r in kept] == [
            (5, "event/event_type", "shooting"),
            (6, "event/observed_at", "2024-05-03 14:00"),
            (7, "place/location", ""),
        ]
        assert str(kept[0]["reason"]).startswith(
            "not a choice of the form's event_type list"
        )
        size = store.size()
        again = import_file(log, KOBO_CSV, kobo.IMPORTER)
        assert again.imported == 0 and again.reconciles
        assert store.size() == size


def test_a_submission_maps_to_the_report_the_monitor_filled_in() -> None:
    first = reports(KOBO_CSV)[0]
    assert isinstance(first, Report)
    # 08:40 and 08:55 at UTC+3
    assert first.observed.start == datetime(2024, 5, 1, 5, 40, tzinfo=UTC)
    assert first.observed.end == datetime(2024, 5, 1, 5, 55, tzinfo=UTC)
    assert first.reported_at == datetime(2024, 5, 1, 6, 15, 30, tzinfo=UTC)
    assert (first.location.lat, first.location.lon) == (48.1387, 37.7429)
    assert first.location.precision_m == 4.5  # the GPS accuracy
    assert first.location.place == "Avdiivka, vul. Shkilna"
    assert first.event_type == "shelling"
    assert first.weapon is not None
    assert (first.weapon.class_, first.weapon.count) == ("artillery", 12)
    assert first.direction_of_fire_deg == 95
    assert first.target is not None and first.target.category == "residential"
    assert first.casualties is not None
    assert (first.casualties.injured, first.casualties.civilians_injured) == (2, 2)
    assert first.source.type == "monitor_patrol"
    assert (first.source.id, first.source.name) == ("DON-07", "M. Kovalenko")
    assert first.source_report_id == "uuid:6f1c2b9e-4a51-4b0e-9d7a-2f3c0d9e8a11"
    assert first.properties["photos"] == ["IMG_0412-9_14_1.jpg"]
    second = reports(KOBO_CSV)[1]
    assert isinstance(second, Report)
    # the point is the patrol base, the event 1.5 km away: accuracy 8 + 1500
    assert second.location.precision_m == 1508.0
    troops = reports(KOBO_CSV)[2]
    assert isinstance(troops, Report)
    assert troops.weapon is None and troops.casualties is None
    assert troops.observed.precision == "hour"


def test_the_same_submission_from_any_export_is_the_same_report(
    tmp_path: Path,
) -> None:
    by_instance = {
        r.properties["instance_id"]: r
        for path in (KOBO_CSV, KOBO_JSON, ODK_CSV)
        for r in reports(path)
        if isinstance(r, Report)
    }
    kobo_csv = {
        r.properties["instance_id"]: r
        for r in reports(KOBO_CSV)
        if isinstance(r, Report)
    }
    for path in (KOBO_JSON, ODK_CSV):
        for report in reports(path):
            assert isinstance(report, Report)
            twin = kobo_csv.get(report.properties["instance_id"])
            if twin is not None:
                assert report.id == twin.id
                assert report.location.lat == twin.location.lat
                assert report.location.precision_m == twin.location.precision_m
                assert report.observed == twin.observed
                assert report.event_type == twin.event_type
    assert len(by_instance) == 5  # four from Kobo + one only in the ODK file
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        import_file(log, KOBO_CSV, kobo.IMPORTER)
        odk = import_file(log, ODK_CSV, kobo.IMPORTER)
        from_json = import_file(log, KOBO_JSON, kobo.IMPORTER)
    assert (odk.imported, odk.duplicates) == (1, 1)
    assert (from_json.imported, from_json.duplicates) == (0, 2)


def test_odk_central_split_geopoint_and_key() -> None:
    strike = reports(ODK_CSV)[1]
    assert isinstance(strike, Report)
    assert (strike.location.lat, strike.location.lon) == (47.50211, 35.77342)
    assert strike.location.precision_m == 3.5
    assert strike.reported_at == datetime(2024, 5, 4, 9, 40, 51, 2000, tzinfo=UTC)
    assert strike.weapon is not None and strike.weapon.class_ == "loitering_munition"
    assert strike.direction_of_fire_deg == 210.5
    assert strike.properties["instance_id"] == "7d2e4c91-3f58-4a6b-9e0d-2c8b5f1a7e34"
    assert strike.properties["form_version"] == "2026113001"


def test_json_without_results_wrapper_and_bad_records(tmp_path: Path) -> None:
    data = json.loads(KOBO_JSON.read_text(encoding="utf-8"))["results"]
    data[1]["place/location"] = "91.0 38.4 160 12"  # latitude out of range
    data.append("not a submission")
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(data), encoding="utf-8")
    assert importer_for(bare).name == "kobo"
    rows = reports(bare)
    assert isinstance(rows[0], Report)
    assert [
        (r.row, r.column, r.value) for r in rows[1:] if isinstance(r, Rejection)
    ] == [
        (2, "place/location", "91.0"),
        (3, "record", "not a submission"),
    ]
