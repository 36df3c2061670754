"""A request log in the Common Log Format, one line per response.

``host - - [day/Mon/year:HH:MM:SS +0000] "METHOD /path?query HTTP/1.1" status bytes``
as web servers write it, so the usual log tools read it. The user field is
always ``-``: a bearer token is a secret and is never written down.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = logging.getLogger("ceasefire.access")


def clf_line(
    host: str, moment: datetime, request_line: str, status: int, size: int
) -> str:
    """One Common Log Format line (``-`` for no body, as the format has it)."""
    stamp = moment.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{host} - - [{stamp}] "{request_line}" {status} {size or "-"}'


def _request_line(scope: Scope) -> str:
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    target = path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
    target = target.replace('"', "%22")  # the quotes delimit the request line
    version = scope.get("http_version", "1.1")
    return f"{scope['method']} {target} HTTP/{version}"


class AccessLog:
    """ASGI middleware: after each HTTP response, one CLF line to ``ceasefire.access``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting the status and the body bytes sent."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent: dict[str, Any] = {"status": 500, "size": 0}

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["size"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            if LOGGER.isEnabledFor(logging.INFO):  # no formatting when nobody listens
                _log(scope, sent["status"], sent["size"])


def _log(scope: Scope, status: int, size: int) -> None:
    client = scope.get("client")
    host = client[0] if client else "-"
    line = clf_line(host, datetime.now(UTC), _request_line(scope), status, size)
    LOGGER.info(line)


def to_stderr() -> None:
    """Write the request log to standard error (what ``ceasefire serve`` does)."""
    if not any(isinstance(h, logging.StreamHandler) for h in LOGGER.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
