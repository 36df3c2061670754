"""The reports API over real HTTP: filters, bbox, pages, GeoJSON, idempotent submission."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely.geometry

from tests.api_support import (
    BY_ROLE,
    all_pages,
    build_mission,
    client,
    serve,
    source_reports,
)


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_mission(tmp_path_factory.mktemp("api") / "mission.db")


@pytest.fixture(scope="module")
def base_url(mission: str) -> Iterator[str]:
    with serve(mission) as url:
        yield url


def start(report: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(report["observed"]["start"]).astimezone(UTC)


def ids_where(keep: Any) -> list[str]:
    return [r["id"] for r in source_reports() if keep(r)]


def test_pages_walk_every_report_once_in_log_order(base_url: str) -> None:
    with client(base_url, "analyst") as http:
        items = all_pages(http, "/api/reports", limit=7)
    assert [i["id"] for i in items] == [r["id"] for r in source_reports()]


def test_time_event_and_party_filters_agree_with_the_files(base_url: str) -> None:
    since = datetime(2015, 3, 1, tzinfo=UTC)
    until = datetime(2015, 6, 1, tzinfo=UTC)
    with client(base_url, "analyst") as http:
        window = all_pages(
            http,
            "/api/reports",
            since="2015-03-01T02:00:00+02:00",  # the same instant in another offset
            until=until.isoformat(),
            limit=50,
        )
        shelling = all_pages(http, "/api/reports", event_type="shelling")
        cadlr = all_pages(http, "/api/reports", party="cadlr")
    assert [i["id"] for i in window] == ids_where(lambda r: since <= start(r) < until)
    assert [i["id"] for i in shelling] == ids_where(
        lambda r: r["event_type"] == "shelling"
    )
    assert [i["id"] for i in cadlr] == ids_where(
        lambda r: (r.get("attribution") or {}).get("party") == "cadlr"
    )
    assert cadlr, "the slice has reports attributed to cadlr"


def inside(report: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    lon, lat = report["location"]["lon"], report["location"]["lat"]
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def test_bbox_with_time_returns_exactly_the_reports_inside(base_url: str) -> None:
    box = (37.5, 47.8, 38.5, 48.4)
    since = datetime(2015, 2, 1, tzinfo=UTC)
    with client(base_url, "guarantor") as http:
        found = all_pages(
            http,
            "/api/reports.geojson",
            bbox=",".join(map(str, box)),
            since=since.isoformat(),
            limit=5,
        )
    expected = ids_where(lambda r: inside(r, box) and start(r) >= since)
    assert expected, "the box holds reports"
    assert [f["id"] for f in found] == expected


def test_geojson_is_a_valid_feature_collection(base_url: str) -> None:
    truth = {r["id"]: r for r in source_reports()}
    with client(base_url, "analyst") as http:
        response = http.get("/api/reports.geojson", params={"limit": 1000})
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == len(truth)
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert feature["id"] == feature["properties"]["id"]
        point = shapely.geometry.shape(feature["geometry"])
        assert point.geom_type == "Point" and point.is_valid
        lon, lat = feature["geometry"]["coordinates"]  # RFC 7946: lon first
        original = truth[feature["id"]]["location"]
        assert (lon, lat) == (original["lon"], original["lat"])
        assert feature["properties"]["state"] == "reported"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2015-03-01T00:00:00"}, "since"),  # no offset: ambiguous
        ({"bbox": "37,47,39"}, "bbox"),
        ({"bbox": "39,47,37,49"}, "bbox"),  # min > max
        ({"limit": "0"}, "limit"),
        ({"limit": "10001"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"state": "approved"}, "state"),
    ],
)
def test_bad_parameters_are_422_naming_field_and_value(
    base_url: str, params: dict[str, str], field: str
) -> None:
    with client(base_url) as http:
        response = http.get("/api/reports", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert error["value"] == next(iter(params.values()))
    assert field in error["message"]


def new_report(**changes: Any) -> dict[str, Any]:
    report = {
        "source": {"type": "monitor_patrol", "id": "SMM-Luhansk-02"},
        "observed": {"start": "2015-03-06T09:30:00+02:00"},
        "reported_at": "2015-03-06T11:00:00+02:00",
        "location": {"lon": 38.82, "lat": 48.57, "precision_m": 500},
        "event_type": "shelling",
        "attribution": {"party": "cadlr"},
        "narrative": "Patrol heard 6 explosions south-west of Zolote.",
    }
    report.update(changes)
    return report


def log_size(http: Any) -> int:
    return int(http.get("/api/log/head").json()["head"]["tree_size"])


def test_a_repeated_post_answers_the_same_and_logs_once(
    base_url: str, mission: str
) -> None:
    headers = {"Idempotency-Key": "patrol-2015-03-06-0930"}
    with client(base_url, "monitor") as http:
        before = log_size(http)
        other_body = http.post(
            "/api/reports", json=new_report(), headers={"Idempotency-Key": "k-2"}
        )
        assert other_body.status_code == 201
        reuse = http.post(
            "/api/reports",
            json=new_report(narrative="changed"),
            headers={"Idempotency-Key": "k-2"},
        )
        assert reuse.status_code == 409
        assert reuse.json()["error"]["code"] == "idempotency_conflict"
        before = log_size(http)
        first = http.post("/api/reports", json=new_report(), headers=headers)
        assert first.status_code == 201, first.text
        again = http.post("/api/reports", json=new_report(), headers=headers)
        assert again.status_code == 200
        assert again.json() == first.json()
        assert log_size(http) == before + 1
        logged = http.get(f"/api/incidents/{first.json()['id']}").json()
        assert logged["reports"][0]["source"]["id"] == "SMM-Luhansk-02"
        assert logged["trail"][0]["actor"] == "monitor/tester"  # the token's holder
    # a new server process has forgotten the key: the log still answers
    with serve(mission) as other, client(other, "monitor") as http:
        replay = http.post("/api/reports", json=new_report(), headers=headers)
        assert (replay.status_code, replay.json()) == (200, first.json())
        changed = new_report(narrative="Something else entirely.")
        clash = http.post("/api/reports", json=changed, headers=headers)
        assert clash.status_code == 409
        assert clash.json()["error"]["field"] == "Idempotency-Key"
        assert log_size(http) == before + 1


def test_submission_errors(base_url: str) -> None:
    key = {"Idempotency-Key": "k-1"}
    with client(base_url) as public:
        assert (
            public.post("/api/reports", json=new_report(), headers=key).status_code
            == 403
        )
        wrong = public.post(
            "/api/reports",
            json=new_report(),
            headers={**key, "Authorization": "Bearer not-a-known-token-at-all"},
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "unauthorized"
        assert wrong.headers["www-authenticate"] == "Bearer"
    with client(base_url, "analyst") as analyst:
        denied = analyst.post("/api/reports", json=new_report(), headers=key)
        assert denied.status_code == 403
        assert denied.json()["error"]["value"] == "analyst"
    with client(base_url, "monitor") as monitor:
        bad = new_report(location={"lon": 38.8, "lat": 123.0})
        response = monitor.post("/api/reports", json=bad, headers=key)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "location.lat"
        assert response.json()["error"]["value"] == 123.0
        unkeyed = monitor.post("/api/reports", json=new_report())
        assert unkeyed.status_code == 422
        assert unkeyed.json()["error"]["field"] == "Idempotency-Key"


def test_rate_limit_is_per_token_with_retry_after(mission: str) -> None:
    with serve(mission, rate=0.5, burst=3) as url:
        with client(url, "analyst") as http:
            codes = [http.get("/api/me").status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            limited = http.get("/api/me")
            assert limited.json()["error"]["code"] == "rate_limited"
            wait = int(limited.headers["retry-after"])
            assert 1 <= wait <= math.ceil(1 / 0.5)
        with client(url, "monitor") as other:  # another token has its own bucket
            assert other.get("/api/me").json() == {"role": "monitor", "party": None}


def test_me_names_the_role(base_url: str) -> None:
    for role, expected in [
        (None, {"role": "public", "party": None}),
        ("party:ua", {"role": "party", "party": "ua"}),
        ("guarantor", {"role": "guarantor", "party": None}),
    ]:
        with client(base_url, role) as http:
            assert http.get("/api/me").json() == expected
    assert set(BY_ROLE) >= {"monitor", "analyst"}
    assert Path(__file__).exists()
