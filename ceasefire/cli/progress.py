"""Import one file with a live row count and rate; whole-file failures named."""

from __future__ import annotations

import csv
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ceasefire.errors import DetailedError
from ceasefire.errors import UnreadableFile as UnreadableFile  # re-exported
from ceasefire.io.base import Importer
from ceasefire.io.intake import ImportSummary, import_file
from ceasefire.log.service import Log

UNREADABLE = (ValueError, OSError, csv.Error, zipfile.BadZipFile)
"""What a reader raises when a whole file is not what its format expects
(UnicodeDecodeError and JSONDecodeError are ValueErrors)."""


def parse_since(text: str | None) -> datetime | None:
    """``--since``: ISO 8601; a date alone is midnight UTC, an offset is required otherwise."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DetailedError(
            f"--since {text!r} is not a date or time",
            value=text,
            expected="YYYY-MM-DD or ISO 8601 with an offset, e.g. 2024-05-01T00:00:00+00:00",
        ) from None
    if moment.tzinfo is None:
        if len(text.strip()) > 10:
            raise DetailedError(
                f"--since {text!r} has no UTC offset",
                value=text,
                expected="an offset such as +00:00 or Z",
            )
        moment = moment.replace(tzinfo=UTC)
    return moment


def import_with_progress(
    log: Log,
    path: Path,
    importer: Importer,
    actor: str | None,
    *,
    strict: bool,
    since: datetime | None,
    console: Console,
) -> ImportSummary:
    """``import_file`` showing rows read and rows/s while it runs (on a terminal)."""
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{path.name} ({importer.name})", total=None, rate="")

        def show(read: int) -> None:
            elapsed = max(time.perf_counter() - started, 1e-9)
            progress.update(task, completed=read, rate=f"{read / elapsed:,.0f} rows/s")

        try:
            return import_file(
                log, path, importer, actor, strict=strict, progress=show, since=since
            )
        except UNREADABLE as exc:
            raise UnreadableFile(
                f"{path}: cannot be read as {importer.name}: {exc}",
                value=str(path),
                expected=importer.description
                + " (rows already imported from it stay; a re-run adds nothing twice)",
            ) from None
