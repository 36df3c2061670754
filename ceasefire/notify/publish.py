"""One evaluation step of the hotline: penalty states and notices into the log.

``publish`` evaluates the penalty rules up to ``now``, records new
``penalty_state`` entries, derives the notices of new escalation steps and of
newly confirmed breaches, records them, and sweeps overdue acknowledgements
into ``notice_unanswered`` entries. Every id is derived from its cause, so
running it again (or in two processes) records nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ceasefire.agreement.load import Agreement
from ceasefire.log.service import Log
from ceasefire.notify import notices as notices_
from ceasefire.snapback import record as penalty
from ceasefire.snapback.engine import Breach, Transition, run
from ceasefire.snapback.inputs import read_inputs


@dataclass(frozen=True)
class Published:
    """What one step found and recorded."""

    transitions: list[Transition]
    """Every state change up to ``now`` (recorded or not before)."""
    recorded_states: int
    recorded_notices: int
    unanswered: int
    breaches: list[Breach]


def publish(log: Log, agreement: Agreement, now: datetime) -> Published:
    """Evaluate, record penalty states, notices and unanswered notices."""
    inputs = read_inputs(log.store, agreement)
    doc = agreement.document
    transitions = run(doc.penalty_rules, inputs.breaches, inputs.appeals, now)
    states = penalty.record(log, agreement, transitions)
    found: list[notices_.Notice] = []
    for transition in transitions:
        found += notices_.for_transition(doc, transition)
    confirmed = [b for b in inputs.breaches if b.confirmed and b.confirmed[0][0] <= now]
    for breach in confirmed:
        found += notices_.for_breach(doc, breach)
    written = notices_.record(log, found)
    silent = notices_.sweep_unanswered(log, now)
    return Published(transitions, len(states), len(written), len(silent), confirmed)
