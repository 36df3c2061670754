"""The WHERE clauses of report and verdict queries, written once for SQL backends.

A ``Dialect`` says how one database spells a bound parameter, a set of
values, a time bound and a box; ``report_where`` and ``verdict_where`` build
the same conditions from a query for each. (The in-memory store applies the
same filters in Python: ``ceasefire.store.memory``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ceasefire.store.base import ReportQuery, VerdictQuery
from ceasefire.store.projection import utc_text


@dataclass(frozen=True)
class Dialect:
    """How one SQL database spells the parts of a filter."""

    mark: str
    """A bound parameter: '?' or '%s'."""
    time_cast: str
    """Appended to a time bound's mark ('' or '::timestamptz')."""
    utc_bounds: bool
    """Pass time bounds as UTC text (columns stored as text), else as given."""
    box: str
    """The condition of a box, with four marks."""
    box_order: tuple[int, int, int, int]
    """Which of (min_lon, min_lat, max_lon, max_lat) each mark of ``box`` takes."""
    array_sets: bool
    """A set of values as one array parameter (``= ANY``), else as ``IN (…)``."""

    def one_of(self, column: str, values: Sequence[str]) -> tuple[str, list[Any]]:
        """``column`` is any of ``values``: the condition and its parameters."""
        if self.array_sets:
            return f"{column} = ANY({self.mark}::text[])", [list(values)]
        return f"{column} IN ({', '.join([self.mark] * len(values))})", list(values)

    def bound(self, value: str) -> Any:
        """A time bound as this database compares it."""
        return utc_text(value) if self.utc_bounds else value


SQLITE = Dialect(
    mark="?",
    time_cast="",
    utc_bounds=True,  # stored as UTC text: compare in UTC too
    box="r.lon >= ? AND r.lon <= ? AND r.lat >= ? AND r.lat <= ?",
    box_order=(0, 2, 1, 3),
    array_sets=False,
)
POSTGRES = Dialect(
    mark="%s",
    time_cast="::timestamptz",
    utc_bounds=False,  # timestamptz compares instants in any offset
    box="r.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
    box_order=(0, 1, 2, 3),
    array_sets=True,
)


class ReportWhere(NamedTuple):
    """The conditions of a report query in three groups, each with its parameters.

    SQLite's planner looks at the time and box groups apart (see
    ``SQLiteStore._page_seqs``); everyone else joins them with AND.
    """

    rest: list[str]
    rest_params: list[Any]
    timed: list[str]
    time_params: list[Any]
    boxed: list[str]
    box_params: list[Any]

    @property
    def conditions(self) -> str:
        """All conditions joined by AND."""
        return " AND ".join(self.rest + self.timed + self.boxed)

    @property
    def params(self) -> list[Any]:
        """The parameters of ``conditions``, in order."""
        return self.rest_params + self.time_params + self.box_params


def report_where(query: ReportQuery, dialect: Dialect) -> ReportWhere:
    """The WHERE conditions of ``query`` over the projection ``reports r``."""
    mark = dialect.mark
    rest = ["r.superseded_by IS NULL"]
    rest_params: list[Any] = []
    for column, values in (
        ("r.event_type", query.event_types),
        ("r.party", query.parties),
        ("r.state", query.states),
    ):
        if values:
            condition, values_params = dialect.one_of(column, values)
            rest.append(condition)
            rest_params += values_params
    if query.after_seq is not None:
        rest.append(f"r.seq > {mark}")
        rest_params.append(query.after_seq)
    timed, time_params = _time_bounds("r.observed_start", query, dialect)
    boxed: list[str] = []
    box_params: list[Any] = []
    if query.bbox is not None:
        boxed.append(dialect.box)
        box_params = [query.bbox[k] for k in dialect.box_order]
    return ReportWhere(rest, rest_params, timed, time_params, boxed, box_params)


def verdict_where(query: VerdictQuery, dialect: Dialect) -> tuple[list[str], list[Any]]:
    """WHERE conditions and parameters of ``query`` over ``verdicts``."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("agreement_id", query.agreement_id),
        ("agreement_version", query.agreement_version),
        ("incident", query.incident),
    ):
        if value is not None:
            where.append(f"{column} = {dialect.mark}")
            params.append(value)
    for column, values in (
        ("clause", query.clauses),
        ("party", query.parties),
        ("verdict", query.verdicts),
        ("incident", query.incidents),
    ):
        if values:
            condition, values_params = dialect.one_of(column, values)
            where.append(condition)
            params += values_params
    timed, time_params = _time_bounds("observed_at", query, dialect)
    return where + timed, params + time_params


def _time_bounds(
    column: str, query: ReportQuery | VerdictQuery, dialect: Dialect
) -> tuple[list[str], list[Any]]:
    """``since`` (inclusive) and ``until`` (exclusive) on ``column``."""
    where: list[str] = []
    params: list[Any] = []
    for value, operator in ((query.since, ">="), (query.until, "<")):
        if value is not None:
            where.append(f"{column} {operator} {dialect.mark}{dialect.time_cast}")
            params.append(dialect.bound(value))
    return where, params
