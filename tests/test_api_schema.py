"""schemathesis against the served OpenAPI document: no request makes the server fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api_support import BY_ROLE, build_mission, serve


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = build_mission(tmp_path_factory.mktemp("schema") / "mission.db")
    with serve(url) as served:
        yield served


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> Any:
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


def test_the_document_is_openapi_3_1(api_schema: Any) -> None:
    assert api_schema.raw_schema["openapi"].startswith("3.1")
    paths = api_schema.raw_schema["paths"]
    for path in ("/api/reports", "/api/incidents/{incident_id}", "/api/log/head"):
        assert path in paths


ROLES = ("analyst", "monitor", "party:ua", None)


def test_no_server_errors(api_schema: Any) -> None:
    """Every operation, a bounded number of generated requests, every role."""
    tried = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same requests every run
            database=None,
        )
        def check(case: Any) -> None:
            if case.headers:
                case.headers.pop("Authorization", None)
            for role in ROLES:
                headers = {"Authorization": f"Bearer {BY_ROLE[role]}"} if role else {}
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error])

        check()
        tried += 1
    assert tried >= 20  # every endpoint of the contract was exercised
