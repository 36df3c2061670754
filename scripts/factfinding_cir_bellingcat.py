#!/usr/bin/env python
"""CIR 2022 + Bellingcat civilian harm (2022): how many reports merge into incidents.

Imports both files with the existing importers (``ceasefire.io.cir``,
``ceasefire.io.bellingcat``; Bellingcat's rows dated 2022 only) into one
SQLite store, clusters them with the defaults (2 km, 1 h: both datasets give
dates, not times, so their reports pair as vague reports of one place and
day, issue 11), and prints the counts and a seeded sample of merged
incidents, both narratives side by side, for a person to check
(docs/factfinding.md).

Usage::

    python scripts/factfinding_cir_bellingcat.py [--shared-data DIR] [--db FILE] [--sample 30]
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

from ceasefire.factfinding.cluster import Params
from ceasefire.factfinding.incidents import Incident, incidents_of, read_log
from ceasefire.io import bellingcat, cir
from ceasefire.log.service import Log
from ceasefire.model.report import Report
from ceasefire.store.sqlite import SQLiteStore

CIR_FILE = (
    "cir-russia-ukraine-monitor-2022/cir_russia_ukraine_monitor_events_2022.csv.gz"
)
BELLINGCAT_FILE = (
    "bellingcat-civilian-harm/bellingcat_civilian_harm_incidents_2022-2025.json"
)
PARAMS = Params()  # the defaults a new user gets
CIR_SOURCE = "cir-russia-ukraine-monitor"
BELLINGCAT_SOURCE = "bellingcat-civilian-harm"


def build_store(shared: Path, db: Path) -> Log:
    """A store holding CIR 2022 and Bellingcat's 2022 reports (idempotent)."""
    log = Log(SQLiteStore(db))
    rows = cir.IMPORTER.read(shared / CIR_FILE)
    log.append_reports(r for r in rows if isinstance(r, Report))
    rows = bellingcat.IMPORTER.read(shared / BELLINGCAT_FILE)
    log.append_reports(
        r for r in rows if isinstance(r, Report) and r.observed.start.year == 2022
    )
    return log


def merged(incidents: list[Incident], sources: dict[str, str]) -> list[Incident]:
    """Incidents holding reports of both CIR and Bellingcat."""
    return [
        i
        for i in incidents
        if {sources[r] for r in i.report_ids} >= {CIR_SOURCE, BELLINGCAT_SOURCE}
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(os.environ.get("CEASEFIRE_SHARED_DATA", default)),
    )
    parser.add_argument("--db", type=Path, default=Path("cir-bellingcat-2022.db"))
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args()

    log = build_store(args.shared_data, args.db)
    view = read_log(log.store)
    sources = {b["id"]: b["source"]["id"] for b in view.bodies}
    bodies = view.by_id
    incidents = incidents_of(log.store, PARAMS)
    both = merged(incidents, sources)
    bellingcat_reports = [r for r, s in sources.items() if s == BELLINGCAT_SOURCE]
    in_both = {r for i in both for r in i.report_ids if sources[r] == BELLINGCAT_SOURCE}
    two = [i for i in both if i.independent_sources >= 2]
    print(
        f"reports: {len(sources):,} (CIR {len(sources) - len(bellingcat_reports):,},"
        f" Bellingcat 2022 {len(bellingcat_reports):,}); incidents: {len(incidents):,}"
    )
    print(
        f"incidents with both CIR and Bellingcat reports: {len(both):,}, holding"
        f" {len(in_both):,} of Bellingcat's {len(bellingcat_reports):,} reports;"
        f" {len(two):,} of them with two independent sources,"
        f" {len(both) - len(two):,} with one (both cite the same first post)"
    )
    rng = random.Random(11)
    for incident in sorted(
        rng.sample(both, min(args.sample, len(both))), key=lambda i: i.id
    ):
        print(
            f"\n## {incident.id}  independent sources: {incident.independent_sources}"
        )
        for report in incident.report_ids:
            body = bodies[report]
            location = body["location"]
            print(
                f"- {body['source_report_id']} {body['observed']['start'][:10]}"
                f" {location['lat']:.5f},{location['lon']:.5f}"
                f" {location.get('place') or ''} [{body['event_type']}]"
                f" from {body['source'].get('derived_from')}"
            )
            print(f"    {body.get('narrative', '')[:400]}")


if __name__ == "__main__":
    main()
