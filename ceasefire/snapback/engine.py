"""The penalty engine: rolling windows, appeal windows, escalation, expiry.

A pure function (no I/O, no clock): ``run(rules, breaches, appeals, now)``
returns every state change of every (rule, party) up to ``now``, so replaying
the same log with the same agreement version and the same ``now`` gives the
same triggers at the same times.

Semantics, per rule and per party (or the whole agreement when ``per:
agreement``):

* A **confirmed breach** counts from the moment the log confirmed it (the
  state change that met the clause's evidence standard) until it stops being
  confirmed (a reopened review); its place in the rolling window is its
  observation time. An incident that breaches several clauses feeding the
  same rule counts once, with the heaviest severity.
* While the rule is **watching**, at each moment a confirmation arrives the
  unused confirmed breaches are scanned: the first window of ``window_days``
  (by observation time) whose count (or summed clause severity) reaches
  ``threshold`` **triggers** the rule; those breaches are used up.
* The **appeal window** (``appeal_window_hours`` from the trigger) is when the
  accused party can reply (fact-finding replies, listed in the reasons). If,
  within it, enough of the trigger's breaches stop being confirmed to fall
  below the threshold, the trigger is **withdrawn** and its breaches freed.
  The ``penalty`` step never fires before the appeal window has closed.
* The **escalation ladder** fires each step ``after_hours`` after the previous
  one (the first after the trigger).
* **expired** ``expires_after_days`` after the trigger: the rule watches
  again; used breaches stay used.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ceasefire.model.agreement import PenaltyRule

WATCHING = "watching"
TRIGGERED = "triggered"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
AGREEMENT = "agreement"
"""The group key of rules with ``per: agreement``."""
ESTABLISHED = "established"
"""A state reached on breaches whose evidence standard is met."""
PROVISIONAL = "provisional"
"""A state reached on reported breaches, the evidence standard not (yet) met."""


@dataclass(frozen=True)
class Breach:
    """A breach that counts once the log confirms it."""

    incident: str
    clause: str
    party: str | None
    observed_at: datetime
    severity: float
    confirmed: tuple[tuple[datetime, datetime | None], ...]
    """Intervals [from, until) during which the log had it confirmed."""
    rules: tuple[str, ...]
    """Penalty rules its clause feeds."""

    def confirmed_at(self, moment: datetime) -> bool:
        """Whether it was confirmed at ``moment``."""
        return any(
            start <= moment and (end is None or moment < end)
            for start, end in self.confirmed
        )

    def to_reason(self) -> dict[str, Any]:
        """JSON form for reasons."""
        return {
            "incident": self.incident,
            "clause": self.clause,
            "party": self.party,
            "observed_at": self.observed_at.isoformat(),
            "severity": self.severity,
            "confirmed_at": self.confirmed[0][0].isoformat()
            if self.confirmed
            else None,
        }


@dataclass(frozen=True)
class Appeal:
    """A reply a party filed about an incident (fact-finding's right of reply)."""

    entry: str
    incident: str
    party: str
    at: datetime
    position: str = "contests"


@dataclass(frozen=True)
class Transition:
    """One state change of a (rule, group) with its reasons."""

    rule: str
    group: str
    """The party id, or ``agreement``."""
    trigger: int
    """1 for the group's first trigger, 2 for the next, …"""
    state: str
    previous: str
    at: datetime
    reasons: dict[str, Any] = field(default_factory=dict)
    notify: tuple[str, ...] = ()
    action: str | None = None
    standing: str = ESTABLISHED
    """``established`` or ``provisional`` (see ``snapback.standing``)."""

    @property
    def key(self) -> str:
        """Identifies the transition across replays (provisional ones apart)."""
        key = f"{self.rule}/{self.group}/{self.trigger}/{self.state}"
        return key if self.standing == ESTABLISHED else f"{key}/{self.standing}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the body of a ``penalty_state`` log entry)."""
        return {
            "key": self.key,
            "rule": self.rule,
            "group": self.group,
            "trigger": self.trigger,
            "from": self.previous,
            "to": self.state,
            "at": self.at.isoformat(),
            "notify": list(self.notify),
            "action": self.action,
            "reasons": self.reasons
            if self.standing == ESTABLISHED
            else {**self.reasons, "standing": self.standing},
        }


def _measure(rule: PenaltyRule, breaches: Iterable[Breach]) -> float:
    chosen = list(breaches)
    if rule.measure == "count":
        return float(len(chosen))
    return float(sum(b.severity for b in chosen))


def find_window(
    rule: PenaltyRule, pool: Sequence[Breach]
) -> tuple[datetime, datetime, list[Breach]] | None:
    """The first window of ``window_days`` whose breaches reach the threshold."""
    ordered = sorted(pool, key=lambda b: (b.observed_at, b.incident))
    width = timedelta(days=rule.window_days)
    first = 0
    for last, breach in enumerate(ordered):
        while ordered[first].observed_at < breach.observed_at - width:
            first += 1
        inside = ordered[first : last + 1]
        if _measure(rule, inside) >= rule.threshold:
            return breach.observed_at - width, breach.observed_at, inside
    return None


@dataclass
class _Active:
    """A trigger in progress."""

    number: int
    at: datetime
    breaches: list[Breach]
    window: tuple[datetime, datetime]
    appeal_end: datetime
    state: str = TRIGGERED


def _appeals_for(
    appeals: Sequence[Appeal], active: _Active, group: str, until: datetime
) -> list[dict[str, Any]]:
    incidents = {b.incident for b in active.breaches}
    return [
        {
            "entry": a.entry,
            "incident": a.incident,
            "party": a.party,
            "at": a.at.isoformat(),
            "position": a.position,
        }
        for a in appeals
        if a.incident in incidents
        and (group == AGREEMENT or a.party == group)
        and a.at <= until
    ]


def run_group(
    rule: PenaltyRule,
    group: str,
    breaches: Sequence[Breach],
    appeals: Sequence[Appeal],
    now: datetime,
) -> list[Transition]:
    """Every state change of one (rule, group) up to ``now``, in time order."""
    return _GroupRun(rule, group, breaches, appeals).until(now)


Event = tuple[datetime, str, int, int]
"""(moment, what, step index, trigger number): what is confirm, step or expire."""


class _GroupRun:
    """One (rule, group) as a state machine driven by events in time order.

    The state is ``active``: None while *watching* (confirmed, unused breaches
    wait in ``pool``), else the running trigger, whose ``state`` moves
    triggered → warning → … → penalty and ends withdrawn or expired (back to
    watching). Events are the moments a confirmation starts or ends (the
    ``boundaries``) and the trigger's scheduled steps and expiry (``queue``);
    at equal times confirmation changes come first.
    """

    def __init__(
        self,
        rule: PenaltyRule,
        group: str,
        breaches: Sequence[Breach],
        appeals: Sequence[Appeal],
    ) -> None:
        self.rule, self.group = rule, group
        self.breaches, self.appeals = breaches, appeals
        self.starts: dict[datetime, list[Breach]] = {}
        self.ends: dict[datetime, list[Breach]] = {}
        for b in breaches:
            for start, end in b.confirmed:
                self.starts.setdefault(start, []).append(b)
                if end is not None:
                    self.ends.setdefault(end, []).append(b)
        self.boundaries: list[datetime] = []
        self.position = 0
        self.pool = _Pool()
        """Confirmed, unused breaches; kept up to date only while watching."""
        self.queue: list[tuple[datetime, int, int, str, int, int]] = []
        """Scheduled (time, order, sequence, what, step, trigger)."""
        self.counter = 0
        self.used: set[str] = set()
        self.active: _Active | None = None
        self.triggers = 0
        self.out: list[Transition] = []

    def until(self, now: datetime) -> list[Transition]:
        """Run every event up to ``now``; return the transitions."""
        # confirmation changes are the only moments a count can change
        self.boundaries = sorted(
            {
                moment
                for b in self.breaches
                for start, end in b.confirmed
                for moment in (start, end)
                if moment is not None and moment <= now
            }
        )
        while (event := self._next_event()) is not None and event[0] <= now:
            moment, what, index, number = event
            if what == "confirm":
                self._on_confirm(moment)
            elif self.active is not None and self.active.number == number:
                if what == "step":
                    self._on_step(moment, index)
                else:
                    self._on_expire(moment)
        return self.out

    def _next_event(self) -> Event | None:
        if self.position < len(self.boundaries):
            boundary = self.boundaries[self.position]
            if not self.queue or boundary <= self.queue[0][0]:
                self.position += 1
                return boundary, "confirm", -1, 0
        if self.queue:
            moment, _, _, what, index, number = heapq.heappop(self.queue)
            return moment, what, index, number
        return None

    # ------------------------------------------------------------ events

    def _on_confirm(self, moment: datetime) -> None:
        active = self.active
        if active is not None and moment < active.appeal_end:
            still = [b for b in active.breaches if b.confirmed_at(moment)]
            if _measure(self.rule, still) < self.rule.threshold:
                self._withdraw(moment, active, still)
        if self.active is not None:
            # while a trigger runs, only the end of one of its breaches'
            # confirmations (inside the appeal window) or a scheduled event
            # can change anything: skip the boundaries in between
            self.position = bisect.bisect_left(
                self.boundaries,
                _next_relevant(self.active, moment, self.queue),
                lo=self.position,
            )
            return
        out = self.out
        if out and out[-1].at == moment and out[-1].state == WITHDRAWN:
            return  # rebuilt and re-checked at the withdrawal
        for b in self.ends.get(moment, []):
            self.pool.remove(b)
        fresh = [b for b in self.starts.get(moment, []) if b.incident not in self.used]
        for b in fresh:
            self.pool.add(b)
        if fresh:
            self._try_trigger(moment, fresh)

    def _withdraw(self, moment: datetime, active: _Active, still: list[Breach]) -> None:
        reasons = self._reasons(active)
        reasons["no_longer_confirmed"] = [
            b.incident for b in active.breaches if b not in still
        ]
        reasons["appeals"] = _appeals_for(self.appeals, active, self.group, moment)
        self._emit(WITHDRAWN, moment, reasons)
        self.used.difference_update(b.incident for b in active.breaches)
        self._back_to_watching(moment)

    def _on_step(self, moment: datetime, index: int) -> None:
        assert self.active is not None
        step = self.rule.escalation[index]
        reasons = self._reasons(self.active)
        reasons["appeals"] = _appeals_for(self.appeals, self.active, self.group, moment)
        reasons["step"] = index + 1
        self._emit(
            step.step, moment, reasons, notify=tuple(step.notify), action=step.action
        )

    def _on_expire(self, moment: datetime) -> None:
        assert self.active is not None
        self._emit(EXPIRED, moment, self._reasons(self.active))
        self._back_to_watching(moment)

    # ------------------------------------------------------------ transitions

    def _back_to_watching(self, moment: datetime) -> None:
        self.active = None
        self.pool.clear()
        for b in self.breaches:
            if b.incident not in self.used and b.confirmed_at(moment):
                self.pool.add(b)
        self._try_trigger(moment)

    def _try_trigger(self, moment: datetime, near: list[Breach] | None = None) -> None:
        width = timedelta(days=self.rule.window_days)
        if near is None:
            candidates = self.pool.between(None, None)
        else:  # a new trigger must include a breach confirmed just now
            lowest = min(b.observed_at for b in near) - width
            highest = max(b.observed_at for b in near) + width
            candidates = self.pool.between(lowest, highest)
        found = find_window(self.rule, candidates)
        if found is None:
            return
        start, end, chosen = found
        for b in chosen:
            self.pool.remove(b)
        self.triggers += 1
        appeal_end = moment + timedelta(hours=self.rule.appeal_window_hours)
        self.active = _Active(
            self.triggers, moment, chosen, (start, end), appeal_end, state=WATCHING
        )
        self.used.update(b.incident for b in chosen)
        self._emit(TRIGGERED, moment, self._reasons(self.active))
        self._schedule(moment, appeal_end)

    def _schedule(self, moment: datetime, appeal_end: datetime) -> None:
        """Queue the running trigger's escalation steps and its expiry."""
        due = moment
        for index, step in enumerate(self.rule.escalation):
            due = due + timedelta(hours=step.after_hours)
            when = max(due, appeal_end) if step.step == "penalty" else due
            self._push(when, 1, "step", index)
        if self.rule.expires_after_days is not None:
            expiry = moment + timedelta(days=self.rule.expires_after_days)
            self._push(expiry, 2, "expire", -1)

    def _push(self, when: datetime, order: int, what: str, index: int) -> None:
        self.counter += 1
        entry = (when, order, self.counter, what, index, self.triggers)
        heapq.heappush(self.queue, entry)

    def _emit(
        self, state: str, at: datetime, reasons: dict[str, Any], **more: Any
    ) -> None:
        active = self.active
        assert active is not None
        self.out.append(
            Transition(
                self.rule.id,
                self.group,
                active.number,
                state,
                active.state,
                at,
                reasons,
                **more,
            )  # fmt: skip
        )
        active.state = state

    def _reasons(self, a: _Active) -> dict[str, Any]:
        rule = self.rule
        return {
            "measure": rule.measure,
            "value": _measure(rule, a.breaches),
            "threshold": rule.threshold,
            "window": {
                "days": rule.window_days,
                "from": a.window[0].isoformat(),
                "until": a.window[1].isoformat(),
            },
            "breaches": [b.to_reason() for b in a.breaches],
            "triggered_at": a.at.isoformat(),
            "appeal_until": a.appeal_end.isoformat(),
        }


class _Pool:
    """Breaches ordered by observation time, by incident."""

    def __init__(self) -> None:
        self._keys: list[tuple[datetime, str]] = []
        self._items: dict[str, Breach] = {}

    def clear(self) -> None:
        self._keys.clear()
        self._items.clear()

    def add(self, breach: Breach) -> None:
        if breach.incident not in self._items:
            self._items[breach.incident] = breach
            bisect.insort(self._keys, (breach.observed_at, breach.incident))

    def remove(self, breach: Breach) -> None:
        if self._items.pop(breach.incident, None) is not None:
            key = (breach.observed_at, breach.incident)
            del self._keys[bisect.bisect_left(self._keys, key)]

    def between(
        self, lowest: datetime | None, highest: datetime | None
    ) -> list[Breach]:
        """Breaches observed in [lowest, highest] (None: unbounded), in order."""
        first = 0 if lowest is None else bisect.bisect_left(self._keys, (lowest, ""))
        last = (
            len(self._keys)
            if highest is None
            else bisect.bisect_right(self._keys, (highest, "\uffff"))
        )
        return [self._items[key[1]] for key in self._keys[first:last]]


def _next_relevant(
    active: _Active, moment: datetime, queue: list[tuple[Any, ...]]
) -> datetime:
    """The next instant after ``moment`` that can change a running trigger."""
    ends = [
        end
        for b in active.breaches
        for _, end in b.confirmed
        if end is not None and moment < end < active.appeal_end
    ]
    if queue:
        ends.append(queue[0][0])
    return min(ends) if ends else datetime.max.replace(tzinfo=moment.tzinfo)


def run(
    rules: Sequence[PenaltyRule],
    breaches: Sequence[Breach],
    appeals: Sequence[Appeal],
    now: datetime,
) -> list[Transition]:
    """Every state change of every rule and group up to ``now``.

    Sorted by time, then rule, group and trigger number: the order is part of
    the result, so replays compare equal.
    """
    found: list[Transition] = []
    for rule in rules:
        feeding = [b for b in breaches if rule.id in b.rules]
        groups: dict[str, list[Breach]] = {}
        for breach in feeding:
            if rule.per == "agreement":
                groups.setdefault(AGREEMENT, []).append(breach)
            elif (
                breach.party is not None
            ):  # an unattributed breach has no one to penalise
                groups.setdefault(breach.party, []).append(breach)
        for group in sorted(groups):
            found += run_group(rule, group, _heaviest(groups[group]), appeals, now)
    order = {"triggered": 0, "warning": 1, "notice_to_guarantors": 2, "penalty": 3}
    found.sort(key=lambda t: (t.at, t.rule, t.group, t.trigger, order.get(t.state, 4)))
    return found


def _heaviest(breaches: list[Breach]) -> list[Breach]:
    """One breach per incident: the heaviest clause (then the first by id)."""
    best: dict[str, Breach] = {}
    for breach in sorted(breaches, key=lambda b: (-b.severity, b.clause)):
        best.setdefault(breach.incident, breach)
    return sorted(best.values(), key=lambda b: (b.observed_at, b.incident))


@dataclass(frozen=True)
class GroupState:
    """Where a (rule, group) stands at the evaluation time."""

    rule: str
    group: str
    state: str
    since: datetime | None
    triggers: int
    last: Transition | None


def states(transitions: Sequence[Transition]) -> list[GroupState]:
    """The current state of every (rule, group) that has changed state."""
    latest: dict[tuple[str, str], Transition] = {}
    for t in transitions:
        latest[(t.rule, t.group)] = t
    out = []
    for (rule, group), t in sorted(latest.items()):
        shown = WATCHING if t.state in (WITHDRAWN, EXPIRED) else t.state
        out.append(GroupState(rule, group, shown, t.at, t.trigger, t))
    return out
