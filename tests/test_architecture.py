"""The import contract in pyproject.toml holds, and catches an upward import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_import_contract_holds() -> None:
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(
        REPO / "ceasefire",
        tmp_path / "ceasefire",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "data"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    states = tmp_path / "ceasefire" / "model" / "states.py"
    states.write_text(states.read_text() + "\nimport ceasefire.api  # upward\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    assert "Layers import downward only BROKEN" in done.stdout
    assert "ceasefire.model.states -> ceasefire.api" in done.stdout
