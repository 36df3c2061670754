"""Verdicts as the compliance engine stored them (issue 5), read for the API.

Until ``ceasefire evaluate`` (or the demo) has run, the store simply holds
no verdicts and every incident is shown without any.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ceasefire.store.base import Store, VerdictQuery


def verdict_query(
    agreement: str | None = None,
    clause: str | None = None,
    party: str | None = None,
    verdict: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 1000,
) -> VerdictQuery:
    """The store query for the API's verdict filters."""
    return VerdictQuery(
        agreement_id=agreement,
        clauses=(clause,) if clause else (),
        parties=(party,) if party else (),
        verdicts=(verdict,) if verdict else (),
        since=since,
        until=until,
        limit=limit,
    )


def by_incident(
    store: Store, ids: Iterable[str], agreement: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Stored verdicts of each incident in ``ids`` (one indexed lookup each)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for incident in ids:
        rows = store.verdicts(VerdictQuery(agreement_id=agreement, incident=incident))
        if rows:
            found[incident] = rows
    return found
