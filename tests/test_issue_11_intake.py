"""Issue 11 on the intake side: acts, effects, actors, Kyiv days, physical lines.

Every expected value is read from the raw files here with the csv/json modules
and the sources' codebooks (UCDP GED codebook 22.1; ACLED codebook 2023), not
from the importers' own tables.
"""

from __future__ import annotations

import csv
import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import shared_data

from ceasefire.io import acled, bellingcat, cir, ucdp
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
CIR = "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"
BELLINGCAT = (
    "bellingcat-civilian-harm/bellingcat_civilian_harm_incidents_2022-2025.json"
)
KYIV = ZoneInfo("Europe/Kyiv")


def raw_ucdp() -> list[dict[str, str]]:
    with gzip.open(shared_data(UCDP), "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ucdp_reports() -> dict[str, Report]:
    rows = ucdp.IMPORTER.read(shared_data(UCDP))
    return {r.source_report_id or "": r for r in rows if isinstance(r, Report)}


# ------------------------------------------------------------ event meaning


def test_issue_11_ucdp_state_based_rows_are_armed_clashes_without_weapons() -> None:
    raw = raw_ucdp()
    state_based = {f"ucdp-ged-{r['id']}" for r in raw if r["type_of_violence"] == "1"}
    reports = ucdp_reports()
    clashes = {k for k, r in reports.items() if r.event_type == "armed_clash"}
    assert clashes == state_based
    assert len(state_based) == 3077  # SOURCE.md: all type_of_violence = 1
    assert all(r.weapon is None for r in reports.values())  # GED names no weapon


def test_issue_11_ucdp_casualties_and_dyad_come_from_the_codebook_columns() -> None:
    reports = ucdp_reports()
    for row in raw_ucdp():
        report = reports[f"ucdp-ged-{row['id']}"]
        assert report.casualties is not None
        assert report.casualties.killed == int(row["best"])
        assert report.casualties.civilians_killed == int(row["deaths_civilians"])
        sides = [(a.name, a.code, a.role) for a in report.actors]
        assert sides == [
            (row["side_a"], row["side_a_new_id"], "side_a"),
            (row["side_b"], row["side_b_new_id"], "side_b"),
        ]
    assert sum(int(r["best"]) for r in raw_ucdp()) == 8342  # SOURCE.md


def test_issue_11_ucdp_one_sided_row_names_perpetrator_and_target(
    tmp_path: Path,
) -> None:
    # the real file has only type 1; a one-sided row shaped like GED's (codebook:
    # type 3, side_a the perpetrator, side_b "Civilians")
    row = {**raw_ucdp()[0], "type_of_violence": "3", "side_b": "Civilians"}
    row["side_b_new_id"] = "1"
    report = ucdp.to_report(row)
    assert report.event_type == "one_sided_attack"
    assert [(a.name, a.role) for a in report.actors] == [
        (row["side_a"], "perpetrator"),
        ("Civilians", "target"),
    ]


def test_issue_11_woman_killed_in_donetsk_shelling_is_a_kyiv_day_clash() -> None:
    reports = ucdp_reports()
    (report,) = [
        r
        for r in reports.values()
        if r.narrative.startswith("Woman killed in Donetsk shelling")
    ]
    assert report.event_type == "armed_clash"
    assert report.casualties is not None and report.casualties.civilians_killed == 1
    assert report.observed.start == datetime.fromisoformat("2015-02-19T00:00:00+02:00")
    assert report.observed.end == datetime.fromisoformat("2015-02-20T00:00:00+02:00")
    assert report.observed.start.utcoffset() == timedelta(hours=2)


def test_issue_11_a_stated_end_is_not_stretched_by_date_prec() -> None:
    report = ucdp_reports()["ucdp-ged-155081"]  # 4 May – 17 Aug 2014, date_prec 5
    assert report.observed.start == datetime(2014, 5, 4, tzinfo=KYIV)
    assert report.observed.end == datetime(2014, 8, 18, tzinfo=KYIV)
    assert report.observed.end.isoformat() == "2014-08-18T00:00:00+03:00"
    assert report.observed.precision == "year"


def test_issue_11_every_ucdp_interval_is_its_kyiv_days_half_open() -> None:
    reports = ucdp_reports()
    for row in raw_ucdp():
        report = reports[f"ucdp-ged-{row['id']}"]
        first = datetime.fromisoformat(row["date_start"]).replace(tzinfo=KYIV)
        last = datetime.fromisoformat(row["date_end"]).replace(tzinfo=KYIV)
        assert report.observed.start == first
        assert report.observed.end == (
            last.replace(tzinfo=None) + timedelta(days=1)
        ).replace(tzinfo=KYIV)


def test_issue_11_acled_acts_follow_the_codebook_not_the_effects() -> None:
    base = {
        "event_id_cnty": "UKR1", "event_date": "2022-03-01", "latitude": "50.45",
        "longitude": "30.52", "fatalities": "2", "actor1": "Military Forces of Russia (2000-)",
        "actor2": "Civilians (Ukraine)", "civilian_targeting": "Civilian targeting",
    }  # fmt: skip
    cases = {
        ("Battles", "Armed clash"): ("armed_clash", "side_a"),
        ("Violence against civilians", "Attack"): ("one_sided_attack", "perpetrator"),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED"): (
            "mines_uxo",
            "perpetrator",
        ),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"): (
            "shelling",
            "perpetrator",
        ),
    }
    for (kind, sub), (act, role) in cases.items():
        report = acled.to_report({**base, "event_type": kind, "sub_event_type": sub})
        assert report.event_type == act
        assert report.weapon is None
        assert report.actors[0].name == base["actor1"] and report.actors[0].role == role
        assert report.casualties is not None and report.casualties.killed == 2
        assert report.target is not None and report.target.category == "civilian"
        assert report.observed.start == datetime(2022, 3, 1, tzinfo=KYIV)


def test_issue_11_no_importer_emits_an_effect_as_an_act() -> None:
    bad = {"civilian_harm", "infrastructure_damage", "monitor_uav_interference"}
    for importer, path in ((cir.IMPORTER, CIR), (bellingcat.IMPORTER, BELLINGCAT)):
        acts = {
            r.event_type
            for r in importer.read(shared_data(path))
            if isinstance(r, Report)
        }
        assert not acts & bad


def test_issue_11_cir_casualty_rows_keep_target_and_fire_is_not_invented() -> None:
    with gzip.open(shared_data(CIR), "rt", encoding="utf-8", newline="") as handle:
        raw = list(csv.DictReader(handle))
    groups = [r["event_group"] for r in raw]
    reports = [r for r in cir.IMPORTER.read(shared_data(CIR)) if isinstance(r, Report)]
    seen = [str(r.properties.get("event_group")) for r in reports]
    casualties = [
        r
        for r, g in zip(reports, seen, strict=True)
        if g.startswith("Civilian Casualty")
    ]
    assert len(casualties) == sum(g.startswith("Civilian Casualty") for g in groups)
    assert all(r.target and r.target.category == "civilian" for r in casualties)
    assert all(r.event_type != "small_arms" for r in casualties)
    munitions = [
        r for r, g in zip(reports, seen, strict=True) if g.startswith("Munitions")
    ]
    assert len(munitions) == sum(g.startswith("Munitions") for g in groups)
    assert {r.event_type for r in munitions} == {"mines_uxo"}  # UXO is not fire
    assert all(r.weapon is None for r in reports)


def test_issue_11_legacy_bodies_still_load_as_acts() -> None:
    report = ucdp_reports()["ucdp-ged-155081"]
    body = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    old = {**body, "event_type": "civilian_harm", "actors": [], "damage": []}
    migrated = Report.model_validate(old)
    assert migrated.event_type == "armed_clash"  # UCDP type_of_violence 1
    assert migrated.casualties == report.casualties
    damage = {
        **body,
        "event_type": "infrastructure_damage",
        "target": {"category": "power"},
    }
    damage["properties"] = {}
    migrated = Report.model_validate(damage)
    assert (migrated.event_type, migrated.damage) == ("other", ["power"])
    uav = {**body, "event_type": "monitor_uav_interference", "properties": {}}
    assert Report.model_validate(uav).event_type == "uav_jamming"


# ------------------------------------------------------ inputs that can't mislead

HEADER = ["id", "date_start", "date_end", "latitude", "longitude", "where_prec"] + [
    "date_prec", "best", "deaths_civilians", "type_of_violence", "dyad_name",
    "country", "source_headline",
]  # fmt: skip


def _row(number: int, lat: str, lon: str, country: str = "Ukraine") -> list[str]:
    return [str(number), "2015-03-01", "2015-03-01", lat, lon, "1", "1", "1", "0"] + [
        "1", "Government of Ukraine - DPR", country, f"event {number}",
    ]  # fmt: skip


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_issue_11_quarantine_names_the_physical_line(tmp_path: Path) -> None:
    rows = [_row(n, "48.0", "37.8") for n in range(1, 10)]
    rows[8][3] = "forty-eight"  # the 9th data row: line 10 of the file
    path = _write(tmp_path / "bad.csv", rows)
    with path.open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    bad_line = next(i for i, text in enumerate(lines, start=1) if "forty-eight" in text)
    assert bad_line == 10
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), path, ucdp.IMPORTER)
        kept = quarantined(Log(store))
    assert [k["row"] for k in kept] == [bad_line]
    assert str(summary.first_rejections[0]).startswith(f"{path}:{bad_line} ")


def test_issue_11_multiline_values_keep_line_numbers_physical(tmp_path: Path) -> None:
    rows = [_row(n, "48.0", "37.8") for n in range(1, 4)]
    rows[0][-1] = "a headline\nover two lines"
    rows[2][4] = "east"
    path = _write(tmp_path / "multi.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines()
    bad_line = next(i for i, t in enumerate(text, start=1) if ",east," in t)
    for reader in (ucdp.read_fast, ucdp.IMPORTER.read_numbered):
        found = [(n, r) for n, r in reader(path) if isinstance(r, Rejection)]
        assert [(n, r.row) for n, r in found] == [(bad_line, bad_line)]


def test_issue_11_null_island_and_points_outside_the_declared_country_are_quarantined(
    tmp_path: Path,
) -> None:
    rows = [
        _row(1, "48.0", "37.8"),  # Donetsk: kept
        _row(2, "0", "0"),  # 0,0: quarantined
        _row(3, "55.75", "37.62"),  # Moscow, declared Ukraine: quarantined
        _row(4, "55.75", "37.62", "Russia (Soviet Union)"),  # declared Russia: kept
        _row(5, "44.6", "33.5"),  # Sevastopol (Crimea is Ukraine): kept
    ]
    path = _write(tmp_path / "places.csv", rows)
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), path, ucdp.IMPORTER)
        kept = {k["row"]: k for k in quarantined(Log(store))}
    assert summary.reconciles and summary.imported == 3
    assert sorted(kept) == [3, 4]  # lines: header is 1
    assert "0,0" in str(kept[3]["reason"])
    assert "outside Ukraine" in str(kept[4]["reason"])
    assert "km beyond its border" in str(kept[4]["reason"])


def test_issue_11_real_files_reconcile_and_quarantine_their_misplaced_rows(
    tmp_path: Path,
) -> None:
    records = json.loads(shared_data(BELLINGCAT).read_bytes())
    # an independent count of rows at (about) 0,0 in the raw file
    null = [
        i
        for i, r in enumerate(records, start=1)
        if r["latitude"] is not None
        and abs(float(r["latitude"])) < 0.1
        and abs(float(r["longitude"])) < 0.1
    ]
    assert null  # the file has them
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), shared_data(BELLINGCAT), bellingcat.IMPORTER)
        kept = quarantined(Log(store))
    assert summary.reconciles and summary.read == len(records)
    at_null = sorted(int(str(k["row"])) for k in kept if "0,0" in str(k["reason"]))
    assert at_null == null


@pytest.mark.parametrize("path", [UCDP, CIR])
def test_issue_11_real_csv_files_reconcile(tmp_path: Path, path: str) -> None:
    importer = ucdp.IMPORTER if path == UCDP else cir.IMPORTER
    with SQLiteStore(tmp_path / "log.db") as store:
        summary = import_file(Log(store), shared_data(path), importer)
    with gzip.open(shared_data(path), "rt", encoding="utf-8", newline="") as handle:
        assert summary.read == len(list(csv.DictReader(handle)))
    assert summary.reconciles
