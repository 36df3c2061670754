"""Regressions, one test per fixed bug, named for its issue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ceasefire.factfinding import bulletin, workflow
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore
from tests.api_support import client, serve
from tests.test_factfinding_cluster import BASE, report


def test_issue_12_reply_crash(tmp_path: Path) -> None:
    """A reply posted through the API is the workflow's reply: a reviewed
    bulletin lists it instead of failing with ``KeyError: 'position'``, and the
    API applies the team and reply-window checks."""
    a, b = report("patrol-1", 0, 0), report("sensor-2", 500, 5)
    lone = report("camera-3", 50_000, 0)  # 50 km away: an incident of its own
    db = tmp_path / "mission.db"
    log = Log(SQLiteStore(db))
    log.append_reports([a, b, lone])
    now = datetime.now(UTC)
    team = {"ua": ["o.koval"], "cadlr": ["i.petrov"], "mission": ["j.smith"]}
    workflow.assign(log, a.id, team, now + timedelta(days=7), "chief", now=now)
    text = "Our positions did not fire; the craters are older."
    with serve(f"sqlite:///{db}") as base, client(base, "party:ua") as http:
        posted = http.post(f"/api/incidents/{a.id}/replies", json={"text": text})
        assert posted.status_code == 201, posted.text
        # no assignment, so no reply window is open: refused, as the CLI refuses
        refused = http.post(f"/api/incidents/{lone.id}/replies", json={"text": text})
        assert refused.status_code == 422
        assert "not assigned for review" in refused.json()["error"]["message"]
    workflow.decide(log, a.id, "disputed", "craters predate the report", "team-4")
    issued = bulletin.issue(log, "reviewed", BASE.date(), "mission")
    (published,) = issued.content["incidents"]
    (considered,) = published["decision"]["considered_replies"]
    assert considered["entry"] == posted.json()["id"]
    assert (considered["party"], considered["statement"]) == ("ua", text)
    assert considered["position"] == "contests"
