"""Screenshots of the operations room for docs/web.md, taken in headless Chromium.

Builds a mission store in a temporary folder (tests/map_support.py: the UCDP
and patrol reports of 2015 under Minsk II; DeepStateMap's daily occupied area
every 14 days from the Alaska terms' baseline; the Air Force's statements from
1 September 2025), serves the real app on a loopback port and photographs:

- the map filtered to one clause and breaches only, in English, Ukrainian and Russian;
- the Alaska map on three days (the front animating);
- the dashboard of each agreement.

Example:
    PYTHONPATH=. python scripts/web_screenshots.py --out docs/img
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from map_support import (  # noqa: E402 - tests/ is put on the path just above
    AIR_FORCE,
    ALASKA,
    BASELINE,
    DAILY,
    GUARANTOR,
    MINSK,
    TOKENS,
    build_store,
)

from ceasefire.web.testing import browser, offline_page, serve  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
ALASKA_DAYS = ["2025-10-01", "2026-01-01", "2026-08-22"]


def every_14_days(first: str, last: str) -> list[str]:
    """Days from ``first`` to ``last`` 14 days apart, with ``last`` and ALASKA_DAYS."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    days = {
        (start + timedelta(days=d)).isoformat()
        for d in range(0, (end - start).days, 14)
    }
    return sorted(days | {last, *ALASKA_DAYS})


def shoot(chromium: Any, base: str, path: str, out: Path, full: bool = False) -> None:
    """Open ``path`` as a guarantor, wait until drawn, save ``out``."""
    outside: list[str] = []
    page = offline_page(chromium, base, outside)
    page.add_init_script(f"sessionStorage.setItem('ceasefire.token', '{GUARANTOR}')")
    page.goto(base + path)
    page.wait_for_selector("body[data-ready=true]", timeout=300_000)
    page.wait_for_timeout(400)
    page.screenshot(path=str(out), full_page=full)
    if outside:
        raise SystemExit(f"{path} reached beyond the server: {outside}")
    print(f"{out}  ←  {path}")
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs/img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        days = every_14_days(BASELINE, "2026-08-22")
        url, _ = build_store(
            Path(folder), SHARED / DAILY, SHARED / AIR_FORCE, days,
            ("2025-09-01", "2026-04-04"), evaluate_alaska=True,
        )  # fmt: skip
        with serve(url, [MINSK, ALASKA], TOKENS) as base, browser() as chromium:
            clause = "?agreement=minsk-ii&clause=ceasefire&breaches=1"
            for lang, suffix in (("en", ""), ("uk", "-uk"), ("ru", "-ru")):
                shoot(chromium, base, f"/{clause}&lang={lang}",
                      args.out / f"map-clause-breaches{suffix}.png")  # fmt: skip
            for day in ALASKA_DAYS:
                shoot(chromium, base, f"/?agreement=alaska-terms&day={day}&lang=en",
                      args.out / f"map-alaska-{day}.png")  # fmt: skip
            shoot(chromium, base, "/dashboard?agreement=alaska-terms&lang=en",
                  args.out / "dashboard-alaska.png", full=True)  # fmt: skip
            shoot(chromium, base, "/dashboard?agreement=minsk-ii&lang=en",
                  args.out / "dashboard-minsk.png", full=True)  # fmt: skip


if __name__ == "__main__":
    main()
