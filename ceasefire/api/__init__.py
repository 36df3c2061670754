"""The HTTP API (issue 8): reports, incidents, verdicts, agreements and the log.

``create_app`` builds the FastAPI application over a store URL, the agreements
it monitors and the tokens it accepts; ``ceasefire serve`` and
``ceasefire demo`` run it with uvicorn. Response DTOs live in ``dto`` and are
separate from the domain model; role views (what a party or the public may
see) live in ``redact``.
"""

from __future__ import annotations

from ceasefire.api.app import create_app

__all__ = ["create_app"]
