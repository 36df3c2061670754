"""What the routes share: the store (one connection per thread), agreements, limits."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from ceasefire.agreement.load import Agreement
from ceasefire.api.auth import Principal, principal_of
from ceasefire.api.errors import ApiError
from ceasefire.api.incident_view import IncidentCache, Incidents
from ceasefire.api.ratelimit import RateLimiter
from ceasefire.log.service import Log
from ceasefire.store import open_store
from ceasefire.store.base import Store


@dataclass
class ApiContext:
    """Shared state of one app: opened once, used by every request."""

    db_url: str
    agreements: dict[str, Agreement]
    limiter: RateLimiter
    public_grid_deg: float
    idempotency: dict[str, tuple[int, dict[str, Any], str]] = field(
        default_factory=dict
    )
    """Idempotency-Key → (status, answer, request digest) of POSTs answered here."""
    cache: dict[str, bytes] = field(default_factory=dict)
    """Responses that never change while serving (agreement geometry)."""
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    auth_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(1.0, 20))
    """Failed authentications per client address: 20 at once, then one a second."""
    incident_cache: IncidentCache = field(default_factory=IncidentCache)
    """Fact-finding's incidents, following the log (never recomputed per call)."""
    _local: threading.local = field(default_factory=threading.local)
    _opened: list[Store] = field(default_factory=list)

    def store(self) -> Store:
        """This thread's store connection (SQLite connections stay in their thread)."""
        found: Store | None = getattr(self._local, "store", None)
        if found is None:
            found = self._local.store = open_store(self.db_url)
            self._opened.append(found)
        return found

    def log(self) -> Log:
        """The log over this thread's store."""
        return Log(self.store())

    def incidents(self) -> Incidents:
        """Fact-finding's incidents as of the log now."""
        return self.incident_cache.current(self.store())

    def agreement(self, agreement_id: str) -> Agreement:
        """An agreement by id; 404 naming the known ones."""
        found = self.agreements.get(agreement_id)
        if found is None:
            raise ApiError(
                404,
                f"no agreement {agreement_id!r}; known: {', '.join(self.agreements) or 'none'}",
                field="agreement",
                value=agreement_id,
            )
        return found

    def close(self) -> None:
        """Close every connection opened so far."""
        for store in self._opened:
            try:
                store.close()
            except Exception:  # noqa: S110 - another thread's connection: best effort
                pass
        self._opened.clear()


def load_agreements(paths: list[Path]) -> dict[str, Agreement]:
    """Agreements by id, loaded and checked (a bad file raises AgreementError)."""
    from ceasefire.agreement.load import load

    loaded = [load(path) for path in paths]
    return {a.document.id: a for a in loaded}


def context(request: Request) -> ApiContext:
    """The app's context (a FastAPI dependency)."""
    found: ApiContext = request.app.state.ctx
    return found


def _limit(limiter: RateLimiter, key: str) -> None:
    wait = limiter.take(key)
    if wait > 0:
        raise ApiError(
            429,
            f"too many requests; retry in {limiter.retry_after(wait)} s"
            f" (limit {limiter.rate:g}/s, bursts of {limiter.burst})",
            headers={"Retry-After": limiter.retry_after(wait)},
        )


def caller(request: Request) -> Principal:
    """The authenticated caller, after its rate limit (a FastAPI dependency).

    A wrong token spends from its address's bucket of failures, so guessing
    tokens is throttled too (issue 14).
    """
    ctx: ApiContext = request.app.state.ctx
    try:
        who = principal_of(request)
    except ApiError as exc:
        if exc.status == 401:
            host = request.client.host if request.client else "unknown"
            _limit(ctx.auth_limiter, f"failed-{host}")
        raise
    _limit(ctx.limiter, who.key)
    return who
