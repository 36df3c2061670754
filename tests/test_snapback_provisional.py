"""Provisional and established penalty states on the real front line (issue 13).

A snapback rule fed by the Alaska freeze's territorial verdicts: "a party
gains more than 100 km² across the 15 Aug 2025 line in the southern sector".
The first provisional date is computed here independently from the raw
DeepState daily file with plain shapely overlays and pyproj.Geod areas (the
sector's shape is the agreement's zone as built from the example; the
Ukraine outline the bundled ADM1 boundaries), day by day from entry into
force: the first day whose gain exceeds the cap.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from ceasefire.agreement.load import load
from ceasefire.cli import cli
from ceasefire.model.agreement import PenaltyRule
from ceasefire.snapback import standing
from ceasefire.store import open_store
from tests.conftest import EXAMPLES, REPO, shared_data

DAILY = (
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
BASELINE, FIRST, LAST = "2025-08-15", "2025-09-01", "2025-10-15"
CAP_KM2 = 100.0
SECTOR = "southern_sector"
GEOD = Geod(ellps="WGS84")
RULE = PenaltyRule.model_validate(
    {
        "id": "freeze-cap-snapback",
        "title": "Ground gained across the freeze line beyond the cap",
        "threshold": 1,
        "window_days": 30,
        "escalation": [{"step": "warning", "notify": ["ua-hotline", "ru-hotline"]}],
    }
)
pytestmark = pytest.mark.shared_data


def _slice(out: Path) -> dict[str, str]:
    """The raw feature lines from the baseline to LAST, written as a file."""
    lines = {}
    with gzip.open(shared_data(DAILY), "rt", encoding="utf-8") as handle:
        for line in handle:
            text = line.strip().rstrip(",")
            if text.startswith('{"type":"Feature"'):
                day = text[text.index('"date":"') + 8 :][:10]
                if BASELINE <= day <= LAST:
                    lines[day] = text
    out.write_text(
        '{"type":"FeatureCollection","features":[\n'
        + ",\n".join(lines.values())
        + "\n]}\n"
    )
    return lines


def _km2(geometry: shapely.Geometry) -> float:
    total = 0.0
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            total += abs(GEOD.geometry_area_perimeter(part)[0])
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            total += _km2(part) * 1e6
    return total / 1e6


def _independent_first_days(lines: dict[str, str]) -> dict[str, str | None]:
    """Per party, the first day from FIRST whose gain in the sector exceeds the cap."""
    adm1 = json.loads((REPO / "ceasefire/data/boundaries/ukr-adm1.geojson").read_text())
    ukraine = shapely.union_all(
        [shapely.geometry.shape(f["geometry"]) for f in adm1["features"]]
    )
    sector = shapely.intersection(
        load(EXAMPLES / "alaska-terms.yaml").features[SECTOR].shape, ukraine
    )
    shapes = {
        day: shapely.make_valid(shapely.geometry.shape(orjson.loads(t)["geometry"]))
        for day, t in lines.items()
    }
    base = shapes[BASELINE]
    first: dict[str, str | None] = {"ru": None, "ua": None}
    for day in sorted(d for d in shapes if d >= FIRST):
        gains = {
            "ru": shapely.difference(shapes[day], base),
            "ua": shapely.difference(base, shapes[day]),
        }
        for party, gained in gains.items():
            if (
                first[party] is None
                and _km2(shapely.intersection(gained, sector)) > CAP_KM2
            ):
                first[party] = day
    return first


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("provisional")
    lines = _slice(folder / "ds.geojson")
    db = f"sqlite:///{folder / 'm.db'}"
    result = CliRunner().invoke(cli, ["import", "--db", db, str(folder / "ds.geojson")])
    assert result.exit_code == 0, result.output
    return db, lines


def test_first_provisional_date_matches_independent_geod(
    mission: tuple[str, dict[str, str]],
) -> None:
    db, lines = mission
    agreement = standing.with_rules(load(EXAMPLES / "alaska-terms.yaml"), [RULE])
    terms = standing.TerritoryTerms(
        CAP_KM2, (SECTOR,), ("deepstate",), feeds={"freeze": [RULE.id]}
    )
    with open_store(db) as store:
        findings, appeals = standing.mission_findings(store, agreement, terms)
    now = datetime(2025, 12, 31, tzinfo=UTC)
    transitions = standing.replay([RULE], findings, appeals, now)
    first = standing.first_dates(transitions)
    expected = _independent_first_days(lines)
    assert expected["ru"] is not None  # the cap is crossed in this slice
    for party, day in expected.items():
        got = first.get((standing.PROVISIONAL, RULE.id, party))
        assert (got.date().isoformat() if got else None) == day
    # one publisher (DeepState) never meets the freeze's two-source standard
    assert not [t for t in transitions if t.standing == standing.ESTABLISHED]
    sent = standing.notices(agreement.document, transitions)
    assert sent and all(n.title.startswith("Provisional ") for n in sent)
    assert {n.liaison for n in sent} == {"ua-hotline", "ru-hotline"}
    assert date.fromisoformat(expected["ru"]) >= date.fromisoformat(FIRST)


def test_replay_command_prints_and_records_both_standings(
    mission: tuple[str, dict[str, str]],
) -> None:
    db, _ = mission
    args = ["snapback", "replay", "-a", str(EXAMPLES / "alaska-terms.yaml"),
            "--db", db, "--at", "2025-12-31T00:00:00+00:00", "--cap-km2", str(CAP_KM2),
            "--sector", SECTOR, "--source", "deepstate",
            "--feed", "freeze=monitor-access", "--json", "--record"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines() if line]
    # monitor-access needs 3 breaches in 14 days: one finding per party never does
    assert not [r for r in rows if r.get("rule") == "monitor-access"]
