"""HMAC-SHA256-signed webhooks: how we sign, how a receiver verifies.

A delivery is an HTTP POST of the notice's JSON with three headers:

* ``X-Ceasefire-Timestamp``: Unix seconds when it was signed;
* ``X-Ceasefire-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the
  shared secret, of ``<timestamp>.<body bytes>``;
* ``Idempotency-Key``: the notice id; a retry carries the same key, so a
  receiver that keeps the keys it has seen processes each notice once.

A receiver recomputes the HMAC over the raw body it received, compares in
constant time and refuses timestamps outside its tolerance (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP = "X-Ceasefire-Timestamp"
SIGNATURE = "X-Ceasefire-Signature"
IDEMPOTENCY = "Idempotency-Key"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(
    secret: bytes, body: bytes, key: str, timestamp: int | None = None
) -> dict[str, str]:
    """The headers of one delivery."""
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        TIMESTAMP: str(moment),
        SIGNATURE: signature(secret, moment, body),
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
    """Whether a received webhook is ours, unaltered and recent (for receivers)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP.lower(), "")
    given = lowered.get(SIGNATURE.lower(), "")
    if not stamp.isdigit():
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(stamp)) > tolerance:
        return False
    return hmac.compare_digest(given, signature(secret, int(stamp), body))
