"""The application factory: ``create_app(db_url, agreements, tokens)``."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from ceasefire import __version__
from ceasefire.api import errors, swagger
from ceasefire.api.accesslog import AccessLog
from ceasefire.api.auth import TokenSpec, TokenTable
from ceasefire.api.context import ApiContext, load_agreements
from ceasefire.api.limits import MAX_BODY, BodyLimit
from ceasefire.api.ratelimit import RateLimiter
from ceasefire.api.redact import PUBLIC_GRID_DEG
from ceasefire.store import open_store

DESCRIPTION = """\
The monitoring mission's API: reports, incidents, verdicts, agreements and
the tamper-evident log. Send `Authorization: Bearer <token>`; without a token
you are the public and see redacted data. Errors are
`{"error": {"code", "message", "field", "value"}}`. Lists page with `limit`
and the `next` cursor. See docs/http-api.md.
"""


def create_app(
    db_url: str,
    agreements: list[Path],
    tokens: Mapping[str, TokenSpec],
    *,
    rate: float = 50.0,
    burst: int = 200,
    public_grid_deg: float = PUBLIC_GRID_DEG,
    tokens_file: Path | None = None,
    max_body: int = MAX_BODY,
) -> FastAPI:
    """The API (and the web UI, when ``ceasefire.web`` is installed) over one store.

    ``tokens`` maps bearer tokens (or ``sha256:<hex>`` of them) to roles
    (``monitor``, ``analyst``, ``guarantor``, ``public`` or ``party:<id>``) or
    to ``{"role", "name", "expires", "revoked"}``; with ``tokens_file`` the
    table follows that file's changes (revocations). ``rate``/``burst``: each
    caller's token bucket. Bodies over ``max_body`` bytes get a 413 unread. Agreements are loaded and checked here, and the
    store is opened (and migrated) once, so a bad file fails at start-up.
    """
    ctx = ApiContext(
        db_url=db_url,
        agreements=load_agreements(agreements),
        limiter=RateLimiter(rate, burst),
        public_grid_deg=public_grid_deg,
    )
    open_store(db_url).close()  # fail now, not at the first request; migrates

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    web_ui = importlib.util.find_spec("ceasefire.web") is not None
    app = FastAPI(
        title="ceasefire",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None if web_ui else "/docs",  # swagger.install serves it offline
    )
    app.state.ctx = ctx
    app.state.tokens = TokenTable(tokens, tokens_file)
    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(AccessLog)  # outermost: logs every answer, 413s too
    errors.install(app)
    from ceasefire.api import (
        ogc,
        routes_agreements,
        routes_control,
        routes_incidents,
        routes_log,
        routes_map,
        routes_map_control,
        routes_notices,
        routes_reports,
        routes_tracker,
        routes_verdicts,
    )

    for module in (
        routes_agreements,
        routes_reports,
        routes_incidents,
        routes_verdicts,
        routes_log,
        routes_notices,
        routes_map,
        routes_map_control,
        routes_tracker,
        routes_control,
        ogc,
    ):
        app.include_router(module.router)
    swagger.install(app, offline=web_ui)
    if web_ui:
        from ceasefire import web

        web.mount(app)
    return app
