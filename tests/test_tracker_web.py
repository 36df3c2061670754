"""The tracker page in headless Chromium: Gantt with today's line and slips, coverage map, series."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, SHARED_DATA, shared_data
from web_support import require_browser

from ceasefire.agreement.load import load
from ceasefire.log.service import Log
from ceasefire.store.sqlite import SQLiteStore
from ceasefire.tracker import demo
from ceasefire.web.testing import browser, offline_page, serve

AS_OF = "2025-11-20T00:00:00+02:00"
SHOTS = os.environ.get("CEASEFIRE_TRACKER_SHOTS")
"""Folder for the screenshots (docs/img when making the docs); tmp_path otherwise."""


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    shared_data("kiel-ukraine-support-tracker/data_explorer.csv")
    path = tmp_path_factory.mktemp("tracker") / "t.db"
    with SQLiteStore(path) as store:
        demo.build(Log(store), SHARED_DATA, EXAMPLES)
    return f"sqlite:///{path}"


def test_tracker_page_draws_gantt_coverage_and_series(
    db_url: str, tmp_path: Path
) -> None:
    chromium = require_browser()
    outside: list[str] = []
    agreements = [EXAMPLES / "alaska-terms.yaml"]
    with serve(db_url, agreements, {}) as base_url, browser(chromium) as launched:
        page = offline_page(launched, base_url, outside)
        page.goto(
            f"{base_url}/tracker?agreement=alaska-terms&as_of={AS_OF.replace('+', '%2B')}"
        )
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        bars = page.locator("svg.gantt rect").count()
        slips = page.locator("svg.gantt rect.slip").count()
        today = page.locator("svg.gantt line.today").count()
        circles = page.locator("#coverage-map path.leaflet-interactive").count()
        lines = page.locator("svg.series polyline").count()
        page.screenshot(path=str(SHOTS or tmp_path) + "/tracker.png", full_page=True)
        page.goto(
            f"{base_url}/tracker?agreement=alaska-terms&lang=uk&as_of={AS_OF.replace('+', '%2B')}"
        )
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        heading = page.locator("section.card h2").first.inner_text()
        page.screenshot(path=str(SHOTS or tmp_path) + "/tracker-uk.png", full_page=True)
    assert heading.casefold().startswith("календар")  # CSS shows h2 in capitals
    document = load(EXAMPLES / "alaska-terms.yaml").document
    dated = sum(
        (c.due is not None)
        + sum(m.due is not None or c.due is not None for m in c.milestones)
        for c in document.commitments
    )
    assert bars == dated == 14  # every dated commitment and milestone of the example
    assert slips >= 3 and today == 1
    # one range circle and one marker per city with systems delivered by then (the example file)
    with (EXAMPLES / "alaska-deliveries.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["partner"].startswith("#")]
    cities = {
        r["destination"]
        for r in rows
        if r["stage"] == "delivered" and r["date"] <= AS_OF[:10]
    }
    assert circles == 2 * len(cities) == 10
    assert lines >= 1
    assert outside == []
