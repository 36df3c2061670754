"""Role boundaries over real HTTP: protected sources, replies before publication,
the public's redaction, who may decide, who reads which verdicts."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api_support import (
    all_pages,
    build_mission,
    client,
    serve,
    source_reports,
)

PHOTO = b"\xff\xd8\xff\xe0 a patrol photo of impact craters"


def patrol_report() -> dict[str, Any]:
    """The first committed patrol report (a protected monitor source)."""
    return next(r for r in source_reports() if r["source"]["type"] == "monitor_patrol")


def media_report() -> dict[str, Any]:
    """The first committed UCDP event (published media: not protected)."""
    return next(r for r in source_reports() if r["source"]["type"] == "media")


def verdict(incident: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "incident": incident["id"],
        "source_id": None,
        "clause": "ceasefire",
        "verdict": "breach",
        "standard_met": True,
        "party": None,
        "reasons": [{"predicate": "event_type in fire", "holds": "true"}],
        "text": "Shelling while the ceasefire was in force.",
        "agreement_id": "minsk-ii",
        "agreement_version": "2015-02-12",
        "log_head": None,
        "observed_at": incident["observed"]["start"],
        "lon": incident["location"]["lon"],
        "lat": incident["location"]["lat"],
        **fields,
    }


def assign_for_review(base_url: str, incident: str) -> None:
    """Assign ``incident`` to a joint team (the CLI's 'incidents assign')."""
    from datetime import UTC, datetime, timedelta

    from ceasefire.factfinding import workflow
    from ceasefire.log.service import Log
    from ceasefire.store import open_store

    team = {"ua": ["o.koval"], "cadlr": ["i.petrov"], "mission": ["j.smith"]}
    deadline = datetime.now(UTC) + timedelta(days=7)
    with open_store(DB_URLS[base_url]) as store:
        workflow.assign(Log(store), incident, team, deadline, "chief")


DB_URLS: dict[str, str] = {}
"""The database behind each served base URL."""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ceasefire.log.service import Log
    from ceasefire.store import open_store

    url = build_mission(tmp_path_factory.mktemp("roles") / "mission.db")
    patrol, media = patrol_report(), media_report()
    with open_store(url) as store:
        Log(store).add_evidence(
            PHOTO,
            patrol["id"],
            "SMM-Donetsk-07 team lead",
            media_type="image/jpeg",
            filename="IMG_0042.jpg",
            device="SMM camera 7",
        )
        store.save_verdicts(
            [
                verdict(patrol, party="cadlr"),  # established breach
                verdict(media, party="ua", verdict="undetermined", standard_met=False),
            ]
        )
    with serve(url) as served:
        DB_URLS[served] = url
        yield served


def report_of(base_url: str, role: str | None, report_id: str) -> dict[str, Any]:
    with client(base_url, role) as http:
        page = http.get(f"/api/incidents/{report_id}")
    assert page.status_code == 200, page.text
    body: dict[str, Any] = page.json()
    return body


def test_a_party_never_sees_a_protected_source(base_url: str) -> None:
    patrol = patrol_report()
    for role in ("party:ua", "party:cadlr"):
        page = report_of(base_url, role, patrol["id"])
        shown = page["reports"][0]
        text = str(page)
        assert patrol["source"]["id"] not in text
        assert shown["source"]["id"] == "withheld"
        assert "name" not in shown["source"]
        assert "IMG_0042" not in text and "SMM camera 7" not in text
        assert "team lead" not in text  # custody names the monitor
        import hashlib

        assert page["evidence"][0]["sha256"] == hashlib.sha256(PHOTO).hexdigest()
        with client(base_url, role) as http:
            items = all_pages(http, "/api/reports", limit=1000)
        listed = {item["id"]: item for item in items}
        assert listed[patrol["id"]]["source"]["id"] == "withheld"
    # the mission and guarantors see who reported, and the custody record
    page = report_of(base_url, "guarantor", patrol["id"])
    assert page["reports"][0]["source"]["id"] == patrol["source"]["id"]
    assert page["evidence"][0]["custody"]["by"] == "SMM-Donetsk-07 team lead"


def test_a_party_sees_published_media_sources(base_url: str) -> None:
    media = media_report()
    shown = report_of(base_url, "party:ua", media["id"])["reports"][0]
    assert shown["source"]["id"] == media["source"]["id"]


def test_another_partys_reply_stays_hidden_until_published(base_url: str) -> None:
    incident = patrol_report()["id"]
    assign_for_review(base_url, incident)  # a reply needs an open reply window
    with client(base_url, "party:ua") as ua:
        posted = ua.post(
            f"/api/incidents/{incident}/replies",
            json={"text": "Our positions did not fire; the craters are older."},
        )
    assert posted.status_code == 201, posted.text
    reply_id = posted.json()["id"]

    def replies(role: str | None) -> list[str]:
        return [r["id"] for r in report_of(base_url, role, incident)["replies"]]

    assert replies("party:ua") == [reply_id]  # its own
    assert replies("analyst") == [reply_id]
    assert replies("party:cadlr") == []
    assert replies(None) == []
    with client(base_url, "party:cadlr") as cadlr:  # a party cannot publish
        refused = cadlr.post(f"/api/incidents/{incident}/replies/{reply_id}/publish")
        assert refused.status_code == 403
    with client(base_url, "analyst") as analyst:
        published = analyst.post(
            f"/api/incidents/{incident}/replies/{reply_id}/publish"
        )
        assert published.status_code == 201
    assert replies("party:cadlr") == [reply_id]
    assert replies(None) == [reply_id]
    with client(base_url, "monitor") as monitor:  # only parties reply
        assert (
            monitor.post(
                f"/api/incidents/{incident}/replies", json={"text": "x"}
            ).status_code
            == 403
        )


def cell_centre(value: float) -> float:
    return (math.floor(value / 0.1) + 0.5) * 0.1


def test_the_public_sees_coarse_places_and_no_sources(base_url: str) -> None:
    truth = {r["id"]: r for r in source_reports()}
    with client(base_url) as http:
        items = all_pages(http, "/api/reports", limit=1000)
        features = all_pages(http, "/api/incidents.geojson", limit=1000)
    assert {i["id"] for i in items} >= set(truth)
    for item in items:
        if item["id"] not in truth:
            continue
        original = truth[item["id"]]["location"]
        assert item["source"]["id"] == "withheld"
        assert "narrative" not in item and "properties" not in item
        assert "place" not in item["location"]
        assert item["location"]["lon"] == pytest.approx(cell_centre(original["lon"]))
        assert item["location"]["lat"] == pytest.approx(cell_centre(original["lat"]))
        # the true point lies within the stated radius of the shown one
        dx = (
            (original["lon"] - item["location"]["lon"])
            * 111_320
            * math.cos(math.radians(original["lat"]))
        )
        dy = (original["lat"] - item["location"]["lat"]) * 111_320
        assert math.hypot(dx, dy) <= item["location"]["precision_m"] + 1
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert round(lon * 10 - 0.5, 6) == round(lon * 10 - 0.5)  # a cell centre
        assert round(lat * 10 - 0.5, 6) == round(lat * 10 - 0.5)


def test_only_analysts_decide_and_the_state_machine_holds(base_url: str) -> None:
    incident = media_report()["id"]
    path = f"/api/incidents/{incident}/transitions"
    with client(base_url, "monitor") as monitor:
        refused = monitor.post(path, json={"state": "verified", "reason": "seen"})
        assert refused.status_code == 403
    with client(base_url, "analyst") as analyst:
        skip = analyst.post(path, json={"state": "verified", "reason": "sure"})
        assert skip.status_code == 409  # reported → verified is not a move
        assert "under_review" in skip.json()["error"]["message"]
        for state in ("under_review", "verified"):
            done = analyst.post(path, json={"state": state, "reason": f"to {state}"})
            assert done.status_code == 201, done.text
        empty = analyst.post(path, json={"state": "under_review", "reason": ""})
        assert empty.status_code == 422
        assert empty.json()["error"]["field"] == "reason"
        listed = all_pages(analyst, "/api/incidents", state="verified")
        assert [i["id"] for i in listed] == [incident]
        trail = analyst.get(f"/api/incidents/{incident}").json()["trail"]
    assert [(t["state"], t["reason"]) for t in trail] == [
        ("reported", None),
        ("under_review", "to under_review"),
        ("verified", "to verified"),
    ]
    assert trail[-1]["actor"] == "analyst/tester"
    with client(base_url) as public:
        shown = public.get(f"/api/incidents/{incident}").json()["trail"]
        assert shown[0]["actor"] == "mission"  # the importer's name is not public
    with client(base_url, "analyst") as analyst:
        missing = analyst.post(
            "/api/incidents/01ARZ3NDEKTSV4RRFFQ69G5FAV/transitions",
            json={"state": "dismissed", "reason": "x"},
        )
        assert missing.status_code == 404


def test_verdicts_by_role(base_url: str) -> None:
    patrol, media = patrol_report(), media_report()

    def seen(role: str | None) -> set[tuple[str, str]]:
        with client(base_url, role) as http:
            items = all_pages(http, "/api/verdicts", agreement="minsk-ii")
        return {(v["incident"], v["verdict"]) for v in items}

    both = {(patrol["id"], "breach"), (media["id"], "undetermined")}
    assert seen("guarantor") == both
    assert seen("analyst") == both
    assert seen("party:ua") == both  # its own undetermined one, and the breach
    assert seen("party:cadlr") == {(patrol["id"], "breach")}
    assert seen(None) == {(patrol["id"], "breach")}
    with client(base_url) as http:
        breaches = all_pages(http, "/api/incidents", breach="true", limit=50)
        by_clause = all_pages(http, "/api/incidents", clause="ceasefire", limit=50)
        days = http.get("/api/stats/breaches_per_day").json()
        unknown = http.get("/api/verdicts", params={"agreement": "nope"})
    assert [i["id"] for i in breaches] == [patrol["id"]]
    assert [i["id"] for i in by_clause] == [patrol["id"]]
    assert breaches[0]["clauses"] == ["ceasefire"]
    assert days == [
        {
            "day": patrol["observed"]["start"][:10],
            "party": "cadlr",
            "clause": "ceasefire",
            "count": 1,
        }
    ]
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "agreement"
    assert Path(__file__).exists()
