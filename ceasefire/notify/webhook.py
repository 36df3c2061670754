"""HMAC-SHA256-signed webhooks: how we sign, how a receiver verifies.

A delivery is an HTTP POST of the notice's JSON with four headers:

* ``X-Ceasefire-Delivery``: the delivery id (the notice id: a retry of the
  same notice is the same delivery);
* ``X-Ceasefire-Timestamp``: Unix seconds when it was signed;
* ``X-Ceasefire-Signature``: ``v2=`` and the hex HMAC-SHA256, keyed with the
  shared secret, of ``<delivery id>.<timestamp>.<body bytes>``;
* ``Idempotency-Key``: the delivery id again, for receivers that key on it.

A receiver recomputes the HMAC over the raw body it received, compares in
constant time, refuses timestamps outside its tolerance, and processes each
delivery id once within that window. It must dedupe on the *signed* delivery
id: the Idempotency-Key header is not signed, so a captured delivery replayed
under a new key would otherwise be processed again (issue 14).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

DELIVERY = "X-Ceasefire-Delivery"
TIMESTAMP = "X-Ceasefire-Timestamp"
SIGNATURE = "X-Ceasefire-Signature"
IDEMPOTENCY = "Idempotency-Key"
SCHEME = "v2"
TOLERANCE_SECONDS = 300


def signature(secret: bytes, delivery: str, timestamp: int, body: bytes) -> str:
    """``v2=<hex HMAC-SHA256(secret, "<delivery>.<timestamp>." + body)>``."""
    signed = f"{delivery}.{timestamp}.".encode() + body
    mac = hmac.new(secret, signed, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(
    secret: bytes, body: bytes, key: str, timestamp: int | None = None
) -> dict[str, str]:
    """The headers of one delivery."""
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        DELIVERY: key,
        TIMESTAMP: str(moment),
        SIGNATURE: signature(secret, key, moment, body),
        IDEMPOTENCY: key,
    }


def verify(
    secret: bytes,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> bool:
    """Whether a received webhook is ours, unaltered and recent (for receivers).

    Recent is not enough against replays: also keep the delivery ids seen
    within ``tolerance`` (``delivery_id``) and process each once.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP.lower(), "")
    given = lowered.get(SIGNATURE.lower(), "")
    delivery = lowered.get(DELIVERY.lower(), "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) < 16) or not delivery:
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(stamp)) > tolerance:
        return False
    return hmac.compare_digest(given, signature(secret, delivery, int(stamp), body))


def delivery_id(headers: Mapping[str, str]) -> str:
    """The signed delivery id of a received webhook (after ``verify``)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(DELIVERY.lower(), "")


class Poster:
    """POSTs over kept-alive connections, one set per thread (http.client is light).

    httpx spent more CPU per request than the rest of the hotline put
    together at 200 notices/s on two shared cores; the standard library's
    client with a connection kept per thread and host does the same job.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        pool: dict[tuple[str, str], http.client.HTTPConnection] = getattr(
            self._local, "pool", {}
        )
        self._local.pool = pool
        found = pool.get((scheme, netloc))
        if found is None:
            kind = (
                http.client.HTTPSConnection
                if scheme == "https"
                else http.client.HTTPConnection
            )
            found = pool[(scheme, netloc)] = kind(netloc, timeout=self.timeout)
            with self._lock:
                self._opened.append(found)
        return found

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body``; return the status (raises OSError/HTTPException on failure)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {url!r}")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            connection.request("POST", target, body=body, headers=dict(headers))
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
            return response.status
        except BaseException:
            connection.close()  # the next attempt reconnects
            raise

    def close(self) -> None:
        """Close every connection (call when no POST is in flight)."""
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
