"""``ceasefire import`` and ``ceasefire quarantine``: data the field already holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ceasefire.cli.log import db_option, err, fail, open_log
from ceasefire.cli.progress import (
    UNREADABLE,
    UnreadableFile,
    import_with_progress,
    parse_since,
)
from ceasefire.cli.terminal import printable
from ceasefire.errors import DetailedError
from ceasefire.io.exporters import FORMATS, format_for
from ceasefire.io.geojson import apply_mapping
from ceasefire.io.intake import quarantined
from ceasefire.io.registry import importer_for, names


class _Formats(click.Choice):  # type: ignore[type-arg]
    """The registry's format names, read when asked (so installed plugins count)."""

    def __init__(self) -> None:
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return names()

    @choices.setter
    def choices(self, value: object) -> None:
        """click.Choice sets its list once; ours is the registry's, always."""


@click.command(name="import")
@db_option
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--format",
    "fmt",
    type=_Formats(),
    help="Skip detection from the header.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse a file at its first bad row, writing nothing of it.",
)
@click.option("--by", "actor", help="Who is importing (recorded in each entry).")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For GeoJSON: the YAML/JSON file mapping feature properties to report fields.",
)
@click.option(
    "--since",
    help="Skip rows the source reported before this time (incremental import):"
    " YYYY-MM-DD (UTC) or ISO 8601 with an offset.",
)
def import_command(
    db: str,
    files: tuple[Path, ...],
    fmt: str | None,
    strict: bool,
    actor: str | None,
    mapping: Path | None,
    since: str | None,
) -> None:
    """Import event files into the log (format detected from the header).

    Every row is accounted for: read = imported + duplicates + quarantined
    (+ skipped, with --since). Re-importing a file adds nothing, and an
    interrupted import re-run adds only what is missing. Bad rows are
    quarantined with file, row, column, value and reason (see `ceasefire
    quarantine list`) while the good rows of the same file still land.

    \b
    Formats: ucdp (UCDP GED CSV), cir (CIR Russia–Ukraine Monitor CSV),
    bellingcat (civilian-harm JSON), alerts (official air-raid alerts CSV);
    acled (ACLED CSV), gdelt (GDELT 2.0 export, zipped; its Mentions file
    beside it is read too), hxl (HXL-tagged CSV), csv (ceasefire flat CSV);
    alerts-volunteer (eTryvoga alerts CSV), missiles (Air Force daily
    missile/drone reports CSV), kobo (KoboToolbox/ODK export of
    forms/monitor-report.xlsx, CSV or JSON), geojson (FeatureCollection,
    with --mapping), geoparquet (our GeoParquet export); bellingcat-timemap
    (TimeMap …_events.json, its …_sources.json and …_associations.json beside
    it), corridors (PeaceRep humanitarian corridors CSV); gzip is fine.

    \b
    Example:
      ceasefire import --db sqlite:///mission.db ucdp_ged_ukraine.csv.gz
      ceasefire import --db sqlite:///mission.db points.geojson --mapping map.yaml
      ceasefire import --db sqlite:///mission.db --since 2024-05-01 acled.csv
    """
    log = open_log(db, create=True)
    refused = False
    try:
        after = parse_since(since)
    except DetailedError as exc:
        fail(exc)
    for path in files:
        try:
            importer = apply_mapping(importer_for(path, fmt), mapping, path)
        except DetailedError as exc:
            fail(exc)
        except UNREADABLE as exc:
            fail(UnreadableFile(f"{path}: cannot be read: {exc}", value=str(path)))
        try:
            summary = import_with_progress(
                log, path, importer, actor, strict=strict, since=after, console=err
            )
        except UnreadableFile as exc:
            refused = True
            err.print(
                f"error: {exc.message}; expected {exc.expected}",
                style="bold red",
                markup=False,
                highlight=False,
            )
            continue
        if strict and summary.first_rejections and not summary.imported:
            refused = True
            err.print(
                f"{path}: refused (--strict), nothing written: {summary.first_rejections[0]}",
                style="bold red",
                markup=False,
            )
            continue
        click.echo(printable(str(summary)))
        for reason, count in sorted(summary.reasons.items(), key=lambda item: -item[1]):
            click.echo(printable(f"  quarantined {count:,}: {reason}"))
    sys.exit(1 if refused else 0)


@click.group(name="quarantine")
def quarantine_group() -> None:
    """Rows that imports refused, kept with their reasons.

    \b
    Example:
      ceasefire quarantine list --db sqlite:///mission.db
    """


@quarantine_group.command(name="list")
@db_option
@click.option("--file", "file", help="Only rows from this file (name or path).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def quarantine_list(db: str, file: str | None, fmt: str) -> None:
    """List quarantined rows: file, row, column, value and reason.

    \b
    Example:
      ceasefire quarantine list --db sqlite:///mission.db --format json
    """
    rows = quarantined(open_log(db), file)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(
            printable(
                f"{row['file']}{':' if row.get('unit', 'line') == 'line' else ' record '}"
                f"{row['row']} [{row['column']}] {row['reason']} (got {row['value']!r})"
            )
        )
    click.echo(f"{len(rows)} quarantined rows")


def _export_dataset(db: str, output: Path, partition: str, since: str | None) -> None:
    from ceasefire.scale.dataset import export_store

    if output.exists() and not output.is_dir():
        raise click.BadParameter(
            f"{output} is a file; --partition writes a directory", param_hint="--output"
        )
    with open_log(db).store as store:
        written = export_store(store, output, partition=partition, since=since)
    head = written.head
    at = f" at log size {head.tree_size:,} (root {head.root[:16]}…)" if head else ""
    click.echo(f"wrote {written.rows:,} reports to {output}/{at}")


@click.command(name="export")
@db_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write: .jsonl, .geojson, .csv, .hxl.csv, .acled.csv or .parquet"
    " (GeoParquet); a directory with --partition.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    help="Override the format the output name implies.",
)
@click.option("--since", help="Observed at or after (ISO 8601 with offset).")
@click.option("--until", help="Observed before (ISO 8601 with offset).")
@click.option(
    "--event-type",
    "event_types",
    multiple=True,
    help="Only these event types (repeatable).",
)
@click.option(
    "--partition",
    type=click.Choice(["month", "none"]),
    help="Write a hive-partitioned GeoParquet dataset (a directory) for Spark,"
    " DuckDB and geopandas, with the log head in its metadata.",
)
def export_command(
    db: str,
    output: Path,
    fmt: str | None,
    since: str | None,
    until: str | None,
    event_types: tuple[str, ...],
    partition: str | None,
) -> None:
    """Export the current reports (corrections applied).

    JSON Lines, GeoJSON and flat CSV are lossless and read back to the same
    records; HXL CSV and ACLED-shaped CSV carry what those formats can (see
    docs/intake.md). Every format re-imports with `ceasefire import`
    (JSON Lines with `ceasefire log append`).

    \b
    Example:
      ceasefire export --db sqlite:///mission.db -o reports.geojson --since 2015-02-15T00:00:00+02:00
      ceasefire export --db sqlite:///mission.db -o reports.hxl.csv
      ceasefire export --db sqlite:///mission.db -o reports.parquet
      ceasefire export --db sqlite:///mission.db --partition month -o record/
    """
    if partition is not None:
        _export_dataset(db, output, partition, since)
        return
    from ceasefire.io.geoparquet import export_store
    from ceasefire.store.base import ReportQuery

    fmt = fmt or format_for(output)
    if fmt is None:
        raise click.BadParameter(
            f"{output.name!r}: expected a .jsonl, .geojson, .csv, .hxl.csv,"
            " .acled.csv or .parquet file, or --format",
            param_hint="--output",
        )
    writer = FORMATS[fmt]
    log = open_log(db)
    query = ReportQuery(since=since, until=until, event_types=event_types, limit=2**62)
    with output.open("wb") as handle:
        if fmt == "geoparquet":  # columns straight from the store: no parsing
            count = export_store(log.store, query, handle)
        else:
            count = writer(log.store.reports(query), handle)
    click.echo(f"wrote {count:,} reports to {output}")
