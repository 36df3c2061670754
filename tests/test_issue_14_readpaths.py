"""Issue 14: no logged value can make a read path fail.

Hypothesis appends arbitrary schema-valid reports (instants at the very
edges of the bounds at every UTC offset, extreme places and numbers, deep
free-form properties, odd text) to one log, and after each batch every read
path runs: the API's lists, GeoJSON, map columns, coverage, verdicts and
incident page, and the CLI's export, evaluate and incidents cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api_support import MINSK, build_mission, serve, source_reports

EVENT_TYPES = ["shelling", "small_arms", "explosion", "drone_strike", "other"]
SOURCE_TYPES = ["monitor_patrol", "media", "osint_item", "uav", "party_report"]


def _offsets() -> st.SearchStrategy[timezone]:
    minutes = st.integers(-14 * 60, 14 * 60)
    return minutes.map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Any instant inside the bounds, at any offset, often right at an edge."""
    low = datetime(1900, 1, 1, tzinfo=UTC)
    high = datetime.now(UTC) + timedelta(days=365 * 10 - 2)
    edge = draw(st.sampled_from(["low", "high", "any"]))
    if edge == "any":
        naive = draw(st.datetimes(datetime(1900, 1, 2), datetime(2036, 1, 1)))  # noqa: DTZ001
        moment = naive.replace(tzinfo=UTC)
    else:
        slack = timedelta(seconds=draw(st.integers(0, 10**6)))
        moment = low + slack if edge == "low" else high - slack
    return moment.astimezone(draw(_offsets()))


finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63) + 1, 2**63 - 1)
    | finite
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    """A schema-valid report with extreme but acceptable values."""
    from ceasefire.model.report import new_id

    start = draw(instants())
    body: dict[str, Any] = {
        "id": new_id(entropy=draw(st.binary(min_size=10, max_size=10))),
        "source": {
            "type": draw(st.sampled_from(SOURCE_TYPES)),
            "id": draw(st.text(min_size=1, max_size=10)),
        },
        "observed": {"start": start.isoformat()},
        "reported_at": draw(instants()).isoformat(),
        "location": {
            "lon": draw(st.floats(-180, 180)),
            "lat": draw(st.floats(-90, 90)),
            "precision_m": draw(st.floats(0, 1e300)),
        },
        "event_type": draw(st.sampled_from(EVENT_TYPES)),
        "narrative": draw(st.text(max_size=30)),
        "properties": draw(
            st.dictionaries(st.text(max_size=5), json_values, max_size=3)
        ),
        "casualties": {"killed": draw(st.integers(0, 2**63 - 1))},
        "weapon": {
            "class": "artillery",
            "calibre_mm": draw(st.floats(0, 1e308)),
            "count": draw(st.integers(1, 2**63 - 1)),
        },
        "attribution": {"party": draw(st.sampled_from(["ua", "cadlr", "x"]))},
    }
    if draw(st.booleans()):
        end = draw(instants())
        if end >= start:
            body["observed"]["end"] = end.isoformat()
    return body


@pytest.fixture(scope="module")
def mission(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("readpaths")
    url = build_mission(folder / "mission.db")
    with serve(url) as base_url:
        yield url, base_url, folder


API_PATHS = (
    "/api/reports?limit=10000",
    "/api/reports.geojson?limit=10000",
    "/api/incidents?limit=10000",
    "/api/incidents.geojson?limit=10000&agreement=minsk-ii&breach=true",
    "/api/map/incidents",
    "/api/coverage.geojson",
    "/api/verdicts?limit=10000",
    "/api/stats/breaches_per_day",
    "/api/reports?since=1900-01-01T00:00:00%2B14:00&until=9999-12-31T23:59:59-14:00",
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(reports(), min_size=1, max_size=4))
def test_issue_14_every_read_path_survives_any_schema_valid_entry(
    mission: tuple[str, str, Path], batch: list[dict[str, Any]]
) -> None:
    from ceasefire.cli import cli
    from ceasefire.log.service import Log
    from ceasefire.model.report import Report
    from ceasefire.store import open_store

    url, base_url, folder = mission
    with open_store(url) as store:
        Log(store).append_reports(
            [Report.model_validate(b) for b in batch], actor="fuzz"
        )
    with httpx.Client(base_url=base_url, timeout=120) as http:
        for path in (*API_PATHS, f"/api/incidents/{batch[0]['id']}"):
            answer = http.get(path)
            assert answer.status_code == 200, (path, answer.text)
    runner = CliRunner()
    for args in (
        ["export", "--db", url, "-o", str(folder / "out.geojson")],
        ["export", "--db", url, "-o", str(folder / "out.csv")],
        ["evaluate", "--agreement", str(MINSK), "--db", url],
        ["incidents", "cluster", "--db", url],
    ):
        done = runner.invoke(cli, args, catch_exceptions=True)
        assert done.exception is None or isinstance(done.exception, SystemExit), (
            args,
            done.output,
            done.exception,
        )
        assert done.exit_code == 0, (args, done.output)


def test_committed_reports_are_inside_the_bounds() -> None:
    # the bounds refuse nothing real: every committed report still validates
    from ceasefire.model.report import Report

    for body in source_reports():
        Report.model_validate(body)
