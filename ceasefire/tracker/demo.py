"""A small tracker store for tests, screenshots and docs: real sources plus the example file.

The Air Force statements from 2025-08-25 on (real), the example deliveries
of the hypothetical Alaska terms, the Kiel allocations and the IATI example
(real), and a few hypothetical evidence entries about the Alaska commitments.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
from datetime import datetime
from pathlib import Path

from ceasefire.io import iati, kiel
from ceasefire.io.intake import import_file
from ceasefire.io.ledger import TEMPLATE
from ceasefire.io.registry import importer
from ceasefire.log.service import Log
from ceasefire.model.tracker import CommitmentEvidenceBody
from ceasefire.tracker.ledger import import_ledger
from ceasefire.tracker.record import log_evidence

EVIDENCE = [
    ("freeze-verified", None, "partial", "2025-09-12T18:00:00+03:00", "mission", "Freeze verified in 4 of 6 sectors; two sectors pending (hypothetical)."),
    ("nato-renunciation", "bill-registered", "done", "2025-10-20T12:00:00+03:00", "ua", "Bill registered in the Verkhovna Rada (hypothetical)."),
    ("ru-pullback-complete", None, "disputed", "2025-11-03T12:00:00+03:00", "ua", "Ukraine disputes the announced completion of the pullback (hypothetical)."),
]  # fmt: skip


def air_force_slice(source: Path, since: str, out: Path) -> Path:
    """The Air Force file's rows from ``since`` (local date), as plain CSV."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["time_start"][:10] >= since)
    return out


def build(log: Log, data: Path, examples: Path) -> None:
    """Fill ``log`` from ../shared/data (``data``) and the examples folder."""
    missiles = (
        data / "missile-drone-attacks" / "missile_attacks_daily_2022-09_2026-04.csv.gz"
    )
    with tempfile.TemporaryDirectory() as folder:
        sliced = air_force_slice(missiles, "2025-08-25", Path(folder) / "missiles.csv")
        import_file(log, sliced, importer("missiles"))
    kiel_dir = data / "kiel-ukraine-support-tracker"
    for path in (kiel_dir / "data_explorer.csv", kiel_dir / "weapons.csv"):
        import_ledger(log, kiel.IMPORTER, path)
    import_ledger(
        log,
        iati.IMPORTER,
        data / "iati-standard-examples" / "activity-standard-example-annotated.xml",
    )
    import_ledger(log, TEMPLATE, examples / "alaska-deliveries.csv")
    for commitment, milestone, claim, when, by, text in EVIDENCE:
        body = CommitmentEvidenceBody(
            agreement="alaska-terms", commitment=commitment, milestone=milestone,
            claim=claim, observed_at=datetime.fromisoformat(when), by=by, text=text,  # type: ignore[arg-type]
            source="hypothetical example",
        )  # fmt: skip
        log_evidence(log, body)
