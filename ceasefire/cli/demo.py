"""``ceasefire demo``: the main job until the web map lands (issue 8)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from ceasefire.agreement.lint import lint_agreement
from ceasefire.agreement.show import print_summary
from ceasefire.cli.agreement import load_or_exit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@click.command()
@click.option(
    "--examples",
    "examples_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=EXAMPLES,
    show_default="the repository's examples/",  # not a machine-specific path
    help="Folder of agreement YAML files.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Where to write the maps.",
)
def demo(examples_dir: Path, out_dir: Path) -> None:
    """Load, lint, summarise and map the bundled example agreements.

    Writes a PNG and an HTML map per agreement and prints where they are.

    \b
    Example:
      ceasefire demo --out /tmp/ceasefire-demo
    """
    from ceasefire.agreement.render_map import render  # matplotlib: 0.5 s to import

    files = sorted(examples_dir.glob("*.yaml"))

    if not files:
        raise click.ClickException(f"no agreement files (*.yaml) in {examples_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    console = Console()
    written: list[Path] = []
    for path in files:
        with console.status(f"loading {path.name}…"):
            agreement = load_or_exit(path)
            findings = lint_agreement(agreement)
        print_summary(agreement, console)
        counts = {
            s: sum(f.severity == s for f in findings)
            for s in ("error", "warning", "info")
        }
        console.print(
            f"lint: {counts['error']} errors, {counts['warning']} warnings,"
            f" {counts['info']} info — run `ceasefire agreement lint {path}` for details\n"
        )
        with console.status(f"drawing {path.stem}…"):
            for suffix in (".png", ".html"):
                written.append(render(agreement, out_dir / f"{path.stem}{suffix}"))
    console.print("[bold]Maps:[/bold]")
    for target in written:
        console.print(f"  {target.resolve().as_uri()}")
