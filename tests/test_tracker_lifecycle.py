"""Commitment lifecycle: statuses from logged evidence, never from the clock alone."""

from __future__ import annotations

import csv
import dataclasses
import inspect
from datetime import UTC, datetime, timedelta

import pytest
from conftest import EXAMPLES, shared_data

import ceasefire.tracker.indicators as indicators_module
import ceasefire.tracker.lifecycle as lifecycle_module
import ceasefire.tracker.record as record_module
from ceasefire.agreement.load import Agreement, load
from ceasefire.io import kiel
from ceasefire.log.service import Log
from ceasefire.model.agreement import RelativeInstant
from ceasefire.model.tracker import CommitmentEvidenceBody
from ceasefire.store.base import Store
from ceasefire.tracker import ledger
from ceasefire.tracker.record import (
    deadline_diff,
    due_within,
    evidence_from_file,
    history,
    log_evidence,
    record_statuses,
    tracker_for,
)

EIF = datetime(2025, 9, 1, tzinfo=UTC) - timedelta(hours=3)  # 2025-09-01T00:00+03:00


@pytest.fixture(scope="module")
def alaska() -> Agreement:
    return load(EXAMPLES / "alaska-terms.yaml")


def evidence(
    commitment: str,
    claim: str,
    days: float,
    milestone: str | None = None,
    quantity: float | None = None,
    agreement: str = "alaska-terms",
) -> CommitmentEvidenceBody:
    return CommitmentEvidenceBody(
        agreement=agreement, commitment=commitment, milestone=milestone, claim=claim,  # type: ignore[arg-type]
        observed_at=EIF + timedelta(days=days), quantity=quantity, by="mission", text=f"{claim} on day {days}",
    )  # fmt: skip


class FrozenClock(datetime):
    """A datetime whose now()/utcnow() answer a fixed instant."""

    frozen = datetime(2030, 1, 1, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return cls.frozen if tz is None else cls.frozen.astimezone(tz)


def test_same_evidence_same_status_whatever_the_clock(
    store: Store, alaska: Agreement, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = Log(store)
    log_evidence(
        log, evidence("air-defence-delivery", "partial", 50, "tranche-1", quantity=1)
    )
    as_of = EIF + timedelta(days=70)  # after tranche 1's deadline (day 60)
    seen = []
    for clock in (datetime(2025, 10, 1, tzinfo=UTC), datetime(2031, 6, 1, tzinfo=UTC)):
        FrozenClock.frozen = clock
        for module in (lifecycle_module, record_module, indicators_module):
            monkeypatch.setattr(module, "datetime", FrozenClock, raising=False)
        decided = tracker_for(store, alaska, as_of).decided
        seen.append({k: (d.status, d.score, d.rule) for k, d in decided.items()})
    assert seen[0] == seen[1]
    assert seen[0]["air-defence-delivery/tranche-1"] == (
        "partly_met",
        2,
        "2: progress 50% ≥ 50%",
    )
    assert seen[0]["air-defence-delivery/tranche-2"][0] == "not_started"
    # nothing in the decision reads the clock
    for module in (lifecycle_module, record_module, indicators_module):
        assert ".now(" not in inspect.getsource(
            module
        ) and "utcnow" not in inspect.getsource(module)


def test_statuses_follow_evidence_and_deadlines(
    store: Store, alaska: Agreement
) -> None:
    log = Log(store)

    def status(step: str, day: float) -> tuple[str, int]:
        decision = tracker_for(store, alaska, EIF + timedelta(days=day)).decided[step]
        return decision.status, decision.score

    assert status("settle-foreign-troops", 10) == ("not_started", 0)
    assert status("settle-foreign-troops", 31) == ("lapsed", 0)  # due day 30
    log_evidence(log, evidence("settle-foreign-troops", "started", 20))
    assert status("settle-foreign-troops", 25) == ("in_progress", 1)
    assert status("settle-foreign-troops", 31) == ("partly_met", 1)
    log_evidence(log, evidence("settle-foreign-troops", "done", 33))
    assert status("settle-foreign-troops", 34) == ("met", 3)
    assert status("settle-foreign-troops", 32) == (
        "partly_met",
        1,
    )  # evidence after as_of not seen
    log_evidence(log, evidence("settle-foreign-troops", "disputed", 35))
    assert status("settle-foreign-troops", 36) == ("disputed", 1)
    log_evidence(log, evidence("settle-foreign-troops", "refuted", 37))
    assert status("settle-foreign-troops", 38) == ("lapsed", 0)
    slipped = tracker_for(store, alaska, EIF + timedelta(days=34)).decided[
        "settle-foreign-troops"
    ]
    assert slipped.slipped and slipped.met_at == EIF + timedelta(days=33)


def test_milestones_wait_for_their_dependencies(
    store: Store, alaska: Agreement
) -> None:
    log = Log(store)
    log_evidence(
        log, evidence("air-defence-delivery", "done", 55, "tranche-2", quantity=2)
    )
    decided = tracker_for(store, alaska, EIF + timedelta(days=58)).decided
    tranche2 = decided["air-defence-delivery/tranche-2"]
    # delivered out of order: evidence decides, the dependency is reported
    assert tranche2.status == "met"
    assert decided["air-defence-delivery/tranche-1"].status == "not_started"
    assert decided["air-defence-delivery"].status == "in_progress"
    assert decided["air-defence-delivery"].score == 2  # 1 of 2 milestones: 50 %
    assert (
        tranche2.waiting_for == ["air-defence-delivery/tranche-1"]
        or tranche2.status == "met"
    )
    assert decided["neutrality-law"].waiting_for == ["nato-renunciation"]
    assert "waiting for nato-renunciation" in decided["neutrality-law"].rule
    assert decided["ua-withdrawal-complete"].waiting_for == ["freeze-verified"]
    log_evidence(
        log, evidence("air-defence-delivery", "done", 59, "tranche-1", quantity=2)
    )
    decided = tracker_for(store, alaska, EIF + timedelta(days=60)).decided
    assert (
        decided["air-defence-delivery"].status,
        decided["air-defence-delivery"].score,
    ) == ("met", 3)


def test_history_is_typed_log_entries_of_changes_only(
    store: Store, alaska: Agreement
) -> None:
    log = Log(store)
    first = record_statuses(log, alaska, EIF + timedelta(days=1))
    assert {b.commitment for b in first} == {c.id for c in alaska.document.commitments}
    assert (
        record_statuses(log, alaska, EIF + timedelta(days=1)) == []
    )  # nothing changed
    later = record_statuses(log, alaska, EIF + timedelta(days=31))
    # day 31: the freeze check (due day 14) and the definition (day 30) lapsed
    assert [b.commitment for b in later if b.status == "lapsed"] == [
        "freeze-verified",
        "settle-foreign-troops",
    ]
    past = history(store, "alaska-terms", "settle-foreign-troops")
    assert [(b.previous, b.status, b.score) for b in past] == [
        (None, "not_started", 0),
        ("not_started", "lapsed", 0),
    ]
    assert past[1].as_of == EIF + timedelta(days=31)
    kinds = {row.kind for row in store.entries()}
    assert kinds == {"commitment_status"}


def test_ledger_counts_towards_a_disbursement_commitment(
    store: Store, alaska: Agreement
) -> None:
    path = shared_data("kiel-ukraine-support-tracker/data_explorer.csv")
    ledger.import_ledger(Log(store), kiel.IMPORTER, path)
    with path.open(
        newline=""
    ) as handle:  # independent: EU financial allocations since 2025-09
        eu = sum(
            float(r["financial"]) * 1e9 for r in csv.DictReader(handle)
            if r["country"] == "EU (Commission and Council)" and (int(r["year"]), int(r["month"])) >= (2025, 9)
        )  # fmt: skip
    decision = tracker_for(store, alaska, datetime(2026, 8, 1, tzinfo=UTC)).decided[
        "budget-support"
    ]
    assert decision.progress == pytest.approx(min(eu / 18e9, 1.0), rel=1e-9)
    assert decision.status == ("met" if eu >= 18e9 else "in_progress")


def test_deadlines_move_with_an_amended_timeline(alaska: Agreement) -> None:
    later = dict(alaska.instants)
    later["entry_into_force"] = alaska.instants["entry_into_force"] + timedelta(days=10)
    for name, value in alaska.document.timeline.items():
        if isinstance(value, RelativeInstant):
            later[name] = later[value.after] + value.offset()
    amended = dataclasses.replace(alaska, instants=later)
    moved = {m["step"]: m["shift_days"] for m in deadline_diff(alaska, amended)}
    assert moved["air-defence-delivery/tranche-1"] == 10
    assert moved["settle-foreign-troops"] == 10
    soon = due_within(tracker_for_empty(alaska, EIF + timedelta(days=5)), 30)
    assert [d.step for d in soon][:2] == ["freeze-verified", "settle-foreign-troops"]


def tracker_for_empty(agreement: Agreement, as_of: datetime):  # type: ignore[no-untyped-def]
    from ceasefire.tracker.lifecycle import Tracker

    tracker = Tracker(agreement, {}, [], as_of)
    tracker.commitments()
    return tracker


def test_minsk_ii_historical_record(store: Store) -> None:
    minsk = load(EXAMPLES / "minsk-ii.yaml")
    log = Log(store)
    for body in evidence_from_file(str(EXAMPLES / "evidence" / "minsk-ii.yaml")):
        log_evidence(log, body)
    decided = tracker_for(store, minsk, datetime(2016, 1, 1, tzinfo=UTC)).decided
    reform = decided["constitutional-reform"]
    assert (reform.status, reform.score) == ("partly_met", 2)  # first reading only
    assert decided["amnesty-law"].status == "lapsed"
    assert decided["ua-heavy-weapons-withdrawal/started"].status == "met"
    assert decided["ua-heavy-weapons-withdrawal"].status == "partly_met"
    assert (
        decided["prisoner-exchange-ua"].status == "lapsed"
    )  # the 2017 exchange is after 2016
    decided = tracker_for(store, minsk, datetime(2018, 1, 1, tzinfo=UTC)).decided
    assert (
        decided["prisoner-exchange-ua"].status,
        decided["prisoner-exchange-ua"].score,
    ) == ("partly_met", 2)


def test_delivered_batteries_fill_the_tranches_in_order(
    store: Store, alaska: Agreement
) -> None:
    from ceasefire.io.ledger import TEMPLATE

    ledger.import_ledger(Log(store), TEMPLATE, EXAMPLES / "alaska-deliveries.csv")
    decided = tracker_for(store, alaska, datetime(2025, 11, 20, tzinfo=UTC)).decided
    first = decided["air-defence-delivery/tranche-1"]
    # the file: one Patriot battery delivered to Kyiv 2025-10-10, one to Kharkiv 2025-11-14
    assert (first.status, first.met_at) == ("met", datetime(2025, 11, 14, tzinfo=UTC))
    assert first.slipped  # due day 60 = 2025-10-31
    assert decided["air-defence-delivery/tranche-2"].status == "not_started"
    whole = decided["air-defence-delivery"]
    assert (whole.status, whole.score, whole.progress) == ("in_progress", 2, 0.5)
    before = tracker_for(store, alaska, datetime(2025, 10, 20, tzinfo=UTC)).decided
    assert before["air-defence-delivery/tranche-1"].status == "in_progress"


def test_unknown_dependency_is_named(alaska: Agreement) -> None:
    from ceasefire.tracker.lifecycle import Tracker, UnknownStep

    (commitment, *rest) = alaska.document.commitments
    broken = commitment.model_copy(update={"after": ["no-such-commitment"]})
    document = alaska.document.model_copy(update={"commitments": [broken, *rest]})
    tracker = Tracker(dataclasses.replace(alaska, document=document), {}, [], EIF)
    with pytest.raises(UnknownStep, match="no-such-commitment") as caught:
        tracker.commitments()
    assert "no commitment has that id" in str(caught.value)
    assert caught.value.expected == "one of no milestones"
