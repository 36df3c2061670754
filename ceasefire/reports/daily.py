"""The daily report in the OSCE SMM style: what the mission recorded on one day.

Counts are compared with the previous reporting period (the day before) by
region; breaches come with the compliance engine's reasons; restrictions of the
monitors' movement and heavy weapons inside withdrawal or demilitarized zones
have their own sections. The public edition names no source and coarsens every
place to its raion and to 0.1° (about 10 km), and lists only the breaches whose
evidence standard is met; the restricted edition keeps all of it.

Everything here is read from the store and the agreement: the report is derived
data and names the log head it was built from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely

from ceasefire.agreement import translate
from ceasefire.agreement.load import Agreement
from ceasefire.geo import boundaries
from ceasefire.geo.crs import local_projection
from ceasefire.log.service import Log
from ceasefire.model import redaction
from ceasefire.reports import sections
from ceasefire.reports.sections import (
    RestrictionRow,
    UavCounts,
    ViolationRow,
    breach_status,
)
from ceasefire.reports.words import Words
from ceasefire.store.base import ReportQuery, Store

Edition = Literal["public", "restricted"]
EDITIONS: tuple[str, ...] = ("public", "restricted")
TREND_DAYS = 14
PUBLIC_GRID_DEG = 0.1
"""The public edition's location grid (the API's default coarsening too)."""
RESTRICTION_TYPES = ("movement_restricted",)
UAV_TYPES = sections.JAMMING_TYPES + sections.UAV_FIRE_TYPES + sections.UAV_OTHER_TYPES
WEAPON_TYPES = ("heavy_weapon_present",)
WITHDRAWAL_REGIMES = ("withdrawal", "demilitarized", "buffer")
EXPLOSIVE_TYPES = (
    "shelling", "explosion", "air_strike", "drone_strike", "missile_strike",
)  # fmt: skip
NO_REGION = "unknown region"
ALL_REPORTS = 10_000_000  # the store's limit is a cap, not a page


@dataclass(frozen=True)
class Event:
    """One report as the chosen edition may show it."""

    id: str
    event_type: str
    observed: str
    """ISO 8601 UTC start of the observation."""
    region: str
    place: str
    lon: float
    lat: float
    party: str | None
    source: str
    """Source type, plus its identity in the restricted edition."""
    narrative: str
    precision: str = "minute"
    """How precisely the time is known (the report's observed.precision)."""
    weapon: str | None = None
    weapon_class: str | None = None
    restriction: str = sections.UNCATEGORISED
    """The SMM category of a restriction of movement."""

    @property
    def clock(self) -> str:
        """HH:MM UTC, or 'day' when only the day (or less) is known."""
        if self.precision in ("second", "minute", "hour"):
            return self.observed[11:16]
        return "day"


@dataclass(frozen=True)
class RegionRow:
    """Reports in one oblast, this period and the previous one."""

    region: str
    current: int
    previous: int
    explosive: int
    """Of the current ones: shelling, explosions and strikes."""


@dataclass(frozen=True)
class TypeRow:
    """Reports of one event type, this period and the previous one."""

    event_type: str
    current: int
    previous: int


@dataclass(frozen=True)
class Breach:
    """A breach verdict of the day with its reasons."""

    clause: str
    clause_title: str
    party: str
    incident: str
    observed: str
    place: str
    standard_met: bool
    text: str
    reasons: tuple[str, ...]

    @property
    def status(self) -> str:
        """'established breach' or 'reported breach' (see sections.breach_status)."""
        return breach_status(self.standard_met)


@dataclass(frozen=True)
class WeaponSighting:
    """A heavy weapon seen inside a zone it had to leave."""

    event: Event
    zones: tuple[str, ...]
    """Labels of the withdrawal/demilitarized zones that contain it."""
    distance_km: float | None
    """Distance to the nearest line of the agreement."""


@dataclass(frozen=True)
class MissingWeapon:
    """Weapons recorded missing from a storage site, with any verdict on them."""

    event: Event
    verdicts: tuple[str, ...]
    """'established breach of clause X' / 'reported breach of clause X'."""


@dataclass(frozen=True)
class DailyReport:
    """Everything one daily report says, ready to render."""

    day: date
    number: str
    """'20/2015': the day of the year and the year, like the SMM's numbering."""
    edition: Edition
    agreement_id: str
    agreement_title: str
    agreement_version: str
    period: tuple[datetime, datetime]
    previous_period: tuple[datetime, datetime]
    total: int
    previous_total: int
    by_region: tuple[RegionRow, ...]
    by_type: tuple[TypeRow, ...]
    trend: tuple[tuple[date, int, int], ...]
    """(day, reports, breaches) for the last TREND_DAYS days up to ``day``."""
    verdicts_available: bool
    breaches: tuple[Breach, ...]
    restrictions: tuple[Event, ...]
    weapons: tuple[WeaponSighting, ...]
    violations: tuple[ViolationRow, ...]
    """Ceasefire violations by region against the previous period."""
    restriction_table: tuple[RestrictionRow, ...]
    uav: UavCounts
    uav_events: tuple[Event, ...]
    missing: tuple[MissingWeapon, ...]
    events: tuple[Event, ...]
    breach_incidents: frozenset[str]
    log_size: int
    log_root: str
    generated_at: datetime
    lang: str = "en"
    """The report's language: en, uk or ru (reports/i18n)."""
    agreement_file: str = ""
    """The agreement's file name, for the implementation report's command."""
    commitments: int = 0
    """How many commitments the agreement has (the implementation report's)."""

    @property
    def established(self) -> int:
        """Breaches of the day whose evidence standard is met."""
        return sum(b.standard_met for b in self.breaches)

    @property
    def violations_total(self) -> ViolationRow:
        """The violation rows summed over regions."""
        rows = self.violations
        return ViolationRow(
            "Total",
            sum(r.current for r in rows),
            sum(r.explosions for r in rows),
            sum(r.shots for r in rows),
            sum(r.unsplit for r in rows),
            sum(r.previous for r in rows),
        )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The reporting period: one UTC day, start inclusive, end exclusive."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def build_daily(
    store: Store,
    agreement: Agreement,
    day: date,
    edition: Edition = "public",
    lang: str = "en",
) -> DailyReport:
    """Gather the report for ``day`` from ``store`` under ``agreement``, in ``lang``."""
    words = Words(lang)
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected public or restricted")
    period = day_bounds(day)
    previous = day_bounds(day - timedelta(days=1))
    trend_start = day_bounds(day - timedelta(days=TREND_DAYS - 1))[0]
    bodies = _reports(store, trend_start, period[1])
    current = [b for b in bodies if _within(b, period)]
    before = [b for b in bodies if _within(b, previous)]
    events = tuple(to_event(b, edition) for b in current)

    verdicts = _breach_verdicts(store, agreement, trend_start, period[1])
    if verdicts is not None and edition == "public":
        # as the API's public role: only breaches whose evidence standard is met
        verdicts = [v for v in verdicts if v["standard_met"]]
    todays = [v for v in (verdicts or []) if _instant(v["observed_at"]) >= period[0]]
    head = Log(store).head()
    doc = agreement.document
    names = _oblast_names()
    parties = _party_names(agreement, lang)
    restrictions = tuple(e for e in events if e.event_type in RESTRICTION_TYPES)
    return DailyReport(
        day=day,
        number=f"{day.timetuple().tm_yday}/{day.year}",
        edition=edition,
        agreement_id=doc.id,
        agreement_title=translate.title(doc, lang),
        agreement_version=doc.version,
        period=period,
        previous_period=previous,
        total=len(current),
        previous_total=len(before),
        by_region=_by_region(events, [to_event(b, edition) for b in before]),
        by_type=_by_type(current, before),
        trend=_trend(bodies, verdicts or [], day),
        verdicts_available=verdicts is not None,
        breaches=tuple(_breach(v, agreement, edition, words) for v in todays),
        restrictions=restrictions,
        weapons=_weapons(current, agreement, edition, lang),
        violations=sections.violations(current, before, names, NO_REGION),
        restriction_table=sections.restriction_table(
            [(e.restriction, e.party) for e in restrictions], parties
        ),
        uav=sections.uav_counts(current),
        uav_events=tuple(e for e in events if e.event_type in UAV_TYPES),
        missing=_missing(events, todays, words),
        events=events,
        breach_incidents=frozenset(v["incident"] for v in todays),
        log_size=head.tree_size,
        log_root=head.root_hash.hex(),
        generated_at=datetime.now(UTC),
        lang=lang,
        agreement_file=Path(agreement.path).name,
        commitments=len(doc.commitments),
    )


def _party_names(agreement: Agreement, lang: str) -> dict[str, str]:
    doc = agreement.document
    return {
        p.id: translate.text(doc, lang, "parties", p.id, p.name) for p in doc.parties
    }


# ------------------------------------------------------------------ reading


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _within(body: dict[str, Any], bounds: tuple[datetime, datetime]) -> bool:
    return bounds[0] <= _instant(body["observed"]["start"]) < bounds[1]


def _reports(store: Store, since: datetime, until: datetime) -> list[dict[str, Any]]:
    query = ReportQuery(
        since=since.isoformat(), until=until.isoformat(), limit=ALL_REPORTS
    )
    return store.reports(query)


def _breach_verdicts(
    store: Store, agreement: Agreement, since: datetime, until: datetime
) -> list[dict[str, Any]] | None:
    """Stored breach verdicts, or None when the agreement was not evaluated."""
    read = getattr(store, "verdicts", None)
    if read is None:
        return None
    from ceasefire.store.base import VerdictQuery  # type: ignore[attr-defined,unused-ignore]

    doc = agreement.document
    evaluated = read(
        VerdictQuery(agreement_id=doc.id, agreement_version=doc.version, limit=1)
    )
    if not evaluated:  # never evaluated: "no breach" would be a false statement
        return None
    found: list[dict[str, Any]] = read(
        VerdictQuery(
            agreement_id=agreement.document.id,
            agreement_version=agreement.document.version,
            verdicts=("breach",),
            since=since.isoformat(),
            until=until.isoformat(),
            limit=ALL_REPORTS,
        )
    )
    return found


# ------------------------------------------------------------------ editions


def _oblast_names() -> dict[str, str]:
    return {u.iso: u.name for u in boundaries.admin_units(1) if u.iso}


def to_event(body: dict[str, Any], edition: Edition) -> Event:
    """A report body as ``edition`` shows it (public: no source, coarse place)."""
    if edition == "public":  # the one redaction policy (issue 14), then layout
        body = redaction.report_view(body, redaction.PUBLIC, PUBLIC_GRID_DEG)
    location = body["location"]
    region = _oblast_names().get(location.get("admin1") or "", NO_REGION)
    source = body["source"]
    weapon = body.get("weapon")
    lon, lat = float(location["lon"]), float(location["lat"])
    if edition == "public":
        lon, lat = _coarse(lon), _coarse(lat)
        place = location.get("admin2") or region
        source_text = source["type"].replace("_", " ")
        narrative = ""
    else:
        place = location.get("place") or location.get("admin2") or region
        name = source.get("name") or source["id"]
        source_text = f"{source['type'].replace('_', ' ')}: {name}"
        narrative = body.get("narrative", "")
    return Event(
        id=body["id"],
        event_type=body["event_type"],
        observed=body["observed"]["start"],
        region=region,
        place=place,
        lon=lon,
        lat=lat,
        party=(body.get("attribution") or {}).get("party"),
        source=source_text,
        narrative=narrative,
        precision=body["observed"].get("precision", "minute"),
        weapon=_weapon_text(weapon) if weapon else None,
        weapon_class=(weapon or {}).get("class"),
        restriction=sections.restriction_category(body),
    )


def _coarse(value: float) -> float:
    """Snap to the public grid's cell centre (0.05, 0.15, …)."""
    cell = np.floor(value / PUBLIC_GRID_DEG) * PUBLIC_GRID_DEG + PUBLIC_GRID_DEG / 2
    return round(float(cell), 2)


def _weapon_text(weapon: dict[str, Any]) -> str:
    parts = [str(weapon.get("count", 1)), "×"]
    parts.append(
        weapon.get("model") or (weapon.get("class") or "weapon").replace("_", " ")
    )
    if weapon.get("calibre_mm"):
        parts.append(f"({weapon['calibre_mm']:g} mm)")
    return " ".join(parts)


# ------------------------------------------------------------------ sections


def _by_region(
    current: Sequence[Event], before: Sequence[Event]
) -> tuple[RegionRow, ...]:
    now = Counter(e.region for e in current)
    then = Counter(e.region for e in before)
    explosive = Counter(e.region for e in current if e.event_type in EXPLOSIVE_TYPES)
    regions = sorted(set(now) | set(then), key=lambda r: (-now[r], -then[r], r))
    return tuple(RegionRow(r, now[r], then[r], explosive[r]) for r in regions)


def _by_type(
    current: Iterable[dict[str, Any]], before: Iterable[dict[str, Any]]
) -> tuple[TypeRow, ...]:
    now = Counter(b["event_type"] for b in current)
    then = Counter(b["event_type"] for b in before)
    kinds = sorted(set(now) | set(then), key=lambda k: (-now[k], -then[k], k))
    return tuple(TypeRow(k, now[k], then[k]) for k in kinds)


def _trend(
    bodies: Iterable[dict[str, Any]], verdicts: Iterable[dict[str, Any]], day: date
) -> tuple[tuple[date, int, int], ...]:
    reports = Counter(_instant(b["observed"]["start"]).date() for b in bodies)
    breaches = Counter(_instant(v["observed_at"]).date() for v in verdicts)
    days = [day - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return tuple((d, reports[d], breaches[d]) for d in days)


def reason_text(reason: dict[str, Any] | str, words: Words | None = None) -> str:
    """One structured reason as a line: 'distance_km(loc) < 50: measured 12.3 km (limit 50)'."""
    if isinstance(reason, str):
        return reason
    w = words or Words()
    text = str(reason.get("predicate", ""))
    unit = f" {reason['unit']}" if reason.get("unit") else ""
    measured = reason.get("measured")
    if measured is not None:
        value = f"{measured:.1f}" if isinstance(measured, float) else str(measured)
        text += f": {w.plain('measured')} {value}{unit}"
    threshold = reason.get("threshold")
    if threshold is not None:
        shown = (
            ", ".join(map(str, threshold)) if isinstance(threshold, list) else threshold
        )
        bound = "limit" if isinstance(measured, int | float) else "expected"
        text += f" ({w.plain(bound)} {shown}{unit})"
    holds = reason.get("holds")
    if holds in ("true", "false", "unknown"):
        text += f" — {w.plain(f'holds_{holds}')}"
    return text


def _breach(
    verdict: dict[str, Any], agreement: Agreement, edition: Edition, words: Words
) -> Breach:
    try:
        title = agreement.clause(verdict["clause"]).title
    except KeyError:
        title = verdict["clause"]
    title = translate.text(
        agreement.document, words.lang, "clauses", verdict["clause"], title
    )
    parties = _party_names(agreement, words.lang)
    lon, lat = float(verdict["lon"]), float(verdict["lat"])
    if edition == "public":
        lon, lat = _coarse(lon), _coarse(lat)
    region = _oblast_names().get(verdict.get("admin1") or "", NO_REGION)
    return Breach(
        clause=verdict["clause"],
        clause_title=title,
        party=parties.get(
            verdict.get("party") or "",
            verdict.get("party") or words.term("unattributed"),
        ),
        incident=verdict["incident"],
        observed=verdict["observed_at"],
        place=f"{words.region(region)} ({lat:.2f}°N {lon:.2f}°E)",
        standard_met=bool(verdict["standard_met"]),
        text=verdict.get("text", ""),
        reasons=tuple(reason_text(r, words) for r in verdict.get("reasons", [])),
    )


def _weapons(
    bodies: Sequence[dict[str, Any]],
    agreement: Agreement,
    edition: Edition,
    lang: str = "en",
) -> tuple[WeaponSighting, ...]:
    """Heavy weapons seen inside withdrawal zones (tested at the exact place)."""
    sightings = [b for b in bodies if b["event_type"] in WEAPON_TYPES]
    if not sightings:
        return ()
    zones = [
        f
        for f in agreement.features.values()
        if f.spec.regime in WITHDRAWAL_REGIMES and f.kind in ("zone", "corridor")
    ]
    lines = [f.shape for f in agreement.features.values() if f.kind == "line"]
    points = shapely.points(
        [(b["location"]["lon"], b["location"]["lat"]) for b in sightings]
    )
    found = []
    for body, point in zip(sightings, points, strict=True):
        inside = tuple(
            translate.text(agreement.document, lang, "geometries", z.id, z.label)
            for z in zones
            if shapely.intersects(z.shape, point)
        )
        if inside:
            event = to_event(body, edition)
            found.append(WeaponSighting(event, inside, _distance_km(point, lines)))
    # as the SMM lists them: by weapon class, then by date and time
    found.sort(key=lambda w: (w.event.weapon_class or "~", w.event.observed))
    return tuple(found)


def _missing(
    events: Sequence[Event],
    verdicts: Sequence[dict[str, Any]],
    words: Words | None = None,
) -> tuple[MissingWeapon, ...]:
    """Weapons missing from storage sites, each with the breach verdicts on it.

    Read generically: any clause whose verdict concerns a ``weapon_missing``
    report is shown, whatever the agreement calls it.
    """
    w = words or Words()
    on: dict[str, list[str]] = {}
    for v in verdicts:
        status = w.term(breach_status(bool(v["standard_met"])))
        line = w.plain("verdict_of_clause", status=status, clause=v["clause"])
        on.setdefault(v["incident"], []).append(line)
    return tuple(
        MissingWeapon(e, tuple(on.get(e.id, ())))
        for e in events
        if e.event_type in sections.MISSING_TYPES
    )


def _distance_km(
    point: shapely.Geometry, lines: list[shapely.Geometry]
) -> float | None:
    if not lines:
        return None
    to_metres, _ = local_projection(point)
    here = shapely.transform(point, to_metres)
    return (
        min(
            float(shapely.distance(here, shapely.transform(line, to_metres)))
            for line in lines
        )
        / 1000.0
    )
