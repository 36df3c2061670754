"""Shared fixtures: paths to the repo, the examples and the real data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED_DATA = Path(
    os.environ.get("CEASEFIRE_SHARED_DATA", REPO.parent / "shared" / "data")
)


def shared_data(relative: str) -> Path:
    """Return a path in ../shared/data, or skip the test saying what is missing.

    CI sets CEASEFIRE_REQUIRE_SHARED_DATA=1: there a missing file fails the test
    instead, so real-data tests can never be skipped silently.
    """
    path = SHARED_DATA / relative
    if not path.exists():
        reason = (
            f"real data not found: {path} (set CEASEFIRE_SHARED_DATA to its folder)"
        )
        if os.environ.get("CEASEFIRE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
