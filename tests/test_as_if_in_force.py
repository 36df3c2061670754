"""An agreement judged as if it had entered into force on another date (demo missions)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ceasefire.agreement.load import load
from tests.conftest import EXAMPLES

KYIV = ZoneInfo("Europe/Kyiv")


def test_entry_into_force_and_every_relative_instant_move() -> None:
    text = load(EXAMPLES / "alaska-terms.yaml")
    moved = load(EXAMPLES / "alaska-terms.yaml", in_force_from=date(2025, 10, 1))
    assert moved.entry_into_force == datetime(2025, 10, 1, tzinfo=KYIV)
    # withdrawal_deadline is {after: entry_into_force, days: 60} in the text
    assert moved.instants["withdrawal_deadline"] - moved.entry_into_force == timedelta(
        days=60
    )
    assert text.instants["control_baseline"] == moved.instants["control_baseline"]
    assert moved.document.version == "0.1-draft+as-if-in-force-2025-10-01"
    assert text.document.version == "0.1-draft"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        load(EXAMPLES / "alaska-terms.yaml", in_force_from=datetime(2025, 9, 1))  # noqa: DTZ001 - the point
