"""The reports projection: typed, indexed columns derived from report entries.

Both backends store the same columns, so queries agree; the projection can
always be rebuilt from the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class ReportColumns:
    """The indexed columns of one logged report."""

    seq: int
    id: str
    event_type: str
    source_type: str
    party: str | None
    observed_start: str | None
    observed_end: str | None
    lon: float
    lat: float
    precision_m: float
    admin1: str | None
    supersedes: str | None

    @property
    def values(self) -> tuple[Any, ...]:
        """Column values in table order (without superseded_by)."""
        return (
            self.seq, self.id, self.event_type, self.source_type, self.party,
            self.observed_start, self.observed_end, self.lon, self.lat,
            self.precision_m, self.admin1,
        )  # fmt: skip


_UTC_FORM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,6}))?(?:Z|\+00:00)")


def utc_text(value: str | None) -> str | None:
    """ISO text in UTC, so that text order is time order across offsets."""
    if value is None:
        return None
    return _utc_text(value)


@lru_cache(maxsize=65_536)  # imports repeat dates: UCDP has one per day
def _utc_text(value: str) -> str:
    found = _UTC_FORM.fullmatch(value)
    if found is not None:  # already UTC: pad the fraction, no datetime needed
        return f"{value[:19]}.{(found.group(1) or '').ljust(6, '0')}Z"
    moment = datetime.fromisoformat(value).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def report_columns(seq: int, entry: dict[str, Any]) -> ReportColumns:
    """Columns of a report entry (the parsed envelope written by the log)."""
    body = entry["body"]
    location = body["location"]
    attribution = body.get("attribution") or {}
    return ReportColumns(
        seq=seq,
        id=body["id"],
        event_type=body["event_type"],
        source_type=body["source"]["type"],
        party=attribution.get("party"),
        observed_start=utc_text(body["observed"]["start"]),
        observed_end=utc_text(body["observed"].get("end")),
        lon=location["lon"],
        lat=location["lat"],
        precision_m=location.get("precision_m", 0.0),
        admin1=location.get("admin1"),
        supersedes=body.get("supersedes"),
    )
