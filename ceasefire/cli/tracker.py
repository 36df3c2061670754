"""``ceasefire deliveries``, ``indicators``, ``commitments``: the implementation tracker (issue 15)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ceasefire.cli.agreement import load_or_exit
from ceasefire.cli.log import db_option, fail, open_log, output_option
from ceasefire.cli.progress import parse_since
from ceasefire.errors import DetailedError

console = Console(stderr=True, soft_wrap=True)
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for programs.",
)
AGREEMENT = click.option(
    "--agreement",
    "agreement_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The agreement (YAML).",
)
AS_OF = click.option(
    "--as-of",
    "as_of_text",
    default=None,
    help="Decide as of this instant (YYYY-MM-DD = midnight UTC, or ISO 8601 with offset). Default: now.",
)


def as_of(text: str | None) -> datetime:
    """``--as-of``, or now: the one place the tracker reads the clock."""
    try:
        moment = parse_since(text)
    except DetailedError as exc:
        fail(exc)
        raise
    return moment or datetime.now(UTC)


def emit(data: Any) -> None:
    """JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# ------------------------------------------------------------ deliveries


@click.group("deliveries")
def deliveries_group() -> None:
    """The deliveries and disbursements ledger (Kiel tracker, IATI, plain CSV).

    \b
    Example:
      ceasefire deliveries import ../shared/data/kiel-ukraine-support-tracker/data_explorer.csv --db sqlite:///mission.db
      ceasefire deliveries summary --db sqlite:///mission.db --format json
    """


@deliveries_group.command("import")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@db_option
@click.option(
    "--format",
    "name",
    default=None,
    help="kiel, iati or ledger-csv (default: recognised from the file).",
)
@click.option("--actor", default=None, help="Who imports (kept in each entry).")
def deliveries_import(
    files: tuple[Path, ...], db: str, name: str | None, actor: str | None
) -> None:
    """Import ledger files into the log; rejected rows are listed with their reasons.

    Importing a file twice adds nothing (entry ids derive from file name, line,
    category and stage). IATI files are validated against the shipped 2.03 XSD
    first and refused whole when they do not validate.

    \b
    Example:
      ceasefire deliveries import data_explorer.csv weapons.csv --db sqlite:///mission.db
      ceasefire deliveries import activity.xml --format iati --db sqlite:///mission.db
    """
    from ceasefire.tracker.ledger import import_ledger, ledger_importer_for

    log = open_log(db)
    with log.store:
        for path in files:
            try:
                importer = ledger_importer_for(path, name)
                with console.status(f"importing {path.name} ({importer.name})…"):
                    read, appended, rejected = import_ledger(log, importer, path, actor)
            except DetailedError as exc:
                fail(exc)
            console.print(
                f"{path} ({importer.name}): {read} rows, {appended} new entries, {len(rejected)} rejected",
                markup=False,
            )
            for rejection in rejected[:20]:
                console.print(f"  rejected {rejection}", markup=False)


@deliveries_group.command("summary")
@db_option
@FORMAT
def deliveries_summary(db: str, fmt: str) -> None:
    """Totals by partner and by category, in the source's currency and unit.

    One group per source file and stage: Kiel's monthly allocations (EUR
    billion) and its heavy-weapons list (EUR) count the same aid twice, and a
    pledge is not an allocation, so they are never added together.

    \b
    Example:
      ceasefire deliveries summary --db sqlite:///mission.db --format json
    """
    from ceasefire.tracker.ledger import summary

    log = open_log(db)
    with log.store:
        groups = summary(log.store)
    if fmt == "json":
        emit(groups)
        return
    for group in groups:
        table = Table(
            title=f"{group['kind']} · {group['basis']} · {group['stage']} · {group['unit']}"
        )
        table.add_column("partner")
        table.add_column("total", justify="right")
        for partner, value in list(group["by_partner"].items())[:15]:
            table.add_row(partner, f"{value:,.3f}")
        table.add_row("[b]all[/b]", f"[b]{group['total']:,.3f}[/b]")
        Console().print(table)
        Console().print(
            "by category: "
            + ", ".join(f"{k} {v:,.3f}" for k, v in group["by_category"].items())
        )


# ------------------------------------------------------------ indicators


@click.command("indicators")
@AGREEMENT
@db_option
@FORMAT
@AS_OF
def indicators_command(
    agreement_path: Path, db: str, fmt: str, as_of_text: str | None
) -> None:
    """Compute the agreement's indicators from the log, period by period.

    Prints each series as {"indicator", "unit", "points": [{"period_start",
    "value"}, …]} (plus "series" for per-oblast indicators). A period the data
    does not cover has value null — a gap, never a zero.

    \b
    Example:
      ceasefire indicators --agreement examples/alaska-terms.yaml --db sqlite:///mission.db --format json
      ceasefire indicators --agreement examples/alaska-terms.yaml --db sqlite:///m.db --as-of 2026-05-01
    """
    from ceasefire.tracker.indicators import compute

    agreement = load_or_exit(agreement_path)
    moment = as_of(as_of_text)
    log = open_log(db)
    with log.store, console.status("computing indicators…"):
        series = compute(agreement, log.store, moment)
    if fmt == "json":
        emit([s.to_json() for s in series])
        return
    table = Table(
        title=f"Indicators of {agreement.document.id} as of {moment:%Y-%m-%d}"
    )
    for column in (
        "indicator",
        "series",
        "unit",
        "periods",
        "with data",
        "latest",
        "target",
    ):
        table.add_column(column)
    for s in series:
        known = [(d, v) for d, v in s.points if v is not None]
        latest = f"{known[-1][1]:.1f} ({known[-1][0]})" if known else "—"
        table.add_row(
            s.indicator.id,
            s.series or "",
            s.indicator.unit,
            str(len(s.points)),
            str(len(known)),
            latest,
            f"{s.indicator.direction} {s.indicator.target:g}",
        )
    Console().print(table)


# ------------------------------------------------------------ commitments


@click.group("commitments")
def commitments_group() -> None:
    """Commitment lifecycle: evidence in, statuses and PAM scores out.

    \b
    Example:
      ceasefire commitments evidence examples/evidence/minsk-ii.yaml --agreement examples/minsk-ii.yaml --db sqlite:///m.db
      ceasefire commitments status --agreement examples/minsk-ii.yaml --db sqlite:///m.db --as-of 2016-01-01
    """


@commitments_group.command("evidence")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AGREEMENT
@db_option
def commitments_evidence(file: Path, agreement_path: Path, db: str) -> None:
    """Log evidence about commitments and milestones from a YAML file.

    Each item: commitment, optional milestone, claim (started, partial, done,
    disputed, refuted), observed_at (with offset), by, text, optional quantity
    and source. The whole file is checked against the agreement first.

    \b
    Example:
      ceasefire commitments evidence examples/evidence/minsk-ii.yaml --agreement examples/minsk-ii.yaml --db sqlite:///m.db
    """
    from ceasefire.tracker.record import (
        check_evidence,
        evidence_from_file,
        log_evidence,
    )

    agreement = load_or_exit(agreement_path)
    try:
        bodies = evidence_from_file(str(file))
        check_evidence(agreement, bodies)
    except DetailedError as exc:
        fail(exc)
    log = open_log(db)
    with log.store:
        for body in bodies:
            log_evidence(log, body)
    console.print(f"{len(bodies)} evidence entries logged from {file}", markup=False)


@commitments_group.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT
def commitments_diff(old: Path, new: Path, fmt: str) -> None:
    """Deadlines that moved between two versions of an agreement.

    Deadlines are instants of the timeline (often relative to entry into
    force), so amending the timeline moves them; this lists every commitment and
    milestone whose deadline changed, and by how many days.

    \b
    Example:
      ceasefire commitments diff terms-0.1.yaml terms-0.2.yaml
    """
    from ceasefire.tracker.record import deadline_diff

    moved = deadline_diff(load_or_exit(old), load_or_exit(new))
    if fmt == "json":
        emit(moved)
        return
    table = Table(title=f"Deadlines moved: {old.name} → {new.name}")
    for column in ("step", "before", "after", "shift (days)"):
        table.add_column(column)
    for m in moved:
        shift = "" if m["shift_days"] is None else f"{m['shift_days']:+g}"
        table.add_row(
            m["step"], (m["before"] or "—")[:16], (m["after"] or "—")[:16], shift
        )
    Console().print(table)


@commitments_group.command("status")
@AGREEMENT
@db_option
@FORMAT
@AS_OF
@click.option(
    "--record",
    is_flag=True,
    help="Log a commitment_status entry for every status or score that changed.",
)
def commitments_status(
    agreement_path: Path, db: str, fmt: str, as_of_text: str | None, record: bool
) -> None:
    """Every commitment's and milestone's status and PAM score (0–3) with its rule.

    Decided from logged evidence, ledger rows and the agreement's timeline as
    of --as-of: the same evidence and --as-of give the same answer any day.

    \b
    Example:
      ceasefire commitments status --agreement examples/alaska-terms.yaml --db sqlite:///m.db --as-of 2025-11-01 --format json
      ceasefire commitments status --agreement examples/minsk-ii.yaml --db sqlite:///m.db --as-of 2016-01-01 --record
    """
    from ceasefire.tracker.record import decision_json, record_statuses, tracker_for

    agreement = load_or_exit(agreement_path)
    moment = as_of(as_of_text)
    log = open_log(db)
    with log.store:
        try:
            tracker = tracker_for(log.store, agreement, moment)
            changed = record_statuses(log, agreement, moment) if record else []
        except DetailedError as exc:
            fail(exc)
    decisions = [decision_json(d) for d in tracker.decided.values()]
    if fmt == "json":
        emit(
            {
                "agreement": agreement.document.id,
                "as_of": moment.isoformat(),
                "steps": decisions,
                "recorded": len(changed),
            }
        )
        return
    table = Table(
        title=f"Commitments of {agreement.document.id} as of {moment:%Y-%m-%d %H:%M %Z}"
    )
    for column in ("step", "status", "score", "due", "rule"):
        table.add_column(column)
    for d in decisions:
        table.add_row(
            d["step"],
            d["status"].replace("_", " ") + (" (slipped)" if d["slipped"] else ""),
            str(d["score"]),
            (d["due"] or "")[:10],
            d["rule"],
        )
    Console().print(table)
    if record:
        console.print(f"{len(changed)} status changes logged", markup=False)


# ------------------------------------------------------------ report


@click.command("implementation")
@AGREEMENT
@db_option
@AS_OF
@click.option(
    "--edition",
    type=click.Choice(["public", "restricted"]),
    default="public",
    show_default=True,
    help="public: claims without source references or entry ids. restricted: everything.",
)
@output_option
def implementation_report(
    agreement_path: Path, db: str, as_of_text: str | None, edition: str, output: Path
) -> None:
    """Write the weekly implementation report: commitments, pledges, indicators.

    Commitments by party with statuses, PAM scores and their rules, a Gantt
    with today's line and slips, deliveries and disbursements against pledges,
    indicators with sparklines (gaps as breaks), what slipped, what is due in
    the next 30 days, and who said what.

    \b
    Example:
      ceasefire report implementation --agreement examples/alaska-terms.yaml \\
          --db sqlite:///mission.db --as-of 2025-11-10 -o implementation.pdf
    """
    from ceasefire.reports.implementation import build, write
    from ceasefire.reports.render import ReportError

    if output.suffix.lower() not in (".html", ".pdf"):
        raise click.BadParameter(
            f"{output.name!r} must end in .html or .pdf", param_hint="-o/--output"
        )
    agreement = load_or_exit(agreement_path)
    moment = as_of(as_of_text)
    log = open_log(db)
    with log.store, console.status("reading the log…"):
        report = build(log.store, agreement, moment, edition)  # type: ignore[arg-type]
    with console.status(f"writing {output.name}…"):
        try:
            write(report, output)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from None
    console.print(
        f"Implementation report {report.week} ({edition}) → {output}", markup=False
    )


# ------------------------------------------------------------ observations


@click.group("observations")
def observations_group() -> None:
    """Reported indicator values (generators, supplies, schools) from HXL feeds.

    \b
    Example:
      ceasefire observations import generators.csv --agreement examples/alaska-terms.yaml \\
          --indicator generator-capacity --tag '#indicator+generators+mw' --db sqlite:///m.db
    """


@observations_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AGREEMENT
@click.option(
    "--indicator",
    "indicator_id",
    required=True,
    help="The indicator's id in the agreement.",
)
@click.option(
    "--tag",
    required=True,
    help="HXL tag of the value column, e.g. '#indicator+generators+mw'.",
)
@click.option(
    "--series-tag",
    default="#adm1+name",
    show_default=True,
    help="HXL tag naming the sub-series (empty: one series).",
)
@db_option
def observations_import(
    file: Path,
    agreement_path: Path,
    indicator_id: str,
    tag: str,
    series_tag: str,
    db: str,
) -> None:
    """Log an HXL file's values as observations of one indicator.

    Each row: its #date gives the period (the indicator's cadence), the value
    column gives the figure; an empty cell is logged as "no figure" (a gap),
    a cell that is not a number is rejected naming its row.

    \b
    Example:
      ceasefire observations import tests/data/tracker/generators-hxl.csv \\
          --agreement examples/alaska-terms.yaml --indicator generator-capacity \\
          --tag '#indicator+generators+mw' --db sqlite:///m.db
    """
    from ceasefire.io.base import Rejection
    from ceasefire.tracker import observations

    agreement = load_or_exit(agreement_path)
    found = [i for i in agreement.document.indicators if i.id == indicator_id]
    if not found:
        known = ", ".join(i.id for i in agreement.document.indicators)
        fail(
            DetailedError(
                f"no indicator {indicator_id!r} in {agreement_path}",
                value=indicator_id,
                expected=f"one of {known}",
            )
        )
    try:
        rows = list(
            observations.read(
                file, agreement.document.id, found[0], tag, series_tag or None
            )
        )
    except DetailedError as exc:
        fail(exc)
    rejected = [r for r in rows if isinstance(r, Rejection)]
    bodies = [r for r in rows if not isinstance(r, Rejection)]
    log = open_log(db)
    with log.store:
        appended = observations.import_observations(log, bodies)
    console.print(
        f"{file}: {len(rows)} rows, {appended} new observations, {len(rejected)} rejected",
        markup=False,
    )
    for rejection in rejected[:20]:
        console.print(f"  rejected {rejection}", markup=False)
