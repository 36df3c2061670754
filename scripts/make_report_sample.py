"""Make tests/data/reports/ucdp-ged-2015.jsonl: real UCDP GED events as reports.

A small, fixed slice (the first 120 events of 2015 by date, then id) of UCDP
GED (CC BY 4.0, see DATA-LICENSE.md), shaped as ceasefire reports so the log
can be tested on real events before the importers exist (issue 4 replaces
this coarse mapping with the full one). UCDP records lethal events without a
weapon or sub-type, so the event type is coarse: civilian_harm when civilians
died, otherwise shelling; the UCDP fields are kept in `properties`.

Run: .venv/bin/python scripts/make_report_sample.py [--shared-data DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

from ceasefire.model.report import (
    Casualties,
    Location,
    Report,
    SourceRef,
    TimeSpan,
    new_id,
    precision_from_ucdp,
)

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "data" / "reports" / "ucdp-ged-2015.jsonl"
DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}


def to_report(row: dict[str, str]) -> Report:
    start = datetime.fromisoformat(row["date_start"][:10]).replace(tzinfo=UTC)
    end = datetime.fromisoformat(row["date_end"][:10]).replace(tzinfo=UTC)
    civilians = int(row["deaths_civilians"] or 0)
    return Report(
        # reproducible: the event date, then entropy from UCDP's own id
        id=new_id(
            int(start.timestamp() * 1000), hashlib.sha256(row["id"].encode()).digest()
        ),
        source_report_id=f"ucdp-ged-{row['id']}",
        source=SourceRef(
            type="media", id="ucdp-ged", name="UCDP GED", reliability="B", credibility=2
        ),
        observed=TimeSpan(
            start=start, end=end, precision=DATE_PRECISION.get(row["date_prec"], "day")
        ),  # type: ignore[arg-type]
        reported_at=end,
        location=Location(
            lon=float(row["longitude"]),
            lat=float(row["latitude"]),
            precision_m=precision_from_ucdp(int(row["where_prec"])) or 700_000.0,
            place=row["where_coordinates"] or None,
        ),
        event_type="civilian_harm" if civilians else "shelling",
        casualties=Casualties(killed=int(row["best"] or 0), civilians_killed=civilians),
        narrative=row["source_headline"][:500],
        properties={
            "ucdp_id": int(row["id"]),
            "dyad_name": row["dyad_name"],
            "type_of_violence": int(row["type_of_violence"]),
            "where_prec": int(row["where_prec"]),
            "date_prec": int(row["date_prec"]),
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared-data", type=Path, default=REPO.parent / "shared" / "data"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    source = (
        args.shared_data
        / "ucdp-ged-ukraine-2014-2022"
        / "ucdp_ged_ukraine_2014-01_2022-02.csv.gz"
    )
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(io.StringIO(handle.read())) if r["year"] == "2015"
        ]
    rows.sort(key=lambda r: (r["date_start"], int(r["id"])))
    reports = [to_report(r) for r in rows[:120]]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(
        b"".join(
            r.model_dump_json(by_alias=True, exclude_none=True).encode() + b"\n"
            for r in reports
        )
    )
    print(f"wrote {len(reports)} reports to {args.out}")  # noqa: T201


if __name__ == "__main__":
    main()
