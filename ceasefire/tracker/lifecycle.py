"""Commitment lifecycle: status and PAM score decided from logged evidence.

Every decision takes ``as_of`` explicitly and reads only the evidence
observed by then, the ledger rows dated by then and the agreement's timeline:
the same evidence and the same ``as_of`` give the same status on any day the
code runs. Nothing here reads the machine's clock.

Rules, for one step (a commitment without milestones, or one milestone):

- **met**: a ``done`` claim stands (no later ``disputed``/``refuted``), or the
  quantity done (largest claimed, or the ledger's sum) reaches the promise;
- **disputed**: the latest claim is ``disputed``;
- **in progress**: work started or partly done, and the deadline (plus grace)
  has not passed — or there is no deadline;
- **partly met**: partly done when the deadline (plus grace) passed;
- **lapsed**: nothing done when the deadline (plus grace) passed;
- **not started**: otherwise (a step whose prerequisites are unmet is
  ``not started`` and says it is waiting for them).

A commitment with milestones takes its progress from them: the share met
(partly met and in-progress milestones count half).

PAM score (Kroc Peace Accords Matrix 0–3): 3 when met; 2 when progress is at
least one half; 1 when any progress or work started; 0 otherwise; a disputed
step scores at most 1 until the dispute is settled by a later claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ceasefire.agreement.load import Agreement
from ceasefire.errors import UnknownStep as UnknownStep  # re-exported
from ceasefire.model.agreement import Commitment, LedgerLink, Milestone, Quantity
from ceasefire.model.tracker import (
    CommitmentEvidenceBody,
    CommitmentStatus,
    DeliveryBody,
)
from ceasefire.tracker.indicators import resolve

PROGRESS = {
    "met": 1.0,
    "partly_met": 0.5,
    "in_progress": 0.5,
    "disputed": 0.0,
    "lapsed": 0.0,
    "not_started": 0.0,
}


@dataclass(frozen=True)
class Evidence:
    """A logged claim about a step, with the id of its log entry."""

    entry: str
    body: CommitmentEvidenceBody


@dataclass(frozen=True)
class Decision:
    """The status and score of one step or commitment as of an instant."""

    step: str
    """``commitment`` or ``commitment/milestone``."""
    status: CommitmentStatus
    score: int
    rule: str
    due: datetime | None
    met_at: datetime | None
    progress: float
    evidence: list[str] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)

    @property
    def slipped(self) -> bool:
        """Met after its deadline, or not met and past it."""
        return self.due is not None and (
            self.met_at is None
            and self.status in {"lapsed", "partly_met"}
            or self.met_at is not None
            and self.met_at > self.due
        )


def score_of(
    status: CommitmentStatus, progress: float, started: bool
) -> tuple[int, str]:
    """The PAM score and the rule that gave it."""
    if status == "met":
        return 3, "3: met"
    score, rule = 0, "0: nothing done"
    if progress >= 0.5:
        score, rule = 2, f"2: progress {progress:.0%} ≥ 50%"
    elif progress > 0 or started:
        score, rule = 1, f"1: progress {progress:.0%}, work started"
    if status == "disputed" and score > 1:
        return 1, f"1: disputed (was {rule})"
    return score, rule


def _standing(claims: list[Evidence]) -> list[Evidence]:
    """The claims that still stand: a ``refuted`` claim cancels those before it."""
    standing: list[Evidence] = []
    for claim in claims:
        if claim.body.claim == "refuted":
            standing = []
        else:
            standing.append(claim)
    return standing


def _quantity_done(claims: list[Evidence], ledger: float | None) -> float:
    amounts = [c.body.quantity for c in claims if c.body.quantity is not None]
    return max([*amounts, ledger or 0.0])


def decide_step(
    step: str, claims: list[Evidence], due: datetime | None, grace: timedelta,
    quantity: Quantity | None, ledger: Dated | None, waiting_for: list[str], as_of: datetime,
) -> Decision:  # fmt: skip
    """One step's status from its claims observed by ``as_of``."""
    seen = sorted(
        (c for c in claims if c.body.observed_at <= as_of),
        key=lambda c: c.body.observed_at,
    )
    standing = _standing(seen)
    ids = [c.entry for c in seen]
    counted = [(t, a) for t, a in ledger or [] if t <= as_of]
    done = _quantity_done(standing, sum(a for _, a in counted))
    progress = min(done / quantity.amount, 1.0) if quantity else 0.0
    done_at = next(
        (c.body.observed_at for c in standing if c.body.claim == "done"), None
    )
    if done_at is None and quantity and progress >= 1.0:
        done_at = _reached(standing, counted, quantity.amount)
    if (
        quantity
        and progress >= 1.0
        or done_at is not None
        and standing[-1].body.claim != "disputed"
    ):
        return Decision(step, "met", 3, "3: met", due, done_at, 1.0, ids)
    started = (
        any(c.body.claim in {"started", "partial"} for c in standing) or progress > 0
    )
    if not quantity and any(c.body.claim == "partial" for c in standing):
        progress = 0.5
    status = _status(standing, started, due, grace, as_of, waiting_for)
    score, rule = score_of(status, progress, started)
    if waiting_for and status == "not_started":
        rule += f"; waiting for {', '.join(waiting_for)}"
    return Decision(step, status, score, rule, due, None, progress, ids, waiting_for)


def _status(
    standing: list[Evidence],
    started: bool,
    due: datetime | None,
    grace: timedelta,
    as_of: datetime,
    waiting_for: list[str],
) -> CommitmentStatus:
    if standing and standing[-1].body.claim == "disputed":
        return "disputed"
    past_due = due is not None and as_of > due + grace
    if past_due:
        return "partly_met" if started else "lapsed"
    if started:
        return "in_progress"
    return "not_started"


Dated = list[tuple[datetime, float]]
"""Amounts with the time each was counted, oldest first."""


def _reached(
    standing: list[Evidence], counted: Dated, amount: float
) -> datetime | None:
    """When the claimed or counted quantity first reached ``amount``."""
    for claim in standing:
        if claim.body.quantity is not None and claim.body.quantity >= amount:
            return claim.body.observed_at
    total = 0.0
    for moment, value in counted:
        total += value
        if total >= amount:
            return moment
    return None


def tranche(rows: Dated, offset: float) -> Dated:
    """The amounts left after the first ``offset`` units (earlier tranches) are taken."""
    found: Dated = []
    for moment, value in rows:
        taken = min(offset, value)
        offset -= taken
        if value - taken > 0:
            found.append((moment, value - taken))
    return found


def ledger_rows(
    link: LedgerLink, agreement: Agreement, rows: list[DeliveryBody]
) -> Dated:
    """What the ledger counts towards a commitment: dated amounts, oldest first.

    ``measure`` value: value × scale (in the row's currency); quantity: the
    rows' quantities. Rows before ``since`` (default entry into force) or
    without a date do not count.
    """
    since = resolve(agreement, link.since) or agreement.entry_into_force
    found: Dated = []
    for row in rows:
        if row.partner != link.partner or row.stage != link.stage:
            continue
        if (
            link.category
            and row.category != link.category
            or link.item
            and row.item != link.item
        ):
            continue
        dated = _row_time(row)
        if dated is None or since is not None and dated < since:
            continue
        amount = (
            row.quantity or 0.0
            if link.measure == "quantity"
            else (row.value or 0.0) * row.scale
        )
        found.append((dated, amount))
    return sorted(found)


def _row_time(row: DeliveryBody) -> datetime | None:
    if row.on is not None:
        return datetime(row.on.year, row.on.month, row.on.day, tzinfo=UTC)
    if row.period is not None:
        year, month = row.period.split("-")
        return datetime(int(year), int(month), 1, tzinfo=UTC)
    return None


@dataclass
class Tracker:
    """Statuses of an agreement's commitments as of one instant."""

    agreement: Agreement
    evidence: dict[str, list[Evidence]]
    """Step (``commitment`` or ``commitment/milestone``) → its claims."""
    deliveries: list[DeliveryBody]
    as_of: datetime
    decided: dict[str, Decision] = field(default_factory=dict)

    def commitments(self) -> dict[str, Decision]:
        """Every commitment's (and milestone's) decision, dependencies first."""
        for commitment in self.agreement.document.commitments:
            self.commitment(commitment)
        return self.decided

    def _waiting(self, refs: list[str], owner: str) -> list[str]:
        found = []
        for ref in refs:
            step = ref if "/" in ref or ref in self._ids() else f"{owner}/{ref}"
            if self._step(step).status != "met":
                found.append(step)
        return found

    def _ids(self) -> set[str]:
        return {c.id for c in self.agreement.document.commitments}

    def _step(self, step: str) -> Decision:
        if step not in self.decided:
            commitment_id, _, milestone_id = step.partition("/")
            commitment = self._commitment_by_id(commitment_id, step)
            if milestone_id:
                self.milestone(
                    commitment, self._milestone_by_id(commitment, milestone_id, step)
                )
            else:
                self.commitment(commitment)
        return self.decided[step]

    def _commitment_by_id(self, commitment_id: str, step: str) -> Commitment:
        for commitment in self.agreement.document.commitments:
            if commitment.id == commitment_id:
                return commitment
        raise UnknownStep(
            f"'after: {step}' names no commitment {commitment_id!r}",
            value=step,
            expected="one of " + ", ".join(sorted(self._ids())),
        )

    @staticmethod
    def _milestone_by_id(
        commitment: Commitment, milestone_id: str, step: str
    ) -> Milestone:
        for milestone in commitment.milestones:
            if milestone.id == milestone_id:
                return milestone
        raise UnknownStep(
            f"'after: {step}': commitment {commitment.id!r} has no milestone {milestone_id!r}"
            " (and no commitment has that id)",
            value=step,
            expected="one of "
            + (", ".join(m.id for m in commitment.milestones) or "no milestones"),
        )

    def milestone(self, commitment: Commitment, milestone: Milestone) -> Decision:
        """One milestone's decision."""
        step = f"{commitment.id}/{milestone.id}"
        if step not in self.decided:
            self.decided[step] = Decision(
                step, "not_started", 0, "0: cyclic dependency", None, None, 0.0
            )
            waiting = self._waiting(milestone.after, commitment.id)
            due = resolve(self.agreement, milestone.due) or resolve(
                self.agreement, commitment.due
            )
            self.decided[step] = decide_step(
                step,
                self.evidence.get(step, []),
                due,
                timedelta(days=commitment.grace_days),
                milestone.quantity,
                self._tranche(commitment, milestone),
                waiting,
                self.as_of,
            )
        return self.decided[step]

    def _ledger(self, commitment: Commitment) -> Dated | None:
        if commitment.ledger is None:
            return None
        return ledger_rows(commitment.ledger, self.agreement, self.deliveries)

    def _tranche(self, commitment: Commitment, milestone: Milestone) -> Dated | None:
        """A milestone's share of the commitment's ledger: tranches fill in order."""
        rows = self._ledger(commitment)
        if rows is None or milestone.quantity is None:
            return None
        offset = 0.0
        for earlier in commitment.milestones:
            if earlier.id == milestone.id:
                break
            offset += earlier.quantity.amount if earlier.quantity else 0.0
        return tranche(rows, offset)

    def commitment(self, commitment: Commitment) -> Decision:
        """One commitment's decision (from its milestones when it has any)."""
        step = commitment.id
        if step in self.decided:
            return self.decided[step]
        self.decided[step] = Decision(
            step, "not_started", 0, "0: cyclic dependency", None, None, 0.0
        )
        waiting = self._waiting(commitment.after, commitment.id)
        due = resolve(self.agreement, commitment.due)
        ledger = self._ledger(commitment)
        own = decide_step(
            step,
            self.evidence.get(step, []),
            due,
            timedelta(days=commitment.grace_days),
            commitment.quantity,
            ledger,
            waiting,
            self.as_of,
        )
        if commitment.milestones and own.status != "met":
            own = self._from_milestones(commitment, own, due, waiting)
        self.decided[step] = own
        return own

    def _from_milestones(
        self,
        commitment: Commitment,
        own: Decision,
        due: datetime | None,
        waiting: list[str],
    ) -> Decision:
        parts = [self.milestone(commitment, m) for m in commitment.milestones]
        progress = max(
            own.progress, sum(PROGRESS[p.status] for p in parts) / len(parts)
        )
        evidence = own.evidence + [e for p in parts for e in p.evidence]
        if all(p.status == "met" for p in parts):
            met_at = max(p.met_at for p in parts if p.met_at is not None)
            return Decision(
                own.step, "met", 3, "3: every milestone met", due, met_at, 1.0, evidence
            )
        started = progress > 0 or any(
            p.status in {"in_progress", "partly_met", "disputed"} for p in parts
        )
        if any(p.status == "disputed" for p in parts) or own.status == "disputed":
            status: CommitmentStatus = "disputed"
        else:
            grace = timedelta(days=commitment.grace_days)
            status = (
                _status([], started, due, grace, self.as_of, waiting)
                if not started or due is None or self.as_of > due + grace
                else "in_progress"
            )
            if status == "not_started" and any(p.status == "lapsed" for p in parts):
                status = "partly_met" if started else "lapsed"
        score, rule = score_of(status, progress, started)
        met = sum(p.status == "met" for p in parts)
        return Decision(
            own.step,
            status,
            score,
            f"{rule} ({met} of {len(parts)} milestones met)",
            due,
            None,
            progress,
            evidence,
            waiting,
        )
