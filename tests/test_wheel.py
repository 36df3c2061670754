"""ceasefire as a user installs it: a built wheel, a fresh virtual environment, no source tree.

The wheel is built with pip (PEP 517, build isolation: the setuptools of
pyproject.toml's [build-system]) and installed with ``--no-deps`` into a new
venv in a temporary folder. Its dependencies are borrowed from the test's own
environment by a ``.pth`` line appended *after* the venv's site-packages (the
network may be slow or absent, and they are the same pinned packages), so the
``ceasefire`` package that runs is the wheel's. Every command runs from a
temporary folder with no PYTHONPATH: nothing may be found beside the source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceasefire.web.testing import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache")
"""What a wheel is never built from (the copy leaves them out)."""


def sh(*args: str | Path, cwd: Path, timeout: float = 300) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CEASEFIRE_SHARED_DATA"] = str(cwd / "no-shared-data")  # the bundled slice
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    # build from a private copy: setuptools writes build/ into the source tree,
    # and another xdist worker (or a developer) may be building there too
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    try:
        sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source,
           cwd=tmp)  # fmt: skip
    except AssertionError as exc:
        if "Could not find a version" in str(exc) or "NewConnectionError" in str(exc):
            pytest.skip(f"no index to fetch the build backend from: {exc}")
        raise
    wheel = next(dist.glob("ceasefire-*.whl"))
    env = tmp / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", env, cwd=tmp)
    python = env / "bin" / "python"
    sh(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
       "-q", wheel, cwd=tmp)  # fmt: skip
    site = sh(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
              cwd=tmp).strip()  # fmt: skip
    (Path(site) / "zz_borrowed_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )
    yield env


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working folder with no source tree above it."""
    folder = tmp_path / "somewhere"
    folder.mkdir()
    return folder


def test_the_installed_package_is_the_wheels(venv: Path, outside: Path) -> None:
    found = sh(venv / "bin/python", "-c", "import ceasefire; print(ceasefire.__file__)",
               cwd=outside)  # fmt: skip
    assert found.strip().startswith(str(venv)), found
    assert "Usage: ceasefire" in sh(venv / "bin/ceasefire", "--help", cwd=outside)


def test_package_data_is_in_the_wheel(venv: Path, outside: Path) -> None:
    code = (
        "from importlib import resources as r; "
        "print(r.files('ceasefire.web').joinpath('static/i18n/ru.json').is_file(),"
        " r.files('ceasefire.web').joinpath('static/vendor/leaflet/leaflet.js').is_file(),"
        " r.files('ceasefire.reports').joinpath('i18n/uk.json').is_file(),"
        " r.files('ceasefire.data.boundaries').joinpath('adm1-names.json').is_file(),"
        " r.files('ceasefire.schema').joinpath('agreement/1.0.json').is_file())"
    )
    assert sh(venv / "bin/python", "-c", code, cwd=outside).split() == ["True"] * 5
    share = venv / "share" / "ceasefire"
    assert (share / "examples/minsk-ii.yaml").is_file()
    assert (share / "examples/geometry/ordlo-2022-04-03.geojson").is_file()
    assert (share / "reports/ucdp-ged-2015.jsonl").is_file()


def test_demo_runs_from_the_wheel_and_serves(venv: Path, outside: Path) -> None:
    out = sh(venv / "bin/ceasefire", "demo", "--no-serve", "--db", "out/demo.db",
             cwd=outside)  # fmt: skip
    # the bundled slice (tests/data/reports): 120 UCDP GED events and 3 patrols
    ucdp = (REPO / "tests/data/reports/ucdp-ged-2015.jsonl").read_text().splitlines()
    assert f"ucdp-ged-2015.jsonl: {len(ucdp)}" in out
    assert "patrols-2015-03-05.jsonl: 3" in out
    assert "verdicts minsk-ii:" in out
    # then serve it and read a page, a catalog and the agreements
    port = free_port()
    agreement = venv / "share/ceasefire/examples/minsk-ii.yaml"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    log = (outside / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [
            str(venv / "bin/ceasefire"),
            "serve",
            "--db",
            "sqlite:///out/demo.db",
            "--agreement",
            str(agreement),
            "--port",
            str(port),
        ],  # fmt: skip
        cwd=outside,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = _get(f"{base}/?lang=ru", server, outside / "serve.log")
        assert '<html lang="ru">' in page
        assert "Линия соприкосновения" in _get(
            f"{base}/api/agreements/minsk-ii/geometries.geojson", server
        )
        assert '"nav_map": "Карта"' in _get(f"{base}/static/i18n/ru.json", server)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _get(url: str, server: subprocess.Popen[bytes], log: Path | None = None) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                return str(response.read().decode("utf-8"))
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                output = log.read_text() if log else ""
                raise AssertionError(f"no answer from {url}: {output}") from None
            time.sleep(0.3)


def test_docgen_never_looks_beside_the_installed_package(
    venv: Path, outside: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(venv / "bin/python"), "-m", "ceasefire.docgen", "--check"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "no folder docs" in result.stderr + result.stdout
