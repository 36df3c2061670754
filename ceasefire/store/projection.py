"""The reports projection: typed, indexed columns derived from report entries.

Every backend stores the same columns, so queries agree; the projection can
always be rebuilt from the log. ``operations`` is the one place that says
which entry kinds project and what each writes (see docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from ceasefire.model.entries import Kind, envelope_of


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


# ------------------------------------------------------------ entry → row operations
#
# Which entry kinds touch the projection, and what each does to it, is said
# here once; every backend (sqlite, postgres, memory) executes these
# operations inside the transaction of the append that logs the entries.


class InsertReport(NamedTuple):
    """Add a logged report's row (ignored when a report of its id is there)."""

    row: ReportColumns


class Supersede(NamedTuple):
    """Hide report ``old`` behind its correction ``new`` (logged at ``seq``).

    Only a report logged before the correction is hidden.
    """

    old: str
    new: str
    seq: int


class SetState(NamedTuple):
    """Set the verification state of report ``report`` (logged at ``seq``).

    Only a report logged before the state change is touched.
    """

    report: str
    state: str
    seq: int


Operation = InsertReport | Supersede | SetState

PROJECTED_KINDS: tuple[Kind, ...] = (Kind.REPORT, Kind.STATE_CHANGE)
"""Entry kinds the projection reads; entries of other kinds change nothing."""

_REPORT = Kind.REPORT
_STATE_CHANGE = Kind.STATE_CHANGE


def operations(seq: int, kind: str, payload: bytes) -> list[Operation]:
    """What the entry at ``seq`` does to the projection, in order (pure).

    ``payload`` is the entry's logged envelope; a kind outside PROJECTED_KINDS
    yields nothing.
    """
    if kind == _REPORT:
        row = report_columns(seq, envelope_of(payload))
        if row.supersedes:
            return [InsertReport(row), Supersede(row.supersedes, row.id, seq)]
        return [InsertReport(row)]
    if kind == _STATE_CHANGE:
        entry = envelope_of(payload)
        return [SetState(entry["subject"], entry["body"]["to"], seq)]
    return []


def operations_of(entries: Iterable[tuple[int, str, bytes]]) -> Iterator[Operation]:
    """The operations of (seq, kind, payload) entries in log order."""
    for seq, kind, payload in entries:
        if kind == _REPORT or kind == _STATE_CHANGE:  # noqa: PLR1714 - hot loop
            yield from operations(seq, kind, payload)


def kinds_sql() -> str:
    """PROJECTED_KINDS as an SQL list of literals, for reading them back."""
    return ", ".join(f"'{kind.value}'" for kind in PROJECTED_KINDS)
