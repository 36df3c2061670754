"""The map's control routes (issue 13.6) over a store of real DeepStateMap days.

The gains are checked against shapely + pyproj.Geod on the raw polygons
(``tests.test_frontline._expected``); errors name the field and the value.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
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
    TOKENS,
    build_store,
)

from ceasefire.web.testing import serve
from tests.conftest import shared_data
from tests.test_frontline import _expected

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def mission(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("control")
    url, lines = build_store(folder, shared_data(DAILY), shared_data(AIR_FORCE))
    with (
        serve(url, [MINSK, ALASKA], TOKENS) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        yield client, lines


def test_days_match_an_independent_geodesic_measure(
    mission: tuple[httpx.Client, dict[str, str]],
) -> None:
    client, lines = mission
    answer = client.get(
        "/api/map/control/alaska-terms",
        headers={"Authorization": f"Bearer {GUARANTOR}"},
    ).json()
    assert answer["baseline"] == BASELINE and answer["source"] == "deepstate"
    assert (answer["holder"], answer["other"]) == ("ru", "ua")
    assert [d["date"] for d in answer["days"]] == [BASELINE, *DAYS]
    expected = _expected(lines)
    for day in answer["days"][1:]:
        for party in ("ru", "ua"):
            assert day["gained_km2"][party] == pytest.approx(
                expected[day["date"]][party], rel=0.01
            )
    assert answer["days"][0]["gained_km2"] == {"ru": 0, "ua": 0}


def test_day_polygons_and_their_areas(
    mission: tuple[httpx.Client, dict[str, str]],
) -> None:
    client, _ = mission
    days = client.get("/api/map/control/alaska-terms").json()["days"]
    # a day between two maps shows the last map before it
    answer = client.get("/api/map/control/alaska-terms/2025-12-31.geojson")
    assert answer.headers["content-type"] == "application/geo+json"
    body = answer.json()
    assert body["date"] == "2025-10-01" and body["simplified_deg"] == 0.002
    kinds = [
        (f["properties"]["kind"], f["properties"]["party"]) for f in body["features"]
    ]
    assert kinds == [("held", "ru"), ("gain", "ru"), ("gain", "ua")]
    gains = {
        f["properties"]["party"]: f["properties"]["km2"] for f in body["features"][1:]
    }
    assert gains == pytest.approx(days[1]["gained_km2"], rel=1e-6)
    held = shapely.geometry.shape(body["features"][0]["geometry"])
    assert (
        held.is_valid and 100_000 < held.area * 111**2 < 200_000
    )  # rough km²: a sanity bound


def test_public_gets_the_areas_without_the_source_name(
    mission: tuple[httpx.Client, dict[str, str]],
) -> None:
    client, _ = mission
    public = client.get("/api/map/control/alaska-terms").json()
    guarantor = client.get(
        "/api/map/control/alaska-terms",
        headers={"Authorization": f"Bearer {GUARANTOR}"},
    ).json()
    assert public["source"] == "withheld" and guarantor["source"] == "deepstate"
    assert [d["gained_km2"] for d in public["days"]] == [
        d["gained_km2"] for d in guarantor["days"]
    ]


@pytest.mark.parametrize(
    ("path", "status", "field", "value"),
    [
        ("/api/map/control/nope", 404, "agreement", "nope"),
        ("/api/map/control/alaska-terms?source=isw", 404, "source", "isw"),
        ("/api/map/control/alaska-terms/2025-13-01.geojson", 422, "day", "2025-13-01"),
        ("/api/map/control/alaska-terms/2020-01-01.geojson", 404, "day", "2020-01-01"),
        ("/api/map/control/minsk-ii", 422, "source", "deepstate"),  # no map on 2015's baseline
    ],
)  # fmt: skip
def test_errors_name_the_field_and_value(
    mission: tuple[httpx.Client, dict[str, str]],
    path: str,
    status: int,
    field: str,
    value: str,
) -> None:
    client, _ = mission
    answer = client.get(path)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert (error["field"], error["value"]) == (field, value)
