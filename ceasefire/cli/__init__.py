"""The ``ceasefire`` command: a thin shell over the library.

Commands are imported when used (``ceasefire.cli.lazy``), so ``--help``
answers at once. To add a command: one line in ``COMMANDS`` naming its
``module:attribute`` and the first paragraph of its help, then
``python -m ceasefire.docgen``.
"""

from __future__ import annotations

import sys
import zlib
from gzip import BadGzipFile
from typing import Any

import click

from ceasefire.cli.lazy import LazyCommand, LazyGroup

VERSION = "0.1.0"
"""Kept equal to ``ceasefire.__version__`` (tests/test_cli_lazy.py) without importing it."""

COMMANDS: dict[str, LazyCommand] = {
    "agreement": LazyCommand(
        "ceasefire.cli.agreement:agreement",
        "Check, lint, show and map agreement documents (format 1.0).",
    ),
    "demo": LazyCommand(
        "ceasefire.cli.serve:demo",
        "Build a demo mission from real data and both example agreements, and serve it.",
    ),
    "serve": LazyCommand(
        "ceasefire.cli.serve:serve",
        "Serve the HTTP API (and the web map) over a store.",
    ),
    "log": LazyCommand(
        "ceasefire.cli.log_tlog:log_group",  # with checkpoint, tiles, vkey, witness
        "Append to, sign, prove and verify the incident log.",
    ),
    "evidence": LazyCommand(
        "ceasefire.cli.log:evidence_group",
        "Attach evidence to reports by content hash, and check it.",
    ),
    "import": LazyCommand(
        "ceasefire.cli.intake:import_command",
        "Import event files into the log (format detected from the header).",
    ),
    "quarantine": LazyCommand(
        "ceasefire.cli.intake:quarantine_group",
        "Rows that imports refused, kept with their reasons.",
    ),
    "export": LazyCommand(
        "ceasefire.cli.intake:export_command",
        "Export the current reports (corrections applied).",
    ),
    "report": LazyCommand(
        "ceasefire.cli.report:report_group",
        "Write the mission's reports from the log.",
    ),
    "evaluate": LazyCommand(
        "ceasefire.cli.compliance:evaluate_command",
        "Judge every incident in the log against an agreement's clauses.",
    ),
    "replay": LazyCommand(
        "ceasefire.cli.compliance:replay_command",
        "Replay an agreement against a war's recorded events.",
    ),
    "incidents": LazyCommand(
        "ceasefire.cli.factfinding:incidents_group",
        "Cluster reports into incidents; list, merge, split, assign and decide them.",
    ),
    "replies": LazyCommand(
        "ceasefire.cli.factfinding:replies_group",
        "A party's right of reply to an incident under review.",
    ),
    "bulletin": LazyCommand(
        "ceasefire.cli.factfinding:bulletin_group",
        "Versioned bulletins of a day's incidents and their quality.",
    ),
    "snapback": LazyCommand(
        "ceasefire.cli.snapback:snapback_group",
        "Pre-agreed penalties: where each rule stands for each party.",
    ),
    "notices": LazyCommand(
        "ceasefire.cli.snapback:notices_group",
        "Hotline notices: list them, acknowledge or reply as the party addressed.",
    ),
    "notify": LazyCommand(
        "ceasefire.cli.snapback:notify_group",
        "Deliver hotline notices: signed webhooks and e-mail, with retries.",
    ),
    "sweep": LazyCommand(
        "ceasefire.cli.scale:sweep_command",
        "Evaluate many agreement variants over one dataset in a single scan.",
    ),
    "deliveries": LazyCommand(
        "ceasefire.cli.tracker:deliveries_group",
        "The deliveries and disbursements ledger (Kiel tracker, IATI, plain CSV).",
    ),
    "indicators": LazyCommand(
        "ceasefire.cli.tracker:indicators_command",
        "Compute the agreement's indicators from the log, period by period.",
    ),
    "commitments": LazyCommand(
        "ceasefire.cli.tracker:commitments_group",
        "Commitment lifecycle: evidence in, statuses and PAM scores out.",
    ),
    "observations": LazyCommand(
        "ceasefire.cli.tracker:observations_group",
        "Reported indicator values (generators, supplies, schools) from HXL feeds.",
    ),
    "frontline": LazyCommand(
        "ceasefire.cli.frontline:frontline_command",
        "Ground gained since the agreement's baseline, per party, day and zone.",
    ),
    "territory": LazyCommand(
        "ceasefire.cli.frontline:territory_command",
        "Verdicts of the territorial clauses: withdrawal, pullback and freeze cap.",
    ),
    "tokens": LazyCommand(
        "ceasefire.cli.tokens:tokens_group",
        "Bearer tokens of the API: one per person or system, with a role.",
    ),
}
"""Every command: name → where it lives and its summary for ``--help``."""


class _Cli(LazyGroup):
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
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(VERSION, prog_name="ceasefire")
def cli() -> None:
    """Turn a cease-fire agreement into code and monitor it.

    \b
    Examples:
      ceasefire demo
      ceasefire agreement lint examples/alaska-terms.yaml
      ceasefire agreement map examples/minsk-ii.yaml -o minsk.png
    """
