"""Every command of README.md runs as written, in an empty folder, in the README's order.

The fenced ``sh`` blocks are read from README.md itself, so a command added
there is run here. The folder holds what the commands name: ``examples/`` and
``tests/data/`` (linked from the repository) and ``../shared/data`` (linked
from the real data). ``ceasefire`` is this checkout's CLI. ``serve`` runs until
stopped, so it is started on a free port (``--port`` is the one addition),
asked ``/api/me`` with the token ``tokens new`` printed, and stopped.

The Quickstart's two ``./dev`` commands are checked by lighter equivalents,
for stated reasons (see QUICKSTART).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, shared_data

from ceasefire.web.testing import free_port

README = REPO / "README.md"

QUICKSTART = {
    "./dev demo": "installs into .venv (tests/test_wheel_dev.py checks it installs"
    " the runtime only), then runs `ceasefire demo`: run here with --no-serve,"
    " the serving part is `serve` below",
    "./dev test": "is the test suite this test belongs to: run inside itself it"
    " would recurse; its parts (ruff, mypy, lint-imports, pytest) are checked to"
    " be what it runs",
}


def commands() -> list[list[str]]:
    """The commands of each fenced sh block, continuation lines joined, comments cut."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        lines = block.replace("\\\n", " ").splitlines()
        cut = [re.sub(r"\s+#.*$", "", line).strip() for line in lines]
        found.append([line for line in cut if line and not line.startswith("#")])
    return found


def test_the_readme_has_the_blocks_this_test_knows() -> None:
    quickstart, *rest = commands()
    assert quickstart == list(QUICKSTART)
    assert rest and all(c.startswith("ceasefire ") for b in rest for c in b)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty working folder with examples/, tests/data and ../shared/data."""
    data = shared_data("ucdp-ged-ukraine-2014-2022")
    work = tmp_path / "work"
    (work / "tests").mkdir(parents=True)
    (work / "examples").symlink_to(REPO / "examples")
    (work / "tests" / "data").symlink_to(REPO / "tests" / "data")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(data.parent)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cli = bin_dir / "ceasefire"
    cli.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ceasefire "$@"\n')
    cli.chmod(0o755)
    return work


def environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{folder.parent / 'bin'}:{env['PATH']}"
    env["PYTHONPATH"] = str(REPO)  # this checkout's ceasefire, from any folder
    env.pop("CEASEFIRE_DB", None)
    return env


def run(command: str, folder: Path) -> str:
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=environment(folder),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.shared_data
def test_every_readme_command_runs_as_written(folder: Path) -> None:
    token = None
    ran = []
    for block in commands()[1:]:
        for command in block:
            if command.startswith("ceasefire serve "):
                assert token, "the README serves before it makes a token"
                check_serve(command, folder, token)
            else:
                output = run(command, folder)
                if command.startswith("ceasefire tokens new "):
                    token = output.strip().splitlines()[0].strip()
            ran.append(command.split()[1])
    # what the commands left behind, as the README says
    for name in ("map.png", "head.json", "proof.json", "entry.json", "tokens.json",
                 "verdicts.jsonl", "daily.pdf"):  # fmt: skip
        assert (folder / name).stat().st_size > 0, name
    assert (folder / "daily.pdf").read_bytes().startswith(b"%PDF")
    assert {
        "agreement",
        "log",
        "import",
        "evaluate",
        "tokens",
        "serve",
        "report",
    } <= set(ran)


def check_serve(command: str, folder: Path, token: str) -> None:
    """Start ``command`` on a free port, ask who the token is, stop it."""
    port = free_port()
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            ["bash", "-c", f"exec {command} --port {port}"],
            cwd=folder,
            env=environment(folder),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            me = get(f"http://127.0.0.1:{port}/api/me", token, server, log_path)
            assert '"role":"monitor"' in me.replace(" ", ""), me
        finally:
            server.terminate()
            server.wait(timeout=20)


def get(url: str, token: str, server: subprocess.Popen[bytes], log: Path) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return str(response.read().decode("utf-8"))
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"no answer from {url}: {log.read_text()}"
                ) from None
            time.sleep(0.3)


def test_quickstart_demo_by_its_lighter_equivalent(tmp_path: Path) -> None:
    # ./dev demo = install (tests/test_wheel_dev.py) + `ceasefire demo`; the
    # committed slice (no shared data here) keeps it quick
    env = environment(tmp_path) | {"CEASEFIRE_SHARED_DATA": str(tmp_path / "none")}
    (tmp_path.parent / "bin").mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "ceasefire", "demo", "--no-serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo database built" in result.stdout
    assert (tmp_path / "out" / "demo" / "demo.db").exists()  # where the README says


def test_quickstart_test_runs_what_the_readme_says() -> None:
    script = (REPO / "dev").read_text()
    body = script.split("run_tests() {", 1)[1].split("\n}\n", 1)[0]
    for tool in ("ruff", "mypy", "lint-imports", "pytest"):
        assert tool in body, tool
    assert 'test) setup; run_tests "$@" ;;' in script


DEVELOPER_DOCS = {
    "architecture.md": "the code's layers and known debt, for contributors",
    "performance.md": "the benchmark record, kept under one heading per issue",
}
"""Docs for contributors, where a tracker number says where work was planned."""
ISSUE_NUMBER = re.compile(r"\b[Ii]ssues? #?\d+|\(#\d+\)")


def test_user_docs_name_no_internal_issue_numbers() -> None:
    # a user reads what a feature does, not where it was planned ("until issue 6")
    docs = [README, *sorted((REPO / "docs").glob("*.md"))]
    found = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in docs
        if path.name not in DEVELOPER_DOCS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ISSUE_NUMBER.search(line)
    ]
    assert found == []


def test_the_issue_number_check_sees_them() -> None:
    for text in ("until issue 6 lands", "(issue 11, item 1)", "Issue 18", "issues 6"):
        assert ISSUE_NUMBER.search(text), text
    assert not ISSUE_NUMBER.search("tests/test_issue_11_intake.py and 11 issues")
