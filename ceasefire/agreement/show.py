"""A summary of an agreement for people: parties, clauses, commitments, penalties."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pyproj import Geod
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from ceasefire.agreement.load import Agreement
from ceasefire.geo.crs import area_km2
from ceasefire.model.agreement import RelativeInstant

_GEOD = Geod(ellps="WGS84")


def _when(agreement: Agreement, value: object) -> str:
    """An instant in the agreement's own time zone, with its name if it has one."""
    zone = ZoneInfo(agreement.document.timezone)
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    name = value.after if isinstance(value, RelativeInstant) else str(value)
    moment = agreement.instants.get(name)
    if isinstance(value, RelativeInstant) and moment is not None:
        moment = moment + value.offset()
    shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else "?"
    return f"{shown} ({name})" if not isinstance(value, RelativeInstant) else shown


def _measure(agreement: Agreement, geometry_id: str) -> str:
    """Geodesic length of a line, or area of a zone, for people."""
    shape = agreement.features[geometry_id].shape
    if shape.geom_type in ("LineString", "MultiLineString"):
        return f"{_GEOD.geometry_length(shape) / 1000:,.0f} km"
    if shape.geom_type in ("Point", "MultiPoint"):
        return "point"
    return f"{area_km2(shape):,.0f} km²"


def _table(*columns: str, title: str, **options: object) -> Table:
    """A table whose id column stays whole and whose other cells wrap."""
    table = Table(title=title, expand=True, **options)  # type: ignore[arg-type]
    first, *rest = columns
    table.add_column(first, no_wrap=True)  # ids are copied into commands: keep whole
    for column in rest:
        table.add_column(column, overflow="fold")
    return table


def summary(agreement: Agreement) -> Group:
    """A rich renderable summarising the agreement."""
    doc = agreement.document
    header = f"[bold]{doc.title}[/bold]\n{doc.id} · version {doc.version}"
    if agreement.entry_into_force:
        header += f" · in force {_when(agreement, agreement.entry_into_force)}"
    if doc.summary:
        header += f"\n\n{doc.summary.strip()}"

    parties = _table("id", "name", "role", "liaison points", title="Parties")
    for party in doc.parties:
        liaison = ", ".join(f"{lp.id} ({lp.channel})" for lp in party.liaison) or "—"
        parties.add_row(party.id, party.name, party.role, liaison)

    geometries = _table("id", "kind", "from", "size", title="Geometry")
    for spec in doc.geometries:
        geometries.add_row(
            spec.id, spec.kind, spec.source_key(), _measure(agreement, spec.id)
        )

    clauses = _table("clause", title="Clauses", show_lines=True)
    for clause in doc.clauses:
        penalties = ", ".join(clause.penalties) or "[red]no penalty[/red]"
        deadline = (
            f"; deadline {_when(agreement, clause.deadline)}" if clause.deadline else ""
        )
        clauses.add_row(
            f"[bold]{clause.id}[/bold] {clause.title}\n"
            f"{clause.kind}, binds {', '.join(clause.parties_bound)}; in force from"
            f" {_when(agreement, clause.in_force.from_)}{deadline}; feeds {penalties}\n"
            f"[cyan]{' '.join(clause.predicate.split())}[/cyan]"
        )

    commitments = _table("id", "party", "what", "due", "evidence", title="Commitments")
    for item in doc.commitments:
        due = _when(agreement, item.due) if item.due is not None else "[red]none[/red]"
        commitments.add_row(
            item.id,
            item.party,
            item.what,
            due,
            item.evidence_required or "[red]none[/red]",
        )

    rules = _table(
        "id",
        "threshold",
        "window",
        "appeal",
        "ladder",
        title="Penalty rules",
    )
    for rule in doc.penalty_rules:
        ladder = " → ".join(step.step for step in rule.escalation)
        rules.add_row(
            rule.id,
            f"{rule.threshold:g} {rule.measure} per {rule.per}",
            f"{rule.window_days:g} days",
            f"{rule.appeal_window_hours:g} h",
            ladder,
        )

    indicators = _table("id", "name", "target", "cadence", title="Indicators")
    for indicator in doc.indicators:
        sign = "≥" if indicator.direction == "at_least" else "≤"
        indicators.add_row(
            indicator.id,
            indicator.name,
            f"{sign} {indicator.target:g} {indicator.unit}",
            indicator.cadence,
        )

    tables = [parties, geometries, clauses, commitments, rules, indicators]
    return Group(Panel(header), *[table for table in tables if table.row_count])


def print_summary(agreement: Agreement, console: Console | None = None) -> None:
    """Print the summary to the terminal."""
    (console or Console()).print(summary(agreement))


def summary_data(agreement: Agreement) -> dict[str, object]:
    """The summary as JSON-ready data (for ``show --format json``)."""
    doc = agreement.document
    return {
        "id": doc.id,
        "title": doc.title,
        "version": doc.version,
        "entry_into_force": (
            agreement.entry_into_force.isoformat()
            if agreement.entry_into_force
            else None
        ),
        "parties": [{"id": p.id, "name": p.name, "role": p.role} for p in doc.parties],
        "geometries": [
            {
                "id": g.id,
                "kind": g.kind,
                "source": g.source_key(),
                "size": _measure(agreement, g.id),
            }
            for g in doc.geometries
        ],
        "clauses": [
            {
                "id": c.id,
                "kind": c.kind,
                "parties_bound": c.parties_bound,
                "predicate": " ".join(c.predicate.split()),
                "penalties": c.penalties,
            }
            for c in doc.clauses
        ],
        "commitments": [c.id for c in doc.commitments],
        "penalty_rules": [r.id for r in doc.penalty_rules],
        "indicators": [i.id for i in doc.indicators],
    }
