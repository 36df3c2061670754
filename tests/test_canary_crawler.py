"""The canary crawler (issue 14): no protected value reaches a role that may not see it.

Distinctive canaries are planted in every protected field (source ids and
names, the source's own report id, raw properties, evidence descriptions and
file names, custody, exact coordinates, place and target names, narratives,
an analyst's reason, the actor's name, a party's unpublished reply, a
liaison point's address and a reply to a notice). Then every GET route of the
OpenAPI document and every page is fetched as every role, with and without
filters, and each answer is searched for the canaries that role must not see.

What each role may see is written here by hand from the issue ("public never
sees protected sources, party private traffic or exact places"; a party sees
its own traffic; free text is public only where a person published it),
not read from the policy table, so a wrong row in the table is caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_support import BY_ROLE, build_mission, serve, source_reports

ROLES = ("monitor", "analyst", "guarantor", "party:ua", "party:cadlr", None)
"""Every role the API knows; None is the public."""
LON, LAT = 37.7654321, 47.1234567
EXACT = ("37.765432", "47.123456")
"""The canary place, as digits no cell centre of the public grid has."""
SOURCE = {
    "CANARY-SRCID": "the protected source's id",
    "CANARY-SRCNAME": "its name",
    "CANARY-DERIVED": "what it derives from",
    "CANARY-SRID": "the source's own report id",
    "CANARY-PROP": "raw source properties",
    "CANARY-EVDESC": "an evidence description",
    "CANARY-FILE": "an evidence file name",
    "CANARY-DEVICE": "the capturing device",
    "CANARY-ACTOR": "the monitor who logged it, by name",
    "CANARY-REASON": "an analyst's reason",
}
"""Canaries the mission keeps to itself (staff see them; parties and the public never)."""
FREE_TEXT = ("CANARY-PLACE", "CANARY-TARGET", "CANARY-NARRATIVE", "CANARY-WEAPON")
"""Unpublished free text: staff and parties, never the public."""
UA_ONLY = ("CANARY-REPLY", "canary@liaison.example", "CANARY-LIAISON", "CANARY-NREPLY")
"""Party ua's private traffic: staff and ua only."""
NOTICE_ID = "notice-canary-0000000000000000000000000"


def forbidden(role: str | None) -> list[str]:
    """The canaries ``role`` must never receive."""
    if role in ("monitor", "analyst", "guarantor"):
        return []
    found = list(SOURCE)
    if role is None:
        found += [*FREE_TEXT, *UA_ONLY, *EXACT]
    elif role != "party:ua":
        found += list(UA_ONLY)
    return found


def canary_report() -> dict[str, Any]:
    base = next(r for r in source_reports() if r["source"]["type"] == "monitor_patrol")
    return {
        **base,
        "id": "01JCANARY0000000000000000A",
        "source": {
            "type": "monitor_patrol",
            "id": "CANARY-SRCID",
            "name": "CANARY-SRCNAME",
            "derived_from": "CANARY-DERIVED",
        },
        "source_report_id": "CANARY-SRID",
        "location": {
            "lon": LON,
            "lat": LAT,
            "precision_m": 10,
            "place": "CANARY-PLACE",
        },
        "target": {"category": "residential", "name": "CANARY-TARGET"},
        "weapon": {"class": "artillery", "model": "CANARY-WEAPON"},
        "narrative": "CANARY-NARRATIVE",
        "properties": {"note": "CANARY-PROP"},
        "evidence": [{"sha256": "ab" * 32, "description": "CANARY-EVDESC"}],
        "attribution": {"party": "cadlr", "confidence": "high"},
    }


def plant(url: str) -> dict[str, str]:
    """Log the canaries; returns the ids a crawler fills path parameters with."""
    from datetime import UTC, datetime

    from ceasefire.log.service import Draft, Log
    from ceasefire.model.report import Report
    from ceasefire.notify import notices
    from ceasefire.store import open_store

    body = canary_report()
    with open_store(url) as store:
        log = Log(store)
        log.append_reports([Report.model_validate(body)], actor="monitor/CANARY-ACTOR")
        log.add_evidence(
            b"canary photo", body["id"], "monitor/CANARY-ACTOR",
            filename="CANARY-FILE.jpg", device="CANARY-DEVICE",
        )  # fmt: skip
        log.transition(body["id"], "under_review", "analyst/x", "CANARY-REASON")
        reply = log.append(
            [
                Draft(
                    "reply",
                    b'{"party": "ua", "text": "CANARY-REPLY"}',
                    subject=body["id"],
                    actor="party:ua/x",
                )
            ]
        )[0]
        now = datetime.now(UTC)
        notice = notices.Notice(
            id=NOTICE_ID, cause="penalty_step", agreement="minsk-ii", recipient="ua",
            liaison="CANARY-LIAISON", channel="email", address="canary@liaison.example",
            created_at=now, ack_due=None, title="Warning",
            body={"rule": "r", "party": "ua", "trigger": "t", "step": "warning",
                  "incidents": [body["id"]]},
        )  # fmt: skip
        notices.record(log, [notice])
        notices.reply(log, NOTICE_ID, "ua", "CANARY-NREPLY", "party:ua/x")
        store.save_verdicts([_verdict(body)])
        seq = store.entry_by_id(body["id"]).seq  # type: ignore[union-attr]
    return {
        "incident_id": body["id"],
        "entry": body["id"],
        "notice_id": NOTICE_ID,
        "reply_id": reply.id,
        "agreement_id": "minsk-ii",
        "seq": str(seq),
        "day": "2015-02-20",  # control-map routes: a day of the canary's record
        "featureId": body["id"],  # OGC API items: the canary report (or its verdict)
    }


def _verdict(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "incident": body["id"], "source_id": "CANARY-SRID", "clause": "ceasefire",
        "verdict": "breach", "standard_met": True, "party": "cadlr",
        "reasons": [{"predicate": "event_type in fire", "holds": "true"}],
        "text": "Shelling while the ceasefire was in force.",
        "agreement_id": "minsk-ii", "agreement_version": "2015-02-12",
        "log_head": None, "observed_at": body["observed"]["start"],
        "lon": LON, "lat": LAT,
    }  # fmt: skip


FILTERS: list[dict[str, Any]] = [
    {},
    {"limit": 10_000},
    {
        "limit": 10_000,
        "bbox": f"{LON - 0.001},{LAT - 0.001},{LON + 0.001},{LAT + 0.001}",
    },
    {"limit": 10_000, "party": "cadlr", "state": "under_review"},
    {"limit": 10_000, "since": "2015-01-01T00:00:00Z", "until": "2016-01-01T00:00:00Z"},
    {"limit": 10_000, "agreement": "minsk-ii", "breach": "true"},
    {"limit": 10_000, "party": "ua"},
    {"cell_deg": 0.0101},
    {"limit": 10_000, "datetime": "2015-01-01T00:00:00Z/2016-01-01T00:00:00Z"},
]
OGC_COLLECTIONS = ("reports", "verdicts-minsk-ii", "agreement-minsk-ii")
"""The OGC API collections of the planted mission: each crawled as every role."""
PAGES = ("/", "/dashboard", "/notices", "/commitments", "/incidents/{incident_id}")


def urls(
    openapi: dict[str, Any], ids: dict[str, str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every GET of the OpenAPI document (and the pages), with each filter set it takes."""
    for path, operations in openapi["paths"].items():
        if "get" not in operations:
            continue
        names = {p["name"] for p in operations["get"].get("parameters", [])}
        for template in (path, path.replace("{entry}", "{seq}")):
            collections = OGC_COLLECTIONS if "{collectionId}" in template else ("",)
            for collection in collections:
                filled = template.format(**ids, collectionId=collection)
                for params in FILTERS:
                    yield filled, {k: v for k, v in params.items() if k in names}
    for page in PAGES:
        yield page.format(**ids), {}


def crawl(base_url: str, ids: dict[str, str]) -> list[str]:
    """Every leak found: role, URL and the canary it carried."""
    leaks: list[str] = []
    openapi = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    for role in ROLES:
        headers = {"Authorization": f"Bearer {BY_ROLE[role]}"} if role else {}
        banned = forbidden(role)
        seen: set[str] = set()
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
            for path, params in urls(openapi, ids):
                key = f"{path}?{sorted(params.items())}"
                if key in seen:
                    continue
                seen.add(key)
                answer = http.get(path, params=params)
                assert answer.status_code < 500, (role, path, answer.text)
                text = answer.text
                leaks += [
                    f"{role or 'public'} {path} {params}: {c}"
                    for c in banned
                    if c in text
                ]
    return leaks


@pytest.fixture(scope="module")
def planted(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str]]]:
    url = build_mission(tmp_path_factory.mktemp("canary") / "mission.db")
    ids = plant(url)
    with serve(url) as base_url:
        yield base_url, ids


def test_no_canary_reaches_a_role_that_may_not_see_it(
    planted: tuple[str, dict[str, str]],
) -> None:
    base_url, ids = planted
    assert crawl(base_url, ids) == []


def test_the_canaries_do_reach_the_mission(planted: tuple[str, dict[str, str]]) -> None:
    # a crawler that sees nothing proves nothing: staff get every canary somewhere
    base_url, ids = planted
    headers = {"Authorization": f"Bearer {BY_ROLE['analyst']}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        text = http.get(f"/api/incidents/{ids['incident_id']}").text
        text += http.get("/api/notices").text + http.get("/api/verdicts").text
    for canary in [*SOURCE, *FREE_TEXT, *UA_ONLY, *EXACT]:
        assert canary in text, canary


@pytest.mark.parametrize(
    ("field", "role"),
    [
        ("report.source.id", "public"),
        ("report.narrative", "public"),
        ("place", "public"),
        ("notice.address", "public"),
        ("reply.text", "party"),
        ("trail.reason", "public"),
        ("verdict.source_id", "public"),
    ],
)
def test_the_crawler_catches_one_removed_redaction(
    planted: tuple[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    role: str,
) -> None:
    from ceasefire.model import redaction

    monkeypatch.setitem(
        redaction.POLICY, field, {**redaction.POLICY[field], role: "show"}
    )
    base_url, ids = planted
    assert crawl(base_url, ids) != []


def test_public_filters_answer_no_finer_than_a_cell(
    planted: tuple[str, dict[str, str]],
) -> None:
    # two boxes that touch the same public cells must give the same answer,
    # whether or not they contain the exact point (no binary search inside a cell)
    base_url, _ = planted
    inside = f"{LON - 0.0001},{LAT - 0.0001},{LON + 0.0001},{LAT + 0.0001}"
    beside = f"{LON + 0.001},{LAT + 0.001},{LON + 0.002},{LAT + 0.002}"
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for path in ("/api/incidents", "/api/reports", "/api/map/incidents"):
            a = http.get(path, params={"bbox": inside}).json()
            b = http.get(path, params={"bbox": beside}).json()
            assert a == b, path
        cells = http.get("/api/coverage.geojson", params={"cell_deg": 0.0101}).json()
    assert {f["properties"]["cell_deg"] for f in cells["features"]} == {0.1}


def test_exports_and_reports_use_the_policy_module() -> None:
    # the policy is importable below api/web/io/reports (the model layer), pure
    import ceasefire.model.redaction as policy

    source = Path(policy.__file__).read_text(encoding="utf-8")
    assert "import fastapi" not in source and "from ceasefire.api" not in source


def test_the_public_edition_of_the_daily_report_obeys_the_policy() -> None:
    from ceasefire.reports.daily import to_event

    event = repr(to_event(canary_report(), "public"))
    for canary in forbidden(None):
        assert canary not in event, canary
    assert "CANARY-WEAPON" in repr(to_event(canary_report(), "restricted"))
