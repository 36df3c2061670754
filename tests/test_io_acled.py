"""ACLED CSV: detection, mapping, quarantine, idempotent import, round trips."""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO, shared_data

from ceasefire.io import acled, cir, ucdp
from ceasefire.io.base import Rejection
from ceasefire.io.intake import import_file, quarantined
from ceasefire.io.registry import importer_for
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.base import ReportQuery, Store
from ceasefire.store.sqlite import SQLiteStore

DATA = REPO / "tests" / "data" / "intake"
CURRENT = DATA / "acled_ukraine_synthetic.csv"
OLD = DATA / "acled_ukraine_2019_layout_synthetic.csv"
UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
CIR = "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"

# The 31 columns as DOMAIN.md §4 b.1 lists them, in order.
DOMAIN_COLUMNS = """event_id_cnty, event_date, year, time_precision,
disorder_type, event_type, sub_event_type, actor1, assoc_actor_1, inter1,
actor2, assoc_actor_2, inter2, interaction, civilian_targeting, iso, region,
country, admin1, admin2, admin3, location, latitude, longitude,
geo_precision, source, source_scale, notes, fatalities, tags, timestamp"""


def rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reports(path: Path) -> list[Report]:
    return [r for r in acled.IMPORTER.read(path) if isinstance(r, Report)]


def export(items: list[Report], out: Path) -> Path:
    with out.open("wb") as handle:
        acled.to_acled(items, handle)
    return out


def test_both_layouts_are_detected_from_the_header(tmp_path: Path) -> None:
    assert importer_for(CURRENT).name == "acled"
    assert importer_for(OLD).name == "acled"
    upper = tmp_path / "upper.csv"  # older releases wrote upper-case names
    text = CURRENT.read_text(encoding="utf-8").split("\n", 1)
    upper.write_text(
        text[0].upper().replace("GEO_PRECISION", "GEO_PRECIS") + "\n" + text[1]
    )
    assert importer_for(upper).name == "acled"
    assert reports(upper) == reports(CURRENT)


def test_mapping_of_the_current_layout() -> None:
    source = {r["event_id_cnty"]: r for r in rows(CURRENT)}
    got = {r.source_report_id: r for r in reports(CURRENT)}
    # ACLED's sub-event types read as our vocabulary (DOMAIN.md b.1 semantics):
    expected = {
        "UKR9001": ("shelling", 2_000, "day", 10),
        "UKR9002": ("armed_clash", 15_000, "day", 0),
        "UKR9003": ("air_strike", 2_000, "week", 2),
        "UKR9004": ("troop_presence", 50_000, "day", 0),
        "UKR9005": ("other", 2_000, "day", 0),
        "UKR9006": ("one_sided_attack", 2_000, "day", 0),
    }
    assert set(got) == set(expected)
    for event_id, (kind, radius, precision, killed) in expected.items():
        report, row = got[event_id], source[event_id]
        assert report.event_type == kind
        assert report.location.precision_m == radius
        assert report.observed.precision == precision
        assert report.casualties is not None and report.casualties.killed == killed
        assert (report.location.lat, report.location.lon) == (
            float(row["latitude"]),
            float(row["longitude"]),
        )
        assert report.observed.start == datetime.fromisoformat(
            row["event_date"] + "T00:00:00+02:00"  # a Kyiv day (winter: UTC+2)
        )
        assert report.weapon is None  # ACLED has no weapon column
        assert report.reported_at.timestamp() == int(row["timestamp"])
        assert report.source.derived_from == row["source"]
        assert report.narrative == row["notes"]
        assert report.properties["actor1"] == row["actor1"]
    # civilian_targeting marks civilians as the target; ACLED's actor stays an actor
    assert got["UKR9001"].target is not None
    assert got["UKR9001"].target.category == "civilian"
    assert got["UKR9002"].target is None and got["UKR9001"].attribution is None
    # actors in ACLED's words: a battle is a dyad; violence against civilians
    # names actor1 as the perpetrator and actor2 as the target (codebook 2023)
    clash, abduction = got["UKR9002"], got["UKR9006"]
    assert [(a.name, a.role) for a in clash.actors] == [
        (source["UKR9002"]["actor1"], "side_a"),
        (source["UKR9002"]["actor2"], "side_b"),
    ]
    assert [(a.name, a.role) for a in abduction.actors] == [
        (source["UKR9006"]["actor1"], "perpetrator"),
        (source["UKR9006"]["actor2"], "target"),
    ]


def test_older_layout_numeric_actor_codes_and_written_dates() -> None:
    got = {r.source_report_id: r for r in reports(OLD)}
    first = got["UKR4001"]
    assert first.observed.start == datetime(2019, 1, 15, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert first.properties["inter1"] == "State forces"  # code 1
    assert first.properties["inter2"] == "Rebel groups"  # code 2
    assert first.properties["data_id"] == "5801001"  # removed columns are kept
    assert first.properties["iso3"] == "UKR"
    assert got["UKR4004"].properties["inter1"] == "Political militias"  # code 3
    assert got["UKR4004"].event_type == "mines_uxo"  # Remote explosive/landmine/IED
    assert got["UKR4003"].event_type == "other"  # an agreement is not an incident
    assert got["UKR4002"].observed.precision == "week"
    bad = [r for r in acled.IMPORTER.read(OLD) if isinstance(r, Rejection)]
    assert [(b.row, b.column, b.value) for b in bad] == [(6, "inter1", "9")]  # line


def test_no_geo_precision_column_means_the_coarsest_radius(tmp_path: Path) -> None:
    source = rows(CURRENT)[:2]
    slim = tmp_path / "slim.csv"
    with slim.open("w", newline="") as handle:
        columns = [c for c in source[0] if c not in ("geo_precision", "time_precision")]
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(source)
    got = reports(slim)
    assert [r.location.precision_m for r in got] == [50_000, 50_000]
    assert [r.observed.precision for r in got] == ["day", "day"]


def test_bad_rows_are_quarantined_and_good_rows_land(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        summary = import_file(log, CURRENT, importer_for(CURRENT))
        kept = quarantined(log)
    assert (summary.read, summary.imported, summary.duplicates) == (10, 6, 1)
    assert summary.quarantined == 3 and summary.reconciles
    assert [(k["row"], k["column"], k["value"]) for k in kept] == [
        (8, "sub_event_type", "Explosions/Remote violence: Drone attack"),
        (9, "latitude", "48,5947"),  # physical lines: the header is line 1
        (10, "event_date", "2022-13-01"),
    ]
    assert all(k["file"] == str(CURRENT) for k in kept)
    assert "unknown ACLED event type" in str(kept[0]["reason"])
    assert "not a number" in str(kept[1]["reason"])
    raw = kept[0]["raw"]
    assert isinstance(raw, dict) and raw["event_id_cnty"] == "UKR9007"


def test_reimport_adds_nothing(store: Store) -> None:
    log = Log(store)
    first = import_file(log, CURRENT, acled.IMPORTER)
    size = store.size()
    assert size == first.imported + first.quarantined == 9
    second = import_file(log, CURRENT, acled.IMPORTER)
    assert second.imported == 0 and second.reconciles
    assert store.size() == size
    assert log.verify() == []


def test_export_has_the_31_columns_and_reads_back(tmp_path: Path) -> None:
    originals = reports(CURRENT)
    out = export(originals, tmp_path / "out.acled.csv")
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [c.strip() for c in DOMAIN_COLUMNS.split(",")]
    back = reports(out)
    # ACLED's own ids, so the same reports: same ids, nothing new on re-import
    assert [r.id for r in back] == [r.id for r in originals]
    for before, after in zip(originals, back, strict=True):
        assert after.event_type == before.event_type
        assert after.observed == before.observed
        assert after.location == before.location
        assert after.casualties == before.casualties
        assert after.narrative == before.narrative
        assert after.target == before.target
        assert after.reported_at == before.reported_at


@pytest.mark.shared_data
def test_ucdp_exported_to_acled_reimports_as_the_same_records(tmp_path: Path) -> None:
    """Real data, independent check: UCDP → ACLED shape → ACLED importer."""
    path = shared_data(UCDP)
    originals = [r for r in ucdp.IMPORTER.read(path) if isinstance(r, Report)]
    back = reports(export(originals, tmp_path / "ucdp.acled.csv"))
    assert len(back) == len(originals)
    for before, after in zip(originals, back, strict=True):
        assert after.id == before.id  # our id travels as event_id_cnty
        assert after.event_type == before.event_type == "armed_clash"
        assert after.observed.start == before.observed.start
        assert (after.location.lon, after.location.lat) == (
            before.location.lon,
            before.location.lat,
        )
        assert before.casualties is not None and after.casualties is not None
        assert after.casualties.killed == before.casualties.killed
        # the radius comes back as the ACLED bucket that covers it (2/15/50 km)
        radius = before.location.precision_m
        bucket = 2_000 if radius <= 2_000 else 15_000 if radius <= 15_000 else 50_000
        assert after.location.precision_m == bucket


@pytest.mark.shared_data
def test_cir_round_trip_loses_only_what_acled_cannot_say(tmp_path: Path) -> None:
    """The documented coarsening: our finer types fold into ACLED's."""
    path = shared_data(CIR)
    read = [r for r in cir.IMPORTER.read(path) if isinstance(r, Report)]
    originals = list({r.id: r for r in reversed(read)}.values())  # CIR repeats 5
    back = {r.id: r for r in reports(export(originals, tmp_path / "cir.acled.csv"))}
    assert len(back) == len(originals)
    folds = {  # docs/intake.md, "ACLED-shaped CSV": what each type comes back as
        "heavy_weapon_present": "other",
        "mines_uxo": "mines_uxo",
        "armed_clash": "armed_clash",
        "explosion": "mines_uxo",
        "troop_presence": "troop_presence",
        "other": "other",
    }
    assert {r.event_type for r in originals} <= set(folds)
    for before in originals:
        after = back[before.id]
        assert after.event_type == folds[before.event_type]
        assert after.observed.start == before.observed.start
        assert after.location.lat == before.location.lat


def test_an_acled_export_reimported_into_the_same_log_adds_nothing(
    tmp_path: Path,
) -> None:
    with SQLiteStore(tmp_path / "log.db") as store:
        log = Log(store)
        import_file(log, OLD, acled.IMPORTER)
        size = store.size()
        out = export(
            [Report.model_validate(b) for b in store.reports(ReportQuery(limit=100))],
            tmp_path / "again.acled.csv",
        )
        again = import_file(log, out, importer_for(out))
        assert again.imported == 0 and again.duplicates == 4
        assert store.size() == size


def test_every_event_type_comes_back_as_docs_intake_says(tmp_path: Path) -> None:
    """The fold table of docs/intake.md ("ACLED-shaped CSV"), type by type."""
    folds = {
        "shelling": "shelling", "missile_strike": "shelling",
        "air_strike": "air_strike", "drone_strike": "air_strike",
        "explosion": "mines_uxo", "mines_uxo": "mines_uxo",
        "small_arms": "armed_clash", "ground_assault": "armed_clash",
        "armed_clash": "armed_clash", "one_sided_attack": "one_sided_attack",
        "troop_presence": "troop_presence",
        "heavy_weapon_present": "other", "weapon_missing": "other",
        "movement_restricted": "other", "uav_jamming": "other",
        "uav_fired_upon": "other", "drone_flight": "other", "other": "other",
    }  # fmt: skip
    from ceasefire.model.vocabulary import EVENT_TYPES

    assert set(folds) == set(EVENT_TYPES)
    base = reports(CURRENT)[1]
    made = [
        base.model_copy(update={"id": f"{base.id[:-2]}{i:02d}", "event_type": kind})
        for i, kind in enumerate(folds)
    ]
    back = reports(export(made, tmp_path / "all.acled.csv"))
    assert [r.event_type for r in back] == list(folds.values())


def test_hdx_copies_with_an_hxl_row_read_as_acled(tmp_path: Path) -> None:
    """ACLED on HDX puts hashtags under the header (DOMAIN.md b.1, libhxl#161)."""
    tags = {
        "iso": "#country+code", "event_id_cnty": "#event+code",
        "event_date": "#date+occurred", "event_type": "#event+type",
        "actor1": "#group+name+first", "assoc_actor_1": "#group+name+first+assoc",
        "actor2": "#group+name+second", "region": "#region+name",
        "country": "#country+name", "admin1": "#adm1+name", "admin2": "#adm2+name",
        "admin3": "#adm3+name", "location": "#loc+name", "latitude": "#geo+lat",
        "longitude": "#geo+lon", "fatalities": "#affected+killed",
    }  # fmt: skip
    source = rows(CURRENT)
    hdx = tmp_path / "acled_hdx.csv"
    with hdx.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(source[0]))
        writer.writeheader()
        writer.writerow({c: tags.get(c, "") for c in source[0]})
        writer.writerows(source)
    assert importer_for(hdx).name == "acled"  # by its names, not its tags
    got = list(acled.IMPORTER.read(hdx))
    assert [r.id for r in got if isinstance(r, Report)] == [
        r.id for r in reports(CURRENT)
    ]
    bad = [(r.row, r.column) for r in got if isinstance(r, Rejection)]
    # physical lines: header 1, tag row 2, so data row 7 is line 9
    assert bad == [(9, "sub_event_type"), (10, "latitude"), (11, "event_date")]
