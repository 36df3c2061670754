"""HXL-tagged CSV: the tag row, matching by tags, quarantine, round trips."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from conftest import REPO, shared_data

from ceasefire.io import hxl, ucdp
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log, with_admin_units
from ceasefire.model.report import Report
from ceasefire.store.base import ReportQuery, Store
from ceasefire.store.sqlite import SQLiteStore

FIXTURE = REPO / "tests" / "data" / "intake" / "hxl_incidents_synthetic.csv"
UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
ACLED = REPO / "tests" / "data" / "intake" / "acled_ukraine_synthetic.csv"


def reports(path: Path) -> list[Report]:
    return [r for r in hxl.IMPORTER.read(path) if isinstance(r, Report)]


def export(items: list[Report], out: Path) -> Path:
    with out.open("wb") as handle:
        hxl.to_hxl(items, handle)
    return out


def test_tags_parse_and_match_by_pattern() -> None:
    assert hxl.parse_tag("#Geo +Lat") == ("geo", frozenset({"lat"}))
    assert hxl.parse_tag("Latitude") is None
    assert hxl.parse_tag("#affected+2013") is None  # attributes start with a letter
    columns = hxl.Columns(
        tuple(
            hxl.parse_tag(t)
            for t in ("#affected+killed+civilians", "#affected+killed", "#date")
        )
    )
    assert columns.find("#affected+killed") == 1  # fewest extra attributes
    assert columns.find("#affected+civilians") == 0
    assert columns.find("#affected") == 1
    assert columns.find("#geo+lat") is None


def test_detected_by_its_tag_row_wherever_it_is(tmp_path: Path) -> None:
    assert importer_for(FIXTURE).name == "hxl"
    # a title block above the header, and gzip: still found
    moved = tmp_path / "moved.csv.gz"
    with gzip.open(moved, "wt", encoding="utf-8") as handle:
        handle.write("Incidents compiled by a field office\n\n")
        handle.write(FIXTURE.read_text(encoding="utf-8"))
    assert importer_for(moved).name == "hxl"
    assert reports(moved) == reports(FIXTURE)
    # tags but no coordinates: not an incident file
    plain = tmp_path / "plain.csv"
    plain.write_text("Date,Oblast\n#date,#adm1+name\n2022-01-01,Kyiv\n")
    assert not hxl.IMPORTER.detect_file(plain)


def test_mapping_follows_the_tags_not_the_column_names() -> None:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        source = list(csv.reader(handle))[2:]
    got = {r.source_report_id: r for r in reports(FIXTURE)}
    assert [*got] == ["HXL-001", "HXL-002", "HXL-003"]
    # ACLED vocabulary via #event+type+sub, ours as it is
    assert [r.event_type for r in got.values()] == [
        "one_sided_attack",  # Violence against civilians: Attack
        "shelling",  # ours
        "shelling",  # Explosions/Remote violence: Shelling/artillery/missile attack
    ]
    for row in source[:3]:
        report = got[row[0]]
        assert (report.location.lat, report.location.lon) == (
            float(row[2]),
            float(row[3]),
        )
        assert report.observed.start.date().isoformat() == row[1]
        assert report.observed.precision == "day"
        assert report.location.place == row[4]
        assert report.properties["#adm1+name"] == row[5]
        if row[8]:  # other tagged columns are kept under their tag
            assert report.properties["#group+first+name"] == row[8]
        assert report.narrative == row[11]
        assert report.casualties is not None
        assert report.casualties.killed == int(row[9])
        assert report.casualties.injured == int(row[10])
        assert "Reviewer" not in str(report.properties)  # untagged: not data
        assert report.location.precision_m == hxl.DEFAULT_RADIUS_M


def test_bad_rows_are_quarantined_and_good_rows_land(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, FIXTURE, importer_for(FIXTURE))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.duplicates) == (7, 3, 1)
    assert summary.quarantined == 3 and summary.reconciles
    assert [(k["row"], k["column"], k["value"]) for k in kept] == [
        (4, "#event+type", "Drone attack"),
        (5, "#geo+lat", "148.5947"),
        (6, "#date+occurred", ""),
    ]
    assert "unknown event type" in str(kept[0]["reason"])
    raw = kept[0]["raw"]
    assert isinstance(raw, dict) and raw["#event+code"] == "HXL-004"


def test_a_ragged_row_is_quarantined_with_its_cell_count(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    ragged.write_text("\n".join([*lines[:3], "HXL-009,2022-05-01,48.0"]) + "\n")
    rows = list(hxl.IMPORTER.read(ragged))
    assert isinstance(rows[1], Rejection)
    assert (rows[1].row, rows[1].value) == (2, 3)
    assert "expected 13" in rows[1].reason


def test_reimport_adds_nothing(store: Store) -> None:
    log = Log(store)
    first = import_file(log, FIXTURE, hxl.IMPORTER)
    size = store.size()
    assert size == first.imported + first.quarantined == 6
    second = import_file(log, FIXTURE, hxl.IMPORTER)
    assert second.imported == 0 and store.size() == size
    assert log.verify() == []


def test_rows_without_an_event_code_get_a_content_id(tmp_path: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    no_code = tmp_path / "nocode.csv"
    no_code.write_text(
        "\n".join(line.split(",", 1)[1] for line in lines[:5]) + "\n"
    )  # drop the #event+code column
    first, second = reports(no_code), reports(no_code)
    assert [r.id for r in first] == [r.id for r in second]
    assert len({r.id for r in first}) == 3
    assert all(r.source_report_id.startswith("sha256-") for r in first)  # type: ignore[union-attr]


def test_export_writes_a_tag_row_and_reads_back(tmp_path: Path) -> None:
    originals = with_admin_units(reports(FIXTURE))
    out = export(originals, tmp_path / "out.hxl.csv")
    with out.open(encoding="utf-8", newline="") as handle:
        header, tags, *_ = csv.reader(handle)
    assert tags[:4] == ["#meta+id", "#event+code", "#date+occurred", "#date+end"]
    assert all(hxl.parse_tag(tag) for tag in tags)
    back = reports(out)
    assert [r.id for r in back] == [r.id for r in originals]  # our ids travel
    for before, after in zip(originals, back, strict=True):
        carried = {"properties", "source"}
        assert after.model_dump(exclude=carried) == before.model_dump(exclude=carried)
        assert (after.source.type, after.source.id) == ("media", "hxl")


@pytest.mark.shared_data
def test_ucdp_exported_to_hxl_reads_back_what_hxl_carries(tmp_path: Path) -> None:
    """Real data: UCDP → HXL → HXL importer keeps every carried field."""
    path = shared_data(UCDP)
    originals = with_admin_units(
        [r for r in ucdp.IMPORTER.read(path) if isinstance(r, Report)]
    )
    back = reports(export(originals, tmp_path / "ucdp.hxl.csv"))
    assert len(back) == len(originals) == 3077
    lost = {"properties", "source", "target", "attribution", "weapon", "evidence"} | {
        "actors",
        "damage",
    }
    for before, after in zip(originals, back, strict=True):
        assert after.model_dump(exclude=lost) == before.model_dump(exclude=lost)
        assert after.source.id == before.source.id == "ucdp-ged"
        assert after.source.name == before.source.name


def test_an_hxl_export_reimported_into_the_same_log_adds_nothing(
    tmp_path: Path,
) -> None:
    from ceasefire.io import acled

    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        import_file(log, ACLED, acled.IMPORTER)
        size = store.size()
        logged = [Report.model_validate(b) for b in store.reports(ReportQuery())]
        out = export(logged, tmp_path / "again.hxl.csv")
        again = import_file(log, out, importer_for(out))
        assert (again.imported, again.duplicates) == (0, len(logged))
        assert store.size() == size


def test_a_byte_that_is_not_utf8_costs_its_row_not_the_file(tmp_path: Path) -> None:
    lines = FIXTURE.read_bytes().splitlines()
    bad = tmp_path / "latin1.csv"
    broken = lines[3].replace(b"Nikopol", b"Nikop\xf6l")  # a Latin-1 byte
    bad.write_bytes(b"\n".join([*lines[:3], broken, lines[4]]) + b"\n")
    assert importer_for(bad).name == "hxl"
    rows = list(hxl.IMPORTER.read(bad))
    assert [type(r).__name__ for r in rows] == ["Report", "Rejection", "Report"]
    rejected = rows[1]
    assert isinstance(rejected, Rejection)
    assert (rejected.row, rejected.column) == (2, "#loc+name")
    assert "0xF6" in rejected.reason
