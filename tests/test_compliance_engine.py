"""The compliance engine on hand-computed cases.

Distances are checked against pyproj.Geod directly: the test line is the
meridian 37°E, a geodesic, so a point reached by going ``D`` km due east
from a point of the line is exactly ``D`` km from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from ceasefire.agreement.load import load
from ceasefire.compliance.evaluate import Evaluator
from ceasefire.compliance.facts import Case, facts_from_cases
from ceasefire.model.verdict import Verdict

HERE = Path(__file__).parent
TERMS = HERE / "data" / "compliance" / "test-terms.yaml"
GEOD = Geod(ellps="WGS84")
_serial = iter(range(10**6))


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(load(TERMS))


def east_of_line(km: float, lat: float = 48.0) -> tuple[float, float]:
    """The point ``km`` due east of the meridian 37°E at ``lat`` (west if < 0)."""
    lon, lat2, _ = GEOD.fwd(37.0, lat, 90.0 if km >= 0 else 270.0, abs(km) * 1000)
    return lon, lat2


def report(
    lon: float,
    lat: float,
    *,
    event: str = "heavy_weapon_present",
    at: str = "2025-11-05T10:00:00Z",
    precision: str = "minute",
    precision_m: float = 100.0,
    weapon: dict[str, Any] | None = None,
    party: str | None = "ua",
    **more: Any,
) -> dict[str, Any]:
    number = next(_serial)
    body: dict[str, Any] = {
        "id": f"01J{number:023d}",
        "source_report_id": f"test-{number}",
        "source": {"type": "monitor_patrol", "id": f"team-{number}"},
        "observed": {"start": at, "precision": precision},
        "reported_at": at,
        "location": {"lon": lon, "lat": lat, "precision_m": precision_m},
        "event_type": event,
    }
    if weapon is not None:
        body["weapon"] = weapon
    if party is not None:
        body["attribution"] = {"party": party}
    body.update(more)
    return body


GUN = {"class": "artillery", "model": "2S19 Msta-S", "calibre_mm": 152.0}


def judge(
    evaluator: Evaluator, *bodies: dict[str, Any], state: str = "reported", **kw: Any
) -> list[Verdict]:
    incidents = [Case(b["id"], (b,), state, kw.get("joint", False)) for b in bodies]
    return evaluator.evaluate_facts(
        facts_from_cases(incidents), include_all=kw.get("include_all", False)
    )


def only(verdicts: list[Verdict], clause: str) -> Verdict:
    found = [v for v in verdicts if v.clause == clause]
    assert len(found) == 1, verdicts
    return found[0]


def reason(verdict: Verdict, fragment: str) -> dict[str, Any]:
    for r in verdict.reasons:
        if fragment in r.predicate:
            return r.to_dict()
    raise AssertionError(f"no reason about {fragment!r}: {verdict.reasons}")


# ------------------------------------------------------------ distance bands


def test_a_152mm_gun_9_3_km_from_the_line_is_a_breach_with_the_geodesic_distance(
    evaluator: Evaluator,
) -> None:
    lon, lat = east_of_line(9.3)
    verdict = only(judge(evaluator, report(lon, lat, weapon=GUN)), "calibre-cap")
    assert verdict.verdict == "breach"
    measured = reason(verdict, "distance_km(meridian)")
    assert measured["measured"] == pytest.approx(9.3, rel=1e-3)
    assert measured["threshold"] == 30.0
    assert measured["unit"] == "km"
    assert measured["side"] == "ua"  # east of a south→north line is its right
    assert reason(verdict, "calibre_mm")["measured"] == 152.0
    assert verdict.party == "ua"
    assert "152 mm artillery" in verdict.text
    assert "9.3 km from meridian" in verdict.text
    assert "(ua side)" in verdict.text
    assert "calibre-cap" in verdict.text
    # the window is half-open: the last day in force is the day before "sunset"
    assert "in force from 2025-09-01 to 2026-08-31" in verdict.text


def test_west_of_the_line_is_the_other_side(evaluator: Evaluator) -> None:
    lon, lat = east_of_line(-12.0)
    verdict = only(judge(evaluator, report(lon, lat, weapon=GUN)), "calibre-cap")
    assert reason(verdict, "distance_km")["side"] == "ru"
    assert reason(verdict, "distance_km")["measured"] == pytest.approx(12.0, rel=1e-3)


@pytest.mark.parametrize(
    ("km", "precision_m", "expected"),
    [
        (28.5, 1000, "breach"),  # 28.5 + 1 < 30
        (29.5, 1000, "undetermined"),  # 28.5 … 30.5 straddles 30
        (30.5, 1000, "undetermined"),  # 29.5 … 31.5 straddles 30
        (30.5, 400, None),  # 30.1 … 30.9: never within 30
        (29.9, 0, "breach"),
        (45.0, 20_000, "undetermined"),  # 25 … 65: a 20 km radius reaches 30 km
        (55.0, 20_000, None),  # 35 … 75: even 20 km off it stays beyond 30 km
    ],
)
def test_precision_straddling_the_band_is_undetermined_never_breach(
    evaluator: Evaluator, km: float, precision_m: float, expected: str | None
) -> None:
    lon, lat = east_of_line(km)
    body = report(lon, lat, weapon=GUN, precision_m=precision_m)
    verdicts = [v for v in judge(evaluator, body) if v.clause == "calibre-cap"]
    assert [v.verdict for v in verdicts] == ([expected] if expected else [])
    if expected == "undetermined":
        distance = reason(verdicts[0], "distance_km")
        assert distance["holds"] == "unknown"
        assert distance["precision_km"] == precision_m / 1000
        assert "undetermined: distance_km(meridian) < 30" in verdicts[0].text


def test_a_report_without_a_weapon_does_not_engage_a_weapon_clause(
    evaluator: Evaluator,
) -> None:
    lon, lat = east_of_line(5.0)
    verdicts = judge(evaluator, report(lon, lat, event="shelling"), include_all=True)
    verdict = only(verdicts, "calibre-cap")
    assert verdict.verdict == "no_breach"
    assert reason(verdict, "weapon.class")["note"] == "not reported"


def test_a_mortar_or_a_small_gun_is_not_a_breach(evaluator: Evaluator) -> None:
    lon, lat = east_of_line(5.0)
    mortar = report(lon, lat, weapon={"class": "mortar", "calibre_mm": 120.0})
    small = report(lon, lat, weapon={"class": "artillery", "calibre_mm": 85.0})
    assert [v.clause for v in judge(evaluator, mortar, small)] == []


# ------------------------------------------------------------ in-force windows


@pytest.mark.parametrize(
    ("at", "precision", "expected"),
    [
        ("2025-08-31T23:59:00Z", "minute", None),  # before entry into force
        ("2025-09-01T00:00:00Z", "minute", "breach"),  # at entry into force
        ("2025-08-31T00:00:00Z", "week", "undetermined"),  # the week straddles it
        ("2026-08-31T23:58:00Z", "minute", "breach"),
        ("2026-09-01T00:00:00Z", "minute", None),  # the clause has lapsed
        ("2026-08-28T00:00:00Z", "week", "undetermined"),  # the week outlasts it
    ],
)
def test_in_force_windows_honour_the_time_precision(
    evaluator: Evaluator, at: str, precision: str, expected: str | None
) -> None:
    lon, lat = east_of_line(5.0)
    body = report(lon, lat, weapon=GUN, at=at, precision=precision)
    verdicts = [v for v in judge(evaluator, body) if v.clause == "calibre-cap"]
    assert [v.verdict for v in verdicts] == ([expected] if expected else [])


def test_day_precision_at_the_end_of_a_window_is_undetermined_only_on_that_day(
    evaluator: Evaluator,
) -> None:
    # 2026-08-31 (day precision) is any instant of that day: all before the
    # sunset at 2026-09-01T00:00Z, so the clause is in force for all of it
    lon, lat = east_of_line(5.0)
    body = report(lon, lat, weapon=GUN, at="2026-08-31T00:00:00Z", precision="day")
    assert only(judge(evaluator, body), "calibre-cap").verdict == "breach"


# ------------------------------------------------------------ obligations


def test_an_obligation_is_breached_only_after_its_deadline(
    evaluator: Evaluator,
) -> None:
    inside = (37.75, 48.0)
    before = report(*inside, at="2025-09-20T12:00:00Z")
    after = report(*inside, at="2025-10-02T12:00:00Z")
    outside = report(37.2, 48.0, at="2025-10-02T12:00:00Z")
    verdicts = [
        v for v in judge(evaluator, before, after, outside) if v.clause == "withdrawal"
    ]
    assert [(v.incident, v.verdict) for v in verdicts] == [(after["id"], "breach")]
    window = reason(verdicts[0], "deadline")
    assert window["holds"] == "true"
    assert window["threshold"] == "2025-10-01T00:00:00Z"
    assert "deadline 2025-10-01" in verdicts[0].text
    assert reason(verdicts[0], "inside(east_square)")["measured"] == "inside"


def test_a_zone_edge_within_the_precision_radius_is_undetermined(
    evaluator: Evaluator,
) -> None:
    # 37.5°E is the square's west edge; 37.49°E at 48°N is ~745 m west of it
    near = report(37.49, 48.0, at="2025-10-02T12:00:00Z", precision_m=2000)
    far = report(37.49, 48.0, at="2025-10-02T12:00:00Z", precision_m=500)
    verdicts = [v for v in judge(evaluator, near, far) if v.clause == "withdrawal"]
    assert [(v.incident, v.verdict) for v in verdicts] == [(near["id"], "undetermined")]
    edge = reason(verdicts[0], "inside")
    assert edge["holds"] == "unknown"
    assert edge["edge_distance_km"] == pytest.approx(0.745, abs=0.01)


# ------------------------------------------------------------ terms, standards


def test_open_questions_of_a_definition_are_undetermined(evaluator: Evaluator) -> None:
    where = (36.5, 48.0)
    troops = {
        category: report(
            *where, event="troop_presence", personnel={"category": category}
        )
        for category in ("combat_unit", "trainer", "embassy_guard", "medical")
    }
    verdicts = judge(evaluator, *troops.values())
    found = {v.incident: v.verdict for v in verdicts if v.clause == "no-foreign-troops"}
    assert found == {
        troops["combat_unit"]["id"]: "breach",
        troops["trainer"]["id"]: "undetermined",
    }
    trainer = only(
        [v for v in verdicts if v.incident == troops["trainer"]["id"]],
        "no-foreign-troops",
    )
    assert "open question" in reason(trainer, "foreign_troops")["note"]


def test_standard_met_follows_state_sources_and_joint_verification(
    evaluator: Evaluator,
) -> None:
    lon, lat = east_of_line(5.0)
    gun = report(lon, lat, weapon=GUN)
    assert only(judge(evaluator, gun), "calibre-cap").standard_met is False
    assert only(judge(evaluator, gun, state="verified"), "calibre-cap").standard_met

    troop = report(
        36.5, 48.0, event="troop_presence", personnel={"category": "combat_unit"}
    )
    second = dict(troop, source={"type": "uav", "id": "uav-7"})
    two_sources = Case(troop["id"], (troop, second), "verified", joint=True)
    repost = dict(
        troop,
        source={
            "type": "media",
            "id": "x",
            "derived_from": "monitor_patrol:" + troop["source"]["id"],
        },
    )
    one_origin = Case("reposted", (troop, repost), "verified", joint=True)
    not_joint = Case("not-joint", (troop, second), "verified", joint=False)
    verdicts = evaluator.evaluate_facts(
        facts_from_cases([two_sources, one_origin, not_joint])
    )
    met = {
        v.incident: v.standard_met for v in verdicts if v.clause == "no-foreign-troops"
    }
    assert met == {troop["id"]: True, "reposted": False, "not-joint": False}


def test_unattributed_and_unbound_parties_are_named_in_the_reasons(
    evaluator: Evaluator,
) -> None:
    lon, lat = east_of_line(5.0)
    nobody = report(lon, lat, weapon=GUN, party=None)
    mission = report(lon, lat, weapon=GUN, party="mission")
    verdicts = judge(evaluator, nobody, mission)
    by_incident = {v.incident: v for v in verdicts if v.clause == "calibre-cap"}
    assert by_incident[nobody["id"]].party is None
    assert reason(by_incident[nobody["id"]], "party bound")["note"] == "unattributed"
    assert by_incident[mission["id"]].party is None
    assert "does not bind" in reason(by_incident[mission["id"]], "party bound")["note"]
    assert {v.verdict for v in by_incident.values()} == {"breach"}


def test_incremental_verdicts_match_the_batch(evaluator: Evaluator) -> None:
    lon, lat = east_of_line(9.3)
    bodies = [
        report(lon, lat, weapon=GUN),
        report(37.75, 48.0, at="2025-10-02T00:00:00Z"),
    ]
    batch = judge(evaluator, *bodies)
    one_by_one = [v for b in bodies for v in evaluator.evaluate_reports([b])]
    key = lambda v: (v.incident, v.clause)  # noqa: E731
    assert sorted(
        map(Verdict.to_dict, batch), key=lambda d: (d["incident"], d["clause"])
    ) == sorted(
        (v.to_dict() for v in one_by_one), key=lambda d: (d["incident"], d["clause"])
    )
    assert sorted(map(key, batch)) == sorted(map(key, one_by_one))


def test_verdicts_round_trip_through_json(evaluator: Evaluator) -> None:
    lon, lat = east_of_line(29.5)
    for verdict in judge(evaluator, report(lon, lat, weapon=GUN, precision_m=1000)):
        assert Verdict.from_dict(verdict.to_dict()) == verdict


def test_grid_decisions_equal_exact_measurement_everywhere() -> None:
    """The cell shortcut (grid.py) never changes a verdict: 30k seeded incidents
    around the real Alaska freeze line, every clause, fast vs exact."""
    from ceasefire.compliance.spatial import SpatialCache
    from ceasefire.synth import incident_columns

    agreement = load(HERE.parent / "examples" / "alaska-terms.yaml")
    evaluator = Evaluator(agreement)
    znpp = agreement.features["znpp"].shape
    facts = incident_columns(
        agreement.features["freeze_line"].shape,
        30_000,
        seed=11,
        sites=[(znpp.x, znpp.y)],
    )
    fast = SpatialCache(evaluator.measures, facts)
    exact = SpatialCache(evaluator.measures, facts, fast=False)
    for compiled in evaluator.clauses:
        quick = evaluator.clause_truth(compiled, facts, fast)
        slow = evaluator.clause_truth(compiled, facts, exact)
        assert (quick == slow).all(), compiled.id
    assert (evaluator.clause_truth(evaluator.clauses[2], facts, fast) == 2).sum() > 100


def test_fact_finding_incidents_are_judged_as_one(
    evaluator: Evaluator, tmp_path: Path
) -> None:
    """Two teams' reports of one event become one incident with two sources."""
    from ceasefire.compliance.run import evaluate_store, load_facts, load_incident_facts
    from ceasefire.log.service import Log
    from ceasefire.model.report import Report
    from ceasefire.store.sqlite import SQLiteStore

    lon, lat = east_of_line(9.3)
    first = report(lon, lat, weapon=GUN)
    second = report(lon + 0.001, lat, weapon=GUN, at="2025-11-05T10:02:00Z")
    with SQLiteStore(tmp_path / "m.db") as store:
        Log(store).append_reports([Report.model_validate(b) for b in (first, second)])
        assert len(load_facts(store)) == 2
        facts = load_incident_facts(store)
        assert len(facts) == 1 and int(facts.sources[0]) == 2
        run = evaluate_store(evaluator, store, facts=facts)
        verdicts = [v for v in run.verdicts() if v.clause == "calibre-cap"]
    assert [(v.incident, v.verdict) for v in verdicts] == [(first["id"], "breach")]
