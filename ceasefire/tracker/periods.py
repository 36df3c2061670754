"""Calendar periods in the agreement's time zone (weeks start on Monday).

A period is a half-open interval [start, end) of local days, converted to
aware UTC instants, so a week of Kyiv time is 7 × 24 hours except across a
daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

Cadence = str
"""daily, weekly, monthly or quarterly."""


@dataclass(frozen=True)
class Period:
    """One period: its first local day and its bounds as UTC instants."""

    first_day: date
    start: datetime
    end: datetime


def period_start(day: date, cadence: Cadence) -> date:
    """The first local day of the period ``day`` falls in."""
    if cadence == "daily":
        return day
    if cadence == "weekly":
        return day - timedelta(days=day.weekday())
    if cadence == "monthly":
        return day.replace(day=1)
    if cadence == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(
        f"unknown cadence {cadence!r}; expected daily, weekly, monthly or quarterly"
    )


def next_start(first: date, cadence: Cadence) -> date:
    """The first local day of the following period."""
    if cadence == "daily":
        return first + timedelta(days=1)
    if cadence == "weekly":
        return first + timedelta(days=7)
    months = 1 if cadence == "monthly" else 3
    month = first.month - 1 + months
    return date(first.year + month // 12, month % 12 + 1, 1)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of ``day`` as a UTC instant."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def periods(
    since: datetime, until: datetime, cadence: Cadence, zone: ZoneInfo
) -> Iterator[Period]:
    """Every period that overlaps [since, until), in order."""
    first = period_start(since.astimezone(zone).date(), cadence)
    while True:
        start = local_midnight(first, zone)
        if start >= until:
            return
        following = next_start(first, cadence)
        yield Period(first, start, local_midnight(following, zone))
        first = following


def period_of(moment: datetime, cadence: Cadence, zone: ZoneInfo) -> date:
    """The first local day of the period an instant falls in."""
    return period_start(moment.astimezone(zone).date(), cadence)
