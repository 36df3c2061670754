"""Flat CSV of our schema (lossless) and `ceasefire export` choosing formats."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from conftest import REPO, shared_data

from ceasefire.io import cir, flat
from ceasefire.io.base import Rejection
from ceasefire.io.exporters import format_for
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.native import from_jsonl
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log, with_admin_units
from ceasefire.model.report import Report, new_id
from ceasefire.store.base import ReportQuery, Store
from ceasefire.store.sqlite import SQLiteStore

PATROLS = REPO / "tests" / "data" / "reports" / "patrols-2015-03-05.jsonl"
CIR = "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"


def full_report() -> Report:
    """Every field set, with text a CSV must quote (a case real data lacks)."""
    at = datetime(2015, 3, 5, 6, 40, tzinfo=UTC)
    return Report.model_validate(
        {
            "id": new_id(int(at.timestamp() * 1000), b"0123456789"),
            "source_report_id": "SMM/2015/03/05-7",
            "source": {
                "type": "monitor_patrol",
                "id": "SMM-Donetsk-07",
                "name": "Patrol 7, Donetsk",
                "reliability": "A",
                "credibility": 2,
                "derived_from": "https://example.org/a,b",
            },
            "observed": {"start": at, "end": at, "precision": "minute"},
            "reported_at": at,
            "location": {
                "lon": 38.4175,
                "lat": 48.304,
                "precision_m": 512.5,
                "place": 'Debaltseve "rail yard"',
                "admin1": "UA-14",
                "admin2": "Debaltseve",
            },
            "event_type": "shelling",
            "weapon": {
                "class": "artillery",
                "model": "D-30",
                "calibre_mm": 122.0,
                "range_km": 15.3,
                "count": 3,
            },
            "direction_of_fire_deg": 135.5,
            "attribution": {"party": "cadlr", "confidence": "high"},
            "target": {"category": "residential", "name": "Block 4"},
            "personnel": {"category": "combat_unit", "nationality": "ua", "count": 12},
            "casualties": {
                "killed": 1,
                "injured": 2,
                "civilians_killed": 0,
                "civilians_injured": 2,
            },
            "narrative": "Line one, with a comma;\nline two — «quoted».",
            "evidence": [{"sha256": "a" * 64, "media_type": "image/jpeg"}],
            "supersedes": new_id(int(at.timestamp() * 1000) - 1, b"9876543210"),
            "properties": {"nested": {"list": [1, 2.5, None]}, "text": 'ü, "q"'},
        }
    )


def write(reports: list[Report], out: Path) -> Path:
    with out.open("wb") as handle:
        flat.to_csv(reports, handle)
    return out


def good(path: Path) -> list[Report]:
    return [r for r in flat.IMPORTER.read(path) if isinstance(r, Report)]


def test_every_field_survives_the_round_trip(tmp_path: Path) -> None:
    originals = [full_report(), *from_jsonl(PATROLS)]
    out = write(originals, tmp_path / "reports.csv")
    assert importer_for(out).name == "csv"
    assert good(out) == originals
    with out.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert "weapon.class" in header and "location.lon" in header  # flat, dotted


def test_bad_cells_are_quarantined_naming_the_column(tmp_path: Path) -> None:
    out = write([full_report(), *from_jsonl(PATROLS)], tmp_path / "reports.csv")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[1]["location.lon"] = "38,4"
    rows[2]["properties"] = "{not json"
    rows[3]["event_type"] = "artillery barrage"
    broken = tmp_path / "broken.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, flat.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, broken, importer_for(broken))
        kept = quarantined(log)
    assert (summary.imported, summary.quarantined) == (1, 3)
    # the physical lines an editor shows (header = 1), found in the file's text
    text = broken.read_text(encoding="utf-8").splitlines()
    lines = [
        next(i for i, t in enumerate(text, 1) if bad in t)
        for bad in ('"38,4"', "{not json", ",artillery barrage,")
    ]
    assert [(k["row"], k["column"], k["value"]) for k in kept] == [
        (lines[0], "location.lon", "38,4"),
        (lines[1], "properties", "{not json"),
        (lines[2], "event_type", "artillery barrage"),
    ]


def test_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    out = write([full_report(), *from_jsonl(PATROLS)], tmp_path / "reports.csv")
    log = Log(store)
    first = import_file(log, out, flat.IMPORTER)
    assert first.imported == 4 and store.size() == 4
    second = import_file(log, out, flat.IMPORTER)
    assert (second.imported, second.duplicates) == (0, 4) and store.size() == 4


@pytest.mark.shared_data
def test_real_reports_as_logged_read_back_equal(store: Store, tmp_path: Path) -> None:
    read = [r for r in cir.IMPORTER.read(shared_data(CIR)) if isinstance(r, Report)]
    log = Log(store)
    log.append_reports(read)
    logged = store.reports(ReportQuery(limit=10**9))
    out = tmp_path / "cir.csv"
    with out.open("wb") as handle:
        assert flat.to_csv(logged, handle) == len(logged)
    firsts = list({r.id: r for r in reversed(read)}.values())
    assert {r.id: r for r in good(out)} == {r.id: r for r in with_admin_units(firsts)}


def test_output_names_pick_formats() -> None:
    assert format_for(Path("a.csv")) == "csv"
    assert format_for(Path("a.HXL.csv")) == "hxl"
    assert format_for(Path("a.acled.csv")) == "acled"
    assert format_for(Path("a.geojson")) == "geojson"
    assert format_for(Path("a.parquet.txt")) is None


def test_cli_exports_each_format_and_each_reimports_to_nothing_new(
    tmp_path: Path,
) -> None:
    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ceasefire", *args],
            capture_output=True, text=True, check=check, cwd=tmp_path,
        )  # fmt: skip

    run("log", "append", "--db", "sqlite:///a.db", str(PATROLS))
    for name in ("all.csv", "all.hxl.csv", "all.acled.csv"):
        done = run("export", "--db", "sqlite:///a.db", "-o", name)
        assert "wrote 3 reports" in done.stdout
        again = run("import", "--db", "sqlite:///a.db", name)
        assert "read 3 = imported 0 + duplicates 3 + quarantined 0" in again.stdout
    # --format overrides the name; the file is HXL whatever it is called
    run("export", "--db", "sqlite:///a.db", "-o", "odd.txt", "--format", "hxl")
    assert (tmp_path / "odd.txt").read_text().splitlines()[1].startswith("#meta+id,")
    refused = run("export", "--db", "sqlite:///a.db", "-o", "odd.txt", check=False)
    assert refused.returncode == 2 and ".hxl.csv" in refused.stderr
    # into a fresh log, the flat CSV gives back the very same reports
    run("import", "--db", "sqlite:///b.db", "all.csv")
    run("export", "--db", "sqlite:///b.db", "-o", "back.jsonl")
    back = [
        orjson.loads(line)
        for line in (tmp_path / "back.jsonl").read_bytes().splitlines()
    ]
    run("export", "--db", "sqlite:///a.db", "-o", "first.jsonl")
    first = [
        orjson.loads(line)
        for line in (tmp_path / "first.jsonl").read_bytes().splitlines()
    ]
    assert back == first


def test_a_rejection_is_a_row_not_an_exception(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(
        ",".join(flat.COLUMNS) + "\n" + "x," * (len(flat.COLUMNS) - 1) + "x\n"
    )
    rows = list(flat.IMPORTER.read(odd))
    assert len(rows) == 1 and isinstance(rows[0], Rejection)
