"""A reference webhook receiver: verify the signature, drop repeated keys.

Used by the tests and the benchmark, and meant to be read by whoever writes
a guarantor's receiver: it verifies the HMAC over the delivery id, timestamp
and raw body, refuses stale timestamps, and answers a repeated *delivery id*
with 200 without processing it again (the sender retries until it gets a
2xx), whatever ``Idempotency-Key`` says: that header is not signed. Seen ids
can be kept in a file so a restarted receiver still knows them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

from ceasefire.notify import webhook


@dataclass
class Inbox:
    """What a receiver accepted: each notice once, in arrival order."""

    secret: bytes
    keys_file: Path | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    arrived_at: dict[str, float] = field(default_factory=dict)
    """Notice id → time.time() of its first arrival."""
    duplicates: int = 0
    rejected: int = 0
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.keys_file is not None and self.keys_file.exists():
            self.seen.update(self.keys_file.read_text().split())

    def accept(self, headers: dict[str, str], body: bytes) -> int:
        """Process one delivery; return the HTTP status to answer."""
        if not webhook.verify(self.secret, headers, body):
            with self.lock:
                self.rejected += 1
            return 401
        key = webhook.delivery_id(
            headers
        )  # signed: a new Idempotency-Key changes nothing
        with self.lock:
            if key in self.seen:
                self.duplicates += 1
                return 200
            self.seen.add(key)
            self.arrived_at[key] = time.time()
            self.received.append(orjson.loads(body))
            if self.keys_file is not None:
                with self.keys_file.open("a") as keys:
                    keys.write(key + "\n")
        return 200


class Receiver:
    """A threaded HTTP server on 127.0.0.1 feeding an Inbox; start/stop at will."""

    def __init__(self, inbox: Inbox, port: int = 0) -> None:
        self.inbox = inbox
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where to POST."""
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        """Listen (on the same port as before, after a stop)."""
        inbox = self.inbox

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = inbox.accept(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return  # quiet: tests and benchmarks print their own summaries

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start`` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
