"""The verification state machine of a reported event.

reported → corroborated → under review → verified | disputed | dismissed, and a
decided case can be reopened for review. Every move is a log entry naming who
made it and why; a move the table does not allow is refused.
"""

from __future__ import annotations

from typing import Literal, get_args

from ceasefire.errors import IllegalTransition as IllegalTransition  # re-exported

State = Literal[
    "reported", "corroborated", "under_review", "verified", "disputed", "dismissed"
]
STATES: tuple[str, ...] = get_args(State)
INITIAL: State = "reported"

TRANSITIONS: dict[str, frozenset[str]] = {
    "reported": frozenset({"corroborated", "under_review", "dismissed"}),
    "corroborated": frozenset({"under_review", "dismissed"}),
    "under_review": frozenset({"verified", "disputed", "dismissed"}),
    # decided cases can be reopened, never silently flipped
    "verified": frozenset({"under_review"}),
    "disputed": frozenset({"under_review"}),
    "dismissed": frozenset({"under_review"}),
}


def check_transition(current: str, target: str, reason: str) -> None:
    """Raise IllegalTransition unless ``current → target`` is allowed with a reason."""
    if target not in STATES:
        raise IllegalTransition(
            f"unknown state {target!r}",
            value=target,
            expected="one of " + ", ".join(STATES),
        )
    allowed = TRANSITIONS[current]
    if target not in allowed:
        raise IllegalTransition(
            f"cannot go from {current!r} to {target!r}",
            value=target,
            expected=f"from {current!r}: " + ", ".join(sorted(allowed)),
        )
    if not reason.strip():
        raise IllegalTransition(
            "a state change needs a reason", value=reason, expected="a non-empty reason"
        )
