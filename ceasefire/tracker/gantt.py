"""One calendar per agreement: every step as a bar from its start to its deadline.

A bar starts at entry into force, or at the latest deadline of the steps it
depends on (the pullback starts when the freeze is verified); it ends at its
deadline. A step met after its deadline, or open past it, is a slip.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ceasefire.tracker.lifecycle import Decision, Tracker


def rows(tracker: Tracker) -> list[dict[str, Any]]:
    """Gantt rows in agreement order (each commitment, then its milestones)."""
    agreement = tracker.agreement
    start = agreement.entry_into_force
    parties = {p.id: p.name for p in agreement.document.parties}
    found = []
    for commitment in agreement.document.commitments:
        steps = [(commitment.id, commitment.after, commitment.what)]
        steps += [
            (f"{commitment.id}/{m.id}", m.after, m.what) for m in commitment.milestones
        ]
        for step, after, what in steps:
            decision = tracker.decided[step]
            begins = _begins(tracker, step, after, start)
            found.append(
                _row(decision, commitment.party, parties, what, begins, "/" in step)
            )
    return found


def _begins(
    tracker: Tracker, step: str, after: list[str], start: datetime | None
) -> datetime | None:
    owner = step.split("/")[0]
    dues = []
    for ref in after:
        key = (
            ref
            if "/" in ref
            or ref in {c.id for c in tracker.agreement.document.commitments}
            else f"{owner}/{ref}"
        )
        due = tracker.decided[key].due if key in tracker.decided else None
        if due is not None:
            dues.append(due)
    return max([d for d in (start, *dues) if d is not None], default=None)


def _row(
    decision: Decision,
    party: str,
    parties: dict[str, str],
    what: str,
    begins: datetime | None,
    milestone: bool,
) -> dict[str, Any]:
    return {
        "step": decision.step, "party": party, "party_name": parties.get(party, party),
        "what": what, "milestone": milestone,
        "start": begins.isoformat() if begins else None,
        "due": decision.due.isoformat() if decision.due else None,
        "met_at": decision.met_at.isoformat() if decision.met_at else None,
        "status": decision.status, "score": decision.score, "slipped": decision.slipped,
    }  # fmt: skip
