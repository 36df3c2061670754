"""``ceasefire agreement …``: validate, lint, show, map, dump and the schema."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from ceasefire.agreement.dump import dumps, json_schema_text
from ceasefire.agreement.lint import has_errors, lint_agreement
from ceasefire.agreement.load import Agreement, load_with_problems
from ceasefire.errors import Problem

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
agreement_file = click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)


def print_problems(problems: list[Problem], console: Console) -> None:
    """One line per problem, coloured by severity, then a count."""
    for problem in problems:
        console.print(
            str(problem),
            style=STYLE[problem.severity],
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    counts = {s: sum(p.severity == s for p in problems) for s in STYLE}
    summary = ", ".join(
        f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items()
    )
    console.print(summary, style="bold" if counts["error"] else None, highlight=False)


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of stdout.",
)


def write_or_print(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to stdout when none is given."""
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def load_or_exit(path: Path) -> Agreement:
    """Load an agreement, or print its problems on stderr and exit 1."""
    agreement, problems = load_with_problems(path)
    if agreement is None:
        print_problems(problems, Console(stderr=True))
        raise SystemExit(1)
    return agreement


@click.group()
def agreement() -> None:
    """Check, lint, show and map agreement documents (format 1.0)."""


@agreement.command()
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
def validate(files: tuple[Path, ...]) -> None:
    """Load and check agreements; exit 1 if any is invalid.

    Checks the format, every reference, the timeline, the geometry and the
    predicates, and reports each problem as file:line:column.

    \b
    Example:
      ceasefire agreement validate examples/*.yaml
    """
    console = Console(stderr=True)
    failed = False
    for path in files:
        started = time.perf_counter()
        loaded, problems = load_with_problems(path)
        elapsed = (time.perf_counter() - started) * 1000
        if loaded is None:
            failed = True
            print_problems(problems, console)
            continue
        doc = loaded.document
        click.echo(
            f"{path}: ok — {len(doc.clauses)} clauses, {len(doc.geometries)} geometries,"
            f" {len(doc.commitments)} commitments, {len(doc.penalty_rules)} penalty rules"
            f" ({elapsed:.0f} ms)"
        )
    sys.exit(1 if failed else 0)


@agreement.command()
@agreement_file
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def lint(file: Path, fmt: str) -> None:
    """Find where a valid agreement will still fail in practice.

    Undefined or open terms, prohibitions nobody verifies or no penalty
    backs, commitments without deadline or evidence, contradicting zones,
    geometry outside the territory, penalty rules nothing can trigger.
    Exit status 1 only when there are errors. Codes: docs/lint-codes.md.

    \b
    Examples:
      ceasefire agreement lint examples/alaska-terms.yaml
      ceasefire agreement lint examples/minsk-ii.yaml --format json | jq '.[].code'
    """
    loaded, problems = load_with_problems(file)
    findings = problems if loaded is None else lint_agreement(loaded)
    if fmt == "json":
        click.echo(
            json.dumps([f.to_json() for f in findings], indent=2, ensure_ascii=False)
        )
    else:
        print_problems(findings, Console())
    sys.exit(1 if has_errors(findings) else 0)


@agreement.command()
@agreement_file
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def show(file: Path, fmt: str) -> None:
    """Summarise parties, geometry, clauses, commitments, penalties, indicators.

    \b
    Example:
      ceasefire agreement show examples/minsk-ii.yaml
    """
    from ceasefire.agreement.show import print_summary, summary_data

    loaded = load_or_exit(file)
    if fmt == "json":
        click.echo(json.dumps(summary_data(loaded), indent=2, ensure_ascii=False))
    else:
        print_summary(loaded)


@agreement.command(name="map")
@agreement_file
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the map: .png, .svg or .html (self-contained).",
)
def map_command(file: Path, output: Path) -> None:
    """Draw the agreement's lines, zones, corridors and sites over oblasts.

    Drawn offline from bundled boundaries (no tile server), with legend and
    scale bar, in a local projection so that distances are true.

    \b
    Examples:
      ceasefire agreement map examples/alaska-terms.yaml -o map.png
      ceasefire agreement map examples/minsk-ii.yaml -o minsk.html
    """
    from ceasefire.agreement.render_map import render

    if output.suffix.lower() not in (".png", ".svg", ".html"):
        raise click.BadParameter(
            f"{output.name!r} has suffix {output.suffix!r}; expected .png, .svg or .html",
            param_hint="--output",
        )
    render(load_or_exit(file), output)
    click.echo(f"wrote {output}")


@agreement.command()
@agreement_file
@output_option
def dump(file: Path, output: Path | None) -> None:
    """Write the agreement back as normalised YAML (defaults left out).

    Loading the output gives an equal document.

    \b
    Example:
      ceasefire agreement dump examples/minsk-ii.yaml -o minsk-normalised.yaml
    """
    write_or_print(dumps(load_or_exit(file).document), output)


@agreement.command()
@output_option
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the agreement format, for editors and other tools.

    \b
    Example:
      ceasefire agreement schema -o agreement.schema.json
    """
    write_or_print(json_schema_text(), output)
