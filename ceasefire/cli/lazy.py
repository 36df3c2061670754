"""A click group whose commands are imported only when they run.

``ceasefire --help`` must answer at once; importing every command module
pulls in SciPy, shapely, pyproj and FastAPI (1.8 s before issue 12). The group
knows each command by name, by ``"module:attribute"`` and by its one-line
summary, and imports a command's module the first time it is looked up.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives and what ``--help`` says of it before loading."""

    target: str
    """``"package.module:attribute"`` of the click command."""
    summary: str
    """The first paragraph of the command's help (tests/test_cli_lazy.py checks it)."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def __init__(
        self,
        *args: object,
        lazy: dict[str, LazyCommand] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy: dict[str, LazyCommand] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, loaded or not."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module on first use."""
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(load(self.lazy[cmd_name].target), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """The command list of ``--help``, from the summaries (nothing imported)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(name, self.command_line(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def command_line(self, ctx: click.Context, name: str, limit: int) -> str:
        """A command's line in the list: its summary, cut as click cuts it."""
        if name in self.commands or name not in self.lazy:
            command = super().get_command(ctx, name)
            return "" if command is None else command.get_short_help_str(limit)
        stand_in = click.Command(name, help=self.lazy[name].summary)
        return stand_in.get_short_help_str(limit)


def load(target: str) -> click.Command:
    """The click command at ``"module:attribute"``."""
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command
