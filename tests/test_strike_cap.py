"""The Alaska strike cap on the Air Force record, checked against the raw file.

The expectation is computed here from the raw CSV with the ``csv`` module,
the bundled geoBoundaries ADM1 polygons (read as GeoJSON), shapely and
pyproj.Geod — no importer, no engine: a row is a strike when it names a
missile or an attack drone; its area is the oblasts its ``target`` names
(any word that is not an oblast or a known city → the whole country); the
area lies wholly beyond the cap when its geodesic minimum distance to the
freeze line exceeds 50 km. The clause is in force from 1 Sep 2025 00:00
Kyiv; a row's span is ``[time_start, time_end)`` in Kyiv time (a date-only
end is the end of that day).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer

from ceasefire.agreement.load import load
from ceasefire.cli import cli
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.run import evaluate_store
from ceasefire.store import open_store
from tests.conftest import EXAMPLES, REPO, shared_data

RAW = "missile-drone-attacks/missile_attacks_daily_2022-09_2026-04.csv.gz"
KYIV = ZoneInfo("Europe/Kyiv")
IN_FORCE = datetime(2025, 9, 1, tzinfo=KYIV)
CAP_KM = 50.0
GEOD = Geod(ellps="WGS84")
NOT_STRIKES = {
    # reconnaissance drones (shot down, not striking) and guided bombs
    "Reconnaissance UAV", "Orlan-10", "Orlan-30", "Supercam", "ZALA",
    "Merlin-VR", "Eleron", "Granat-4", "Картограф", "GBU", "Aerial Bomb",
}  # fmt: skip
OBLAST_NAMES = {"odesa": "Odessa Oblast", "zaporizhzhia": "Zaporizhia Oblast"}
CITIES = {"snake island": "Odessa Oblast", "kyiv": "Kyiv"}
COUNTRY_WORDS = {"ukraine", "south", "west", "east", "north", "centre", ""}
pytestmark = pytest.mark.shared_data


def _time(text: str, end: bool) -> datetime:
    if len(text) == 10:
        day = datetime.fromisoformat(text).replace(tzinfo=KYIV)
        return day + timedelta(days=1) if end else day
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=KYIV)


def _units(target: str) -> list[str] | None:
    """ADM1 names of the target, or None for the whole country."""
    names = []
    for part in target.split(" and "):
        text = part.strip().lower()
        if text.endswith(" oblast"):
            short = text.removesuffix(" oblast")
            names.append(OBLAST_NAMES.get(short, f"{short.title()} Oblast"))
        elif text in CITIES:
            names.append(CITIES[text])
        else:
            assert text in COUNTRY_WORDS, f"unexpected target word {part!r}"
            return None
    return names


def _min_distance_km(area: shapely.Geometry, line: shapely.Geometry) -> float:
    if shapely.intersects(area, line):
        return 0.0
    centre = area.centroid
    proj = f"+proj=aeqd +lon_0={centre.x} +lat_0={centre.y} +ellps=WGS84"
    forward = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    back = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    a = shapely.transform(area, project)
    b = shapely.transform(line, project)
    (x1, y1), (x2, y2) = shapely.shortest_line(a, b).coords
    (lon1, lon2), (lat1, lat2) = back.transform([x1, x2], [y1, y2])
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000


def _expected(rows: list[dict[str, str]], line: shapely.Geometry) -> dict[str, str]:
    """source_id → 'breach' / 'undetermined' of every strike row with a verdict."""
    adm1 = json.loads((REPO / "ceasefire/data/boundaries/ukr-adm1.geojson").read_text())
    shapes = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"])
        for f in adm1["features"]
    }
    country = shapely.union_all(list(shapes.values()))
    distance: dict[tuple[str, ...] | None, float] = {}
    found = {}
    for row in rows:
        parts = set(row["model"].split(" and "))
        if not row["launched"].strip() or parts <= NOT_STRIKES:
            continue
        start, end = _time(row["time_start"], False), _time(row["time_end"], True)
        if end <= IN_FORCE:
            continue
        names = _units(row["target"])
        key = None if names is None else tuple(sorted(set(names)))
        if key not in distance:
            area = (
                country if key is None else shapely.union_all([shapes[n] for n in key])
            )
            distance[key] = _min_distance_km(area, line)
        assert abs(distance[key] - CAP_KM) > 2, "too close to the cap to compare"
        beyond = distance[key] > CAP_KM
        key_id = "|".join(
            row[c]
            for c in ("time_start", "time_end", "model", "launch_place", "target")
        )
        found[f"ua-air-force-{key_id}"] = (
            "breach" if beyond and start >= IN_FORCE else "undetermined"
        )
    return found


def _night(source_id: str) -> str:
    """The Kyiv date the statement's span starts: one night's statements share it."""
    return source_id.removeprefix("ua-air-force-")[:10]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[dict]]:
    raw = shared_data(RAW)
    with gzip.open(raw, "rt", encoding="utf-8", newline="") as handle:
        text = handle.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    late = [r for r in rows if r["time_end"] >= "2025-08-31"]
    folder = tmp_path_factory.mktemp("strikes")
    sliced = folder / "missile_attacks_daily_slice.csv"
    header = text.split("\n", 1)[0]
    with sliced.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header.split(","))
        writer.writeheader()
        writer.writerows(late)
    db = f"sqlite:///{folder / 'af.db'}"
    result = CliRunner().invoke(cli, ["import", "--db", db, str(sliced)])
    assert result.exit_code == 0, result.output
    agreement = load(EXAMPLES / "alaska-terms.yaml")
    with open_store(db) as store:
        run = evaluate_store(Evaluator(agreement), store)
        found = [v.to_dict() for v in run.verdicts() if v.clause == "strike-cap"]
    line = agreement.features["freeze_line"].shape
    return _expected(late, line), found


def test_every_night_wholly_beyond_the_cap_is_a_breach(
    verdicts: tuple[dict[str, str], list[dict]],
) -> None:
    expected, found = verdicts
    ours = {v["source_id"]: v["verdict"] for v in found}
    beyond = {k for k, v in expected.items() if v == "breach"}
    assert beyond and all(ours.get(k) == "breach" for k in beyond)
    assert ours == expected  # and nothing else: same breaches, same undetermined
    nights: dict[str, set[str]] = defaultdict(set)
    for source_id, verdict in ours.items():
        nights[_night(source_id)].add(verdict)
    breach_nights = sum("breach" in v for v in nights.values())
    undetermined_nights = sum("breach" not in v for v in nights.values())
    # the figures stated in docs/compliance.md
    assert (len(beyond), len(expected) - len(beyond)) == (39, 605)
    assert (breach_nights, undetermined_nights) == (32, 185)


def test_verdicts_carry_the_nights_counts(
    verdicts: tuple[dict[str, str], list[dict]],
) -> None:
    raw = Path(shared_data(RAW))
    with gzip.open(raw, "rt", encoding="utf-8", newline="") as handle:
        rows = {
            "ua-air-force-"
            + "|".join(
                r[c]
                for c in ("time_start", "time_end", "model", "launch_place", "target")
            ): r
            for r in csv.DictReader(handle)
        }
    _, found = verdicts
    for verdict in found:
        row = rows[verdict["source_id"]]
        launched, destroyed = int(float(row["launched"])), int(float(row["destroyed"]))
        assert verdict["counts"] == {"launched": launched, "destroyed": destroyed}
        shown = next(r for r in verdict["reasons"] if r["unit"] == "launched")
        assert (shown["measured"], shown["destroyed"]) == (launched, destroyed)
        assert f"{launched} launched, {destroyed} destroyed" in verdict["text"]
