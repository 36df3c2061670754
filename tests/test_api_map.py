"""The map's columnar endpoint over real HTTP: the same incidents, places and
breach flags as /api/incidents.geojson for every role, in one answer."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from ceasefire.api import routes_map
from tests.api_support import all_pages, build_mission, client, serve, source_reports

ROLES = [None, "monitor", "analyst", "guarantor", "party:ua", "party:cadlr"]


def verdict(
    report: dict[str, Any], clause: str, verdict: str, met: bool, party: str
) -> dict[str, Any]:
    return {
        "incident": report["id"], "source_id": None, "clause": clause,
        "verdict": verdict, "standard_met": met, "party": party,
        "reasons": [], "text": "t", "agreement_id": "minsk-ii",
        "agreement_version": "2015-02-12", "log_head": None,
        "observed_at": report["observed"]["start"],
        "lon": report["location"]["lon"], "lat": report["location"]["lat"],
    }  # fmt: skip


def patrols() -> list[dict[str, Any]]:
    return [r for r in source_reports() if r["source"]["type"] == "monitor_patrol"]


def media() -> dict[str, Any]:
    return next(r for r in source_reports() if r["source"]["type"] == "media")


@pytest.fixture(scope="module")
def mission_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The mission's store (its URL), with a few verdicts saved."""
    from ceasefire.store import open_store

    url = build_mission(tmp_path_factory.mktemp("map") / "mission.db")
    first, second = patrols()[:2]
    with open_store(url) as store:
        store.save_verdicts(
            [
                verdict(first, "ceasefire", "breach", True, "cadlr"),  # established
                verdict(first, "artillery-100mm", "breach", True, "cadlr"),
                verdict(second, "ceasefire", "breach", False, "ua"),  # not established
                verdict(media(), "ceasefire", "undetermined", False, "ua"),
            ]
        )
    return url


@pytest.fixture(scope="module")
def base_url(mission_url: str) -> Iterator[str]:
    with serve(mission_url) as served:
        yield served


def factfinding_incidents(url: str) -> dict[str, tuple[str, ...]]:
    """Incident id → report ids, as fact-finding computes them from the log."""
    from ceasefire.factfinding.incidents import incidents_of
    from ceasefire.store import open_store

    with open_store(url) as store:
        return {i.id: i.report_ids for i in incidents_of(store)}


def get_map(base_url: str, role: str | None, **params: Any) -> dict[str, Any]:
    with client(base_url, role) as http:
        response = http.get("/api/map/incidents", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def rows(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """The columns back as one dict per incident."""
    return [
        {
            "id": columns["ids"][i],
            "lon": columns["lon"][i],
            "lat": columns["lat"][i],
            "t": columns["t"][i],
            "event_type": columns["types"][columns["type"][i]],
            "state": columns["states"][columns["state"][i]],
            "party": columns["parties"][columns["party"][i]],
            "breach": columns["breach"][i] == 1,
            "clauses": columns["clauses"].get(str(i), []),
            "n_sources": columns["n_sources"][i],
            "score": columns["score"][i],
        }
        for i in range(columns["n"])
    ]


def from_geojson(feature: dict[str, Any]) -> dict[str, Any]:
    p = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    start = datetime.fromisoformat(p["observed_start"])
    return {
        "id": p["id"], "lon": lon, "lat": lat, "t": math.floor(start.timestamp()),
        "event_type": p["event_type"], "state": p["state"], "party": p["party"],
        "breach": p["breach"], "clauses": p["clauses"], "n_sources": p["n_sources"],
        "score": p["score"],
    }  # fmt: skip


@pytest.mark.parametrize("few_ids", [routes_map.FEW_IDS, 0])
@pytest.mark.parametrize("role", ROLES)
def test_the_map_columns_are_the_geojson_incidents_for_each_role(
    base_url: str,
    mission_url: str,
    role: str | None,
    few_ids: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # few_ids 0: breach flags from one query of all breaches instead of by id
    monkeypatch.setattr(routes_map, "FEW_IDS", few_ids)
    for params in (
        {},
        {"bbox": "37.5,47.5,39.0,48.5"},
        {"since": "2015-01-10T00:00:00Z", "until": "2015-03-05T12:00:00+02:00"},
        {"party": "cadlr"},
        {"state": "reported", "event_type": "shelling"},
    ):
        with client(base_url, role) as http:
            features = all_pages(
                http,
                "/api/incidents.geojson",
                limit=1000,
                agreement="minsk-ii",
                **params,
            )
        columns = get_map(base_url, role, agreement="minsk-ii", **params)
        assert rows(columns) == [from_geojson(f) for f in features], params
        assert columns["truncated"] is False
    # one dot per incident: fewer than the reports, as some are clustered
    assert get_map(base_url, role)["n"] == len(factfinding_incidents(mission_url))


def test_breach_flags_follow_the_role(base_url: str) -> None:
    first, second = (p["id"] for p in patrols()[:2])
    expected = {
        # the public and other parties: established breaches only
        None: {first: ["artillery-100mm", "ceasefire"]},
        "party:cadlr": {first: ["artillery-100mm", "ceasefire"]},
        # a party also sees verdicts about itself
        "party:ua": {first: ["artillery-100mm", "ceasefire"], second: ["ceasefire"]},
        "guarantor": {first: ["artillery-100mm", "ceasefire"], second: ["ceasefire"]},
        "analyst": {first: ["artillery-100mm", "ceasefire"], second: ["ceasefire"]},
    }
    for role, breaches in expected.items():
        found = {
            r["id"]: r["clauses"] for r in rows(get_map(base_url, role)) if r["breach"]
        }
        assert found == breaches, role


def test_the_public_sees_grid_cell_centres_and_staff_the_true_place(
    base_url: str, mission_url: str
) -> None:
    # an incident is where its best-placed report puts it
    located = {r["id"]: r["location"] for r in source_reports()}
    truth = {
        ref: min((located[r] for r in reports), key=lambda place: place["precision_m"])
        for ref, reports in factfinding_incidents(mission_url).items()
    }
    public = rows(get_map(base_url, None))
    staff = rows(get_map(base_url, "analyst"))
    assert {r["id"] for r in public} == set(truth)
    for item in public:
        place = truth[item["id"]]
        # the centre of a 0.1° cell holding the true point (on an edge: either)
        for shown, true in ((item["lon"], place["lon"]), (item["lat"], place["lat"])):
            assert shown * 10 - 0.5 == pytest.approx(round(shown * 10 - 0.5))
            assert abs(shown - true) <= 0.05 + 1e-9
    for item in staff:
        assert (item["lon"], item["lat"]) == (
            truth[item["id"]]["lon"],
            truth[item["id"]]["lat"],
        )


def test_observed_times_are_utc_epoch_seconds(base_url: str) -> None:
    truth = {r["id"]: r["observed"]["start"] for r in source_reports()}
    for item in rows(get_map(base_url, None)):
        start = datetime.fromisoformat(truth[item["id"]])
        assert item["t"] == math.floor(start.timestamp())


def test_an_oversized_answer_is_cut_and_says_so(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_map, "MAX_POINTS", 3)
    columns = get_map(base_url, "analyst")
    assert columns["truncated"] is True
    assert columns["ids"] == [r["id"] for r in source_reports()[:3]]  # log order
    assert len(columns["lon"]) == len(columns["breach"]) == columns["n"] == 3


def test_bad_filters_are_clear_errors(base_url: str) -> None:
    with client(base_url) as http:
        box = http.get("/api/map/incidents", params={"bbox": "38,48,37"})
        state = http.get("/api/map/incidents", params={"state": "fine"})
        agreement = http.get("/api/map/incidents", params={"agreement": "nope"})
    assert box.status_code == 422
    assert box.json()["error"]["field"] == "bbox"
    assert box.json()["error"]["value"] == "38,48,37"
    assert state.status_code == 422
    assert state.json()["error"]["value"] == "fine"
    assert agreement.status_code == 404


@pytest.mark.parametrize("role", ["public", "analyst", "guarantor", "party:ua"])
def test_places_view_is_place_view_for_many(role: str) -> None:
    from ceasefire.api.auth import Principal
    from ceasefire.api.redact import place_view, places_view

    who = Principal(role.split(":")[0], role.partition(":")[2] or None)
    places = [r["location"] for r in source_reports()]
    places += [{"lon": 38.8, "lat": 48.0}, {"lon": -0.05, "lat": -33.35}]  # cell edges
    lon, lat = places_view([p["lon"] for p in places], [p["lat"] for p in places], who)
    assert list(zip(lon, lat, strict=True)) == [place_view(p, who)[:2] for p in places]


def test_the_map_and_the_list_serve_factfindings_incidents(
    base_url: str, mission_url: str
) -> None:
    expected = factfinding_incidents(mission_url)
    with client(base_url, "analyst") as http:
        items = all_pages(http, "/api/incidents", limit=50)
    assert {i["id"]: tuple(i["reports"]) for i in items} == expected
    # the SMM patrol's shelling near Debaltseve and UCDP's Donets Basin clash:
    # two organisations, graded A2 and B2 (Admiralty weights 0.9 × 0.8 and
    # 0.75 × 0.8), so a noisy-OR of 1 − (1 − 0.72) × (1 − 0.60)
    several = [ref for ref, reports in expected.items() if len(reports) > 1]
    assert several == ["019FMAK2G000070RBME9QPRB9G"]
    for role in ROLES:
        columns = get_map(base_url, role)
        i = columns["ids"].index(several[0])
        assert columns["n_sources"][i] == 2
        assert columns["score"][i] == pytest.approx(1 - (1 - 0.72) * (1 - 0.60))
        assert sum(columns["n_sources"]) == len(source_reports())


def test_a_reports_page_is_its_incidents(base_url: str, mission_url: str) -> None:
    anchor = "019FMAK2G000070RBME9QPRB9G"
    (member,) = set(factfinding_incidents(mission_url)[anchor]) - {anchor}
    with client(base_url, None) as http:
        by_anchor = http.get(f"/api/incidents/{anchor}").json()
        by_member = http.get(f"/api/incidents/{member}").json()
    assert by_member == by_anchor
    assert by_anchor["incident"]["id"] == anchor
    # the anchor first: the page names the place and precision after it
    assert [r["id"] for r in by_anchor["reports"]] == [anchor, member]
    assert by_anchor["incident"]["n_sources"] == 2
