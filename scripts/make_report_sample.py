"""Make tests/data/reports/ucdp-ged-2015.jsonl: real UCDP GED events as reports.

A small, fixed slice (the first 120 events of 2015 by date, then id) of UCDP
GED (CC BY 4.0, see DATA-LICENSE.md), mapped by the UCDP importer
(ceasefire/io/ucdp.py), so the log's tests run on real events.

Run: .venv/bin/python scripts/make_report_sample.py [--shared-data DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ceasefire.io import ucdp
from ceasefire.io.base import csv_rows

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "data" / "reports" / "ucdp-ged-2015.jsonl"


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
    rows = [r for r in csv_rows(source) if r["year"] == "2015"]
    rows.sort(key=lambda r: (r["date_start"], int(r["id"])))
    reports = [ucdp.to_report(r) for r in rows[:120]]
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
