"""Issue 14: input that can never poison the log, errors that are JSON, identity per token.

Each ``test_issue_14_*`` test is a probe of the issue turned into a
regression test; each failed on the code before the fix (see the issue note).
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_support import (
    BY_ROLE,
    MINSK,
    REPO,
    build_mission,
    serve,
    source_reports,
)

WEDGES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")
"""The reports that wedged the mission: instants that cannot be moved to UTC."""
REFUSAL = "is out of range; expected a time between 1900-01-01T00:00:00Z and"


def patrol() -> dict[str, Any]:
    """A committed patrol report, without its id (the server gives one)."""
    body = next(r for r in source_reports() if r["source"]["type"] == "monitor_patrol")
    return {k: v for k, v in body.items() if k != "id"}


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {BY_ROLE[role]}"}


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_mission(tmp_path_factory.mktemp("issue14") / "mission.db")


@contextmanager
def served(
    url: str, tokens: dict[str, Any] | None = None, **options: Any
) -> Iterator[httpx.Client]:
    """An HTTP client of the real app under uvicorn over ``url``."""
    with (
        serve(url, [MINSK], tokens, **options) as base,
        httpx.Client(base_url=base, timeout=60) as http,
    ):
        yield http


@pytest.fixture(scope="module")
def app_client(mission: str) -> Iterator[httpx.Client]:
    with served(mission) as http:
        yield http


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "ceasefire", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


# ------------------------------------------------------------ bounds at the door


@pytest.mark.parametrize("start", WEDGES)
def test_issue_14_wedge_report_is_refused_over_http(
    app_client: httpx.Client, start: str
) -> None:
    body = patrol()
    body["observed"] = {"start": start}
    answer = app_client.post(
        "/api/reports", json=body, headers={**auth("monitor"), "Idempotency-Key": start}
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == "observed.start"
    assert REFUSAL in error["message"]
    for path in ("/api/reports", "/api/map/incidents", "/api/coverage.geojson"):
        assert app_client.get(path).status_code == 200


@pytest.mark.parametrize("start", WEDGES)
def test_issue_14_wedge_report_is_refused_by_csv_import_and_log_append(
    tmp_path: Path, start: str
) -> None:
    from ceasefire.io import flat
    from ceasefire.model.report import Report

    body = next(r for r in source_reports() if r["source"]["type"] == "monitor_patrol")
    row = flat.flatten(Report.model_validate(body))
    row["observed.start"] = start
    with (tmp_path / "wedge.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, flat.COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    imported = _cli(
        "import", "--db", "sqlite:///m.db", "--format", "csv", "wedge.csv", cwd=tmp_path
    )
    assert "imported 0" in imported.stdout and "quarantined 1" in imported.stdout
    listed = _cli("quarantine", "list", "--db", "sqlite:///m.db", cwd=tmp_path)
    assert f"{start} {REFUSAL}" in listed.stdout

    (tmp_path / "wedge.jsonl").write_text(
        json.dumps({**body, "observed": {"start": start}}) + "\n"
    )
    appended = _cli(
        "log", "append", "--db", "sqlite:///m.db", "wedge.jsonl", cwd=tmp_path
    )
    assert appended.returncode == 1
    assert f"{start} {REFUSAL}" in appended.stderr + appended.stdout
    exported = _cli(
        "export", "--db", "sqlite:///m.db", "-o", "out.geojson", cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr


def test_issue_14_the_bounds_are_one_definition() -> None:
    from pydantic import ValidationError

    from ceasefire.model.base import check_instant
    from ceasefire.model.report import Report

    assert check_instant(datetime(1900, 1, 1, tzinfo=UTC))
    assert check_instant(datetime.now(UTC) + timedelta(days=365 * 10))
    for moment in (
        datetime(1899, 12, 31, 23, 59, tzinfo=UTC),
        datetime.now(UTC) + timedelta(days=365 * 10 + 5),
    ):
        with pytest.raises(ValueError, match="out of range"):
            check_instant(moment)
    body = next(r for r in source_reports() if r["source"]["type"] == "monitor_patrol")
    for bad in ({"a": [float("nan")]}, {"b": {"c": float("inf")}}, {"d": 2**70}):
        with pytest.raises(ValidationError, match="finite|64 bits"):
            Report.model_validate({**body, "properties": bad})
    with pytest.raises(ValidationError, match="at most 100000"):
        Report.model_validate({**body, "narrative": "x" * 100_001})


def test_issue_14_nan_in_properties_is_refused_not_nulled(
    app_client: httpx.Client,
) -> None:
    raw = json.dumps({**patrol(), "properties": {"reading": float("nan")}})
    assert "NaN" in raw  # what a careless client sends
    answer = app_client.post(
        "/api/reports",
        content=raw,
        headers={
            **auth("monitor"),
            "Idempotency-Key": "nan-1",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 422, answer.text
    assert "not a finite number" in answer.json()["error"]["message"]


# ------------------------------------------------------------ errors are JSON


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/reports?since=9999-12-31T23:59:59-14:00", 200),
        ("/api/incidents?until=0001-01-01T00:00:00%2B14:00", 200),
        ("/api/verdicts?since=9999-12-31T23:59:59-14:00", 200),
        (f"/api/reports?cursor={'eyJhZnRlciI6IDkyMjMzNzIwMzY4NTQ3NzU4MDh9'}", 422),
        ("/api/log/proof/²", 404),
        ("/api/log/proof/0?tree_size=100000000000000000000", 422),
    ],
)
def test_issue_14_input_never_gives_a_500(
    app_client: httpx.Client, path: str, status: int
) -> None:
    answer = app_client.get(path)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    if status != 200:
        assert answer.json()["error"]["code"]


def test_issue_14_cursor_of_2_pow_63_is_refused(app_client: httpx.Client) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(json.dumps({"after": 2**63}).encode()).decode()
    answer = app_client.get("/api/reports", params={"cursor": cursor.rstrip("=")})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "cursor"


def test_issue_14_oversized_bodies_get_413_before_parsing(
    app_client: httpx.Client,
) -> None:
    big = b'{"narrative": "' + b"x" * 2_000_000 + b'"}'
    for headers in ({}, {**auth("monitor"), "Idempotency-Key": "big"}):
        answer = app_client.post(
            "/api/reports",
            content=big,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"x" * 100_000

    streamed = app_client.post(
        "/api/reports",
        content=chunks(),
        headers={
            **auth("monitor"),
            "Idempotency-Key": "stream",
            "Content-Type": "application/json",
        },
    )
    assert streamed.status_code == 413


def test_issue_14_verdicts_limit_1_advances(tmp_path: Path) -> None:
    from ceasefire.store import open_store

    url = build_mission(tmp_path / "m.db")
    reports = source_reports()[:3]
    with open_store(url) as store:
        store.save_verdicts([_verdict(r, party="cadlr") for r in reports])
    with served(url) as http:
        seen, cursor = [], None
        for _ in range(5):
            page = http.get(
                "/api/verdicts",
                params={"limit": 1, **({"cursor": cursor} if cursor else {})},
            ).json()
            seen += [v["incident"] for v in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
    assert seen == [r["id"] for r in reports]


def _verdict(report: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "incident": report["id"],
        "source_id": report.get("source_report_id"),
        "clause": "ceasefire",
        "verdict": "breach",
        "standard_met": True,
        "party": None,
        "reasons": [{"predicate": "event_type in fire", "holds": "true"}],
        "text": "Shelling while the ceasefire was in force.",
        "agreement_id": "minsk-ii",
        "agreement_version": "2015-02-12",
        "log_head": None,
        "observed_at": report["observed"]["start"],
        "lon": report["location"]["lon"],
        "lat": report["location"]["lat"],
        **fields,
    }


# ------------------------------------------------------------ identity and limits


def test_issue_14_actor_and_idempotency_are_per_token(tmp_path: Path) -> None:
    url = build_mission(tmp_path / "m.db")
    tokens = {
        "alice-token-0123456789ab": {"role": "monitor", "name": "alice"},
        "bob-token-0123456789abcd": {"role": "monitor", "name": "bob"},
        "old-token-0123456789abcd": {
            "role": "monitor",
            "name": "carol",
            "expires": "2020-01-01T00:00:00+00:00",
        },
        "gone-token-0123456789abc": {
            "role": "monitor",
            "name": "dave",
            "revoked": True,
        },
        BY_ROLE["analyst"]: {"role": "analyst", "name": "ana"},
    }
    with served(url, tokens) as http:
        ids = {}
        for name in ("alice", "bob"):
            posted = http.post(
                "/api/reports",
                json=patrol(),
                headers={
                    "Authorization": f"Bearer {name}-token-0123456789ab{'cd' if name == 'bob' else ''}",
                    "Idempotency-Key": "same-key",
                },
            )
            assert posted.status_code == 201, (
                posted.text
            )  # one key, two holders: two reports
            ids[name] = posted.json()["id"]
        assert ids["alice"] != ids["bob"]
        for token in ("old-token-0123456789abcd", "gone-token-0123456789abc"):
            refused = http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 401
        page = http.get(f"/api/incidents/{ids['bob']}", headers=auth("analyst")).json()
        assert page["trail"][0]["actor"] == "monitor/bob"
        public = http.get(f"/api/incidents/{ids['bob']}").json()
        assert public["trail"][0]["actor"] == "monitor"  # the role, never the person


def test_issue_14_failed_authentication_and_every_route_are_rate_limited(
    mission: str,
) -> None:
    with served(mission, rate=1, burst=5) as http:
        statuses = [
            http.get(
                "/api/me", headers={"Authorization": "Bearer wrong-token-000000000"}
            ).status_code
            for _ in range(30)
        ]
        assert statuses[0] == 401 and statuses[-1] == 429
        for path in ("/api/penalties", "/api/notices.atom", "/"):
            with served(mission, rate=1, burst=5) as fresh:
                codes = [fresh.get(path).status_code for _ in range(8)]
            assert codes[0] == 200 and codes[-1] == 429, (path, codes)


def test_issue_14_tokens_new_writes_the_file_serve_reads(tmp_path: Path) -> None:
    from ceasefire.api.auth import TokenTable, load_tokens

    made = _cli(
        "tokens",
        "new",
        "monitor:alice",
        "--file",
        "tokens.json",
        "--days",
        "30",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    table = TokenTable(load_tokens(tmp_path / "tokens.json"), tmp_path / "tokens.json")
    found = table.principal(token)
    assert found is not None and found.subject == "monitor/alice"
    assert token not in (tmp_path / "tokens.json").read_text()  # only its hash is kept
    revoked = _cli("tokens", "revoke", "alice", "--file", "tokens.json", cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    time.sleep(1.1)  # the table looks at the file at most once a second
    assert table.principal(token) is None


# ------------------------------------------------------------ webhooks


def test_issue_14_a_replayed_delivery_under_a_new_key_is_not_processed_again() -> None:
    from ceasefire.notify import webhook
    from ceasefire.notify.receiver import Inbox

    secret = b"s3cret-shared-out-of-band"
    inbox = Inbox(secret)
    body = b'{"id": "notice-1"}'
    headers = webhook.signed_headers(secret, body, "notice-1")
    assert inbox.accept(headers, body) == 200
    replay = {**headers, webhook.IDEMPOTENCY: "a-brand-new-key"}
    assert inbox.accept(replay, body) == 200
    assert len(inbox.received) == 1 and inbox.duplicates == 1
    forged = {**headers, webhook.DELIVERY: "notice-2"}  # a new id needs a new signature
    assert inbox.accept(forged, body) == 401
    stale = webhook.signed_headers(secret, body, "notice-3", int(time.time()) - 3600)
    assert inbox.accept(stale, body) == 401


# ------------------------------------------------------------ archives, terminals, verify


def test_issue_14_truncated_gzip_names_the_file(tmp_path: Path) -> None:
    from ceasefire.io import flat
    from ceasefire.model.report import Report

    out = tmp_path / "all.csv"
    with out.open("wb") as handle:
        flat.to_csv([Report.model_validate(r) for r in source_reports()] * 50, handle)
    whole = gzip.compress(out.read_bytes())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    done = _cli("import", "--db", "sqlite:///m.db", "cut.csv.gz", cwd=tmp_path)
    assert done.returncode != 0
    assert "Aborted!" not in done.stderr
    assert "cut.csv.gz: the compressed file is truncated or corrupt" in done.stderr


def test_issue_14_terminal_output_escapes_control_characters(tmp_path: Path) -> None:
    from ceasefire.cli.terminal import printable
    from ceasefire.io import flat
    from ceasefire.model.report import Report

    assert printable("a\x1b[2Jb\n\tc\x9b") == "a\\x1b[2Jb\n\tc\\x9b"
    body = next(r for r in source_reports() if r["source"]["type"] == "monitor_patrol")
    row = flat.flatten(Report.model_validate(body))
    row["event_type"] = "\x1b]8;;http://x\x07\x1b[2J"
    row["location.lon"] = "\x1b[31m38"
    with (tmp_path / "evil.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, flat.COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    done = _cli(
        "import", "--db", "sqlite:///m.db", "--format", "csv", "evil.csv", cwd=tmp_path
    )
    assert "quarantined 1" in done.stdout
    listed = _cli("quarantine", "list", "--db", "sqlite:///m.db", cwd=tmp_path)
    for output in (done.stdout, done.stderr, listed.stdout):
        assert "\x1b" not in output and "\x07" not in output


def test_issue_14_log_verify_reports_swapped_seq_without_a_traceback(
    tmp_path: Path,
) -> None:
    import sqlite3

    from ceasefire.log.service import Log
    from ceasefire.store import open_store

    url = build_mission(tmp_path / "m.db")
    with open_store(url) as store:
        assert Log(store).verify() == []
    with sqlite3.connect(
        tmp_path / "m.db"
    ) as db:  # swap the positions of entries 3 and 5
        db.execute("UPDATE entries SET seq = -1 WHERE seq = 3")
        db.execute("UPDATE entries SET seq = 3 WHERE seq = 5")
        db.execute("UPDATE entries SET seq = 5 WHERE seq = -1")
    done = _cli("log", "verify", "--db", url, cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "entry 3" in done.stdout + done.stderr
