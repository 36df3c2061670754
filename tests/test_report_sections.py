"""The daily report's SMM sections on hand-written reports whose counts are known."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ceasefire.agreement.load import load as load_agreement
from ceasefire.log.service import Log
from ceasefire.model.report import Report, new_id
from ceasefire.reports.daily import build_daily
from ceasefire.reports.render import to_html
from ceasefire.store.sqlite import SQLiteStore

MINSK = Path(__file__).resolve().parent.parent / "examples/minsk-ii.yaml"
DONETSK = (37.80, 48.00)  # Donetsk city, Donetsk Oblast


def patrol(n: int, event_type: str, **extra: Any) -> Report:
    """Report ``n`` of 2016-07-01 by SMM patrol n, in Donetsk."""
    body: dict[str, Any] = {
        "id": new_id(1_467_360_000_000 + n, n.to_bytes(10, "big")),
        "source": {"type": "monitor_patrol", "id": f"smm/team-{n}"},
        "observed": {"start": f"2016-07-01T{8 + n:02d}:00:00Z"},
        "reported_at": "2016-07-01T20:00:00Z",
        "location": {"lon": DONETSK[0], "lat": DONETSK[1], "place": "Donetsk"},
        "event_type": event_type,
        **extra,
    }
    return Report.model_validate(body)


def test_restrictions_by_category_and_side_and_uav_kinds_apart(
    tmp_path: Path,
) -> None:
    reports = [
        patrol(1, "movement_restricted", restriction="denial",
               attribution={"party": "cadlr"}),
        patrol(2, "movement_restricted", restriction="denial",
               attribution={"party": "cadlr"}),
        patrol(3, "movement_restricted", restriction="delay",
               attribution={"party": "ua"}),
        patrol(4, "movement_restricted"),  # no category, no side
        patrol(5, "uav_jamming"),
        patrol(10, "uav_fired_upon"),
        patrol(6, "weapon_missing", weapon={"class": "artillery", "model": "D-30",
                                            "count": 3}),
        patrol(7, "shelling"),
        patrol(8, "small_arms"),
        patrol(9, "small_arms"),
    ]  # fmt: skip
    log = Log(SQLiteStore(tmp_path / "m.db"))
    log.append_reports(reports)
    agreement = load_agreement(MINSK)
    report = build_daily(log.store, agreement, date(2016, 7, 1), "restricted")
    parties = {p.id: p.name for p in agreement.document.parties}
    table = {(r.category, r.side): r.count for r in report.restriction_table}
    assert table == {
        ("Denial of access", parties["cadlr"]): 2,
        ("Delay", parties["ua"]): 1,
        ("Category not stated", "side not established"): 1,
    }
    assert (report.uav.jamming, report.uav.fired_upon, report.uav.unspecified) == (
        1, 1, 0,
    )  # fmt: skip
    (missing,) = report.missing
    assert missing.event.weapon == "3 × D-30" and missing.verdicts == ()
    (row,) = report.violations
    assert (row.current, row.explosions, row.shots) == (3, 1, 2)
    html = to_html(report, agreement)
    assert "including 1 explosion and 2 bursts and shots" in html
    assert "Weapons missing from storage sites" in html and "3 × D-30" in html
