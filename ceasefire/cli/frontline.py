"""``ceasefire frontline``: the area each party gained since the agreement's baseline."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click
import orjson

from ceasefire.cli.log import db_option, err, fail
from ceasefire.control.change import NOISE_WIDTH_M, DayChange
from ceasefire.control.output import day_features, day_json, table_row
from ceasefire.control.run import changes, sides
from ceasefire.errors import DetailedError
from ceasefire.store import open_store


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not YYYY-MM-DD", param_hint=option
        ) from None


@click.command(name="frontline")
@click.option(
    "--agreement",
    "agreement_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The agreement: its territory, zones, baseline and which party holds which side.",
)
@db_option
@click.option("--from", "since", help="First day to show (YYYY-MM-DD).")
@click.option("--to", "until", help="Last day to show (YYYY-MM-DD).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "geojson"]), default="table"
)
@click.option(
    "--source",
    default="deepstate",
    show_default=True,
    help="Whose control maps: deepstate, deepstate-archive, nzz or isw.",
)
@click.option(
    "--baseline",
    help="Compare with this day instead of the agreement's control_baseline"
    " (or entry into force).",
)
@click.option(
    "--noise-m",
    type=float,
    default=NOISE_WIDTH_M,
    show_default=True,
    help="Pieces narrower than this (metres) are labelled noise; they stay in the totals.",
)
def frontline_command(
    agreement_path: Path,
    db: str,
    since: str | None,
    until: str | None,
    fmt: str,
    source: str,
    baseline: str | None,
    noise_m: float,
) -> None:
    """Ground gained since the agreement's baseline, per party, day and zone.

    For each observed day, the area each party holds that it did not hold at
    the baseline: the same source's map of that day against its map of the
    baseline day, geodesic km² within the agreement's territory, unsmoothed,
    broken down by the agreement's zones, with the net movement per zone.

    Control maps come from `ceasefire import` of DeepState, NZZ or ISW files.

    \b
    Example:
      ceasefire import --db sqlite:///mission.db deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz
      ceasefire frontline --agreement examples/alaska-terms.yaml --db sqlite:///mission.db --from 2025-10-01
      ceasefire frontline --agreement examples/alaska-terms.yaml --db sqlite:///mission.db --format json
    """
    from ceasefire.agreement.load import load  # noqa: PLC0415 (slow import, only here)

    first, last = _day(since, "--from"), _day(until, "--to")
    base = _day(baseline, "--baseline")
    try:
        agreement = load(agreement_path)
        with open_store(db) as store:
            found = changes(agreement, store, source, first, last, base, noise_m)
            _write(found, fmt, sides(agreement), noise_m)
    except DetailedError as exc:
        fail(exc)


def _write(
    found: Iterator[DayChange], fmt: str, parties: tuple[str, str], noise: float
) -> None:
    out = sys.stdout
    if fmt == "json":
        out.write("[")
        for number, change in enumerate(found):
            out.write(
                ("," if number else "")
                + "\n"
                + orjson.dumps(day_json(change, noise)).decode()
            )
        out.write("\n]\n")
    elif fmt == "geojson":
        out.write('{"type":"FeatureCollection","features":[')
        first = True
        for change in found:
            for feature in day_features(change):
                out.write(
                    ("" if first else ",") + "\n" + orjson.dumps(feature).decode()
                )
                first = False
        out.write("\n]}\n")
    else:
        header = ["date", "baseline", *(f"{p} gained km²" for p in parties)]
        click.echo("\t".join(header))
        shown = 0
        for change in found:
            click.echo("\t".join(table_row(change)))
            shown += 1
        if not shown:
            err.print("no control maps in that range", markup=False)


@click.command(name="territory")
@click.option(
    "--agreement",
    "agreement_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The agreement whose territorial clauses (freeze cap, withdrawal) are judged.",
)
@db_option
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="Override the clauses' control-map sources (repeat); two publishers"
    " meet a 2-source standard.",
)
@click.option(
    "--cap-km2",
    type=float,
    default=None,
    help="Override the freeze clauses' cap: ground a party may gain per sector.",
)
@click.option(
    "--sector",
    "sectors",
    multiple=True,
    help="Override the freeze clauses' sectors (zone ids; repeat).",
)
@click.option(
    "--as-if-in-force",
    "as_if",
    help="Judge the agreement as if it entered into force on this day (YYYY-MM-DD);"
    " deadlines given relative to entry into force move with it.",
)
def territory_command(
    agreement_path: Path,
    db: str,
    sources: tuple[str, ...],
    cap_km2: float | None,
    sectors: tuple[str, ...],
    as_if: str | None,
) -> None:
    """Verdicts of the territorial clauses: withdrawal, pullback and freeze cap.

    One JSON object a line for each clause with a `territory` key (and each
    withdrawal obligation over a zone with regime 'withdrawal'): the party
    holds none of its zone at the deadline (% vacated per day), or no party
    gains more than the cap per sector; with area, place, the days between
    which it changed and the sources showing it. The options override what
    the clauses say.

    \b
    Example:
      ceasefire territory --agreement examples/alaska-terms.yaml --db sqlite:///mission.db
      ceasefire territory --agreement examples/alaska-terms.yaml --db sqlite:///m.db --cap-km2 1
    """
    from dataclasses import asdict  # noqa: PLC0415

    from ceasefire.agreement.load import load  # noqa: PLC0415 (slow import, only here)
    from ceasefire.compliance.territory import judge  # noqa: PLC0415

    in_force_from = _day(as_if, "--as-if-in-force")
    try:
        agreement = load(agreement_path, in_force_from=in_force_from)
        with open_store(db) as store:
            found = judge(
                agreement, store, list(sources) or None, cap_km2, list(sectors) or None
            )
    except DetailedError as exc:
        fail(exc)
        return
    for verdict in found:
        row = asdict(verdict) | {"sources": verdict.sources}
        click.echo(orjson.dumps(row, default=str).decode())
