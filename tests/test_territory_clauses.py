"""Withdrawal and freeze clauses over control maps, on real DeepState and NZZ maps.

The held area at the deadline is checked against an independent shapely +
pyproj.Geod computation from the raw files: the pullback zone rebuilt from
the example's geometry file and the bundled ADM1 boundaries as the Alaska
terms define it (occupied_area ∩ Kharkiv and Sumy oblasts).
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import orjson
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from ceasefire.agreement.load import load, loads
from ceasefire.cli import cli
from ceasefire.compliance.territory import (
    freeze,
    freeze_terms,
    withdrawal,
    withdrawal_terms,
)
from ceasefire.errors import AgreementError
from ceasefire.store import open_store
from tests.conftest import EXAMPLES, REPO, shared_data

DAILY = (
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
NZZ = "nzz-liveuamap-territory/nzz_territory_weekly.geojson.gz"
GEOD = Geod(ellps="WGS84")
pytestmark = pytest.mark.shared_data


def _slice(path: Path, key: str, wanted: set[str], out: Path) -> list[str]:
    lines = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = line.strip().rstrip(",")
            if text.startswith('{"type":"Feature"'):
                at = text.index(f'"{key}":"') + len(key) + 4
                if text[at : at + 10] in wanted:
                    lines.append(text)
    out.write_text(
        '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    )
    return lines


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    folder = tmp_path_factory.mktemp("territory")
    ds = _slice(
        shared_data(DAILY), "date", {"2025-08-15", "2025-10-30"}, folder / "ds.geojson"
    )
    _slice(
        shared_data(NZZ),
        "file_date",
        {"2025-08-10", "2025-10-26"},
        folder / "nzz.geojson",
    )
    db = f"sqlite:///{folder / 'm.db'}"
    result = CliRunner().invoke(
        cli,
        ["import", "--db", db, str(folder / "ds.geojson"), str(folder / "nzz.geojson")],
    )
    assert result.exit_code == 0, result.output
    assert "(nzz-territory): read 2 = imported 2" in result.output
    return db, ds


def _km2(geometry: shapely.Geometry) -> float:
    total = 0.0
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            total += abs(GEOD.geometry_area_perimeter(part)[0])
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            total += _km2(part) * 1e6
    return total / 1e6


def _independent_held_in_pullback_zone(deadline_line: str) -> float:
    adm1 = json.loads((REPO / "ceasefire/data/boundaries/ukr-adm1.geojson").read_text())
    shapes = {
        f["properties"]["iso"]: shapely.geometry.shape(f["geometry"])
        for f in adm1["features"]
    }
    ukraine = shapely.union_all(list(shapes.values()))
    northeast = shapely.union_all([shapes["UA-63"], shapes["UA-59"]])
    occupied = json.loads(
        (EXAMPLES / "geometry/occupied-2025-08-15.geojson").read_text()
    )
    drawn = shapely.union_all(
        [shapely.geometry.shape(f["geometry"]) for f in occupied["features"]]
    )
    zone = shapely.intersection(shapely.intersection(drawn, northeast), ukraine)
    held = shapely.make_valid(
        shapely.geometry.shape(orjson.loads(deadline_line)["geometry"])
    )
    return _km2(shapely.intersection(held, zone))


def test_pullback_verdict_at_the_deadline_two_sources(
    mission: tuple[str, list[str]],
) -> None:
    db, ds_lines = mission
    agreement = load(EXAMPLES / "alaska-terms.yaml")
    terms = {t.clause: t for t in withdrawal_terms(agreement)}
    pullback = terms["ru-pullback"]
    assert (pullback.zone, pullback.party, str(pullback.deadline)) == (
        "ru_pullback_zone", "ru", "2025-10-30"
    )  # fmt: skip
    with open_store(db) as store:
        both = withdrawal(agreement, store, "ru-pullback", pullback.zone, "ru",
                          pullback.deadline, ["deepstate", "nzz"], pullback.min_sources)  # fmt: skip
        one = withdrawal(agreement, store, "ru-pullback", pullback.zone, "ru",
                         pullback.deadline, ["deepstate"], pullback.min_sources)  # fmt: skip
    deadline_line = next(line for line in ds_lines if '"2025-10-30"' in line)
    expected = _independent_held_in_pullback_zone(deadline_line)
    deepstate = next(f for f in both.findings if f.source == "deepstate")
    assert deepstate.area_km2 == pytest.approx(expected, rel=0.01)
    assert both.verdict == "breach" and both.sources == ["deepstate", "nzz"]
    assert both.standard_met  # DeepState and NZZ: two publishers
    assert one.verdict == "breach" and not one.standard_met  # one source does not
    assert deepstate.place is not None and deepstate.place.oblast in {"UA-59", "UA-63"}
    assert (
        deepstate.changed_between is None
        or deepstate.changed_between[1] <= pullback.deadline
    )
    assert [day for day, _ in deepstate.progress] == [
        date(2025, 8, 15),
        pullback.deadline,
    ]


def test_freeze_cap_breach_needs_two_publishers(mission: tuple[str, list[str]]) -> None:
    db, _ = mission
    agreement = load(EXAMPLES / "alaska-terms.yaml")
    with open_store(db) as store:
        verdicts = {
            v.party: v
            for v in freeze(
                agreement,
                store,
                "freeze",
                "southern_sector",
                10.0,
                ["deepstate", "nzz"],
            )  # fmt: skip
        }
        alone = freeze(
            agreement, store, "freeze", "southern_sector", 10.0, ["deepstate"]
        )
    ru = verdicts["ru"]
    assert ru.verdict == "breach" and ru.standard_met
    finding = ru.findings[0]
    assert finding.area_km2 > 10.0 and finding.changed_between is not None
    assert finding.place is not None and finding.place.oblast in {"UA-23", "UA-65"}
    assert not next(v for v in alone if v.party == "ru").standard_met


def test_territory_command_prints_each_verdict(mission: tuple[str, list[str]]) -> None:
    db, _ = mission
    result = CliRunner().invoke(
        cli, ["territory", "--agreement", str(EXAMPLES / "alaska-terms.yaml"), "--db", db],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    found = {(r["clause"], r["party"], r["zone"]): r for r in rows}
    assert set(found) == {
        ("ua-withdrawal", "ua", "ua_withdrawal_zone"),
        ("ru-pullback", "ru", "ru_pullback_zone"),
        ("freeze", "ru", "southern_sector"),
        ("freeze", "ua", "southern_sector"),
    }
    pullback = found[("ru-pullback", "ru", "ru_pullback_zone")]
    assert pullback["verdict"] == "breach" and pullback["standard_met"] is True
    assert pullback["sources"] == ["deepstate", "nzz"]


def test_the_clauses_say_what_is_judged() -> None:
    """Cap, sectors, zones, parties, deadline and sources come from the clauses."""
    agreement = load(EXAMPLES / "alaska-terms.yaml")
    (frozen,) = freeze_terms(agreement)
    assert (frozen.clause, frozen.sectors, frozen.cap_km2, str(frozen.since)) == (
        "freeze", ("southern_sector",), 10.0, "2025-09-01"
    )  # fmt: skip
    assert frozen.sources == ("deepstate", "nzz") and frozen.min_sources == 2
    found = {
        (t.clause, t.zone, t.party, str(t.deadline))
        for t in withdrawal_terms(agreement)
    }
    assert found == {
        ("ua-withdrawal", "ua_withdrawal_zone", "ua", "2025-10-30"),
        ("ru-pullback", "ru_pullback_zone", "ru", "2025-10-30"),
    }


def test_a_territory_clause_naming_an_unknown_zone_is_an_error() -> None:
    text = (EXAMPLES / "alaska-terms.yaml").read_text(encoding="utf-8")
    text = text.replace("sectors: [southern_sector]", "sectors: [southern_sectr]")
    with pytest.raises(AgreementError) as caught:
        loads(text, file="alaska-terms.yaml", base_dir=EXAMPLES)
    assert "southern_sectr" in str(caught.value)
    assert "southern_sector" in str(caught.value)  # the suggestion
