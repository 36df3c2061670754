"""``ceasefire --help`` answers without importing the heavy libraries (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import ceasefire
from ceasefire.cli import COMMANDS, VERSION, cli

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "scipy", "shapely", "pyproj", "fastapi", "pydantic", "matplotlib")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_lazy_command_loads_and_its_summary_is_its_help(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    assert (command.help or "").split("\n\n")[0].strip() == COMMANDS[name].summary


def test_the_version_is_the_package_version() -> None:
    assert VERSION == ceasefire.__version__


def test_help_imports_no_heavy_library() -> None:
    script = (
        "import sys\n"
        "from ceasefire.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout and "snapback" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
