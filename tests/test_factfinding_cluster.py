"""Clustering reports into incidents: the rules a fact-finding analyst relies on.

Places are given as metres north of a base point (1° of latitude is
111,195 m on the 6,371,008.8 m sphere), so each expected grouping follows
from the stated distances, not from the code.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ceasefire.factfinding.cluster import (
    IncidentIndex,
    Params,
    Points,
    cluster,
    compatible,
    incident_rows,
)
from ceasefire.factfinding.incidents import incidents_of
from ceasefire.log.service import Log
from ceasefire.model.report import Report, new_id
from ceasefire.store.sqlite import SQLiteStore

BASE = datetime(2022, 3, 1, 10, 0, tzinfo=UTC)
METRES_PER_DEGREE = 111_195.0
_serial = itertools.count(1)


def report(
    source: str,
    north_m: float = 0.0,
    minutes: float = 0.0,
    event_type: str = "shelling",
    *,
    precision_m: float = 100.0,
    time_precision: str = "minute",
    derived_from: str | None = None,
    reliability: str = "B",
    credibility: int = 2,
) -> Report:
    """A report ``north_m`` metres north of (37.8 E, 48.0 N), ``minutes`` after BASE."""
    serial = next(_serial)
    start = BASE + timedelta(minutes=minutes)
    if time_precision == "day":
        start = start.replace(hour=0, minute=0)
    data: dict[str, Any] = {
        "id": new_id(int(BASE.timestamp() * 1000) + serial, serial.to_bytes(10, "big")),
        "source": {
            "type": "monitor_patrol",
            "id": source,
            "reliability": reliability,
            "credibility": credibility,
            "derived_from": derived_from,
        },
        "observed": {"start": start, "precision": time_precision},
        "reported_at": BASE,
        "location": {
            "lon": 37.8,
            "lat": 48.0 + north_m / METRES_PER_DEGREE,
            "precision_m": precision_m,
        },
        "event_type": event_type,
    }
    return Report.model_validate(data)


def groups(
    tmp_path: Path, reports: list[Report], params: Params | None = None
) -> list[set[str]]:
    """The incidents of ``reports`` as sets of report ids (singletons included)."""
    log = Log(SQLiteStore(tmp_path / "ff.db"))
    log.append_reports(reports)
    return [set(i.report_ids) for i in incidents_of(log.store, params)]


def together(found: list[set[str]], *reports: Report) -> bool:
    ids = {r.id for r in reports}
    return any(ids <= g for g in found)


def test_two_sources_within_2_km_and_1_h_are_one_incident(tmp_path: Path) -> None:
    a = report("patrol-1", 0, 0)
    b = report("sensor-7", 1_500, 40, "explosion")
    far = report("camera-2", 4_000, 0)  # 2.5 km from b, 4 km from a
    late = report("uav-3", 0, 130)  # 130 minutes after a, 90 after b
    found = groups(tmp_path, [a, b, far, late])
    assert together(found, a, b)
    assert {far.id} in found and {late.id} in found
    assert len(found) == 3


def test_an_oblast_centroid_report_joins_but_never_bridges(tmp_path: Path) -> None:
    # two events 6 km apart, each seen by two sources; a vague report (50 km
    # radius) lies between them and is compatible with both
    west_1, west_2 = report("patrol-1", 0), report("sensor-1", 500)
    east_1, east_2 = report("patrol-2", 6_000), report("sensor-2", 6_400)
    vague = report("party-x", 3_000, precision_m=50_000)
    found = groups(tmp_path, [west_1, west_2, east_1, east_2, vague])
    assert together(found, west_1, west_2) and together(found, east_1, east_2)
    assert not together(found, west_1, east_1)
    # it joins exactly one of them: the nearest (west_2 is 2.5 km away, east_1 3 km)
    assert together(found, west_1, west_2, vague)
    assert len(found) == 2


def test_a_report_dated_to_the_day_only_joins_at_1_h(tmp_path: Path) -> None:
    a, b = report("patrol-1", 0, 0), report("patrol-2", 6_000, 0)
    dated = report("media-1", 3_000, 0, time_precision="day")  # within 3 km of both
    vague_a = report("media-2", 200, 0, time_precision="day")
    found = groups(tmp_path, [a, b, dated, vague_a])
    # a and b are 6 km apart: separate; the day-dated reports may join, not link
    assert not together(found, a, b)
    assert together(found, a, vague_a)
    # two day-dated reports of one place pair by default (issue 11), and at 1 day
    c, d = (
        report("media-3", 0, 0, time_precision="day"),
        report("media-4", 300, 0, time_precision="day"),
    )
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    assert together(groups(tmp_path / "x", [c, d]), c, d)
    assert together(groups(tmp_path / "y", [c, d], Params(2_000, 86_400)), c, d)


def day_report(source: str, north_m: float, day: int = 0, **kw: Any) -> Report:
    """A report dated only to day ``day`` after BASE's day, ``north_m`` north."""
    return report(source, north_m, day * 1_440, time_precision="day", **kw)


def test_issue_11_day_reports_of_one_place_and_day_merge_by_default(
    tmp_path: Path,
) -> None:
    # CIR and Bellingcat give dates only: 400 m apart on one day is one event
    cir_, bellingcat_ = day_report("cir", 0), day_report("bellingcat", 400)
    next_day = day_report("acled", 200, day=1)  # the day after: another event
    far = day_report("ucdp", 2_700)  # 2.7 km > 2 km + 2 × 100 m
    found = groups(tmp_path, [cir_, bellingcat_, next_day, far])
    assert together(found, cir_, bellingcat_)
    assert {next_day.id} in found and {far.id} in found
    # the place radius widens the reach: 1 km radii reach 2 + 1 + 1 km
    (tmp_path / "r").mkdir()
    a = day_report("cir", 0, precision_m=1_000)
    b = day_report("bellingcat", 3_800, precision_m=1_000)
    assert together(groups(tmp_path / "r", [a, b]), a, b)


def test_issue_11_day_reports_pair_only_across_organisations(tmp_path: Path) -> None:
    a, b = day_report("smm/team-3", 0), day_report("smm/team-7", 300)
    assert {a.id} in groups(tmp_path, [a, b])


def test_issue_11_day_reports_never_chain_or_bridge(tmp_path: Path) -> None:
    # a – b – c each 1.9 km apart: a and c (3.8 km) are not one place, so
    # b pairs with one of them only (complete linkage)
    a, b, c = day_report("x", 0), day_report("y", 1_900), day_report("z", 3_800)
    found = groups(tmp_path, [a, b, c])
    assert not together(found, a, c) and len(found) == 2
    # two precise incidents and a day report near both: it joins one, and a
    # second day report of the same place cannot glue the other one on
    (tmp_path / "p").mkdir()
    w1, w2 = report("patrol-1", 0), report("sensor-1", 300)
    e1, e2 = report("patrol-2", 3_000), report("sensor-2", 3_300)
    d1 = day_report("media-1", 1_500)
    d2 = day_report("media-2", 1_600)
    found = groups(tmp_path / "p", [w1, w2, e1, e2, d1, d2])
    assert not together(found, w1, e1)


def test_issue_11_oblast_centroids_and_weeks_do_not_pair(tmp_path: Path) -> None:
    a = day_report("x", 0, precision_m=50_000)
    b = day_report("y", 0, precision_m=50_000)
    c = report("u", 0, time_precision="week")
    d = report("v", 0, time_precision="week")
    found = groups(tmp_path, [a, b, c, d])
    assert len(found) == 4


def test_troop_presence_is_never_the_same_event_as_shelling(tmp_path: Path) -> None:
    assert compatible("shelling", "one_sided_attack")
    assert compatible("explosion", "armed_clash")
    assert not compatible("troop_presence", "shelling")
    a = report("patrol-1", 0, 0, "shelling")
    b = report("uav-2", 100, 5, "troop_presence")
    c = report("sensor-3", 200, 5, "explosion")
    found = groups(tmp_path, [a, b, c])
    assert together(found, a, c) and {b.id} in found


def test_a_source_does_not_corroborate_itself(tmp_path: Path) -> None:
    a1, a2 = report("patrol-1", 0, 0), report("patrol-1", 300, 10)
    found = groups(tmp_path, [a1, a2])
    assert found == [{a1.id}, {a2.id}] or found == [{a2.id}, {a1.id}]


def test_an_incident_holds_one_report_per_source(tmp_path: Path) -> None:
    # a chain a1 – b – a2: b (another source) is near both of patrol-1's two
    # reports; patrol-1 said two things, so b pairs with the nearer one only
    a1 = report("patrol-1", 0, 0)
    b = report("sensor-2", 1_200, 0)
    a2 = report("patrol-1", 2_000, 0)  # 800 m from b
    found = groups(tmp_path, [a1, b, a2])
    assert together(found, a2, b)
    assert {a1.id} in found


def test_incident_id_is_the_first_logged_report_and_the_older_survives_a_merge(
    tmp_path: Path,
) -> None:
    a = report("patrol-1", 0, 0)
    b = report("sensor-2", 3_000, 0)  # 3 km from a: two incidents
    log = Log(SQLiteStore(tmp_path / "ff.db"))
    log.append_reports([a, b])
    assert sorted(i.id for i in incidents_of(log.store)) == sorted([a.id, b.id])
    bridge = report("camera-3", 1_500, 0)  # 1.5 km from each: joins them
    log.append_reports([bridge])
    (incident,) = incidents_of(log.store)
    assert incident.id == a.id
    assert set(incident.report_ids) == {a.id, b.id, bridge.id}


def random_points(seed: int, n: int, sources: int, width_m: float) -> Points:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, width_m, (n, 2))
    vague = rng.random(n)
    return Points(
        xyz=np.column_stack([xy, np.zeros(n)]),
        start=rng.uniform(0, 2 * 86_400, n),
        window=np.where(vague < 0.05, 86_399.0, 0.0),
        radius=np.where(vague > 0.95, 20_000.0, 100.0),
        source=rng.integers(0, sources, n),
        kind=rng.choice(
            [0, 2, 9, 12, 13], n
        ),  # shelling, explosion, troops, harm, damage
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("width_m", [8_000.0, 30_000.0])
def test_attaching_reports_one_by_one_gives_the_batch_partition(
    seed: int, width_m: float
) -> None:
    points = random_points(seed, 400, sources=10**6, width_m=width_m)
    # the index has no vague pairing (a batch step): compare without it
    batch = cluster(points, Params(vague_window_s=0)).anchor
    index = IncidentIndex()
    for i in range(len(points)):
        index.add_arrays(
            points.xyz[i], points.start[i], points.window[i],
            points.radius[i], int(points.source[i]), int(points.kind[i]),
        )  # fmt: skip
    assert (index.anchors() == batch).all()
    # and starting from a batch of the first 300
    head = Points(*(getattr(points, f)[:300] for f in Points.__dataclass_fields__))
    resumed = IncidentIndex.from_batch(head, cluster(head))
    for i in range(300, len(points)):
        resumed.add_arrays(
            points.xyz[i], points.start[i], points.window[i],
            points.radius[i], int(points.source[i]), int(points.kind[i]),
        )  # fmt: skip
    assert (resumed.anchors() == batch).all()


@pytest.mark.parametrize("seed", range(4))
def test_no_incident_ever_holds_two_reports_of_one_source(seed: int) -> None:
    points = random_points(seed, 500, sources=4, width_m=6_000.0)
    index = IncidentIndex()
    for i in range(len(points)):
        index.add_arrays(
            points.xyz[i], points.start[i], points.window[i],
            points.radius[i], int(points.source[i]), int(points.kind[i]),
        )  # fmt: skip
    for anchor in (cluster(points).anchor, index.anchors()):
        for rows in incident_rows(anchor.tolist()).values():
            assert len(set(points.source[rows].tolist())) == len(rows)
