"""``./dev demo`` installs what running needs, ``./dev test`` the dev tools too.

``./dev`` runs against a stand-in Python (PYTHON=…): a script that records
every call, makes the venv's files and answers the version check. What pip
was asked to install is then read from the record. No network, no real venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAKE_PYTHON = """#!/usr/bin/env bash
# a stand-in Python for ./dev: record the call, play the part
echo "python $*" >> "$CALLS"
case "$1 $2" in
  "-m venv")
    mkdir -p "$3/bin"
    cp "$0" "$3/bin/python"
    printf '#!/usr/bin/env bash\\necho "ceasefire $*" >> "$CALLS"\\n' > "$3/bin/ceasefire"
    chmod +x "$3/bin/ceasefire" ;;
esac
exit 0
"""


def dev(tmp_path: Path, *args: str) -> list[str]:
    tree = tmp_path / "tree"
    if not tree.exists():
        tree.mkdir()
        shutil.copy(REPO / "dev", tree / "dev")
        shutil.copy(REPO / "pyproject.toml", tree / "pyproject.toml")
        python = tmp_path / "python"
        python.write_text(FAKE_PYTHON)
        python.chmod(0o755)
    calls = tmp_path / "calls.log"
    calls.write_text("")
    env = {**os.environ, "PYTHON": str(tmp_path / "python"), "CALLS": str(calls)}
    result = subprocess.run(
        ["bash", str(tree / "dev"), *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return calls.read_text().splitlines()


def test_demo_installs_only_the_runtime_dependencies(tmp_path: Path) -> None:
    calls = dev(tmp_path, "demo", "--port", "8123")
    installs = [c for c in calls if "pip install" in c and "--upgrade pip" not in c]
    assert installs == ["python -m pip install -e ."]
    assert calls[-1] == "ceasefire demo --port 8123"


def test_setup_installs_the_dev_tools_and_demo_then_installs_nothing(
    tmp_path: Path,
) -> None:
    calls = dev(tmp_path, "setup")
    assert "python -m pip install -e .[dev]" in calls
    # a dev install holds everything running needs: no second install
    calls = dev(tmp_path, "demo")
    assert [c for c in calls if "pip" in c] == []
    assert calls == ["ceasefire demo"]


def test_pyproject_keeps_the_dev_toolchain_out_of_the_runtime() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"]).lower()
    for tool in ("pytest", "playwright", "duckdb", "geopandas", "mypy", "ruff"):
        assert tool not in runtime, f"{tool} is a dev tool, not a runtime dependency"
