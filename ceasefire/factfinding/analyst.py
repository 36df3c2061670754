"""Analysts' merges and splits: log entries that every clustering pass re-applies.

A merge names incidents (by id) and joins them; the oldest-logged id
survives. A split names an incident and the reports to take out of it; they
become an incident of their own. Both carry a reason and an actor in the
log. The automatic pass runs first and these entries are then applied in log
order, so no re-clustering can undo an analyst's decision (a later analyst
entry can).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ceasefire.errors import DetailedError
from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.entries import Kind, dump_body, parse_entry
from ceasefire.store.base import EntryRow

MERGE = Kind.INCIDENT_MERGE
SPLIT = Kind.INCIDENT_SPLIT


@dataclass(frozen=True)
class Edit:
    """One analyst merge or split as logged."""

    seq: int
    kind: str
    incident: str
    """The surviving incident (merge) or the incident split."""
    others: tuple[str, ...]
    """Incidents merged in (merge) or reports taken out (split)."""
    reason: str
    actor: str | None


def edit_from_row(row: EntryRow) -> Edit:
    """An Edit from its log entry."""
    entry = parse_entry(row.payload)
    body = entry.body
    if isinstance(body, entries.IncidentMerge):
        others = body.incidents
    elif isinstance(body, entries.IncidentSplit):
        others = body.reports
    else:
        raise DetailedError(
            f"entry {row.seq} is not an analyst's edit",
            value=row.kind,
            expected=f"{MERGE} or {SPLIT}",
        )
    return Edit(
        row.seq, row.kind, body.incident, tuple(others), body.reason, entry.actor
    )


def _need_reason(reason: str) -> None:
    if not reason.strip():
        raise DetailedError(
            "an analyst's merge or split needs a reason",
            value=reason,
            expected="a non-empty reason",
        )


def record_merge(
    log: Log, incidents: Sequence[str], order: dict[str, int], actor: str, reason: str
) -> EntryRow:
    """Log a merge of ``incidents``; ``order`` gives each report's log position."""
    _need_reason(reason)
    named = list(dict.fromkeys(incidents))
    if len(named) < 2:
        raise DetailedError(
            "a merge needs at least two incidents",
            value=list(incidents),
            expected="two or more incident ids",
        )
    unknown = [i for i in named if i not in order]
    if unknown:
        raise DetailedError(
            f"no incident {unknown[0]!r}", value=unknown[0], expected="an incident id"
        )
    survivor = min(named, key=order.__getitem__)
    body = entries.IncidentMerge(
        incident=survivor,
        incidents=[i for i in named if i != survivor],
        reason=reason,
    )
    draft = Draft(MERGE, dump_body(body), subject=survivor, actor=actor)
    return log.append([draft])[0]


def record_split(
    log: Log,
    incident: str,
    members: Sequence[str],
    reports: Sequence[str],
    actor: str,
    reason: str,
) -> EntryRow:
    """Log taking ``reports`` out of ``incident`` (whose reports are ``members``)."""
    _need_reason(reason)
    taken = list(dict.fromkeys(reports))
    outside = [r for r in taken if r not in members]
    if not taken or outside:
        raise DetailedError(
            f"cannot split {outside[0] if outside else 'nothing'!r} out of {incident}",
            value=outside or taken,
            expected="report ids of the incident: " + ", ".join(members),
        )
    if incident in taken or len(taken) >= len(members):
        raise DetailedError(
            "a split must leave the incident its own first report",
            value=taken,
            expected=f"reports of {incident} other than {incident}",
        )
    body = entries.IncidentSplit(incident=incident, reports=taken, reason=reason)
    draft = Draft(SPLIT, dump_body(body), subject=incident, actor=actor)
    return log.append([draft])[0]


def apply_edits(
    groups: dict[str, list[str]], edits: Sequence[Edit], order: dict[str, int]
) -> dict[str, list[str]]:
    """Groups (incident id → report ids) after the edits, in log order.

    ``order`` is each report's log position: it decides which id survives a
    merge and names the incident split off (its first-logged report).
    """
    result = {k: list(v) for k, v in groups.items()}
    where = {
        report: incident for incident, reports in result.items() for report in reports
    }
    for edit in sorted(edits, key=lambda e: e.seq):
        if edit.kind == MERGE:
            current = {where[i] for i in (edit.incident, *edit.others) if i in where}
            if len(current) < 2:
                continue
            survivor = min(current, key=order.__getitem__)
            for other in current - {survivor}:
                for report in result.pop(other):
                    where[report] = survivor
                    result[survivor].append(report)
            result[survivor].sort(key=order.__getitem__)
        elif edit.kind == SPLIT:
            home = where.get(edit.incident)
            if home is None:
                continue
            taken = [r for r in edit.others if where.get(r) == home]
            kept = [r for r in result[home] if r not in set(taken)]
            if not taken or not kept:
                continue
            kept_anchor = min(kept, key=order.__getitem__)
            new_anchor = min(taken, key=order.__getitem__)
            del result[home]
            result[kept_anchor] = kept
            result[new_anchor] = sorted(taken, key=order.__getitem__)
            for report in kept:
                where[report] = kept_anchor
            for report in taken:
                where[report] = new_anchor
    return result
