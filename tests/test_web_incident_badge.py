"""The incident page's verdict badge: red "breach" only where the breach is established.

The store holds the three hand-written patrol reports of 5 March 2015
(tests/data/reports/patrols-2015-03-05.jsonl) evaluated against Minsk II:
the Debaltseve shelling breaches the ceasefire, but with one patrol's report
the clause's evidence standard is not met (tests/test_report_daily.py counts
0 of 5 met). A guarantor sees that verdict; the page must not call it an
established breach.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from web_support import require_browser

from ceasefire.cli import cli
from ceasefire.web.testing import browser, offline_page, serve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
PATROLS = REPO / "tests/data/reports/patrols-2015-03-05.jsonl"
MINSK = REPO / "examples/minsk-ii.yaml"
GUARANTOR = "guarantor-token-for-badge-tests"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('badge') / 'mission.db'}"
    for args in (["log", "append", "--db", url, str(PATROLS)],
                 ["evaluate", "--agreement", str(MINSK), "--db", url, "-o", "/dev/null"]):  # fmt: skip
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    with serve(url, [MINSK], {GUARANTOR: "guarantor"}) as base:
        yield base


def test_issue_11_no_red_breach_badge_where_the_evidence_standard_is_not_met(
    base_url: str,
) -> None:
    shelling = json.loads(PATROLS.read_text().splitlines()[0])["id"]
    outside: list[str] = []
    with browser(require_browser()) as chromium:
        page: Any = offline_page(chromium, base_url, outside)
        page.add_init_script(
            f"sessionStorage.setItem('ceasefire.token', {json.dumps(GUARANTOR)})"
        )
        page.goto(f"{base_url}/incidents/{shelling}?agreement=minsk-ii")
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        cards = page.inner_text("#verdicts")
        assert (
            "Evidence standard met\nno" in cards or "Evidence standard met\tno" in cards
        )
        head = page.locator(".incident-head")
        assert head.locator(".breach-tag").count() == 0
        assert "breach — Evidence standard met: no" in head.inner_text()
    assert outside == []
