"""What the API tests share: a mission database from committed real data, a real server.

The reports are the committed real slices in tests/data/reports (UCDP GED
events of 2015 and OSCE-style patrol reports); expected values in the tests
are computed from those files directly, never from the API's own output.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
REPORTS = REPO / "tests" / "data" / "reports"
MINSK = REPO / "examples" / "minsk-ii.yaml"
ALASKA = REPO / "examples" / "alaska-terms.yaml"
TOKENS = {
    "monitor-token-0123456789": "monitor",
    "analyst-token-0123456789": "analyst",
    "guarantor-token-012345678": "guarantor",
    "party-ua-token-0123456789": "party:ua",
    "party-cadlr-token-0123456": "party:cadlr",
}
BY_ROLE = {role: token for token, role in TOKENS.items()}
NAMED = {token: {"role": role, "name": "tester"} for token, role in TOKENS.items()}
"""The same tokens issued to a named holder: the log's actor is ``<role>/tester``."""


def source_reports() -> list[dict[str, Any]]:
    """Every committed report, parsed straight from the files."""
    found = []
    for path in sorted(REPORTS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line))
    return found


def build_mission(db: Path) -> str:
    """A store holding the committed reports (in file order); returns its URL."""
    from ceasefire.io.native import from_jsonl
    from ceasefire.log.service import Log
    from ceasefire.store import open_store

    url = f"sqlite:///{db}"
    with open_store(url) as store:
        log = Log(store)
        for path in sorted(REPORTS.glob("*.jsonl")):
            log.append_reports(from_jsonl(path), actor="test-import")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    db_url: str,
    agreements: list[Path] | None = None,
    tokens: dict[str, str] | None = None,
    **options: Any,
) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    from ceasefire.api.app import create_app

    options.setdefault("rate", 1e6)
    options.setdefault("burst", 10**6)
    app = create_app(
        db_url,
        [MINSK] if agreements is None else agreements,
        NAMED if tokens is None else tokens,
        **options,
    )
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def client(base_url: str, role: str | None = None) -> httpx.Client:
    """An HTTP client, with the bearer token of ``role`` (None: the public)."""
    headers = {} if role is None else {"Authorization": f"Bearer {BY_ROLE[role]}"}
    return httpx.Client(base_url=base_url, headers=headers, timeout=60)


def all_pages(http: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged list, following ``next``."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = http.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"] if "items" in page else page["features"]
        cursor = page["next"]
        if cursor is None:
            return items
