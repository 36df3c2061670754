"""Shared by the snapback tests: three civilian-infrastructure strikes, confirmed jointly."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ceasefire.agreement.load import Agreement, load
from ceasefire.factfinding import workflow
from ceasefire.log.service import Log
from ceasefire.model.report import Report, new_id

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TEAM = {"ua": ["o.koval"], "ru": ["i.petrov"], "mission": ["j.smith"]}
JOINT = "joint-team:ua+ru+mission"
_serial = itertools.count(1)

# Three power/heating sites in Kharkiv, Dnipro and Zaporizhzhia cities (far from
# each other, so each pair of reports is its own incident), struck within 5 days.
STRIKES = [
    ("Kharkiv CHP-5", 36.3540, 49.9225, "power", datetime(2025, 10, 3, 2, 10, tzinfo=UTC)),
    ("Dnipro heating plant", 35.0462, 48.4647, "heating", datetime(2025, 10, 5, 4, 30, tzinfo=UTC)),
    ("Zaporizhzhia substation", 35.1396, 47.8388, "power", datetime(2025, 10, 7, 23, 5, tzinfo=UTC)),
]  # fmt: skip


def agreement() -> Agreement:
    """The Alaska terms example."""
    return load(EXAMPLES / "alaska-terms.yaml")


def strike_report(
    source: str, lon: float, lat: float, category: str, at: datetime, party: str = "ru"
) -> Report:
    """One source's report of a missile strike on civilian infrastructure."""
    serial = next(_serial)
    data: dict[str, Any] = {
        "id": new_id(int(at.timestamp() * 1000) + serial, serial.to_bytes(10, "big")),
        "source": {"type": "monitor_patrol", "id": source, "reliability": "B", "credibility": 2},
        "observed": {"start": at, "precision": "minute"},
        "reported_at": at + timedelta(hours=1),
        "location": {"lon": lon, "lat": lat, "precision_m": 200},
        "event_type": "missile_strike",
        "attribution": {"party": party, "confidence": "high"},
        "target": {"category": category},
    }  # fmt: skip
    return Report.model_validate(data)


def two_source_strikes(party: str = "ru") -> list[Report]:
    """Each strike reported by a mission patrol and by a second, independent team."""
    reports = []
    for name, lon, lat, category, at in STRIKES:
        reports.append(strike_report(f"smm/{name}", lon, lat, category, at, party))
        reports.append(
            strike_report(f"sensor/{name}", lon + 0.001, lat, category, at + timedelta(minutes=4), party)
        )  # fmt: skip
    return reports


def verify_jointly(log: Log, incident: str, now: datetime | None = None) -> None:
    """Assign to a joint team and verify as that team (the clause's joint standard)."""
    moment = now or datetime.now(UTC)
    workflow.assign(
        log, incident, TEAM, moment + timedelta(days=3), "analyst-1",
        parties=["ua", "ru"], now=moment,
    )  # fmt: skip
    workflow.decide(
        log, incident, "verified", "joint team confirmed on site", JOINT, now=moment
    )
