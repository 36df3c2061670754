"""The command line as a user runs it: a real subprocess of the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
LINE_RED = (0xC0, 0x39, 0x2B)  # the first line colour of render_map.LINE_COLOURS


def ceasefire(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ceasefire", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)


def count_colour(image: Image.Image, rgb: tuple[int, int, int], slack: int = 12) -> int:
    return int((np.abs(pixels(image) - np.array(rgb)) <= slack).all(axis=1).sum())


def test_console_script_is_installed() -> None:
    assert shutil.which("ceasefire", path=str(Path(sys.executable).parent)), (
        "the ceasefire console script is not installed next to this Python"
    )


@pytest.mark.parametrize("name", ["minsk-ii.yaml", "alaska-terms.yaml"])
def test_map_png_is_a_readable_map(name: str, tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    done = ceasefire("agreement", "map", str(EXAMPLES / name), "-o", str(out))
    assert done.returncode == 0, done.stderr
    image = Image.open(out)
    assert image.format == "PNG"
    assert min(image.width, image.height) >= 800  # legible at full size

    # The line of contact is drawn, prominently, in the first line colour.
    assert count_colour(image, LINE_RED) > 2000
    # Zones, oblasts, legend and text: a map, not a blank canvas.
    assert len(np.unique(pixels(image), axis=0)) > 200


def test_map_html_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    done = ceasefire(
        "agreement", "map", str(EXAMPLES / "minsk-ii.yaml"), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html.replace(
        "https://json-schema", ""
    )  # nothing fetched from a network: works offline
    assert "line_of_contact" in html


def test_map_rejects_an_unknown_output_format(tmp_path: Path) -> None:
    done = ceasefire(
        "agreement",
        "map",
        str(EXAMPLES / "minsk-ii.yaml"),
        "-o",
        str(tmp_path / "m.jpg"),
    )
    assert done.returncode == 2
    assert "'.jpg'" in done.stderr and ".png" in done.stderr


def test_show_summarises_parties_clauses_and_commitments() -> None:
    done = ceasefire("agreement", "show", str(EXAMPLES / "alaska-terms.yaml"))
    assert done.returncode == 0, done.stderr
    for expected in (
        "civilian-strikes",
        "no-foreign-troops",
        "air-defence-delivery",
        "civilian-strike-snapback",
        "Joint Monitoring Mission",
    ):
        assert expected in done.stdout


def test_show_json_lists_every_clause() -> None:
    done = ceasefire(
        "agreement", "show", str(EXAMPLES / "minsk-ii.yaml"), "--format", "json"
    )
    data = json.loads(done.stdout)
    assert [c["id"] for c in data["clauses"]][:2] == ["ceasefire", "artillery-100mm"]
    assert data["entry_into_force"] == "2015-02-15T00:00:00+02:00"


def test_validate_reports_each_file() -> None:
    done = ceasefire(
        "agreement", "validate", *[str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": ok") == 2


def test_broken_agreement_exits_non_zero_with_position_and_suggestion(
    tmp_path: Path,
) -> None:
    text = (EXAMPLES / "minsk-ii.yaml").read_text()
    broken = text.replace(
        "distance_km(line_of_contact) < 35", "distance_km(line_of_contakt) < 35"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    (tmp_path / "geometry").symlink_to(EXAMPLES / "geometry")
    index = broken.index("line_of_contakt")
    line = broken.count("\n", 0, index) + 1
    column = index - broken.rfind("\n", 0, index)
    done = ceasefire("agreement", "validate", str(path))
    assert done.returncode == 1
    assert f"broken.yaml:{line}:{column}:" in done.stderr
    assert "did you mean 'line_of_contact'?" in done.stderr


def test_dump_round_trips_through_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "minsk-ii.yaml"
    done = ceasefire(
        "agreement", "dump", str(EXAMPLES / "minsk-ii.yaml"), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / "geometry").symlink_to(EXAMPLES / "geometry")
    assert ceasefire("agreement", "validate", str(out)).returncode == 0


def test_every_command_has_help_with_an_example() -> None:
    from ceasefire.cli import cli
    from ceasefire.docgen import _commands

    for path, command in _commands(cli, "ceasefire"):
        if command.name == "agreement":
            continue  # a group: its commands carry the examples
        done = ceasefire(*path.split()[1:], "--help")
        assert done.returncode == 0
        assert "Example" in done.stdout, f"{path} --help has no example"


def test_demo_builds_a_mission_and_prints_a_login_per_role(tmp_path: Path) -> None:
    # no real data in this folder: the demo falls back to the committed slice
    expected = {
        json.loads(line)["id"]
        for path in (REPO / "tests" / "data" / "reports").glob("*.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    }
    db = tmp_path / "mission" / "demo.db"
    args = ("demo", "--db", str(db), "--data", str(tmp_path / "none"), "--no-serve")
    done = ceasefire(*args)
    assert done.returncode == 0, done.stderr
    assert "committed slice" in done.stdout
    assert "demo database built" in done.stdout
    assert "http://127.0.0.1:8000/" in done.stdout
    tokens = json.loads((db.parent / "tokens.json").read_text())
    assert sorted(tokens.values()) == sorted(
        ["monitor", "analyst", "guarantor", "party:ua", "party:ru", "party:cadlr"]
    )
    for token, role in tokens.items():
        assert f"{role}" in done.stdout and token in done.stdout
    from ceasefire.store import open_store
    from ceasefire.store.base import ReportQuery

    with open_store(f"sqlite:///{db}") as store:
        logged = {r["id"] for r in store.reports(ReportQuery(limit=10_000))}
        assert logged == expected
        assert store.latest_head() is not None  # the demo signs its log
    again = ceasefire(*args)
    assert again.returncode == 0, again.stderr
    assert "demo database reused" in again.stdout
    assert json.loads((db.parent / "tokens.json").read_text()) == tokens
