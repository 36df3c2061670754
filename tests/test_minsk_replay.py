"""The Minsk II replay on UCDP GED judged against the raw file, read independently.

The expectation is computed from the raw CSV with the csv module only: every
state-based event (``type_of_violence`` 1) between the Government of Ukraine
(UCDP actor 61) and the DPR, the LPR or the United Armed Forces of
Novorossiya (5840, 6711, 5839, 6712, 5914) spans the Kyiv days
``date_start`` … ``date_end``, i.e. [date_start 00:00 Kyiv, date_end + 1 day
00:00 Kyiv). Minsk II's ceasefire runs from 15 February 2015 00:00 Kyiv to the
end of 21 February 2022 (examples/minsk-ii.yaml). So an event is

* a **breach** when its span lies within that window,
* **undetermined** when its span straddles the start or the end,
* never flagged when it ended before the start or began after the end.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import shared_data

from ceasefire.compliance.replay import replay
from ceasefire.model.verdict import Verdict

UCDP = "ucdp-ged-ukraine-2014-2022/ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
MINSK = Path(__file__).resolve().parent.parent / "examples" / "minsk-ii.yaml"
KYIV = ZoneInfo("Europe/Kyiv")
START = datetime(2015, 2, 15, tzinfo=KYIV)
END = datetime(2022, 2, 22, tzinfo=KYIV)  # exclusive: 21 Feb is the last day
UKRAINE = {"61"}
FORMATIONS = {"5840", "6711", "5839", "6712", "5914"}


def kyiv_span(row: dict[str, str]) -> tuple[datetime, datetime]:
    first = date.fromisoformat(row["date_start"][:10])
    last = date.fromisoformat(row["date_end"][:10])
    start = datetime(first.year, first.month, first.day, tzinfo=KYIV)
    end = datetime(last.year, last.month, last.day, tzinfo=KYIV) + timedelta(days=1)
    return start, end


def expected_classes(path: Path) -> dict[str, str]:
    """UCDP id → breach / undetermined / before / after, for the parties' clashes."""
    found = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sides = {row["side_a_new_id"], row["side_b_new_id"]}
            if row["type_of_violence"] != "1" or not (
                sides & UKRAINE and sides & FORMATIONS
            ):
                continue
            start, end = kyiv_span(row)
            if end <= START:
                found[row["id"]] = "before"
            elif start >= END:
                found[row["id"]] = "after"
            elif START <= start and end <= END:
                found[row["id"]] = "breach"
            else:
                found[row["id"]] = "undetermined"
    return found


@pytest.mark.shared_data
def test_minsk_ii_on_ucdp_is_judged_by_kyiv_days_and_its_lifecycle(
    tmp_path: Path,
) -> None:
    path = shared_data(UCDP)
    expected = expected_classes(path)
    assert Counter(expected.values()) == {
        "breach": 1441, "undetermined": 3, "before": 1622, "after": 5,
    }  # fmt: skip
    result = replay(MINSK, [path], f"sqlite:///{tmp_path / 'replay.db'}")
    by_event: dict[str, list[Verdict]] = {}
    for verdict in result.verdicts:
        ucdp_id = (verdict.source_id or "").removeprefix("ucdp-ged-")
        by_event.setdefault(ucdp_id, []).append(verdict)
    wrong = []
    for ucdp_id, outcome in expected.items():
        verdicts = by_event.get(ucdp_id, [])
        ceasefire = [v.verdict for v in verdicts if v.clause == "ceasefire"]
        if outcome in ("breach", "undetermined") and ceasefire != [outcome]:
            wrong.append((ucdp_id, outcome, ceasefire))
        if outcome in ("before", "after") and verdicts:
            wrong.append((ucdp_id, outcome, [(v.clause, v.verdict) for v in verdicts]))
    ceasefire_dyads = {
        v.dyad for v in result.verdicts if v.clause == "ceasefire" and v.dyad
    }
    if wrong and not ceasefire_dyads:
        pytest.xfail(
            f"{len(wrong)} of {len(expected)} events judged otherwise; this branch's"
            " UCDP importer does not yet map state-based events to armed_clash with"
            " actors on Kyiv days (issue 11, item 1-2)"
        )
    assert not wrong, wrong[:10]
    # UCDP names the dyad, never who fired: every verdict says so
    assert ceasefire_dyads == {("ua", "cadlr")}
    assert not any(
        v.perpetrator_established for v in result.verdicts if v.clause == "ceasefire"
    )
