"""``ceasefire report``: documents a mission publishes (issue 8)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.console import Console

from ceasefire.cli.agreement import load_or_exit
from ceasefire.cli.log import check_store, db_option, output_option
from ceasefire.store import StoreError, open_store


@click.group("report")
def report_group() -> None:
    """Write the mission's reports from the log.

    \b
    Example:
      ceasefire report daily --date 2015-01-20 --db sqlite:///mission.db \\
          --agreement examples/minsk-ii.yaml -o daily.pdf
    """


@report_group.command("daily")
@click.option(
    "--date",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The reporting day (UTC), e.g. 2015-02-15.",
)
@db_option
@click.option(
    "--agreement",
    "agreement_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The agreement the day is assessed against (YAML).",
)
@click.option(
    "--edition",
    type=click.Choice(["public", "restricted"]),
    default="public",
    show_default=True,
    help="public: no source identities, places coarsened to raion and 0.1°."
    " restricted: exact places, sources and accounts.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "uk", "ru"]),
    default="en",
    show_default=True,
    help="The report's language: English, Ukrainian or Russian (the OSCE SMM's"
    " three); agreement titles and labels come from its translations block.",
)
@output_option
def daily(
    day: datetime, db: str, agreement_path: Path, edition: str, lang: str, output: Path
) -> None:
    """Write the daily report for one day, in the style of the OSCE SMM's.

    Counts by region against the previous day, breaches with their reasons
    (from stored verdicts), restrictions of the monitors' movement, heavy
    weapons inside withdrawal zones, a map and charts.

    \b
    Example:
      ceasefire report daily --date 2015-02-20 --db sqlite:///mission.db \\
          --agreement examples/minsk-ii.yaml --lang uk -o daily-2015-02-20.pdf
    """
    from ceasefire.reports.daily import build_daily  # matplotlib, WeasyPrint: slow
    from ceasefire.reports.render import ReportError, write

    if output.suffix.lower() not in (".html", ".pdf"):
        raise click.BadParameter(
            f"{output.name!r} must end in .html or .pdf", param_hint="-o/--output"
        )
    console = Console(stderr=True)
    agreement = load_or_exit(agreement_path)
    check_store(db)
    try:
        store = open_store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    with store, console.status(f"reading {day:%Y-%m-%d} from {db}…"):
        report = build_daily(store, agreement, day.date(), edition, lang)  # type: ignore[arg-type]
    with console.status(f"drawing and writing {output.name}…"):
        try:
            write(report, agreement, output)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from None
    console.print(
        f"Daily Report {report.number} ({edition}): {report.total} reports,"
        f" {len(report.breaches)} reported breaches, {report.established}"
        f" established → {output}"
    )


def _register_implementation() -> None:
    # the implementation report lives with the tracker's commands
    from ceasefire.cli.tracker import implementation_report

    report_group.add_command(implementation_report)


_register_implementation()
