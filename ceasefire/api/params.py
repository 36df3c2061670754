"""Query parameters shared by the list endpoints, parsed once with clear 422s."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AwareDatetime

from ceasefire.api.errors import ApiError
from ceasefire.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor
from ceasefire.model.base import utc_text_safe
from ceasefire.model.redaction import PUBLIC_GRID_DEG, Reader, bbox_for
from ceasefire.model.states import STATES
from ceasefire.store.base import ReportQuery

Since = Annotated[
    AwareDatetime | None,
    Query(description="Observed at or after this instant (ISO 8601 with offset)."),
]
Until = Annotated[
    AwareDatetime | None,
    Query(description="Observed before this instant (ISO 8601 with offset)."),
]
BBox = Annotated[
    str | None,
    Query(
        description="minlon,minlat,maxlon,maxlat in WGS84 degrees.",
        examples=["37.5,47.5,39.0,48.5"],
    ),
]
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (≤ {MAX_LIMIT}).")
]
Cursor = Annotated[
    str | None, Query(description="The 'next' value of the previous page.")
]
Party = Annotated[str | None, Query(description="Attributed party id.")]
EventType = Annotated[
    list[str] | None, Query(description="Event type; repeat for several.")
]
StateParam = Annotated[
    list[str] | None,
    Query(description="Verification state; repeat for several: " + ", ".join(STATES)),
]
__all__ = ["DEFAULT_LIMIT"]


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` as floats; 422 naming bbox and the value."""
    if text is None:
        return None
    parts = text.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ApiError(
            422,
            "bbox: expected four numbers minlon,minlat,maxlon,maxlat",
            field="bbox",
            value=text,
        )
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ApiError(
            422,
            "bbox: expected -180 ≤ minlon ≤ maxlon ≤ 180 and -90 ≤ minlat ≤ maxlat ≤ 90",
            field="bbox",
            value=text,
        )
    return min_lon, min_lat, max_lon, max_lat


def check_states(states: list[str] | None) -> tuple[str, ...]:
    """The states asked for; 422 naming an unknown one."""
    for state in states or ():
        if state not in STATES:
            raise ApiError(
                422,
                f"state: unknown state {state!r}; expected one of {', '.join(STATES)}",
                field="state",
                value=state,
            )
    return tuple(states or ())


def iso(moment: datetime | None) -> str | None:
    """An aware datetime as ISO text for the store, in UTC.

    Any instant is a fine filter; one that cannot be moved to UTC (year 1 at
    +14:00, year 9999 at -14:00) is clamped instead of failing (issue 14).
    """
    return None if moment is None else utc_text_safe(moment.isoformat())


def report_query(
    bbox: str | None,
    since: Any,
    until: Any,
    event_type: list[str] | None,
    party: str | None,
    state: list[str] | None,
    limit: int,
    cursor: str | None,
    who: Reader | None = None,
    grid: float = PUBLIC_GRID_DEG,
) -> ReportQuery:
    """The store query for a list request (one more row than asked: is there a next page?).

    With ``who``, the bbox is the one the policy lets that reader use (whole
    public cells for the public).
    """
    box = parse_bbox(bbox)
    return ReportQuery(
        bbox=box if who is None else bbox_for(box, who, grid),
        since=iso(since),
        until=iso(until),
        event_types=tuple(event_type or ()),
        parties=(party,) if party else (),
        states=check_states(state),
        after_seq=decode_cursor(cursor),
        limit=limit + 1,
    )


@dataclass(frozen=True)
class ReportFilters:
    """The filters every report and incident list takes, parsed by FastAPI once.

    A dependency (``Filters``) rather than six parameters repeated on each
    route, as litestar's filter dependencies are; the OpenAPI document lists
    the same query parameters, in the same order.
    """

    bbox: str | None
    since: datetime | None
    until: datetime | None
    event_type: list[str] | None
    party: str | None
    state: list[str] | None

    def query(
        self, limit: int, cursor: str | None, who: Reader | None, grid: float
    ) -> ReportQuery:
        """The store query of these filters (see ``report_query``)."""
        return report_query(
            self.bbox, self.since, self.until, self.event_type, self.party,
            self.state, limit, cursor, who, grid,
        )  # fmt: skip


def report_filters(
    bbox: BBox = None,
    since: Since = None,
    until: Until = None,
    event_type: EventType = None,
    party: Party = None,
    state: StateParam = None,
) -> ReportFilters:
    """The ``ReportFilters`` of a request (a FastAPI dependency)."""
    return ReportFilters(bbox, since, until, event_type, party, state)


@dataclass(frozen=True)
class Paging:
    """A list request's page size and the cursor it continues from."""

    limit: int
    cursor: str | None


def paging(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Paging:
    """The ``Paging`` of a request (a FastAPI dependency)."""
    return Paging(limit, cursor)


Filters = Annotated[ReportFilters, Depends(report_filters)]
"""A route parameter taking the shared list filters."""
PageParams = Annotated[Paging, Depends(paging)]
"""A route parameter taking ``limit`` and ``cursor``."""
