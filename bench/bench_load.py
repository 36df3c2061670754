"""Benchmark: load and validate the example agreements (issue 2: under 1 s each).

Measures, for each example:
- ceasefire.load() in-process: the first call (boundaries and projections not
  yet cached) and the median of warm calls;
- the whole command ``ceasefire agreement validate FILE`` as a user runs it
  (interpreter start and imports included), median of 5;
- the reference: PyYAML safe_load + jsonschema validation against our shipped
  schema — what a schema-only validator does, without references, timeline,
  geometry or predicates.

Run: .venv/bin/python bench/bench_load.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def timed(call: object, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return times


def first_load_seconds(path: Path) -> float:
    """A fresh interpreter's first load() call, imports excluded."""
    code = (
        "import time, ceasefire; t = time.perf_counter(); "
        f"ceasefire.load({str(path)!r}); print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def command_seconds(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ceasefire", "agreement", "validate", str(path)],
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    import ceasefire

    schema_text = (
        resources.files("ceasefire.schema").joinpath("agreement/1.0.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(json.loads(schema_text))
    print(
        f"{'example':22} {'first load':>10} {'warm load':>10} {'command':>9} {'schema-only':>11} {'ratio':>6}"
    )
    for path in EXAMPLES:
        first = statistics.median(first_load_seconds(path) for _ in range(3))
        warm = statistics.median(timed(lambda p=path: ceasefire.load(p), 7))
        command = statistics.median(command_seconds(path) for _ in range(5))

        def schema_only(p: Path = path) -> None:
            data = yaml.load(p.read_text(), Loader=yaml.BaseLoader)  # noqa: S506 - strings only
            list(validator.iter_errors(data))

        reference = statistics.median(timed(schema_only, 7))
        print(
            f"{path.name:22} {first:9.3f}s {warm:9.3f}s {command:8.2f}s {reference:10.4f}s"
            f" {warm / reference:5.0f}×"
        )


if __name__ == "__main__":
    main()
