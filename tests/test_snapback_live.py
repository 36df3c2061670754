"""The live path agrees with the replayed batch path and never records twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ceasefire.agreement.load import load
from ceasefire.log.service import Log
from ceasefire.notify import notices
from ceasefire.notify.publish import publish
from ceasefire.snapback.live import Live
from ceasefire.snapback.record import PENALTY_STATE, evaluate
from ceasefire.store.sqlite import SQLiteStore
from tests.snapback_support import EXAMPLES, STRIKES, strike_report, verify_jointly


def one_source_alaska(folder: Path) -> Path:
    """Alaska terms whose civilian-strikes clause asks one source (as the benchmark)."""
    text = (EXAMPLES / "alaska-terms.yaml").read_text(encoding="utf-8")
    old = "evidence: {min_sources: 2, states: [verified], joint_verification: true}"
    assert text.count(old) == 1
    path = folder / "alaska-one-source.yaml"
    path.write_text(text.replace(old, old.replace("2", "1", 1)), encoding="utf-8")
    (folder / "geometry").symlink_to(EXAMPLES / "geometry")
    return path


def test_live_steps_match_the_batch_evaluation_and_record_each_thing_once(
    tmp_path: Path,
) -> None:
    agreement = load(one_source_alaska(tmp_path))
    log = Log(SQLiteStore(tmp_path / "live.db"))
    live = Live(log, agreement)
    reports = [
        strike_report(f"smm/{name}", lon, lat, category, at)
        for name, lon, lat, category, at in STRIKES
    ]
    for report in reports[:2]:
        log.append_reports([report])
        verify_jointly(log, report.id)
        live.step(datetime.now(UTC))
    assert [r for r in log.store.entries() if r.kind == PENALTY_STATE] == []
    log.append_reports([reports[2]])
    verify_jointly(log, reports[2].id)
    now = datetime.now(UTC)
    fired = live.step(now)
    assert [t.state for t in fired.transitions] == ["triggered", "warning"]
    assert fired.transitions == evaluate(log.store, agreement, now)
    # more confirmed strikes while the trigger runs change nothing: no re-run
    more = [
        strike_report(f"uav/{name}", lon + 0.3, lat, category, at + timedelta(hours=1))
        for name, lon, lat, category, at in STRIKES[:2]
    ]
    reruns = live.reruns
    for report in more:
        log.append_reports([report])
        verify_jointly(log, report.id)
    quiet = datetime.now(UTC)
    assert live.step(quiet).transitions == evaluate(log.store, agreement, quiet)
    assert live.reruns == reruns and live.skips >= 1
    # a day later the step to the guarantors is due: the engine runs again
    later = datetime.now(UTC) + timedelta(hours=25)
    result = live.step(later)
    assert live.reruns == reruns + 1
    assert [t.state for t in result.transitions] == [
        "triggered", "warning", "notice_to_guarantors",
    ]  # fmt: skip
    assert result.transitions == evaluate(log.store, agreement, later)
    before = log.store.size()
    again = publish(log, agreement, later)  # the batch path finds it all recorded
    assert (again.recorded_states, again.recorded_notices) == (0, 0)
    assert log.store.size() == before + again.unanswered
    kinds = [r.kind for r in log.store.entries()]
    assert kinds.count(PENALTY_STATE) == 3
    # five breach notices to ru-hotline, warning ×3 points, guarantors ×2 points
    assert kinds.count(notices.NOTICE) == 5 + 3 + 2
