"""The API's incident view against recomputing fact-finding's incidents per call.

Usage: python bench/bench_incident_view.py
Example:
  PYTHONPATH=. python bench/bench_incident_view.py

Builds a store of CIR's and Bellingcat's 2022 events (shared data), then
times, in one process: ``incidents_of(store)`` (what every request would cost
if the API clustered per call, the peer), the view's first build, a request
with the log unchanged, and one after a transition (restated, not regrouped).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import shared_data  # noqa: E402

from ceasefire.api.incident_view import IncidentView  # noqa: E402
from ceasefire.factfinding.incidents import incidents_of  # noqa: E402
from ceasefire.io import bellingcat, cir  # noqa: E402
from ceasefire.log.service import Log  # noqa: E402
from ceasefire.model.report import Report  # noqa: E402
from ceasefire.store.sqlite import SQLiteStore  # noqa: E402

CIR = "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"
BELLINGCAT = (
    "bellingcat-civilian-harm/bellingcat_civilian_harm_incidents_2022-2025.json"
)


def timed(label: str, work: object) -> object:
    start = time.perf_counter()
    result = work()  # type: ignore[operator]
    print(
        f"{label}: {time.perf_counter() - start:.4f} s  (load {os.getloadavg()[0]:.1f})"
    )
    return result


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        log = Log(SQLiteStore(Path(folder) / "cb.db"))
        log.append_reports(
            r for r in cir.IMPORTER.read(shared_data(CIR)) if isinstance(r, Report)
        )
        log.append_reports(
            r
            for r in bellingcat.IMPORTER.read(shared_data(BELLINGCAT))
            if isinstance(r, Report) and r.observed.start.year == 2022
        )
        store = log.store
        print(f"{store.size():,} entries")
        found = timed("peer: incidents_of per call", lambda: incidents_of(store))
        view = IncidentView()
        timed("view: first build", lambda: view.follow(store))
        timed("view: log unchanged", lambda: view.follow(store))
        target = found[0].id  # type: ignore[index]
        log.transition(target, "under_review", "analyst:bench", "bench")
        timed("view: after one transition", lambda: view.follow(store))


if __name__ == "__main__":
    main()
