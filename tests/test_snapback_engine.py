"""The penalty engine's rules, each checked against hand-worked timelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ceasefire.model.agreement import PenaltyRule
from ceasefire.snapback.engine import Appeal, Breach, find_window, run, states

T0 = datetime(2025, 10, 1, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def rule(**more: object) -> PenaltyRule:
    data: dict[str, object] = {
        "id": "snap",
        "title": "Snapback",
        "threshold": 3,
        "window_days": 7,
        "appeal_window_hours": 72,
        "escalation": [
            {"step": "warning", "notify": ["ua", "ru"]},
            {"step": "notice_to_guarantors", "after_hours": 24, "notify": ["us"]},
            {"step": "penalty", "after_hours": 24, "action": "sanctions snap back"},
        ],
        "expires_after_days": 90,
    }
    data.update(more)
    return PenaltyRule.model_validate(data)


def breach(
    name: str,
    observed_day: float,
    confirmed: datetime,
    party: str | None = "ru",
    *,
    until: datetime | None = None,
    severity: float = 1.0,
) -> Breach:
    return Breach(
        name, "civilian-strikes", party, T0 + observed_day * D, severity,
        ((confirmed, until),), ("snap",),
    )  # fmt: skip


def test_three_in_seven_days_trigger_when_the_third_is_confirmed() -> None:
    r = rule()
    c = T0 + 10 * D  # confirmations come days after the events
    found = run(
        [r],
        [breach("a", 0, c), breach("b", 3, c + H), breach("c", 6.5, c + 5 * H)],
        [],
        c + 30 * D,
    )
    assert [(t.state, t.at) for t in found] == [
        ("triggered", c + 5 * H),
        ("warning", c + 5 * H),
        ("notice_to_guarantors", c + 29 * H),
        # ladder says 48 h after the trigger, the appeal window 72 h: the later wins
        ("penalty", c + 77 * H),
    ]
    assert found[1].notify == ("ua", "ru") and found[3].action == "sanctions snap back"


def test_events_more_than_the_window_apart_do_not_add_up() -> None:
    c = T0 + 20 * D
    found = run(
        [rule()],
        [breach("a", 0, c), breach("b", 3, c), breach("c", 7.5, c)],
        [],
        c + 5 * D,
    )
    assert found == []  # a→c spans 7.5 days; a window of 7 days holds two


def test_parties_are_counted_apart_and_unattributed_breaches_not_at_all() -> None:
    c = T0 + 10 * D
    mixed = [
        breach("a", 0, c, "ru"), breach("b", 1, c, "ua"), breach("c", 2, c, "ru"),
        breach("d", 2.5, c, None),
    ]  # fmt: skip
    assert run([rule()], mixed, [], c + 5 * D) == []
    agreement_wide = run([rule(per="agreement")], mixed[:3], [], c + H)
    assert {t.group for t in agreement_wide} == {"agreement"}


def test_severity_weighted_rule_sums_clause_severity() -> None:
    c = T0 + 10 * D
    heavy = [breach("a", 0, c, severity=5), breach("b", 1, c + H, severity=5)]
    found = run([rule(measure="severity", threshold=10)], heavy, [], c + 2 * H)
    assert found[0].state == "triggered" and found[0].at == c + H
    assert found[0].reasons["value"] == 10


def test_withdrawn_when_a_breach_is_reopened_within_the_appeal_window() -> None:
    c = T0 + 10 * D
    reopened = c + 30 * H  # review reopened after the accused party's reply
    appeal = Appeal("reply-1", "b", "ru", c + 20 * H)
    found = run(
        [rule()],
        [breach("a", 0, c), breach("b", 1, c, until=reopened), breach("c", 2, c)],
        [appeal],
        c + 10 * D,
    )
    assert [t.state for t in found] == [
        "triggered", "warning", "notice_to_guarantors", "withdrawn",
    ]  # fmt: skip
    withdrawn = found[-1]
    assert withdrawn.at == reopened
    assert withdrawn.reasons["no_longer_confirmed"] == ["b"]
    assert [a["entry"] for a in withdrawn.reasons["appeals"]] == ["reply-1"]
    assert states(found)[0].state == "watching"


def test_no_withdrawal_after_the_appeal_window_closed() -> None:
    c = T0 + 10 * D
    late = c + 100 * H
    found = run(
        [rule()],
        [breach("a", 0, c), breach("b", 1, c, until=late), breach("c", 2, c)],
        [],
        c + 10 * D,
    )
    assert "withdrawn" not in [t.state for t in found]
    assert found[-1].state == "penalty"


def test_expiry_frees_the_rule_but_not_the_breaches_it_used() -> None:
    c = T0 + 10 * D
    first = [breach("a", 0, c), breach("b", 1, c), breach("c", 2, c)]
    found = run([rule(expires_after_days=30)], first, [], c + 40 * D)
    assert [t.state for t in found][-1] == "expired"
    assert found[-1].at == c + 30 * D
    # three new confirmed breaches after expiry fire trigger number 2
    later = c + 50 * D
    more = [breach(x, 45 + i, later) for i, x in enumerate("def")]
    again = run([rule(expires_after_days=30)], first + more, [], later + H)
    assert [(t.trigger, t.state) for t in again if t.state == "triggered"] == [
        (1, "triggered"), (2, "triggered"),
    ]  # fmt: skip


def test_an_incident_breaching_two_feeding_clauses_counts_once() -> None:
    c = T0 + 10 * D
    twice = [
        breach("a", 0, c),
        Breach("a", "znpp-safety", "ru", T0, 5.0, ((c, None),), ("snap",)),
        breach("b", 1, c),
    ]
    assert run([rule()], twice, [], c + D) == []


def test_find_window_takes_the_earliest_window_reaching_the_threshold() -> None:
    c = T0
    pool = [
        breach(x, d, c) for x, d in (("a", 0), ("b", 8), ("c", 9), ("d", 10), ("e", 11))
    ]
    found = find_window(rule(), pool)
    assert found is not None
    assert [b.incident for b in found[2]] == ["b", "c", "d"]
