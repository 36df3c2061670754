"""``ceasefire evaluate`` and ``ceasefire replay`` as a user runs them.

Covers the JSONL contract on both example agreements (Alaska over seeded
synthetic reports near its freeze line, Minsk II over the real UCDP GED
events), storage of verdicts, CSV/GeoJSON output and amendment diffs.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import shared_data

from ceasefire.agreement.load import load
from ceasefire.store import open_store
from ceasefire.store.base import VerdictQuery
from ceasefire.synth import reports

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TERMS = REPO / "tests" / "data" / "compliance" / "test-terms.yaml"
UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
FIELDS = {
    "incident", "source_id", "clause", "verdict", "standard_met", "party",
    "reasons", "text", "agreement_id", "agreement_version", "log_head",
}  # fmt: skip


def ceasefire(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ceasefire", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def check_contract(verdicts: list[dict[str, Any]], agreement: Path, size: int) -> None:
    doc = load(agreement).document
    clause_ids = {c.id for c in doc.clauses}
    for verdict in verdicts:
        assert FIELDS <= verdict.keys()
        assert verdict["clause"] in clause_ids
        assert verdict["verdict"] in ("breach", "undetermined", "no_breach")
        assert isinstance(verdict["standard_met"], bool)
        assert verdict["agreement_id"] == doc.id
        assert verdict["agreement_version"] == doc.version
        assert verdict["log_head"]["tree_size"] == size
        assert len(verdict["log_head"]["root"]) == 64
        assert verdict["text"].endswith(".") and verdict["clause"] in verdict["text"]
        assert verdict["reasons"]
        for reason in verdict["reasons"]:
            assert {
                "predicate",
                "holds",
                "measured",
                "threshold",
                "unit",
            } <= reason.keys()
        clause = next(c for c in doc.clauses if c.id == verdict["clause"])
        # every atom of the clause's predicate is explained
        named = " ".join(r["predicate"] for r in verdict["reasons"])
        for word in ("distance_km", "inside", "weapon.calibre_mm", "event_type"):
            if word in clause.predicate:
                assert word in named


@pytest.fixture(scope="module")
def alaska_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    folder = tmp_path_factory.mktemp("alaska")
    path = folder / "reports.jsonl"
    start = datetime(2025, 11, 5, tzinfo=UTC)
    with path.open("wb") as handle:
        for item in reports(600, seed=7, start=start):
            handle.write(
                orjson.dumps(item.model_dump(mode="json", by_alias=True)) + b"\n"
            )
    url = f"sqlite:///{folder / 'mission.db'}"
    done = ceasefire("log", "append", "--db", url, path)
    assert done.returncode == 0, done.stderr
    return url, 600


def test_alaska_jsonl_contract_and_stored_verdicts(
    alaska_db: tuple[str, int], tmp_path: Path
) -> None:
    url, size = alaska_db
    agreement = EXAMPLES / "alaska-terms.yaml"
    out = tmp_path / "v.jsonl"
    done = ceasefire("evaluate", "--agreement", agreement, "--db", url, "-o", out)
    assert done.returncode == 0, done.stderr
    verdicts = lines(out)
    assert verdicts, "the synthetic reports near the line must engage some clauses"
    check_contract(verdicts, agreement, size)
    clauses = {v["clause"] for v in verdicts}
    assert {"calibre-cap", "monitor-access"} <= clauses
    breach = next(
        v for v in verdicts if v["clause"] == "calibre-cap" and v["verdict"] == "breach"
    )
    distance = next(r for r in breach["reasons"] if "distance_km" in r["predicate"])
    assert distance["unit"] == "km" and distance["threshold"] == 30.0
    assert distance["measured"] + distance["precision_km"] < 30
    assert distance["side"] in ("ua", "ru")
    assert f"{distance['measured']:.1f} km from freeze_line" in breach["text"]
    assert "breach" in done.stderr

    with open_store(url) as store:
        stored = store.verdicts(VerdictQuery(agreement_id="alaska-terms", limit=10**6))
    key = lambda v: (v["incident"], v["clause"])  # noqa: E731
    assert sorted(stored, key=key) == sorted(verdicts, key=key)

    again = ceasefire("evaluate", "--agreement", agreement, "--db", url, "-o", out)
    assert again.returncode == 0
    with open_store(url) as store:  # re-evaluating replaces, never duplicates
        assert len(store.verdicts(VerdictQuery(limit=10**6))) == len(verdicts)


def test_csv_and_geojson_carry_the_same_verdicts(
    alaska_db: tuple[str, int], tmp_path: Path
) -> None:
    url, _ = alaska_db
    agreement = EXAMPLES / "alaska-terms.yaml"
    base = ["evaluate", "--agreement", agreement, "--db", url, "--no-store"]
    ceasefire(*base, "-o", tmp_path / "v.jsonl")
    ceasefire(*base, "--format", "csv", "-o", tmp_path / "v.csv")
    ceasefire(*base, "--format", "geojson", "-o", tmp_path / "v.geojson")
    expected = lines(tmp_path / "v.jsonl")
    with (tmp_path / "v.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["incident"], r["clause"], r["verdict"]) for r in rows] == [
        (v["incident"], v["clause"], v["verdict"]) for v in expected
    ]
    assert json.loads(rows[0]["reasons"]) == expected[0]["reasons"]
    collection = json.loads((tmp_path / "v.geojson").read_text())
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"] for f in collection["features"]] == expected
    first = collection["features"][0]
    assert first["geometry"]["coordinates"] == [expected[0]["lon"], expected[0]["lat"]]


def test_all_adds_no_breach_for_every_incident_and_clause(
    alaska_db: tuple[str, int], tmp_path: Path
) -> None:
    url, size = alaska_db
    agreement = EXAMPLES / "alaska-terms.yaml"
    out = tmp_path / "all.jsonl"
    done = ceasefire(
        "evaluate",
        "--agreement",
        agreement,
        "--db",
        url,
        "--all",
        "--no-store",
        "-o",
        out,
    )
    assert done.returncode == 0, done.stderr
    verdicts = lines(out)
    clauses = len(load(agreement).document.clauses)
    assert len(verdicts) == size * clauses
    assert "no_breach" in {v["verdict"] for v in verdicts}


def test_diff_lists_verdicts_that_change_between_versions(tmp_path: Path) -> None:
    from pyproj import Geod

    lon, lat, _ = Geod(ellps="WGS84").fwd(37.0, 48.0, 90.0, 9_300)
    body = {
        "id": "01JAAAAAAAAAAAAAAAAAAAAAAA",
        "source": {"type": "monitor_patrol", "id": "team-1"},
        "observed": {"start": "2025-11-05T10:00:00Z"},
        "reported_at": "2025-11-05T11:00:00Z",
        "location": {"lon": lon, "lat": lat, "precision_m": 100},
        "event_type": "heavy_weapon_present",
        "weapon": {"class": "artillery", "calibre_mm": 152},
        "attribution": {"party": "ua"},
    }
    (tmp_path / "r.jsonl").write_text(json.dumps(body) + "\n")
    url = f"sqlite:///{tmp_path / 'm.db'}"
    assert ceasefire("log", "append", "--db", url, tmp_path / "r.jsonl").returncode == 0
    amended = tmp_path / "terms-2.yaml"
    amended.write_text(
        TERMS.read_text()
        .replace('version: "1"', 'version: "2"')
        .replace("distance_km(meridian) < 30", "distance_km(meridian) < 5")
    )
    done = ceasefire("evaluate", "--diff", TERMS, amended, "--db", url)
    assert done.returncode == 0, done.stderr
    changes = [json.loads(line) for line in done.stdout.splitlines()]
    assert changes == [
        {
            "incident": body["id"],
            "clause": "calibre-cap",
            "old": "breach",
            "new": "no_breach",
            "old_standard_met": False,
            "new_standard_met": False,
            "text": changes[0]["text"],
        }
    ]
    assert "not distance_km(meridian) < 5" in changes[0]["text"]


def test_a_bad_agreement_is_reported_with_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        TERMS.read_text().replace("weapon.calibre_mm >= 100", "weapon.calibre >= 100")
    )
    done = ceasefire(
        "evaluate", "--agreement", bad, "--db", f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert done.returncode == 1
    assert "bad.yaml:" in done.stderr and "calibre_mm" in done.stderr


@pytest.mark.shared_data
def test_minsk_replay_over_ucdp_meets_the_contract(tmp_path: Path) -> None:
    data = shared_data(UCDP)
    out = tmp_path / "replay"
    done = ceasefire(
        "replay",
        "--data",
        data,
        "--out",
        out,
        "--agreement",
        EXAMPLES / "minsk-ii.yaml",
    )
    assert done.returncode == 0, done.stderr
    verdicts = lines(out / "verdicts.jsonl")
    check_contract(verdicts, EXAMPLES / "minsk-ii.yaml", 3077)
    for name in ("map.png", "chart.png", "tables.md"):
        assert (out / name).stat().st_size > 1000
    # UCDP records lethal clashes after 15 Feb 2015 as small-arms fighting:
    # each breaches the ceasefire clause, and none is before it took effect
    ceasefire_breaches = [
        v for v in verdicts if v["clause"] == "ceasefire" and v["verdict"] == "breach"
    ]
    assert ceasefire_breaches
    assert min(v["observed_at"] for v in ceasefire_breaches) >= "2015-02-14T22:00:00Z"
    assert "| ceasefire |" in done.stdout and "Donetsk (UA-14)" in done.stdout


def test_incidents_flag_judges_grouped_reports(
    alaska_db: tuple[str, int], tmp_path: Path
) -> None:
    url, size = alaska_db
    agreement = EXAMPLES / "alaska-terms.yaml"
    out = tmp_path / "inc.jsonl"
    done = ceasefire(
        "evaluate",
        "--agreement",
        agreement,
        "--db",
        url,
        "--incidents",
        "--no-store",
        "-o",
        out,
    )
    assert done.returncode == 0, done.stderr
    verdicts = lines(out)
    check_contract(verdicts, agreement, size)
    incidents = int(done.stderr.split(" incidents")[0].replace(",", ""))
    assert 0 < incidents < size  # some reports were grouped
