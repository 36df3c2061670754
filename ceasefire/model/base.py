"""Shared building blocks of the document models: strict nodes, ids, times.

Bounds at the door (issue 14): every way in (HTTP, each importer, ``log
append``) builds these models, so one definition here refuses the same
values everywhere with the same message: an instant outside 1900-01-01 …
ten years after now, a number that is not finite (also deep inside free-form
``properties``), a text longer than ``MAX_TEXT`` characters.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest instant a document may name (nothing we monitor is older)."""
FUTURE_YEARS = 10
"""How far after the server's now an instant may lie (planned dates, deadlines)."""
MAX_TEXT = 100_000
"""The longest text any field may hold, in characters."""
MAX_DEPTH = 16
"""How deeply free-form values (``properties``) may nest."""

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", min_length=1, max_length=64),
]
"""A lower-case id: letters, digits, '_' and '-', starting with a letter."""


def latest() -> datetime:
    """The latest acceptable instant: ten years after now."""
    return datetime.now(UTC) + timedelta(days=365 * FUTURE_YEARS + 2)


def bounds_message() -> str:
    """What an acceptable instant is, in the words every refusal uses."""
    return (
        "a time between 1900-01-01T00:00:00Z and"
        f" {latest():%Y-%m-%d} (ten years after now), with a UTC offset"
    )


def check_instant(moment: datetime) -> datetime:
    """``moment`` if it is aware and inside the bounds; ValueError naming them."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the time has no UTC offset; expected {bounds_message()}")
    try:  # the year-1 and year-9999 corners cannot even be moved to UTC
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST <= utc <= latest():
        raise ValueError(
            f"{moment.isoformat()} is out of range; expected {bounds_message()}"
        )
    return moment


def check_free(value: Any, where: str = "", depth: int = 0) -> None:
    """Refuse non-finite numbers, over-long texts and deep nesting in free-form JSON."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{where or 'value'}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where or 'value'}: {value} is not a finite number")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(
            f"{where or 'value'}: text of {len(value)} characters; at most {MAX_TEXT}"
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise ValueError(f"{where or 'value'}: integer beyond 64 bits")
    if isinstance(value, dict):
        for key, item in value.items():
            check_free(str(key), f"{where}.{key}".lstrip("."), depth + 1)
            check_free(item, f"{where}.{key}".lstrip("."), depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_free(item, f"{where}[{index}]", depth + 1)


class Node(BaseModel):
    """Base of every document object: unknown keys are errors, values are exact."""

    # Strict: "3" is not a number and "yes" not a boolean, exactly as the shipped
    # JSON Schema says; only times are read from text (see Time below).
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        # free-form fields (dict[str, Any]) skip pydantic's own number checks
        if isinstance(value, dict | list | str | int | float):
            check_free(value)
        return value


def _time_text(value: object) -> object:
    if isinstance(value, str | datetime):
        return value
    raise ValueError(  # a bare number would silently be read as Unix time
        "a time must be written as text with a UTC offset, e.g. 2025-09-01T00:00:00+03:00"
    )


Time = Annotated[
    AwareDatetime,
    BeforeValidator(_time_text),
    AfterValidator(check_instant),
    Field(strict=False),
]
"""An aware datetime between 1900 and ten years after now, parsed from ISO 8601 text."""


def utc_text_safe(value: str | None) -> str | None:
    """ISO text in UTC like the projection's, but never raising, for filters and old logs.

    Instants before 1900 read as 1900-01-01 (nothing the door accepts is
    older) and those that cannot be moved to UTC as the edge they lie at, so
    a filter or a value logged before the bounds existed cannot fail a query.
    """
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        utc = max(moment.astimezone(UTC), EARLIEST)
    except (OverflowError, ValueError):
        late = str(value)[:4] >= "1900"
        utc = datetime.max.replace(tzinfo=UTC) if late else EARLIEST
    return f"{utc.year:04d}-" + utc.strftime("%m-%dT%H:%M:%S.%fZ")
