"""The tracker over a log: evidence in, statuses decided and logged, history out.

Evidence and status changes are entries about ``commitment:<agreement>/<id>``
(milestone evidence too: the body names the milestone), read back with
``Store.entries_about``. A status is logged only when it or the score
changes, so the history is the list of changes, each with its rule and the
evidence it rests on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ceasefire.agreement.load import Agreement
from ceasefire.log.service import Draft, Log
from ceasefire.model.entries import Kind, dump_body, wrap
from ceasefire.model.tracker import CommitmentEvidenceBody, CommitmentStatusBody
from ceasefire.store.base import EntryRow, Store
from ceasefire.tracker import ledger
from ceasefire.tracker.entries import read
from ceasefire.tracker.indicators import resolve
from ceasefire.tracker.lifecycle import Decision, Evidence, Tracker


def subject_of(agreement_id: str, commitment_id: str) -> str:
    """The log subject of one commitment's evidence and status changes."""
    return f"commitment:{agreement_id}/{commitment_id}"


def log_evidence(
    log: Log, body: CommitmentEvidenceBody, actor: str | None = None
) -> EntryRow:
    """Append one piece of evidence about a commitment or milestone."""
    data = dump_body(wrap(body))
    draft = Draft(
        Kind.COMMITMENT_EVIDENCE,
        data,
        subject=subject_of(body.agreement, body.commitment),
        actor=actor or body.by,
    )
    return log.append([draft])[0]


def load_evidence(store: Store, agreement: Agreement) -> dict[str, list[Evidence]]:
    """Step → logged evidence about it, in log order."""
    found: dict[str, list[Evidence]] = {}
    for commitment in agreement.document.commitments:
        subject = subject_of(agreement.document.id, commitment.id)
        for row, body in read(
            store, subject, Kind.COMMITMENT_EVIDENCE, CommitmentEvidenceBody
        ):
            step = (
                f"{body.commitment}/{body.milestone}"
                if body.milestone
                else body.commitment
            )
            found.setdefault(step, []).append(Evidence(row.id, body))
    return found


def tracker_for(store: Store, agreement: Agreement, as_of: datetime) -> Tracker:
    """The decisions of every commitment as of ``as_of``, from the log."""
    linked = any(c.ledger is not None for c in agreement.document.commitments)
    deliveries = ledger.deliveries(store) if linked else []
    tracker = Tracker(agreement, load_evidence(store, agreement), deliveries, as_of)
    tracker.commitments()
    return tracker


def history(
    store: Store, agreement_id: str, commitment_id: str
) -> list[CommitmentStatusBody]:
    """The logged status changes of one commitment, oldest first."""
    subject = subject_of(agreement_id, commitment_id)
    return [
        body
        for _, body in read(
            store, subject, Kind.COMMITMENT_STATUS, CommitmentStatusBody
        )
    ]


def record_statuses(
    log: Log, agreement: Agreement, as_of: datetime, actor: str | None = None
) -> list[CommitmentStatusBody]:
    """Decide every commitment as of ``as_of``; log those whose status or score changed."""
    tracker = tracker_for(log.store, agreement, as_of)
    drafts, changed = [], []
    for commitment in agreement.document.commitments:
        decision = tracker.decided[commitment.id]
        past = history(log.store, agreement.document.id, commitment.id)
        last = past[-1] if past else None
        if last is not None and (last.status, last.score) == (
            decision.status,
            decision.score,
        ):
            continue
        body = CommitmentStatusBody(
            agreement=agreement.document.id, commitment=commitment.id,
            previous=last.status if last else None, status=decision.status,
            score=decision.score, rule=decision.rule, as_of=as_of, evidence=decision.evidence,
        )  # fmt: skip
        changed.append(body)
        drafts.append(
            Draft(
                Kind.COMMITMENT_STATUS,
                dump_body(wrap(body)),
                subject=subject_of(agreement.document.id, commitment.id),
                actor=actor,
            )
        )
    if drafts:
        log.append(drafts)
    return changed


def deadline_diff(old: Agreement, new: Agreement) -> list[dict[str, Any]]:
    """Deadlines that moved between two versions of an agreement (amendments)."""

    def dues(agreement: Agreement) -> dict[str, datetime | None]:
        found: dict[str, datetime | None] = {}
        for c in agreement.document.commitments:
            found[c.id] = resolve(agreement, c.due)
            for m in c.milestones:
                found[f"{c.id}/{m.id}"] = resolve(agreement, m.due) or found[c.id]
        return found

    before, after = dues(old), dues(new)
    moved = []
    for step in sorted(set(before) | set(after)):
        a, b = before.get(step), after.get(step)
        if a != b:
            shift = (b - a).total_seconds() / 86400 if a and b else None
            moved.append(
                {
                    "step": step,
                    "before": a.isoformat() if a else None,
                    "after": b.isoformat() if b else None,
                    "shift_days": shift,
                }
            )
    return moved


def due_within(tracker: Tracker, days: float = 30) -> list[Decision]:
    """Steps not met whose deadline falls in the next ``days`` after ``as_of``."""
    horizon = tracker.as_of + timedelta(days=days)
    return sorted(
        (
            d
            for d in tracker.decided.values()
            if d.status != "met"
            and d.due is not None
            and tracker.as_of <= d.due <= horizon
        ),
        key=lambda d: d.due or tracker.as_of,
    )


def decision_json(decision: Decision) -> dict[str, Any]:
    """A decision as JSON."""
    return {
        "step": decision.step, "status": decision.status, "score": decision.score,
        "rule": decision.rule, "due": decision.due.isoformat() if decision.due else None,
        "met_at": decision.met_at.isoformat() if decision.met_at else None,
        "progress": round(decision.progress, 4), "slipped": decision.slipped,
        "evidence": decision.evidence, "waiting_for": decision.waiting_for,
    }  # fmt: skip


def evidence_from_file(path: str) -> list[CommitmentEvidenceBody]:
    """Evidence entries from a YAML file ``{agreement, evidence: [...]}``.

    A bad entry raises naming its position, the field and the value.
    """
    import yaml
    from pydantic import ValidationError

    from ceasefire.errors import DetailedError

    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    found = []
    for i, item in enumerate(data.get("evidence") or []):
        item = {"agreement": data.get("agreement"), **item}
        for key in ("observed_at",):  # YAML reads times as datetimes; keep text
            if isinstance(item.get(key), datetime):
                item[key] = item[key].isoformat()
        try:
            found.append(CommitmentEvidenceBody.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DetailedError(
                f"{path}: evidence[{i}].{where}: {first['msg']}",
                value=first.get("input"),
                expected="see CommitmentEvidenceBody in ceasefire/model/tracker.py",
            ) from None
    return found


def check_evidence(agreement: Agreement, bodies: list[CommitmentEvidenceBody]) -> None:
    """Refuse evidence about another agreement or an unknown commitment/milestone."""
    from ceasefire.errors import DetailedError

    steps = {c.id: {m.id for m in c.milestones} for c in agreement.document.commitments}
    for i, body in enumerate(bodies):
        if body.agreement != agreement.document.id:
            raise DetailedError(
                f"evidence[{i}]: agreement {body.agreement!r}",
                value=body.agreement,
                expected=agreement.document.id,
            )
        if body.commitment not in steps:
            raise DetailedError(
                f"evidence[{i}]: no commitment {body.commitment!r}",
                value=body.commitment,
                expected="one of " + ", ".join(steps),
            )
        if body.milestone and body.milestone not in steps[body.commitment]:
            raise DetailedError(
                f"evidence[{i}]: commitment {body.commitment!r} has no milestone {body.milestone!r}",
                value=body.milestone, expected="one of " + (", ".join(sorted(steps[body.commitment])) or "no milestones"),
            )  # fmt: skip
