"""The import contract in pyproject.toml holds, and catches an upward import."""

from __future__ import annotations

import os
import re
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


# Modules that still parse log payloads themselves (issue 12): none remain;
# a body is read through ceasefire.model.entries (raw_body, payload_body,
# envelope_of for the hot paths; body_of / parse_entry for typed bodies).
PAYLOAD_PARSING_DEBT: dict[str, int] = {}


PAYLOAD_PARSE = re.compile(r"orjson\.loads\(\w*(?:\[0\])?\.?payload\)")
"""``orjson.loads(row.payload)`` and its spellings: a log body parsed by hand."""


def test_log_payloads_are_parsed_only_by_the_entries_module() -> None:
    found = {}
    for path in sorted((REPO / "ceasefire").rglob("*.py")):
        name = path.relative_to(REPO).as_posix()
        count = len(PAYLOAD_PARSE.findall(path.read_text(encoding="utf-8")))
        if count and name != "ceasefire/model/entries.py":
            found[name] = count
    grown = {n: c for n, c in found.items() if c > PAYLOAD_PARSING_DEBT.get(n, 0)}
    assert not grown, f"parse bodies with ceasefire.model.entries instead: {grown}"
