"""The ``ceasefire`` command: a thin shell over the library."""

from __future__ import annotations

import sys
import zlib
from gzip import BadGzipFile
from typing import Any

import click

from ceasefire import __version__
from ceasefire.cli.agreement import agreement
from ceasefire.cli.compliance import evaluate_command, replay_command
from ceasefire.cli.factfinding import bulletin_group, incidents_group, replies_group
from ceasefire.cli.intake import export_command, import_command, quarantine_group
from ceasefire.cli.log import evidence_group, log_group
from ceasefire.cli.report import report_group
from ceasefire.cli.serve import demo, serve
from ceasefire.cli.snapback import notices_group, notify_group, snapback_group
from ceasefire.cli.tokens import tokens_group


class _Cli(click.Group):
    """The root group: a truncated or corrupt archive is an error message, not 'Aborted!'."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (
            EOFError,
            BadGzipFile,
            zlib.error,
        ) as exc:  # click reads EOFError as Ctrl-D
            named = [
                a for a in sys.argv[1:] if a.endswith((".gz", ".zip", ".bz2", ".xz"))
            ]
            raise click.ClickException(
                f"{', '.join(named) or 'an input file'}: the compressed file is truncated"
                f" or corrupt ({exc}); download it again or check it with gzip -t"
            ) from None


@click.group(
    cls=_Cli,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="ceasefire")
def cli() -> None:
    """Turn a cease-fire agreement into code and monitor it.

    \b
    Examples:
      ceasefire demo
      ceasefire agreement lint examples/alaska-terms.yaml
      ceasefire agreement map examples/minsk-ii.yaml -o minsk.png
    """


cli.add_command(agreement)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(log_group)
cli.add_command(evidence_group)
cli.add_command(import_command)
cli.add_command(quarantine_group)
cli.add_command(export_command)
cli.add_command(report_group)
cli.add_command(evaluate_command)
cli.add_command(replay_command)
cli.add_command(incidents_group)
cli.add_command(replies_group)
cli.add_command(bulletin_group)
cli.add_command(snapback_group)
cli.add_command(notices_group)
cli.add_command(notify_group)
cli.add_command(tokens_group)
