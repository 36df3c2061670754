"""The ``ceasefire`` command: a thin shell over the library."""

from __future__ import annotations

import click

from ceasefire import __version__
from ceasefire.cli.agreement import agreement
from ceasefire.cli.compliance import evaluate_command, replay_command
from ceasefire.cli.factfinding import bulletin_group, incidents_group, replies_group
from ceasefire.cli.frontline import frontline_command, territory_command
from ceasefire.cli.intake import export_command, import_command, quarantine_group
from ceasefire.cli.log import evidence_group, log_group
from ceasefire.cli.report import report_group
from ceasefire.cli.serve import demo, serve
from ceasefire.cli.snapback import notices_group, notify_group, snapback_group


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
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
cli.add_command(frontline_command)
cli.add_command(territory_command)
