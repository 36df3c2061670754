"""Verdicts as the compliance engine stored them (issue 5), read for the API.

Until ``ceasefire evaluate`` (or the demo) has run, the store simply holds
no verdicts and every incident is shown without any.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ceasefire.store.base import Store, VerdictQuery

CHUNK = 500
"""Incidents per query (SQLite caps the number of bound parameters)."""


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
    """Stored verdicts of each incident in ``ids``, in a few indexed queries."""
    wanted = list(ids)
    found: dict[str, list[dict[str, Any]]] = {}
    if not wanted or not store.verdicts(VerdictQuery(agreement_id=agreement, limit=1)):
        return found  # nothing evaluated (yet): skip the lookups
    for start in range(0, len(wanted), CHUNK):
        part = tuple(wanted[start : start + CHUNK])
        query = VerdictQuery(agreement_id=agreement, incidents=part, limit=2**31)
        for row in store.verdicts(query):
            found.setdefault(row["incident"], []).append(row)
    return found
