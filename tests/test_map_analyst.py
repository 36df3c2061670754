"""The analyst's map and dashboard in real headless Chromium (issues 17.3 and 13.6).

Filters kept in the URL, breaches only, the sign-in form, the Alaska front with
its day slider, incident pages without stray nulls, strikes per night. Expected
figures come from the API or from the raw files (DeepState polygons measured
with shapely + pyproj.Geod; Air Force launch counts summed from the CSV).
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
import shapely
from map_support import (
    AIR_FORCE,
    ALASKA,
    BASELINE,
    DAILY,
    DAYS,
    GUARANTOR,
    MINSK,
    PATROLS,
    TOKENS,
    build_store,
    strike_rows,
)
from web_support import require_browser

from ceasefire.web.testing import browser, offline_page, serve
from tests.conftest import shared_data
from tests.test_frontline import _expected, _geodesic_km2

pytestmark = [pytest.mark.browser, pytest.mark.shared_data]


@pytest.fixture(scope="module")
def mission(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str]]]:
    require_browser()
    folder = tmp_path_factory.mktemp("map")
    url, lines = build_store(folder, shared_data(DAILY), shared_data(AIR_FORCE))
    with serve(url, [MINSK, ALASKA], TOKENS) as base:
        DB_URLS[base] = url
        yield base, lines


DB_URLS: dict[str, str] = {}
"""The store behind each served base URL."""


def incident_count(base_url: str) -> int:
    """How many incidents fact-finding finds in the served store's log."""
    from ceasefire.factfinding.incidents import incidents_of
    from ceasefire.store import open_store

    with open_store(DB_URLS[base_url]) as store:
        return len(incidents_of(store))


@pytest.fixture(scope="module")
def base_url(mission: tuple[str, dict[str, str]]) -> str:
    return mission[0]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser(require_browser()) as launched:
        yield launched


@pytest.fixture
def outside() -> Iterator[list[str]]:
    found: list[str] = []
    yield found
    assert found == [], f"the UI reached beyond 127.0.0.1: {found}"


def get(base_url: str, path: str, token: str | None = None) -> Any:
    request = urllib.request.Request(base_url + path)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback
        return json.loads(answer.read())


def open_page(
    chromium: Any,
    base_url: str,
    outside: list[str],
    path: str,
    token: str | None = None,
) -> Any:
    page = offline_page(chromium, base_url, outside)
    if token:
        page.add_init_script(
            f"sessionStorage.setItem('ceasefire.token', {json.dumps(token)})"
        )
    page.goto(base_url + path)
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    return page


def breach_incidents(base_url: str, token: str, clause: str | None = None) -> set[str]:
    """Incidents with a breach verdict of Minsk II visible to ``token``, from /api/verdicts."""
    query = "/api/verdicts?agreement=minsk-ii&verdict=breach&limit=1000"
    if clause:
        query += f"&clause={clause}"
    return {v["incident"] for v in get(base_url, query, token)["items"]}


def test_breaches_only_shows_the_apis_breaches(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    page = open_page(chromium, base_url, outside, "/?breaches=1", GUARANTOR)
    expected = breach_incidents(base_url, GUARANTOR)
    assert len(expected) == 3  # the patrols' three incidents (tests/test_web_map.py)
    assert page.inner_text("#count-shown") == str(len(expected))
    assert page.inner_text("#count-breach") == str(len(expected))
    assert page.is_checked("#f-breaches")
    # one clause: only the incidents with a breach of that clause
    page.select_option("#f-clause", "monitor-access")
    page.wait_for_function("location.search.includes('clause=monitor-access')")
    page.wait_for_timeout(100)
    assert (
        page.inner_text("#count-shown")
        == str(len(breach_incidents(base_url, GUARANTOR, "monitor-access")))
        == "1"
    )


def test_filters_in_the_url_restore_the_same_view(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    page = open_page(chromium, base_url, outside, "/", GUARANTOR)
    page.select_option("#f-type", "shelling")
    page.select_option("#f-party", "cadlr")
    page.evaluate("window.ceasefire.setRange('2015-01-01', '2015-03-31')")
    page.wait_for_timeout(100)
    url = page.url
    assert "type=shelling" in url and "party=cadlr" in url and "to=2015-03-31" in url
    shown = page.inner_text("#count-shown")
    assert int(shown) >= 1
    again = open_page(
        chromium, base_url, outside, url.removeprefix(base_url), GUARANTOR
    )
    assert again.inner_text("#count-shown") == shown
    assert again.input_value("#f-type") == "shelling"
    assert again.input_value("#f-party") == "cadlr"
    assert again.inner_text("#t-to-out") == "2015-03-31"
    assert again.evaluate("window.ceasefire.view") == page.evaluate(
        "window.ceasefire.view"
    )


def test_dragging_the_histogram_selects_dates(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    page = open_page(chromium, base_url, outside, "/")
    # January 2015 to September 2025: monthly bins (chosen by the range)
    first, last = page.inner_text("#t-from-out"), page.inner_text("#t-to-out")
    assert (first, last) == ("2015-01-01", "2025-09-10")
    bins = page.evaluate(
        "[...document.querySelectorAll('#brush rect.bin')].map(r => Number(r.dataset.count))"
    )
    assert len(bins) == 12 * 10 + 9  # Jan 2015 … Sep 2025
    air_force = len(strike_rows(shared_data(AIR_FORCE)))  # every row imported
    # every row imported; fact-finding joins one UCDP clash to a patrol's shelling
    assert sum(bins) == int(page.inner_text("#count-total")) == incident_count(base_url)
    assert incident_count(base_url) == 123 + air_force - 1
    box = page.locator("#brush svg").bounding_box()
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    target = (date(2015, 6, 30) - date.fromisoformat(first)).days + 0.5
    page.mouse.move(box["x"] + 0.1, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * target / span, box["y"] + 10, steps=5)
    page.mouse.up()
    page.wait_for_function("location.search.includes('to=')")
    page.wait_for_timeout(100)
    until = page.inner_text("#t-to-out")
    assert abs((date.fromisoformat(until) - date(2015, 6, 30)).days) <= 5
    assert page.inner_text("#t-from-out") == first
    assert f"to={until}" in page.url
    # everything Minsk-era is in, none of the 2025 strikes
    assert page.inner_text("#count-shown") == "122"  # 123 reports, one pair joined


def test_overlapping_incidents_are_listed(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    reports = [
        json.loads(line)
        for line in (PATROLS.parent / "ucdp-ged-2015.jsonl").read_text().splitlines()
    ]
    places = Counter((r["location"]["lat"], r["location"]["lon"]) for r in reports)
    (lat, lon), n = places.most_common(1)[0]
    assert n >= 2
    page = open_page(chromium, base_url, outside, "/", GUARANTOR)
    point = page.evaluate(
        """([lat, lon]) => new Promise((done) => {
        const map = window.ceasefire.map;
        map.once('moveend', () => setTimeout(() => {
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            done({x: box.left + p.x, y: box.top + p.y});
        }, 50));
        map.setView([lat, lon], 12, {animate: false});
    })""",
        [lat, lon],
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#overlap")
    # UCDP places many events at one settlement's centroid: all are listed (50 at most)
    assert page.inner_text("#overlap h3").split()[0] == str(n) == "62"
    assert page.locator("#overlap button.overlap-item").count() == 50
    assert page.inner_text("#overlap p.muted") == "+12"
    page.locator("#overlap button.overlap-item").nth(1).click()
    assert not page.locator("#selected").is_hidden()


def test_sign_in_form_keeps_the_token_for_the_session(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    page = open_page(chromium, base_url, outside, "/")
    assert page.get_attribute("#role", "data-role") == "public"
    page.click("#sign-in")
    page.fill("#token-input", "not-a-token")
    page.click("#sign-in-submit")
    page.wait_for_selector("#sign-in-status >> text=refused")
    assert page.evaluate("sessionStorage.getItem('ceasefire.token')") is None
    sent: list[str | None] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.headers.get("authorization")) if "/api/" in r.url else None
        ),
    )
    page.fill("#token-input", GUARANTOR)
    page.click("#sign-in-submit")
    page.wait_for_selector("#role[data-role=guarantor]", timeout=60_000)
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate("sessionStorage.getItem('ceasefire.token')") == GUARANTOR
    assert sent and all(header == f"Bearer {GUARANTOR}" for header in sent)
    assert page.inner_text("#count-breach") == "3"  # what a guarantor sees
    page.goto(base_url + "/dashboard")  # the same tab keeps it
    page.wait_for_selector("#role[data-role=guarantor]")
    page.click("#sign-in")
    page.click("#sign-out")
    page.wait_for_selector("#role[data-role=public]")


def _km2(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


def test_day_slider_changes_the_control_polygons(
    chromium: Any, mission: tuple[str, dict[str, str]], outside: list[str]
) -> None:
    base_url, lines = mission
    page = open_page(chromium, base_url, outside, "/?agreement=alaska-terms")
    assert page.evaluate("window.ceasefire.controlDay") == DAYS[-1]
    assert "day=2026-08-22" in page.url
    # the panel's figure against shapely + pyproj.Geod on the raw polygons
    expected = _expected(lines)
    shown = _km2(page.inner_text("#front-figures dd[data-party=ru]"))
    assert shown == pytest.approx(expected[DAYS[-1]]["ru"], rel=0.01)
    paths = "() => [...document.querySelectorAll('.leaflet-control-pane path')].map(p => p.getAttribute('d')).join('|')"
    before = page.evaluate(paths)
    page.fill("#day-slider", "1")  # 2025-10-01 (index 0 is the baseline)
    page.dispatch_event("#day-slider", "input")
    page.wait_for_function("window.ceasefire.controlDay === '2025-10-01'")
    assert page.evaluate(paths) != before
    assert "day=2025-10-01" in page.url
    shown = _km2(page.inner_text("#front-figures dd[data-party=ru]"))
    assert shown == pytest.approx(expected["2025-10-01"]["ru"], rel=0.01)
    # the baseline day: nobody gained anything yet
    base = shapely.make_valid(
        shapely.geometry.shape(orjson.loads(lines[BASELINE])["geometry"])
    )
    assert _geodesic_km2(shapely.difference(base, base)) == 0
    page.fill("#day-slider", "0")
    page.dispatch_event("#day-slider", "input")
    page.wait_for_function(f"window.ceasefire.controlDay === '{BASELINE}'")
    assert _km2(page.inner_text("#front-figures dd[data-party=ru]")) == 0
    restored = open_page(
        chromium, base_url, outside, "/?agreement=alaska-terms&day=2026-01-01"
    )
    assert restored.evaluate("window.ceasefire.controlDay") == "2026-01-01"


def test_no_null_or_undefined_on_incident_pages(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    shelling = json.loads(PATROLS.read_text().splitlines()[0])
    ucdp = json.loads(
        (PATROLS.parent / "ucdp-ged-2015.jsonl").read_text().splitlines()[0]
    )
    for report in (shelling, ucdp):
        for token in (None, GUARANTOR):
            page = open_page(
                chromium,
                base_url,
                outside,
                f"/incidents/{report['id']}?agreement=minsk-ii",
                token,
            )
            text = page.inner_text("body")
            assert not re.search(r"\b(null|undefined|NaN)\b", text), (
                report["id"],
                token,
                text,
            )
    # the public sees the cell, never a name passing for the place
    page = open_page(
        chromium, base_url, outside, f"/incidents/{shelling['id']}?agreement=minsk-ii"
    )
    place = page.inner_text("#place")
    assert place.startswith("within ~") and "48.35°N 38.45°E" in place, (
        place
    )  # cell 48.3–48.4, 38.4–38.5
    assert "Debaltseve" not in place
    page = open_page(
        chromium,
        base_url,
        outside,
        f"/incidents/{shelling['id']}?agreement=minsk-ii",
        GUARANTOR,
    )
    assert page.inner_text("#place").startswith("Debaltseve (48.304°N 38.417°E)")


def _night(start: str) -> str:
    """The Air Force's local start time, named by its evening's date (start − 12 h)."""
    local = datetime.fromisoformat(
        start[:16] if len(start) > 10 else start + " 00:00"
    ).replace(tzinfo=ZoneInfo("Europe/Kyiv"))
    return (local - timedelta(hours=12)).date().isoformat()


RECONNAISSANCE = {"Reconnaissance UAV", "Orlan-10"}
"""Models of the slice that are reconnaissance drones (shot down, not striking)."""


def test_strikes_per_night_are_the_air_forces_sums(base_url: str) -> None:
    rows = [
        r
        for r in strike_rows(shared_data(AIR_FORCE))
        if r["model"] not in RECONNAISSANCE
    ]
    launched: Counter[str] = Counter()
    destroyed: Counter[str] = Counter()
    for r in rows:
        launched[_night(r["time_start"])] += int(float(r["launched"]))
        destroyed[_night(r["time_start"])] += int(float(r["destroyed"] or 0))
    nights = {n["night"]: n for n in get(base_url, "/api/map/strikes", GUARANTOR)}
    assert {k: v["launched"] for k, v in nights.items()} == dict(launched)
    assert {k: v["destroyed"] for k, v in nights.items()} == dict(destroyed)
    public = get(base_url, "/api/map/strikes")
    assert [n["launched"] for n in public] == [
        nights[n["night"]]["launched"] for n in public
    ]
    assert all(
        n["destroyed"] is None and n["rate"] is None for n in public
    )  # properties are withheld


def test_dashboard_bins_years_and_fitted_coverage(
    chromium: Any, base_url: str, outside: list[str]
) -> None:
    page = open_page(chromium, base_url, outside, "/dashboard", GUARANTOR)
    # five breach verdicts on 2015-03-05: daily bins, stacked by party (cadlr 3, ua 2)
    bars = page.evaluate(
        "[...document.querySelectorAll('#chart rect')].map(r => [r.dataset.bin, r.dataset.key, r.dataset.count])"
    )
    assert sorted(bars) == [["2015-03-05", "cadlr", "3"], ["2015-03-05", "ua", "2"]]
    labels = page.evaluate(
        "[...document.querySelectorAll('#chart text.x-label')].map(t => t.textContent)"
    )
    assert labels and all(re.fullmatch(r"2015-\d\d-\d\d", label) for label in labels)
    units = page.evaluate("""async () => {
        const b = await import('/static/js/bins.js');
        return [b.unitFor(30), b.unitFor(400), b.unitFor(8 * 365), b.unitFor(20 * 365),
                b.binLabel(Date.UTC(2019, 4, 17), 'month'), b.binLabel(b.binStart(Date.UTC(2019, 4, 17), 'week'), 'week')];
    }""")
    assert units == [
        "day",
        "week",
        "month",
        "year",
        "2019-05",
        "2019-05-13",
    ]  # 17 May 2019 was a Friday
    west, south, east, north = map(
        float, page.evaluate("window.ceasefire.coverageBounds").split(",")
    )
    # fitted to the cells holding reports (the Air Force's are placed on oblasts), not the world
    places = [
        r["location"]
        for r in get(base_url, "/api/reports?limit=1000", GUARANTOR)["items"]
    ]
    lons = [p["lon"] for p in places]
    lats = [p["lat"] for p in places]
    assert (
        west <= min(lons)
        and east >= max(lons)
        and south <= min(lats)
        and north >= max(lats)
    )
    assert (
        east - west < max(lons) - min(lons) + 2
        and north - south < max(lats) - min(lats) + 2
    )
    alaska = open_page(
        chromium, base_url, outside, "/dashboard?agreement=alaska-terms", GUARANTOR
    )
    assert not alaska.locator("#front-card").is_hidden()
    assert alaska.locator("#gains-chart rect[data-key=ru]").count() == alaska.evaluate(
        "window.ceasefire.gainWeeks"
    )
    assert not alaska.locator("#strikes-card").is_hidden()
    assert alaska.evaluate("window.ceasefire.strikeNights") >= 5
