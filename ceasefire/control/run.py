"""Front-line change of an agreement over a source's logged control maps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from ceasefire.agreement.load import Agreement
from ceasefire.control.change import NOISE_WIDTH_M, DayChange, Frontline, Zone
from ceasefire.control.held import held_area
from ceasefire.control.observe import observations
from ceasefire.errors import FrontlineError as FrontlineError  # re-exported
from ceasefire.model.control import ControlObservation
from ceasefire.store.base import Store

BASELINE = "control_baseline"
"""Timeline name of the day control is compared with (default: entry into force)."""


def baseline_day(agreement: Agreement) -> date:
    """The agreement's control baseline (or entry into force), as a local date."""
    instant = agreement.instants.get(BASELINE) or agreement.entry_into_force
    if instant is None:
        raise FrontlineError(
            f"{agreement.path}: no timeline instant to compare control with",
            expected=f"a timeline entry '{BASELINE}' or 'entry_into_force'",
        )
    return instant.astimezone(ZoneInfo(agreement.document.timezone)).date()


def sides(agreement: Agreement) -> tuple[str, str]:
    """(holder, other): the parties inside and outside the agreement's boundary line.

    The line drawn as the boundary of the held area names its sides; the party
    inside holds what the control maps draw.
    """
    for geometry in agreement.document.geometries:
        if geometry.boundary is not None and geometry.sides:
            inside, outside = (
                geometry.sides.get("inside"),
                geometry.sides.get("outside"),
            )
            if inside and outside:
                return inside, outside
    raise FrontlineError(
        f"{agreement.path}: no line says which party holds which side",
        expected="a line with boundary: {of: ZONE} and sides: {inside: PARTY, outside: PARTY}",
    )


def zones(agreement: Agreement) -> list[Zone]:
    """The agreement's zones and corridors that have a regime, in document order."""
    return [
        Zone(g.id, agreement.features[g.id].shape)
        for g in agreement.document.geometries
        if g.kind in {"zone", "corridor"}
        and g.regime is not None
        and g.id in agreement.features
    ]


def baseline_observation(
    found: list[ControlObservation], day: date, source: str
) -> ControlObservation:
    """The source's map of ``day``, else its latest before it."""
    before = [o for o in found if o.observed_on <= day]
    if not before:
        first = found[0].observed_on.isoformat() if found else "none"
        raise FrontlineError(
            f"source {source!r} has no control map on or before the baseline {day}",
            value=first,
            expected=f"an observation dated {day} or earlier (import its file first)",
        )
    return before[-1]


def frontline(
    agreement: Agreement,
    store: Store,
    source: str,
    baseline: date | None = None,
    noise_width_m: float = NOISE_WIDTH_M,
) -> tuple[Frontline, list[ControlObservation]]:
    """The comparison object and the source's observations, oldest first."""
    found = observations(store, source)
    base = baseline_observation(found, baseline or baseline_day(agreement), source)
    holder, other = sides(agreement)
    territory_id = agreement.document.territory
    territory = agreement.features[territory_id].shape if territory_id else None
    compare = Frontline(
        held_area(store, base),
        base.observed_on,
        holder,
        other,
        territory,
        zones(agreement),
        noise_width_m,
    )
    return compare, found


def changes(
    agreement: Agreement,
    store: Store,
    source: str,
    since: date | None = None,
    until: date | None = None,
    baseline: date | None = None,
    noise_width_m: float = NOISE_WIDTH_M,
) -> Iterator[DayChange]:
    """Each observed day's change in [since, until], oldest first."""
    compare, found = frontline(agreement, store, source, baseline, noise_width_m)
    for observation in found:
        day = observation.observed_on
        if (since and day < since) or (until and day > until):
            continue
        yield compare.change(day, source, held_area(store, observation))
