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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson

from ceasefire.geo.admin_lookup import admin_units_at
from ceasefire.io.base import Importer, ImportSummary, Prepared, Rejection
from ceasefire.io.checks import (
    declared_country,
    implausible,
    outside_country,
    outside_ukraine,
)
from ceasefire.log.service import Draft, Log
from ceasefire.model.entries import Kind, raw_body
from ceasefire.model.report import Report

__all__ = [  # ImportSummary is defined with the importer contract (io/base.py)
    "BATCH", "ImportSummary", "Item", "Numbered", "import_file", "import_rows",
    "quarantined", "rejection_draft",
]  # fmt: skip

BATCH = 10_000


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
    if rejection.unit != "line":  # a JSON or Parquet record number, not a line
        body["unit"] = rejection.unit
    return Draft(
        Kind.REJECTED,  # the body is an entries.Rejected, written as a dict
        orjson.dumps(body),
        actor=actor,
        id="rej-" + hashlib.sha256(key).hexdigest()[:28],
    )


Item = Report | Prepared | Rejection
"""What a reader yields per row: a report, a fast-path body, or a rejection."""
Numbered = tuple[int, Item]
"""(where the row is in its file, the row): see ``Rejection.row``."""


@dataclass(frozen=True)
class _Accepted:
    id: str
    body: dict[str, Any]
    lon: float
    lat: float
    line: int = 0
    """Where the row is in its file (``Rejection.row``)."""


def _numbered(row: Item | Numbered, count: int) -> Numbered:
    """A reader's row with its place in the file (a bare row: its count)."""
    if isinstance(row, tuple) and not isinstance(row, Prepared):
        return row
    return (row.row if isinstance(row, Rejection) else count), row


def _outside(
    rows: list[_Accepted], summary: ImportSummary, importer: Importer
) -> dict[int, Rejection]:
    """Rows declaring Ukraine whose point lies outside it: index → rejection."""
    declared = [declared_country(importer.country, r.body) for r in rows]
    checked = [i for i, name in enumerate(declared) if name == "Ukraine"]
    if not checked:
        return {}
    far = outside_ukraine(
        [rows[i].lon for i in checked], [rows[i].lat for i in checked]
    )
    found = {}
    for i in (checked[k] for k in far.nonzero()[0]):
        row = rows[i]
        written = (row.body.get("properties") or {}).get("country") or "Ukraine"
        problem = outside_country(row.lon, row.lat, str(written))
        raw = cast(dict[str, str], row.body)
        found[i] = Rejection(
            summary.file, row.line, problem.column, problem.value, problem.reason, raw,
            summary.unit,
        )  # fmt: skip
    return found


def _check(
    item: Item, number: int, summary: ImportSummary, importer: Importer, now: datetime
) -> _Accepted | Rejection:
    """The row as a body to log, or why it must be quarantined."""
    if isinstance(item, Rejection):
        return item
    if isinstance(item, Report):
        body = item.model_dump(mode="json", by_alias=True, exclude_none=True)
        lon, lat = item.location.lon, item.location.lat
        accepted = _Accepted(item.id, body, lon, lat, number)
        start = item.observed.start
    else:
        accepted = _Accepted(item.id, item.body, item.lon, item.lat, number)
        start = item.start
    problem = implausible(importer.scope, accepted.lon, accepted.lat, start, now)
    if problem is None:
        return accepted
    raw = cast(dict[str, str], accepted.body)  # the mapped row: what was judged
    return Rejection(
        summary.file, number, problem.column, problem.value, problem.reason, raw,
        summary.unit,
    )  # fmt: skip


def _reported(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["reported_at"])


class _Batcher:
    """Collects rows, drops duplicates, appends full batches."""

    def __init__(
        self,
        log: Log,
        summary: ImportSummary,
        importer: Importer,
        actor: str | None,
        since: datetime | None,
    ) -> None:
        self.log, self.summary, self.actor, self.since = log, summary, actor, since
        self.importer = importer
        self.now = datetime.now(UTC)
        self.reports: list[_Accepted] = []
        self.rejected: list[Draft] = []
        self.seen: set[str] = set()

    def add(self, numbered: Item | Numbered) -> None:
        self.summary.read += 1
        line, item = _numbered(numbered, self.summary.read)
        row = _check(item, line, self.summary, self.importer, self.now)
        if isinstance(row, Rejection):
            self.quarantine(row)
        elif self.since is not None and _reported(row.body) < self.since:
            self.summary.skipped += 1
        elif row.id in self.seen:  # the same event twice in one file
            self.summary.duplicates += 1
        else:
            self.seen.add(row.id)
            self.reports.append(row)
        if len(self.reports) + len(self.rejected) >= BATCH:
            self.flush()

    def quarantine(self, row: Rejection) -> None:
        self.summary.quarantined += 1
        why = f"{row.column}: {row.reason.split(';')[0]}"
        self.summary.reasons[why] = self.summary.reasons.get(why, 0) + 1
        if len(self.summary.first_rejections) < 5:
            self.summary.first_rejections.append(row)
        self.rejected.append(rejection_draft(row, self.actor))

    def flush(self) -> None:
        far = _outside(self.reports, self.summary, self.importer)
        if far:
            self.reports = [r for i, r in enumerate(self.reports) if i not in far]
            for rejection in far.values():
                self.quarantine(rejection)
        ids = [r.id for r in self.reports] + [d.id for d in self.rejected]
        present = self.log.store.existing_ids(ids)
        fresh = [r for r in self.reports if r.id not in present]
        self.summary.duplicates += len(self.reports) - len(fresh)
        self.summary.imported += len(fresh)
        new = _drafts(fresh, self.actor)
        new += [d for d in self.rejected if d.id not in present]
        if new:
            self.log.append(new)
        self.reports, self.rejected = [], []


def _drafts(rows: list[_Accepted], actor: str | None) -> list[Draft]:
    """Log entries for accepted rows, oblast and raion looked up for all at once."""
    missing = [r for r in rows if "admin1" not in r.body["location"]]
    if missing:
        # each distinct point once: sources repeat centroids and places a lot
        points: dict[tuple[float, float], int] = {}
        which = [points.setdefault((r.lon, r.lat), len(points)) for r in missing]
        found = admin_units_at([p[0] for p in points], [p[1] for p in points])
        for row, index in zip(missing, which, strict=True):
            oblast, raion = found[index]
            if oblast is not None:  # as log.service.with_admin_units does
                row.body["location"]["admin1"] = oblast
                if raion is not None:
                    row.body["location"]["admin2"] = raion
    return [
        Draft(Kind.REPORT, orjson.dumps(r.body), subject=r.id, actor=actor, id=r.id)
        for r in rows
    ]


def import_rows(
    log: Log,
    rows: Iterable[Item | Numbered],
    summary: ImportSummary,
    actor: str | None = None,
    progress: Callable[[int], None] | None = None,
    since: datetime | None = None,
    *,
    importer: Importer,
) -> ImportSummary:
    """Append the rows' reports and quarantine their rejections, in batches.

    ``since``: skip rows the source reported before it (counted as skipped).
    ``importer``: the rows' format, whose ``scope`` and ``country`` the rows
    are checked against.
    """
    batcher = _Batcher(log, summary, importer, actor, since)
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
    since: datetime | None = None,
) -> ImportSummary:
    """Import one file. ``strict``: refuse the whole file at its first bad row."""
    observed = importer.import_observations(log, path, actor, progress)
    if observed is not None:  # control maps are observations of days, not report rows
        return observed
    summary = ImportSummary(str(path), importer.name, unit=importer.unit)
    rows = importer.reader()(path)
    if strict:
        rows = list(rows)
        now = datetime.now(UTC)
        accepted = []
        for line, item in rows:
            checked = _check(item, line, summary, importer, now)
            if isinstance(checked, Rejection):
                summary.read = len(rows)
                summary.first_rejections.append(checked)
                return summary  # nothing written: the caller reports the refusal
            accepted.append(checked)
        far = _outside(accepted, summary, importer)
        if far:
            summary.read = len(rows)
            summary.first_rejections.append(far[min(far)])
            return summary
    return import_rows(log, rows, summary, actor, progress, since, importer=importer)


def quarantined(log: Log, file: str | None = None) -> list[dict[str, object]]:
    """Quarantined rows in the log, optionally of one file (by name or path)."""
    found = []
    for row in log.store.entries():
        if row.kind == Kind.REJECTED:
            body = raw_body(row)
            if file is None or body["file"] == file or Path(body["file"]).name == file:
                found.append({"seq": row.seq, **body})
    return found
