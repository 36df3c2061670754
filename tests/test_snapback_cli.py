"""The hotline from the command line: status, notices, notify run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.log.service import Log
from ceasefire.notify.receiver import Inbox, Receiver
from ceasefire.store.sqlite import SQLiteStore
from tests.snapback_support import EXAMPLES, two_source_strikes, verify_jointly

ALASKA = str(EXAMPLES / "alaska-terms.yaml")


@pytest.fixture
def mission(tmp_path: Path) -> tuple[str, list[str], datetime]:
    log = Log(SQLiteStore(tmp_path / "mission.db"))
    reports = two_source_strikes("ru")
    log.append_reports(reports)
    incidents = [reports[0].id, reports[2].id, reports[4].id]
    for incident in incidents:
        verify_jointly(log, incident)
    log.store.close()
    return f"sqlite:///{tmp_path / 'mission.db'}", incidents, datetime.now(UTC)


def test_status_json_lists_the_trigger_with_its_incidents(
    mission: tuple[str, list[str], datetime],
) -> None:
    db, incidents, confirmed = mission
    at = (confirmed + timedelta(hours=2)).isoformat()
    result = CliRunner().invoke(
        cli, ["snapback", "status", "-a", ALASKA, "--db", db, "--at", at, "--json"]
    )
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in result.output.splitlines()]
    assert [(t["rule"], t["group"], t["to"]) for t in lines] == [
        ("civilian-strike-snapback", "ru", "triggered"),
        ("civilian-strike-snapback", "ru", "warning"),
    ]
    assert sorted(b["incident"] for b in lines[0]["reasons"]["breaches"]) == sorted(
        incidents
    )
    bad = CliRunner().invoke(
        cli, ["snapback", "status", "-a", ALASKA, "--db", db, "--at", "yesterday"]
    )
    assert bad.exit_code == 1 and "'yesterday' is not an ISO 8601 time" in bad.output


def test_record_ack_reply_and_notify_run_once(
    mission: tuple[str, list[str], datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _, _ = mission
    runner = CliRunner()
    recorded = runner.invoke(
        cli, ["snapback", "status", "-a", ALASKA, "--db", db, "--record"]
    )
    assert recorded.exit_code == 0, recorded.output
    assert "recorded 2 state change(s)" in recorded.output
    listed = runner.invoke(
        cli, ["notices", "list", "--db", db, "--party", "ru", "--json"]
    )
    mine = [orjson.loads(line) for line in listed.output.splitlines()]
    warning = next(n for n in mine if n["body"].get("step") == "warning")
    breach = next(n for n in mine if n["cause"] == "breach")
    refused = runner.invoke(
        cli, ["notices", "ack", warning["id"], "--db", db, "--party", "ua"]
    )
    assert refused.exit_code == 1 and "addressed to 'ru', not 'ua'" in refused.output
    ok = runner.invoke(
        cli, ["notices", "ack", warning["id"], "--db", db, "--party", "ru"]
    )
    assert ok.exit_code == 0, ok.output
    replied = runner.invoke(
        cli,
        [
            "notices",
            "reply",
            breach["id"],
            "--db",
            db,
            "--party",
            "ru",
            "--text",
            "Checking.",
        ],
    )
    assert replied.exit_code == 0, replied.output
    states = {
        orjson.loads(line)["id"]: orjson.loads(line)["state"]
        for line in runner.invoke(
            cli, ["notices", "list", "--db", db, "--json"]
        ).output.splitlines()
    }
    assert states[warning["id"]] == "acknowledged"
    assert states[breach["id"]] == "replied"

    receiver = Receiver(Inbox(b"k")).start()
    try:
        monkeypatch.setenv("CEASEFIRE_WEBHOOK_SECRET", "k")
        sent = runner.invoke(
            cli,
            [
                "notify",
                "run",
                "-a",
                ALASKA,
                "--db",
                db,
                "--once",
                "--endpoint",
                f"ru-hotline={receiver.url}",
            ],
        )
    finally:
        receiver.stop()
    assert sent.exit_code == 0, sent.output
    # ru-hotline: three civilian-strikes breach notices, the warning, and the
    # strike cap's breach for the Dnipro strike (103 km from the freeze line;
    # Kharkiv and Zaporizhzhia are within 50 km of it)
    assert len(receiver.inbox.received) == 5
    clauses = sorted(
        n["body"]["clause"] for n in receiver.inbox.received if n["cause"] == "breach"
    )
    assert clauses == ["civilian-strikes"] * 3 + ["strike-cap"]
    assert {n["liaison"] for n in receiver.inbox.received} == {"ru-hotline"}
    cap = runner.invoke(cli, ["notices", "cap", warning["id"], "--db", db])
    assert cap.exit_code == 0 and "urn:oasis:names:tc:emergency:cap:1.2" in cap.output


def test_notify_run_refuses_without_a_secret(
    mission: tuple[str, list[str], datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CEASEFIRE_WEBHOOK_SECRET", raising=False)
    result = CliRunner().invoke(
        cli, ["notify", "run", "-a", ALASKA, "--db", mission[0], "--once"]
    )
    assert (
        result.exit_code == 1 and "CEASEFIRE_WEBHOOK_SECRET is not set" in result.output
    )
