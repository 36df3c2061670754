"""Benchmark ``ceasefire --help`` (issue 12: under 0.3 s).

Runs ``python -m ceasefire --help`` (and ``ceasefire import --help``, whose
module is imported only then) in fresh interpreters, quietly, and prints the
median wall and CPU (user + sys of the child) of ``--runs`` runs, next to the
floor: ``python -c pass`` in the same interpreter, in the same run. Also lists
the heaviest modules ``--help`` imports (``-X importtime``), to find an eager
import when the figure is over the target. Not a test: timings on a shared
machine belong in docs/performance.md with the load average.

    PYTHONPATH=. .venv/bin/python bench/bench_help.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 0.3


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall s, child CPU s) of one quiet run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=_env())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


def heaviest(argv: list[str], count: int = 8) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time (µs) for ``argv``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
    )
    found = []
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[1].isdigit():
            found.append((int(parts[1]), parts[2]))
    return sorted(found, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cases = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "ceasefire --help": [sys.executable, "-m", "ceasefire", "--help"],
        "ceasefire import --help": [
            sys.executable, "-m", "ceasefire", "import", "--help",
        ],
    }  # fmt: skip
    for argv in cases.values():  # warm the file cache
        timed(argv)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(args.runs):  # interleaved, so load changes hit every case
        for name, argv in cases.items():
            results[name].append(timed(argv))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:26} median wall {wall:.3f} s, CPU {cpu:.3f} s ({args.runs} runs)")
    print(f"target: --help under {TARGET_S} s")
    print("heaviest imports of `ceasefire --help` (cumulative µs):")
    for micros, module in heaviest(["-m", "ceasefire", "--help"]):
        print(f"  {micros:>9,}  {module}")


if __name__ == "__main__":
    main()
