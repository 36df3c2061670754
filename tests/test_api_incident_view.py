"""The API's incident view follows the log: built once, then only new entries read.

Whatever order the entries arrive in, the view equals fact-finding's
``incidents_of`` over the whole log; a transition changes one incident's state
without grouping the reports again; a log that stands still costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ceasefire.api import incident_view
from ceasefire.api.incident_view import IncidentView
from ceasefire.factfinding.incidents import incidents_of
from ceasefire.log.service import Log
from ceasefire.store import open_store
from ceasefire.store.base import EntryRow, Store
from tests.api_support import build_mission


class Prefix:
    """A store seen as if only its first ``size`` entries were logged yet."""

    def __init__(self, store: Store, size: int) -> None:
        self._store, self._size = store, size

    def size(self) -> int:
        return self._size

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRow]:
        return self._store.entries(start, min(stop or self._size, self._size))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(build_mission(tmp_path / "mission.db")) as opened:
        yield opened


def membership(incidents: Any) -> dict[str, tuple[str, ...]]:
    return {i.id: i.report_ids for i in incidents}


def test_following_the_log_in_steps_is_incidents_of_the_whole(store: Store) -> None:
    view = IncidentView()
    size = store.size()
    for step in (1, size // 3, size // 2, size - 1, size):
        view.follow(Prefix(store, step))  # type: ignore[arg-type]
    expected = incidents_of(store)
    assert list(view.now.incidents) == expected
    assert any(len(i.report_ids) > 1 for i in expected)  # a real clustering
    for incident in expected:
        for report in incident.report_ids:
            assert view.now.incident_of(report) == incident


def test_a_transition_restates_without_regrouping(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = IncidentView()
    view.follow(store)
    calls: list[int] = []
    real = incident_view.groups_of
    monkeypatch.setattr(
        incident_view, "groups_of", lambda log: calls.append(1) or real(log)
    )
    assert view.follow(store) is view.now  # nothing appended: nothing done
    several = next(i for i in view.now.incidents if len(i.report_ids) > 1)
    Log(store).transition(several.id, "corroborated", "analyst:test", "two sources")
    now = view.follow(store)
    assert calls == []
    assert now.by_id[several.id].state == "corroborated"
    assert membership(now.incidents) == membership(incidents_of(store))
    assert list(now.incidents) == incidents_of(store)
