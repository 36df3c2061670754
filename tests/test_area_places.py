"""Reports placed by an area (an oblast, the country) are judged over the whole area.

Distances to the freeze line are checked against an independent shapely +
pyproj.Geod computation on the bundled geoBoundaries polygons.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from ceasefire.agreement.load import Agreement, loads
from ceasefire.compliance.evaluate import Evaluator
from tests.conftest import EXAMPLES, REPO

GEOD = Geod(ellps="WGS84")
LVIV, ZAPORIZHZHIA, KHARKIV, POLTAVA = "UA-46", "UA-23", "UA-63", "UA-53"


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    """The Alaska terms with the strike cap moved out to 400 km."""
    text = (EXAMPLES / "alaska-terms.yaml").read_text(encoding="utf-8")
    assert "distance_km(freeze_line) > 50" in text
    text = text.replace(
        "distance_km(freeze_line) > 50", "distance_km(freeze_line) > 400"
    )
    text = text.replace(
        'predicate: event_type == "troop_presence" and personnel.category in foreign_troops',
        'predicate: event_type == "troop_presence" and inside(northeast)',
    )
    return loads(text, file="alaska-terms.yaml", base_dir=EXAMPLES)


def _report(n: int, area: list[str], **more: Any) -> dict[str, Any]:
    oblast = _oblast("UA-35" if area == ["UA"] else area[0])
    centre = oblast.representative_point()
    body: dict[str, Any] = {
        "id": f"01J{n:023d}",
        "source_report_id": f"area-{n}",
        "source": {"type": "party_report", "id": "kpszsu"},
        "observed": {"start": "2025-11-05T22:00:00+02:00", "precision": "minute"},
        "reported_at": "2025-11-06T08:00:00+02:00",
        # a point inside and a radius that is no use: the area decides
        "location": {
            "lon": centre.x,
            "lat": centre.y,
            "precision_m": 1.0,
            "area": area,
        },
        "attribution": {"party": "ru"},
    }
    body.update(more)
    return body


def _oblast(iso: str) -> shapely.Geometry:
    adm1 = json.loads((REPO / "ceasefire/data/boundaries/ukr-adm1.geojson").read_text())
    return next(
        shapely.geometry.shape(f["geometry"])
        for f in adm1["features"]
        if f["properties"]["iso"] == iso
    )


def _min_distance_km(area: shapely.Geometry, line: shapely.Geometry) -> float:
    centre = area.centroid
    proj = f"+proj=aeqd +lon_0={centre.x} +lat_0={centre.y} +ellps=WGS84"
    forward = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    back = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    a, b = shapely.transform(area, project), shapely.transform(line, project)
    (x1, y1), (x2, y2) = shapely.shortest_line(a, b).coords
    (lon1, lon2), (lat1, lat2) = back.transform([x1, x2], [y1, y2])
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000


_EVALUATORS: dict[int, Evaluator] = {}
NO_BREACH = SimpleNamespace(verdict="no_breach")


def _verdict(agreement: Agreement, body: dict[str, Any], clause: str) -> Any:
    evaluator = _EVALUATORS.setdefault(id(agreement), Evaluator(agreement))
    found = evaluator.evaluate_reports([body])  # no verdict: no breach
    return next((v for v in found if v.clause == clause), NO_BREACH)


def test_every_point_of_lviv_oblast_beyond_400_km_is_a_breach(
    agreement: Agreement,
) -> None:
    body = _report(1, [LVIV], event_type="drone_strike")
    verdict = _verdict(agreement, body, "strike-cap")
    assert verdict.verdict == "breach"
    reason = next(r for r in verdict.reasons if r.unit == "km")
    expected = _min_distance_km(_oblast(LVIV), agreement.features["freeze_line"].shape)
    assert expected > 600  # Lviv oblast is far from the front
    # a sound lower bound: at most half a sampling step (≈ 1.2 km) below
    assert expected - 1.5 <= reason.detail["min_km"] <= expected + 0.05
    assert reason.detail["area"] == LVIV and reason.detail["max_km"] > expected
    assert "somewhere in Lviv Oblast" in verdict.text


def test_zaporizhzhia_oblast_against_a_30_km_band_is_undetermined(
    agreement: Agreement,
) -> None:
    gun = {"class": "artillery", "calibre_mm": 152.0}
    near = _verdict(
        agreement, _report(2, [ZAPORIZHZHIA], event_type="heavy_weapon_present",
                           weapon=gun), "calibre-cap"
    )  # fmt: skip
    far = _verdict(
        agreement,
        _report(3, [LVIV], event_type="heavy_weapon_present", weapon=gun),
        "calibre-cap",
    )
    assert near.verdict == "undetermined"
    assert far.verdict == "no_breach"  # every point of Lviv oblast is beyond 30 km


def test_inside_a_zone_only_when_the_whole_area_is(agreement: Agreement) -> None:
    def outcome(n: int, area: list[str]) -> str:
        body = _report(n, area, event_type="troop_presence")
        return str(_verdict(agreement, body, "no-foreign-troops").verdict)

    # northeast = Kharkiv and Sumy oblasts
    assert outcome(4, [KHARKIV]) == "breach"
    assert outcome(5, [KHARKIV, POLTAVA]) == "undetermined"
    assert outcome(6, [LVIV]) == "no_breach"


def test_an_unnamed_target_is_undetermined_never_not_breached(
    agreement: Agreement,
) -> None:
    unnamed = _verdict(agreement, _report(7, ["UA"], event_type="missile_strike"),
                       "civilian-strikes")  # fmt: skip
    power = _verdict(
        agreement,
        _report(8, ["UA"], event_type="missile_strike", target={"category": "power"}),
        "civilian-strikes",
    )
    military = _verdict(
        agreement,
        _report(9, ["UA"], event_type="missile_strike",
                target={"category": "military"}),
        "civilian-strikes",
    )  # fmt: skip
    assert unnamed.verdict == "undetermined"
    assert "target.category in civilian_infrastructure" in unnamed.text
    assert power.verdict == "breach"
    assert military.verdict == "no_breach"


def test_a_country_wide_report_is_undetermined_under_the_cap(
    agreement: Agreement,
) -> None:
    verdict = _verdict(agreement, _report(10, ["UA"], event_type="drone_strike"),
                       "strike-cap")  # fmt: skip
    assert verdict.verdict == "undetermined"
    reason = next(r for r in verdict.reasons if r.unit == "km")
    assert reason.detail["min_km"] == 0.0 and reason.detail["max_km"] > 700
