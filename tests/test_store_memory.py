"""The in-memory store as callers use it: by URL, shared by name, under the API.

The store contract (tests/test_store_contract.py) runs on it like on SQLite
and PostgreSQL; these tests cover what only a memory store has: what its URL
means, and that the API and the log serve from it as from a database file.
Expected reports come straight from the committed files (tests/data/reports).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ceasefire.io.native import from_jsonl
from ceasefire.log.service import Log
from ceasefire.store import StoreError, memory, open_store
from ceasefire.store.base import ReportQuery
from tests.api_support import REPORTS, all_pages, client, serve, source_reports


@pytest.fixture
def name() -> Iterator[str]:
    """A store name of this test's own; the store is forgotten afterwards."""
    made = f"test-memory-{uuid.uuid4().hex[:12]}"
    yield made
    memory.drop(made)


def test_a_named_memory_url_is_one_store_per_process(name: str) -> None:
    first = open_store(f"memory://{name}")
    made = [r for path in sorted(REPORTS.glob("*.jsonl")) for r in from_jsonl(path)]
    Log(first).append_reports(made[:5], actor="test")
    first.close()
    # another opening of the same URL (another thread's, the API's) sees the log
    again = open_store(f"memory://{name}")
    assert again.size() == 5
    assert [b["id"] for b in again.reports(ReportQuery())] == [r.id for r in made[:5]]
    assert open_store(f"memory://{name}-other").size() == 0
    # memory:// alone is private: two openings are two empty stores
    private = open_store("memory://")
    Log(private).append_reports(made[:1], actor="test")
    assert private.size() == 1 and open_store("memory://").size() == 0


def test_an_unknown_store_url_names_the_three_kinds() -> None:
    with pytest.raises(
        StoreError, match=r"sqlite:///FILE, postgresql://HOST/DB or memory://"
    ):
        open_store("mongodb://localhost/x")


def test_the_api_serves_and_logs_on_a_memory_store(name: str) -> None:
    url = f"memory://{name}"
    with open_store(url) as store:
        log = Log(store)
        for path in sorted(REPORTS.glob("*.jsonl")):
            log.append_reports(from_jsonl(path), actor="test-import")
    expected = [r["id"] for r in source_reports()]
    # the real app under uvicorn, in this process: its threads open memory://name
    with (
        serve(url) as base,
        client(base, "analyst") as analyst,
        client(base, "monitor") as monitor,
    ):
        seen = all_pages(analyst, "/api/reports", limit=7)
        assert [item["id"] for item in seen] == expected  # file order, paged
        posted = {k: v for k, v in source_reports()[0].items() if k != "id"}
        answer = monitor.post(
            "/api/reports", json=posted, headers={"Idempotency-Key": "k1"}
        )
        assert answer.status_code == 201, answer.text
        new_id = answer.json()["id"]
    # the API's append is in the store every other opening sees
    with open_store(url) as again:
        assert again.size() == len(expected) + 1
        assert again.reports(ReportQuery(limit=10_000))[-1]["id"] == new_id
