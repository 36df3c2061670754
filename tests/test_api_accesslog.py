"""The request log (issue 17): one Common Log Format line per response, no secrets."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ceasefire.api.accesslog import LOGGER, to_stderr
from tests.api_support import BY_ROLE, build_mission, client, serve

# RFC-less but fixed: https://www.w3.org/Daemon/User/Config/Logging.html#common-logfile-format
CLF = re.compile(
    r"^(?P<host>\S+) - - \[(?P<time>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "
    r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\d+|-)$'
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(build_mission(tmp_path_factory.mktemp("log") / "m.db")) as served:
        yield served


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def lines() -> Iterator[list[str]]:
    handler = Lines()
    level = LOGGER.level
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)


def test_each_response_is_one_clf_line(base_url: str, lines: list[str]) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    with client(base_url, "analyst") as http:
        listed = http.get("/api/reports", params={"limit": 2, "state": "reported"})
        missing = http.get("/ogc/collections/nope")
    with client(base_url) as http:
        posted = http.post("/api/reports", json={}, headers={"Idempotency-Key": "k"})
    # the server logs once the response is sent: the client may read it first
    deadline = time.monotonic() + 5
    while len(lines) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(lines) == 3, lines
    parsed = [CLF.match(line) for line in lines]
    assert all(parsed), lines
    for match, response in zip(parsed, (listed, missing, posted), strict=True):
        assert match is not None
        assert match["host"] == "127.0.0.1"
        assert int(match["status"]) == response.status_code
        assert int(match["size"]) == len(response.content)  # bytes as received
        moment = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
        assert before <= moment <= datetime.now(UTC) + timedelta(seconds=1)
    assert parsed[0] is not None
    assert parsed[0]["request"] == "GET /api/reports?limit=2&state=reported HTTP/1.1"
    assert not any(token in "\n".join(lines) for token in BY_ROLE.values())


def test_serve_writes_the_log_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    saved = (LOGGER.handlers[:], LOGGER.level, LOGGER.propagate)
    try:
        to_stderr()
        to_stderr()  # twice (a second server in one process): still one line each
        LOGGER.info('127.0.0.1 - - [03/Dec/2026:16:25:00 +0000] "GET / HTTP/1.1" 200 5')
    finally:
        LOGGER.handlers[:], LOGGER.level, LOGGER.propagate = saved
    assert capsys.readouterr().err.count("GET / HTTP/1.1") == 1
