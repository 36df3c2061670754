"""A store URL that names a missing file: an error, unless the command creates a store."""

from __future__ import annotations

from pathlib import Path

from test_cli import ceasefire

REPORT = (
    '{"id": "01J0000000000000000000000A", "source": {"type": "monitor_patrol",'
    ' "id": "patrol-1"}, "observed": {"start": "2025-09-01T10:00:00Z"},'
    ' "reported_at": "2025-09-01T11:00:00Z", "location": {"lon": 37.8, "lat": 48.0},'
    ' "event_type": "shelling"}\n'
)


def test_issue_11_a_mistyped_store_url_is_an_error_not_an_empty_log(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "patrol.jsonl"
    reports.write_text(REPORT, encoding="utf-8")
    mission = tmp_path / "mission.db"
    created = ceasefire("log", "append", "--db", f"sqlite:///{mission}", str(reports))
    assert created.returncode == 0, created.stderr
    assert f"creating {mission}" in created.stderr
    typo = tmp_path / "misson.db"
    for command in (["log", "verify"], ["incidents", "list"]):
        run = ceasefire(*command, "--db", f"sqlite:///{typo}")
        assert run.returncode == 1, (command, run.stdout)
        assert f"no store at {typo}" in run.stderr
        assert f"did you mean 'sqlite:///{mission}'" in run.stderr
        assert "ok: 0 entries" not in run.stdout
    assert not typo.exists()  # nothing was created by reading
    verified = ceasefire("log", "verify", "--db", f"sqlite:///{mission}")
    assert verified.returncode == 0 and "1 entries" in verified.stdout, verified.stdout
