"""Evaluate the penalty rules over a store and record each state change.

Every state change becomes one ``penalty_state`` log entry whose id is derived
from the agreement, rule, party, trigger number and state: recording the same
evaluation twice (or from two processes) appends it once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from ceasefire.agreement.load import Agreement
from ceasefire.log.service import Draft, Log
from ceasefire.model import entries
from ceasefire.model.agreement import AgreementDocument
from ceasefire.model.entries import Kind, dump_body
from ceasefire.snapback.engine import Transition, run
from ceasefire.snapback.inputs import read_inputs
from ceasefire.store.base import EntryRow, Store

PENALTY_STATE = Kind.PENALTY_STATE
ACTOR = "snapback"


def evaluate(store: Store, agreement: Agreement, now: datetime) -> list[Transition]:
    """Every penalty state change up to ``now``: a pure function of the log."""
    inputs = read_inputs(store, agreement)
    rules = agreement.document.penalty_rules
    return run(rules, inputs.breaches, inputs.appeals, now)


def subject_of(agreement_id: str, rule: str, group: str) -> str:
    """The log subject of a (rule, party): its trail is ``entries_about`` it."""
    return f"penalty:{agreement_id}:{rule}:{group}"


def entry_id(agreement_id: str, transition: Transition) -> str:
    """A stable id: the same transition always gets the same entry id."""
    digest = hashlib.sha256(f"{agreement_id}/{transition.key}".encode()).hexdigest()
    return f"penalty-{digest[:26]}"


def draft(doc: AgreementDocument, transition: Transition) -> Draft:
    """The ``penalty_state`` entry of a transition, with its stable id."""
    body = entries.PenaltyState.model_validate(
        {"agreement": doc.id, "agreement_version": doc.version, **transition.to_dict()}
    )
    return Draft(
        PENALTY_STATE,
        dump_body(body),
        subject=subject_of(doc.id, transition.rule, transition.group),
        actor=ACTOR,
        id=entry_id(doc.id, transition),
    )


def record(
    log: Log, agreement: Agreement, transitions: list[Transition]
) -> list[EntryRow]:
    """Append the transitions not yet in the log; return the appended entries."""
    doc = agreement.document
    ids = [entry_id(doc.id, t) for t in transitions]
    present = log.store.existing_ids(ids)
    drafts = [
        draft(doc, t)
        for t, entry_id_ in zip(transitions, ids, strict=True)
        if entry_id_ not in present
    ]
    return log.append(drafts) if drafts else []
