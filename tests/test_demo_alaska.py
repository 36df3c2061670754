"""`ceasefire demo` builds the Alaska mission on the real 2025 record (issue 13).

Built from one month of the real files (the demo's own file names, in a
temporary shared-data folder): DeepState's daily maps, NZZ's weekly maps and
the Air Force's nightly reports. The Alaska terms are evaluated as if in force
from 1 Sep 2025, the freeze cap feeds the demo's freeze-line snapback rule,
and the API shows something true for the public, a party and a guarantor.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ceasefire.agreement.load import load
from ceasefire.demo import ALASKA_IN_FORCE, build_demo, demo_inputs, demo_terms
from tests.api_support import serve
from tests.conftest import EXAMPLES, shared_data

DAILY = (
    "deepstate-daily-occupied/deepstate_occupied_daily_2024-07-08_2026-08-22.geojson.gz"
)
NZZ = "nzz-liveuamap-territory/nzz_territory_weekly.geojson.gz"
AIR_FORCE = "missile-drone-attacks/missile_attacks_daily_2022-09_2026-04.csv.gz"
pytestmark = pytest.mark.shared_data


def _features(name: str, key: str, low: str, high: str, out: Path) -> None:
    lines = []
    with gzip.open(shared_data(name), "rt", encoding="utf-8") as handle:
        for line in handle:
            text = line.strip().rstrip(",")
            if text.startswith('{"type":"Feature"'):
                at = text.index(f'"{key}":"') + len(key) + 4
                if low <= text[at : at + 10] <= high:
                    lines.append(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    body = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.write_bytes(gzip.compress(body.encode()))


def _rows(name: str, low: str, high: str, out: Path) -> int:
    with gzip.open(shared_data(name), "rt", encoding="utf-8") as handle:
        header, *rows = handle.read().splitlines(keepends=True)
    kept = [r for r in rows if low <= r[:10] <= high]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress((header + "".join(kept)).encode()))
    return len(kept)


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[object, httpx.Client, int]]:
    folder = tmp_path_factory.mktemp("demo-alaska")
    data = folder / "shared"
    _features(DAILY, "date", "2025-08-15", "2025-09-15", data / DAILY)
    _features(NZZ, "file_date", "2025-08-10", "2025-09-14", data / NZZ)
    nights = _rows(AIR_FORCE, "2025-09-01", "2025-09-15", data / AIR_FORCE)
    inputs = demo_inputs(data)
    assert not inputs.fallback
    built = build_demo(folder / "demo", inputs, lambda *_: None)
    with serve(built.url, inputs.agreements, built.tokens) as base:
        with httpx.Client(base_url=base, timeout=120) as client:
            yield built, client, nights


def _token(built: object, role: str) -> dict[str, str]:
    tokens: dict[str, str] = built.tokens  # type: ignore[attr-defined]
    token = next(t for t, r in tokens.items() if r == role)
    return {"Authorization": f"Bearer {token}"}


def test_alaska_terms_in_force_from_1_sep_2025() -> None:
    terms = demo_terms(load(EXAMPLES / "alaska-terms.yaml"))
    assert terms.entry_into_force == ALASKA_IN_FORCE
    assert ALASKA_IN_FORCE.isoformat() == "2025-09-01T00:00:00+03:00"


def test_demo_builds_the_alaska_mission(demo: tuple[object, httpx.Client, int]) -> None:
    built, client, nights = demo
    counts = built.counts  # type: ignore[attr-defined]
    # every Air Force report of the slice falls after entry into force
    assert nights > 0 and counts["verdicts alaska-terms"] > 0
    assert counts["penalty states alaska-terms"] > 0
    assert counts["notices alaska-terms"] > 0
    public = client.get("/api/penalties", params={"agreement": "alaska-terms"})
    assert public.status_code == 200
    snap = {
        (i["rule"], i["party"], i["standing"]): i
        for i in public.json()["items"]
        if i["rule"] == "freeze-line-snapback"
    }
    # DeepState shows ru gaining over 10 km² in the southern sector on 1 Sep,
    # NZZ (a second publisher) within the month: provisional, then established
    provisional = snap[("freeze-line-snapback", "ru", "provisional")]
    established = snap[("freeze-line-snapback", "ru", "established")]
    first = provisional["history"][0]
    assert first["to"] == "triggered" and first["at"].startswith("2025-09-01")
    assert established["history"][0]["at"] >= first["at"]
    # a party sees the notices addressed to it; a guarantor those to guarantors
    ru = client.get("/api/notices", headers=_token(built, "party:ru")).json()["items"]
    assert ru and {n["recipient"] for n in ru} == {"ru"}
    assert any(n["title"].startswith("Provisional ") for n in ru)
    seen = client.get("/api/notices", headers=_token(built, "guarantor")).json()
    assert {n["recipient"] for n in seen["items"]} >= {"us", "eu"}


def test_control_change_per_day_for_every_role(
    demo: tuple[object, httpx.Client, int],
) -> None:
    built, client, _ = demo
    for headers in ({}, _token(built, "party:ua"), _token(built, "guarantor")):
        days = client.get(
            "/api/control/change",
            params={"agreement": "alaska-terms", "from": "2025-09-01", "every": 7},
            headers=headers,
        )
        assert days.status_code == 200
        items = days.json()["items"]
        assert [d["date"] for d in items][:2] == ["2025-09-01", "2025-09-08"]
        assert items[0]["baseline"] == "2025-08-15"
        assert items[0]["gained_km2"]["ru"] > 10
    shape = client.get(
        "/api/control/change/2025-09-01", params={"agreement": "alaska-terms"}
    ).json()
    assert {f["properties"]["party"] for f in shape["features"]} == {"ru", "ua"}
    missing = client.get(
        "/api/control/change/2024-01-01", params={"agreement": "alaska-terms"}
    )
    assert missing.status_code == 404
