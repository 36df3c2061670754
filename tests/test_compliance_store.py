"""Stored verdicts: the derived ``verdicts`` table on both backends."""

from __future__ import annotations

import copy
from typing import Any

from ceasefire.store.base import Store, VerdictQuery


def _verdict(incident: str, clause: str, verdict: str, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "incident": incident,
        "source_id": f"src-{incident}",
        "clause": clause,
        "verdict": verdict,
        "standard_met": False,
        "party": "ua",
        "reasons": [
            {
                "predicate": "distance_km(freeze_line) < 30",
                "holds": "true",
                "measured": 9.3,
                "threshold": 30.0,
                "unit": "km",
                "side": "ua",
            }
        ],
        "text": "152 mm artillery observed 9.3 km from freeze_line (ua side).",
        "agreement_id": "alaska-terms",
        "agreement_version": "0.1",
        "log_head": {"tree_size": 7, "root": "ab" * 32},
        "observed_at": "2025-11-05T00:04:00Z",
        "lon": 37.5,
        "lat": 47.9,
        "admin1": "UA-14",
    }
    found.update(more)
    return found


def test_verdicts_round_trip_filter_and_delete(store: Store) -> None:
    rows = [
        _verdict("A", "calibre-cap", "breach"),
        _verdict("B", "calibre-cap", "undetermined", party=None),
        # offsets differ: +02:00 is earlier in UTC than the Z time above
        _verdict("C", "drone-belt", "breach", observed_at="2025-11-05T01:00:00+02:00"),
        _verdict("A", "calibre-cap", "breach", agreement_version="0.2"),
    ]
    assert store.save_verdicts(rows) == 4
    everything = store.verdicts(VerdictQuery(agreement_id="alaska-terms"))
    assert len(everything) == 4
    assert everything[0]["incident"] == "C"  # 2025-11-04T23:00Z comes first
    assert rows[0] in everything  # the JSON form survives unchanged

    breaches = store.verdicts(
        VerdictQuery(agreement_version="0.1", verdicts=("breach",))
    )
    assert {(v["incident"], v["clause"]) for v in breaches} == {
        ("A", "calibre-cap"),
        ("C", "drone-belt"),
    }
    assert [v["incident"] for v in store.verdicts(VerdictQuery(parties=("ua",)))] == [
        "C",
        "A",
        "A",
    ]
    since = store.verdicts(VerdictQuery(since="2025-11-05T02:00:00+02:00"))
    assert {v["incident"] for v in since} == {"A", "B"}  # 00:00Z and later

    changed = copy.deepcopy(rows[0])
    changed["verdict"] = "no_breach"
    store.save_verdicts([changed])  # replaces, never duplicates
    again = store.verdicts(VerdictQuery(agreement_version="0.1", incident="A"))
    assert [v["verdict"] for v in again] == ["no_breach"]

    assert store.delete_verdicts("alaska-terms", "0.1") == 3
    left = store.verdicts(VerdictQuery())
    assert [v["agreement_version"] for v in left] == ["0.2"]
