"""``/api/notices`` and ``/api/penalties`` on a real server: who sees what, acks, replies."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from ceasefire.log.service import Log
from ceasefire.notify.publish import publish
from ceasefire.store.sqlite import SQLiteStore
from tests.api_support import ALASKA, TOKENS, serve
from tests.api_support import client as make_client
from tests.snapback_support import agreement, two_source_strikes, verify_jointly

ROLES = {**TOKENS, "party-ru-token-0123456789": "party:ru"}


def test_parties_see_and_answer_their_own_notices_and_everyone_sees_penalties(
    tmp_path: Path,
) -> None:
    db = tmp_path / "api.db"
    log = Log(SQLiteStore(db))
    reports = two_source_strikes("ru")
    log.append_reports(reports)
    incidents = sorted([reports[0].id, reports[2].id, reports[4].id])
    for incident in incidents:
        verify_jointly(log, incident)
    publish(log, agreement(), datetime.now(UTC) + timedelta(hours=25))
    log.store.close()

    with serve(f"sqlite:///{db}", [ALASKA], ROLES) as base, ExitStack() as stack:

        def client(role: str | None = None) -> httpx.Client:
            return stack.enter_context(make_client(base, role))

        ru = client()
        ru.headers["Authorization"] = "Bearer party-ru-token-0123456789"
        mine = ru.get("/api/notices").json()["items"]
        assert mine and {n["recipient"] for n in mine} == {"ru"}
        # 3 breach notices, the strike cap's (Dnipro, 103 km from the line)
        # and the warning, all to the Russian hotline
        assert len(mine) == 5
        everyone = client("guarantor").get("/api/notices", params={"limit": 5})
        page = everyone.json()
        assert len(page["items"]) == 5 and page["next"] is not None
        public = client().get("/api/notices").json()["items"]
        assert public and all(n["cause"] == "penalty_step" for n in public)

        warning = next(n for n in mine if n["body"].get("step") == "warning")
        ua = client("party:ua")
        assert (
            ua.post(f"/api/notices/{warning['id']}/ack").status_code == 404
        )  # not theirs
        first = ru.post(f"/api/notices/{warning['id']}/ack")
        assert first.status_code == 201
        again = ru.post(f"/api/notices/{warning['id']}/ack")
        assert again.status_code == 409 and "already acknowledged" in again.text
        assert (
            client("guarantor").post(f"/api/notices/{warning['id']}/ack").status_code
            == 403
        )
        breach = next(n for n in mine if n["cause"] == "breach")
        replied = ru.post(
            f"/api/notices/{breach['id']}/reply", json={"text": "Checking."}
        )
        assert replied.status_code == 201
        states = {n["id"]: n["state"] for n in ru.get("/api/notices").json()["items"]}
        assert (
            states[warning["id"]] == "acknowledged"
            and states[breach["id"]] == "replied"
        )

        cap = ru.get(f"/api/notices/{warning['id']}/cap")
        assert cap.status_code == 200 and cap.headers["content-type"].startswith(
            "application/cap+xml"
        )
        atom = client().get("/api/notices.atom")
        assert atom.status_code == 200 and b"<feed" in atom.content

        (snap,) = client().get("/api/penalties").json()["items"]
        assert (snap["rule"], snap["party"], snap["state"]) == (
            "civilian-strike-snapback", "ru", "notice_to_guarantors",
        )  # fmt: skip
        trigger = snap["history"][0]
        assert (
            sorted(b["incident"] for b in trigger["reasons"]["breaches"]) == incidents
        )
