"""Clauses over territory: the freeze cap per sector and withdrawal from a zone.

Evaluated on control observations (``ceasefire.control``), each source against
its own baseline map. A verdict names the area, the place (centroid and the
raion/oblast holding it, from the bundled admin boundaries), the two
observation days between which the change happened and every source that
shows it. The evidence standard counts independent *publishers*: DeepState's
daily maps and its history archive are one publisher; DeepState and NZZ are
two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import shapely

from ceasefire.agreement.load import Agreement
from ceasefire.compliance.evaluate import resolve_instant
from ceasefire.control.area import area_km2
from ceasefire.control.change import Frontline
from ceasefire.control.held import held_area
from ceasefire.control.observe import observations
from ceasefire.control.run import baseline_day, baseline_observation, frontline, sides
from ceasefire.geo.admin_lookup import admin_units_at
from ceasefire.model.control import ControlObservation
from ceasefire.store.base import Store

PUBLISHER = {"deepstate": "deepstate", "deepstate-archive": "deepstate"}
"""Source id → publisher, for independence (others are their own publisher)."""

TOLERANCE_KM2 = 0.05
"""Area below which a party is taken to hold none of a zone (map slivers)."""
DEFAULT_SOURCES = ("deepstate", "nzz")
"""Control-map sources a territorial clause is judged on unless it names others."""


@dataclass
class Place:
    """Where a change is: its centroid and the admin units holding it."""

    lon: float
    lat: float
    oblast: str | None
    raion: str | None

    @classmethod
    def of(cls, shape: shapely.Geometry) -> Place | None:
        if shape.is_empty:
            return None
        point = (
            shapely.point_on_surface(shape)
            if not shape.centroid.within(shape)
            else shape.centroid
        )
        oblast, raion = admin_units_at([point.x], [point.y])[0]
        return cls(round(point.x, 5), round(point.y, 5), oblast, raion)


@dataclass
class SourceFinding:
    """What one source shows for a clause."""

    source: str
    breach: bool
    area_km2: float
    changed_between: tuple[date, date] | None
    place: Place | None
    progress: list[tuple[date, float]] = field(default_factory=list)
    """For withdrawals: (day, % of the baseline holding vacated)."""


@dataclass
class TerritoryVerdict:
    """A territorial clause's verdict for one party in one zone."""

    clause: str
    party: str
    zone: str
    verdict: str
    """'breach', 'no_breach' or 'undetermined' (no source observed it)."""
    standard_met: bool
    findings: list[SourceFinding]

    @property
    def sources(self) -> list[str]:
        """Sources whose maps show the breach."""
        return [f.source for f in self.findings if f.breach]


def publishers(sources: list[str]) -> set[str]:
    """The independent publishers behind ``sources``."""
    return {PUBLISHER.get(s, s) for s in sources}


def _verdict(
    clause: str, party: str, zone: str, findings: list[SourceFinding], min_sources: int
) -> TerritoryVerdict:
    if not findings:
        return TerritoryVerdict(clause, party, zone, "undetermined", False, findings)
    breached = [f.source for f in findings if f.breach]
    verdict = "breach" if breached else "no_breach"
    met = (
        len(publishers(breached if breached else [f.source for f in findings]))
        >= min_sources
    )
    return TerritoryVerdict(clause, party, zone, verdict, met, findings)


def freeze(
    agreement: Agreement,
    store: Store,
    clause: str,
    zone_id: str,
    cap_km2: float,
    sources: list[str],
    since: date | None = None,
    min_sources: int = 2,
) -> list[TerritoryVerdict]:
    """Freeze cap: "no party gains ground in the zone beyond ``cap_km2``".

    Per party, the first observed day (from ``since``, default entry into
    force, else the baseline) each source shows more.
    """
    parties = sides(agreement)
    if since is None:
        force = agreement.entry_into_force
        zone_info = ZoneInfo(agreement.document.timezone)
        since = force.astimezone(zone_info).date() if force else baseline_day(agreement)
    per_party: dict[str, list[SourceFinding]] = {p: [] for p in parties}
    for source in sources:
        if not observations(store, source):
            continue
        compare, found = frontline(agreement, store, source)
        shape = agreement.features[zone_id].shape
        for party in parties:
            per_party[party].append(
                _first_over(
                    compare, store, found, (party, zone_id, shape), cap_km2, since
                )
            )
    return [_verdict(clause, p, zone_id, per_party[p], min_sources) for p in parties]


def _first_over(
    compare: Frontline,
    store: Store,
    found: list[ControlObservation],
    where: tuple[str, str, shapely.Geometry],
    cap_km2: float,
    since: date | None,
) -> SourceFinding:
    """The first day the party's gain in the zone exceeds the cap, if any."""
    party, zone_id, shape = where
    source = found[0].source
    previous: date | None = None
    area = 0.0
    for observation in found:
        day = observation.observed_on
        if since is None or day >= since:
            change = compare.change(day, source, held_area(store, observation))
            area = change.gains[party].by_zone[zone_id]
            if area > cap_km2:
                gained = shapely.intersection(change.gains[party].shape, shape)
                between = (previous or change.baseline, day)
                return SourceFinding(
                    source, True, round(area, 4), between, Place.of(gained)
                )
        previous = day
    return SourceFinding(source, False, round(area, 4), None, None)


def withdrawal(
    agreement: Agreement,
    store: Store,
    clause: str,
    zone_id: str,
    party: str,
    deadline: date,
    sources: list[str],
    min_sources: int = 2,
    tolerance_km2: float = TOLERANCE_KM2,
) -> TerritoryVerdict:
    """Withdrawal: "``party`` holds none of ``zone`` after ``deadline``": per source, the
    % of its baseline holding vacated on each day, and what it still holds at
    the deadline (its last map on or before it)."""
    holder, _ = sides(agreement)
    territory_id = agreement.document.territory
    area_in = agreement.features[zone_id].shape
    if territory_id:
        area_in = shapely.intersection(area_in, agreement.features[territory_id].shape)
    findings = []
    for source in sources:
        found = observations(store, source)
        if not found:
            continue
        base = baseline_observation(found, baseline_day(agreement), source)

        def held_in(observation: ControlObservation) -> shapely.Geometry:
            shape = held_area(store, observation)
            inside = shapely.intersection(shape, area_in)
            return inside if party == holder else shapely.difference(area_in, inside)

        start = area_km2(held_in(base))
        progress, at_deadline, last_day, changed = [], None, base.observed_on, None
        previous = start
        for observation in found:
            if (
                observation.observed_on < base.observed_on
                or observation.observed_on > deadline
            ):
                continue
            shape = held_in(observation)
            km2 = area_km2(shape)
            vacated = 100.0 * (1 - km2 / start) if start > 0 else 100.0
            progress.append((observation.observed_on, round(vacated, 2)))
            if abs(km2 - previous) > tolerance_km2:
                changed = (last_day, observation.observed_on)
            previous, last_day, at_deadline = km2, observation.observed_on, shape
        held = area_km2(at_deadline) if at_deadline is not None else start
        breach = held > tolerance_km2
        place = Place.of(at_deadline) if breach and at_deadline is not None else None
        findings.append(
            SourceFinding(source, breach, round(held, 4), changed, place, progress)
        )
    return _verdict(clause, party, zone_id, findings, min_sources)


@dataclass(frozen=True)
class WithdrawalTerms:
    """A withdrawal clause read from the agreement."""

    clause: str
    zone: str
    party: str
    deadline: date
    min_sources: int
    sources: tuple[str, ...] = DEFAULT_SOURCES
    tolerance_km2: float = TOLERANCE_KM2


@dataclass(frozen=True)
class FreezeTerms:
    """A freeze-cap clause read from the agreement."""

    clause: str
    sectors: tuple[str, ...]
    cap_km2: float
    since: date | None
    min_sources: int
    sources: tuple[str, ...] = DEFAULT_SOURCES


def _local_day(agreement: Agreement, value: object) -> date | None:
    instant = resolve_instant(value, agreement.instants)
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(agreement.document.timezone)).date()


def withdrawal_terms(agreement: Agreement) -> list[WithdrawalTerms]:
    """Withdrawal clauses: those with ``territory: {kind: withdrawal}``, and
    obligations whose predicate names ``inside(Z)`` of a zone Z with regime
    'withdrawal' (zone and party from the clause's ``territory`` keys, else
    from the zone)."""
    regimes = {
        g.id: g for g in agreement.document.geometries if g.regime == "withdrawal"
    }
    found = []
    for clause in agreement.document.clauses:
        terms = clause.territory
        if terms is not None and terms.kind != "withdrawal":
            continue
        named = [
            z for z in regimes if f"inside({z})" in clause.predicate.replace(" ", "")
        ]
        zone_id = terms.zone if terms and terms.zone else next(iter(named), None)
        if clause.kind != "obligation" or zone_id is None:
            continue
        zone = agreement.document.geometries[
            [g.id for g in agreement.document.geometries].index(zone_id)
        ]
        party = terms.party if terms and terms.party else zone.party
        day = _local_day(agreement, clause.deadline)
        if day is None or party is None:
            continue
        sources = tuple(terms.sources) if terms else DEFAULT_SOURCES
        tolerance = terms.tolerance_km2 if terms else TOLERANCE_KM2
        found.append(
            WithdrawalTerms(clause.id, zone_id, party, day,
                            clause.evidence.min_sources, sources, tolerance)
        )  # fmt: skip
    return found


def freeze_terms(agreement: Agreement) -> list[FreezeTerms]:
    """Clauses with ``territory: {kind: freeze}``: sectors (default: zones with
    regime 'buffer'), cap, and the day they apply from (``in_force.from``)."""
    buffers = tuple(g.id for g in agreement.document.geometries if g.regime == "buffer")
    found = []
    for clause in agreement.document.clauses:
        terms = clause.territory
        if terms is None or terms.kind != "freeze":
            continue
        found.append(
            FreezeTerms(
                clause.id,
                tuple(terms.sectors) or buffers,
                terms.cap_km2,
                _local_day(agreement, clause.in_force.from_),
                clause.evidence.min_sources,
                tuple(terms.sources),
            )
        )
    return found


def judge(
    agreement: Agreement,
    store: Store,
    sources: list[str] | None = None,
    cap_km2: float | None = None,
    sectors: list[str] | None = None,
) -> list[TerritoryVerdict]:
    """Every territorial clause of the agreement, as the clauses say; the
    arguments, when given, override the clauses' sources, cap and sectors."""
    found = [
        withdrawal(agreement, store, t.clause, t.zone, t.party, t.deadline,
                   list(sources or t.sources), t.min_sources, t.tolerance_km2)
        for t in withdrawal_terms(agreement)
    ]  # fmt: skip
    for terms in freeze_terms(agreement):
        cap = terms.cap_km2 if cap_km2 is None else cap_km2
        for sector in sectors or terms.sectors:
            found += freeze(
                agreement, store, terms.clause, sector, cap,
                list(sources or terms.sources), terms.since, terms.min_sources,
            )  # fmt: skip
    return found
