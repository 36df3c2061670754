"""Import a file into the log: nothing lost, nothing doubled, every count honest.

Every row is accounted for: read = imported + duplicates + quarantined.
Rejected rows are kept as ``rejected`` entries of the log itself, with the
file, row, column, value, reason and the raw row, so the quarantine is as
tamper-evident as the reports; their ids derive from the file name and the row
content, so importing the same file again adds nothing at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ceasefire.io.base import Importer, Rejection, Row
from ceasefire.log.service import Draft, Log, report_draft, with_admin_units
from ceasefire.model.report import Report

BATCH = 10_000


@dataclass
class ImportSummary:
    """What happened to every row of one file."""

    file: str
    format: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    """Quarantined rows by reason (the column and the first words of why)."""
    first_rejections: list[Rejection] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        """read = imported + duplicates + quarantined."""
        return self.read == self.imported + self.duplicates + self.quarantined

    def __str__(self) -> str:
        return (
            f"{self.file} ({self.format}): read {self.read:,} = imported {self.imported:,}"
            f" + duplicates {self.duplicates:,} + quarantined {self.quarantined:,}"
        )


def rejection_draft(rejection: Rejection, actor: str | None) -> Draft:
    """A rejected row as a log entry; same file name and row content, same id."""
    key = orjson.dumps(
        [Path(rejection.file).name, rejection.row, rejection.raw],
        option=orjson.OPT_SORT_KEYS,
    )
    body = {
        "file": rejection.file,
        "row": rejection.row,
        "column": rejection.column,
        "value": rejection.value
        if isinstance(rejection.value, str | int | float | bool | None)
        else repr(rejection.value),
        "reason": rejection.reason,
        "raw": rejection.raw,
    }
    return Draft(
        "rejected",
        orjson.dumps(body),
        actor=actor,
        id="rej-" + hashlib.sha256(key).hexdigest()[:28],
    )


class _Batcher:
    """Collects rows, drops duplicates, appends full batches."""

    def __init__(self, log: Log, summary: ImportSummary, actor: str | None) -> None:
        self.log, self.summary, self.actor = log, summary, actor
        self.reports: list[Report] = []
        self.rejected: list[Draft] = []
        self.seen: set[str] = set()

    def add(self, row: Row) -> None:
        self.summary.read += 1
        if isinstance(row, Rejection):
            self.summary.quarantined += 1
            why = f"{row.column}: {row.reason.split(';')[0]}"
            self.summary.reasons[why] = self.summary.reasons.get(why, 0) + 1
            if len(self.summary.first_rejections) < 5:
                self.summary.first_rejections.append(row)
            self.rejected.append(rejection_draft(row, self.actor))
        elif row.id in self.seen:  # the same event twice in one file
            self.summary.duplicates += 1
        else:
            self.seen.add(row.id)
            self.reports.append(row)
        if len(self.reports) + len(self.rejected) >= BATCH:
            self.flush()

    def flush(self) -> None:
        drafts = [report_draft(r, self.actor) for r in with_admin_units(self.reports)]
        present = self.log.store.existing_ids([d.id for d in drafts + self.rejected])
        new_reports = [d for d in drafts if d.id not in present]
        self.summary.duplicates += len(drafts) - len(new_reports)
        self.summary.imported += len(new_reports)
        new = new_reports + [d for d in self.rejected if d.id not in present]
        if new:
            self.log.append(new)
        self.reports, self.rejected = [], []


def import_rows(
    log: Log,
    rows: Iterable[Row],
    summary: ImportSummary,
    actor: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Append the rows' reports and quarantine their rejections, in batches."""
    batcher = _Batcher(log, summary, actor)
    for row in rows:
        batcher.add(row)
        if progress is not None and summary.read % 1000 == 0:
            progress(summary.read)
    batcher.flush()
    if progress is not None:
        progress(summary.read)
    return summary


def import_file(
    log: Log,
    path: Path,
    importer: Importer,
    actor: str | None = None,
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one file. ``strict``: refuse the whole file at its first bad row."""
    summary = ImportSummary(str(path), importer.name)
    if strict:
        rows = list(importer.read(path))
        bad = next((r for r in rows if isinstance(r, Rejection)), None)
        if bad is not None:
            summary.read = len(rows)
            summary.first_rejections.append(bad)
            return summary  # nothing written: the caller reports the refusal
        return import_rows(log, rows, summary, actor, progress)
    return import_rows(log, importer.read(path), summary, actor, progress)


def quarantined(log: Log, file: str | None = None) -> list[dict[str, object]]:
    """Quarantined rows in the log, optionally of one file (by name or path)."""
    found = []
    for row in log.store.entries():
        if row.kind == "rejected":
            body = orjson.loads(row.payload)["body"]
            if file is None or body["file"] == file or Path(body["file"]).name == file:
                found.append({"seq": row.seq, **body})
    return found
