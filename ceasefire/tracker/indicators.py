"""Indicators computed from the log, period by period, gaps kept as gaps.

Each indicator with a ``formula`` gets one series (``alert_hours``: one per
oblast) of ``(period_start, value)`` points over every period of its cadence
from ``since`` (default: entry into force) to ``until`` (default: ``as_of``),
in the agreement's time zone. A period the data does not cover is ``None``,
never 0: no statements that week means no rate, and a week before the first
or after the last alert in the file is unknown, not quiet.

``as_of`` is always passed in: nothing here reads the clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ceasefire.agreement.load import Agreement
from ceasefire.model.agreement import Indicator, IndicatorFormula, RelativeInstant
from ceasefire.model.entries import Kind, payload_body
from ceasefire.model.tracker import IndicatorObservationBody
from ceasefire.store.base import ReportQuery, Store
from ceasefire.tracker.entries import read
from ceasefire.tracker.periods import Period, period_of, periods

AIR_FORCE = "ua-air-force-"
"""source_report_id prefix of the Air Force importer (ceasefire/io/missiles.py)."""
OFFICIAL_ALERTS = "ua-air-raid-alert-official"
ALERT_LOOKBACK = timedelta(days=2)
"""Alerts that started this long before a range can still overlap it."""


@dataclass(frozen=True)
class Series:
    """One computed series of an indicator."""

    indicator: Indicator
    points: list[tuple[date, float | None]]
    series: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{"indicator", "unit", "points": [{"period_start", "value"}, …]}`` and context."""
        found: dict[str, Any] = {
            "indicator": self.indicator.id,
            "unit": self.indicator.unit,
        }
        if self.series is not None:
            found["series"] = self.series
        found |= {
            "name": self.indicator.name, "cadence": self.indicator.cadence,
            "target": self.indicator.target, "direction": self.indicator.direction,
            "baseline": self.indicator.baseline, "notes": self.notes,
            "points": [{"period_start": d.isoformat(), "value": v} for d, v in self.points],
        }  # fmt: skip
        return found


def resolve(agreement: Agreement, value: object) -> datetime | None:
    """An instant of the agreement (time, timeline name or offset) resolved."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, RelativeInstant):
        base = agreement.instants.get(value.after)
        return None if base is None else base + value.offset()
    return agreement.instants.get(str(value))


def _range(
    agreement: Agreement, formula: IndicatorFormula, as_of: datetime
) -> tuple[datetime, datetime]:
    since = resolve(agreement, formula.since) or agreement.entry_into_force
    if since is None:
        raise ValueError(
            "an indicator needs 'since' or an entry_into_force in the timeline"
        )
    until = resolve(agreement, formula.until) or as_of
    return since, min(until, as_of)


def report_bodies(
    store: Store, since: datetime, until: datetime, event_types: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """Bodies of the logged reports observed in [since, until)."""
    query = ReportQuery(
        since=since.isoformat(),
        until=until.isoformat(),
        event_types=event_types,
        limit=10**9,
    )
    for batch in store.report_export_rows(query):
        for row in batch:
            yield payload_body(row[-1])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ------------------------------------------------------------ interception


def interception_rate(
    store: Store,
    formula: IndicatorFormula,
    spans: list[Period],
    zone: ZoneInfo,
    cadence: str,
) -> tuple[list[float | None], list[str]]:
    """Σ destroyed / Σ launched × 100 per period over statements stating both."""
    launched: dict[date, int] = defaultdict(int)
    destroyed: dict[date, int] = defaultdict(int)
    skipped = 0
    for body in report_bodies(store, spans[0].start, spans[-1].end):
        if not body.get("source_report_id", "").startswith(AIR_FORCE):
            continue
        if formula.accounts and body["source"]["id"] not in formula.accounts:
            continue
        count = (body["properties"] or {}).get("destroyed_count")
        if count is None:
            skipped += 1
            continue
        first = period_of(_moment(body["observed"]["start"]), cadence, zone)
        launched[first] += int(body["weapon"]["count"])
        destroyed[first] += int(count)
    values = [
        100 * destroyed[p.first_day] / launched[p.first_day]
        if launched[p.first_day]
        else None
        for p in spans
    ]
    notes = (
        [f"{skipped} statements without a destroyed count left out"] if skipped else []
    )
    return values, notes


# ------------------------------------------------------------ alerts


def union_seconds(intervals: list[tuple[datetime, datetime]]) -> float:
    """Total length of the union of intervals, in seconds (overlaps once)."""
    total = 0.0
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


def alert_intervals(
    store: Store, formula: IndicatorFormula, since: datetime, until: datetime
) -> tuple[
    dict[str, list[tuple[datetime, datetime]]], tuple[datetime, datetime] | None, int
]:
    """Per oblast, the alert intervals; the data's span; alerts without an end."""
    accounts = formula.accounts or [OFFICIAL_ALERTS]
    found: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    first: datetime | None = None
    last: datetime | None = None
    open_alerts = 0
    for body in report_bodies(store, since - ALERT_LOOKBACK, until, ("other",)):
        props = body.get("properties") or {}
        if (
            props.get("alert_type") != "air_raid"
            or body["source"]["id"] not in accounts
        ):
            continue
        start = _moment(body["observed"]["start"])
        first = start if first is None or start < first else first
        end_text = body["observed"].get("end")
        if end_text is None:
            open_alerts += 1
            continue
        end = _moment(end_text)
        last = end if last is None or end > last else last
        if props.get("level", "oblast") in formula.levels:
            found[props["region"]].append((start, end))
    span = (first, last) if first is not None and last is not None else None
    return found, span, open_alerts


def alert_hours(
    intervals: list[tuple[datetime, datetime]],
    spans: list[Period],
    covered: tuple[datetime, datetime] | None,
) -> list[float | None]:
    """Hours under alert per period; None for periods the data does not fully cover."""
    values: list[float | None] = []
    for period in spans:
        if covered is None or period.start < covered[0] or period.end > covered[1]:
            values.append(None)
            continue
        clipped = [
            (max(s, period.start), min(e, period.end))
            for s, e in intervals
            if s < period.end and e > period.start
        ]
        values.append(union_seconds(clipped) / 3600)
    return values


# ------------------------------------------------------------ counts, observations


def report_count(
    store: Store,
    formula: IndicatorFormula,
    spans: list[Period],
    zone: ZoneInfo,
    cadence: str,
) -> list[float | None]:
    """Reports matching the filters per period; None outside the data's span."""
    counts: dict[date, int] = defaultdict(int)
    seen: list[date] = []
    for body in report_bodies(
        store, spans[0].start, spans[-1].end, tuple(formula.event_types)
    ):
        category = (body.get("target") or {}).get("category")
        if formula.target_categories and category not in formula.target_categories:
            continue
        first = period_of(_moment(body["observed"]["start"]), cadence, zone)
        counts[first] += 1
        seen.append(first)
    if not seen:
        return [None for _ in spans]
    low, high = min(seen), max(seen)
    return [
        float(counts[p.first_day]) if low <= p.first_day <= high else None
        for p in spans
    ]


def observations(
    store: Store, agreement: Agreement, indicator: Indicator, spans: list[Period]
) -> dict[str | None, list[float | None]]:
    """Logged observations per series; the latest logged value of a period wins."""
    subject = f"indicator:{agreement.document.id}/{indicator.id}"
    latest: dict[str | None, dict[date, float | None]] = defaultdict(dict)
    for _, body in read(
        store, subject, Kind.INDICATOR_OBSERVATION, IndicatorObservationBody
    ):
        latest[body.series][body.period_start] = body.value
    return {
        name: [values.get(p.first_day) for p in spans]
        for name, values in latest.items()
    }


# ------------------------------------------------------------ the engine


def compute(agreement: Agreement, store: Store, as_of: datetime) -> list[Series]:
    """Every computed indicator's series as of ``as_of``."""
    found: list[Series] = []
    for indicator in agreement.document.indicators:
        if indicator.formula is not None:
            found += compute_one(agreement, store, indicator, as_of)
    return found


def compute_one(
    agreement: Agreement, store: Store, indicator: Indicator, as_of: datetime
) -> list[Series]:
    """The series of one indicator (several for per-oblast alert hours)."""
    formula = indicator.formula
    assert formula is not None
    zone = ZoneInfo(agreement.document.timezone)
    since, until = _range(agreement, formula, as_of)
    spans = list(periods(since, until, indicator.cadence, zone))
    if not spans:
        return []
    days = [p.first_day for p in spans]
    if formula.kind == "interception_rate":
        values, notes = interception_rate(
            store, formula, spans, zone, indicator.cadence
        )
        return [Series(indicator, list(zip(days, values, strict=True)), notes=notes)]
    if formula.kind == "alert_hours":
        return _alert_series(store, indicator, formula, spans)
    if formula.kind == "report_count":
        values = report_count(store, formula, spans, zone, indicator.cadence)
        return [Series(indicator, list(zip(days, values, strict=True)))]
    return [
        Series(indicator, list(zip(days, v, strict=True)), series=name)
        for name, v in observations(store, agreement, indicator, spans).items()
    ] or [Series(indicator, [(d, None) for d in days])]


def _alert_series(
    store: Store, indicator: Indicator, formula: IndicatorFormula, spans: list[Period]
) -> list[Series]:
    intervals, covered, open_alerts = alert_intervals(
        store, formula, spans[0].start, spans[-1].end
    )
    notes = [f"{open_alerts} alerts without an end left out"] if open_alerts else []
    if covered is None:
        notes.append("no alerts in the log for this range: every period is a gap")
    days = [p.first_day for p in spans]
    return [
        Series(
            indicator,
            list(
                zip(
                    days,
                    alert_hours(intervals.get(oblast, []), spans, covered),
                    strict=True,
                )
            ),
            series=oblast,
            notes=notes,
        )
        for oblast in formula.oblasts or sorted(intervals)
    ]
