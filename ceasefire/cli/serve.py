"""``ceasefire serve`` and ``ceasefire demo``: the API and web map over a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ceasefire.cli.log import check_store, db_option, fail
from ceasefire.errors import AgreementError, DetailedError

host_option = click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
port_option = click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535)
)


def run_server(app: object, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn until interrupted."""
    import uvicorn

    from ceasefire.api.accesslog import to_stderr

    to_stderr()  # the request log, in the Common Log Format
    uvicorn.run(app, host=host, port=port, log_level="warning")  # type: ignore[arg-type]


def _app(
    db: str,
    agreements: list[Path],
    tokens: dict[str, Any],
    tokens_file: Path | None = None,
) -> object:
    from ceasefire.api import create_app

    try:
        return create_app(db, agreements, tokens, tokens_file=tokens_file)
    except AgreementError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None


@click.command()
@db_option
@click.option(
    "--agreement",
    "agreements",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An agreement YAML file to monitor (repeat for several).",
)
@host_option
@port_option
@click.option(
    "--tokens",
    "tokens_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tokens file written by `ceasefire tokens new ROLE:NAME` (followed while serving).",
)
def serve(
    db: str,
    agreements: tuple[Path, ...],
    host: str,
    port: int,
    tokens_file: Path | None,
) -> None:
    """Serve the HTTP API (and the web map) over a store.

    Without --tokens everyone is the public and sees redacted data only.
    OpenAPI at /openapi.json, interactive docs at /docs.

    \b
    Example:
      ceasefire serve --db sqlite:///mission.db --agreement examples/minsk-ii.yaml \\
          --tokens tokens.json --port 8000
    """
    from ceasefire.api.auth import load_tokens

    tokens: dict[str, Any] = {}
    if tokens_file is not None:
        try:
            tokens = load_tokens(tokens_file)
        except DetailedError as exc:
            fail(exc)
    check_store(db)
    app = _app(db, list(agreements), tokens, tokens_file)
    click.echo(f"serving {db} at http://{host}:{port}/ (Ctrl-C stops)")
    run_server(app, host, port)


@click.command()
@host_option
@port_option
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("out/demo/demo.db"),
    show_default=True,
    help="The demo SQLite file (its folder also keeps the demo tokens and key).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the real data (default: $CEASEFIRE_SHARED_DATA or ../shared/data).",
)
@click.option(
    "--rebuild", is_flag=True, help="Build the database even if it is current."
)
@click.option(
    "--no-serve", is_flag=True, help="Build the database, print logins, exit."
)
def demo(
    host: str,
    port: int,
    db_path: Path,
    data_dir: Path | None,
    rebuild: bool,
    no_serve: bool,
) -> None:
    """Build a demo mission from real data and both example agreements, and serve it.

    Imports UCDP GED, CIR and Bellingcat events, the Air Force's nightly
    launch reports and DeepState/NZZ control maps from ../shared/data (or the
    small committed slice in tests/data when that is absent), evaluates the
    agreements in examples/ (Alaska terms as if in force from 1 Sep 2025),
    replays the Alaska penalty rules (provisional and established states,
    notices), then serves the web map and API and prints a login token per
    role. A second run reuses the database if its inputs
    are unchanged. The agreements alone: `ceasefire agreement show|lint|map`.

    \b
    Example:
      ceasefire demo --port 8000
    """
    from ceasefire.demo import build_demo, demo_inputs

    console = Console(soft_wrap=True)  # tokens and URLs are copied: never wrapped
    inputs = demo_inputs(data_dir)
    if not db_path.exists():
        console.print(f"creating {db_path.parent / 'demo.db'} (a new store)")
    if inputs.fallback:
        console.print(
            "[yellow]note:[/yellow] no real data found (../shared/data or"
            " $CEASEFIRE_SHARED_DATA); using the small committed slice in tests/data"
        )
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def step(what: str, done: int, total: int | None) -> None:
            if what not in tasks:
                tasks[what] = progress.add_task(what, total=total)
            progress.update(tasks[what], completed=done, total=total)

        built = build_demo(db_path.parent, inputs, step, rebuild=rebuild)
    if db_path.name != "demo.db":
        console.print(f"[dim](the database is kept as {built.path})[/dim]")
    state = "reused" if built.reused else "built"
    console.print(f"demo database {state}: {built.path}")
    for name, count in built.counts.items():
        console.print(f"  {name}: {count:,}")
    url = f"http://{host}:{port}/"
    console.print(f"\n[bold]ceasefire is at {url}[/bold]  (API: {url}docs)")
    console.print("Demo logins (Authorization: Bearer <token>; the map asks for one):")
    for token, role in built.tokens.items():
        console.print(f"  {role:<12} {token}", highlight=False)
    console.print(
        "  public       (no token: redacted data)\n"
        f'Try: curl -H "Authorization: Bearer {next(iter(built.tokens))}" {url}api/me'
    )
    if no_serve:
        return
    agreements = inputs.agreements
    run_server(_app(built.url, agreements, built.tokens), host, port)
