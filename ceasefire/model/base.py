"""Shared building blocks of the document models: strict nodes, ids, times."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", min_length=1, max_length=64),
]
"""A lower-case id: letters, digits, '_' and '-', starting with a letter."""


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


def _time_text(value: object) -> object:
    if isinstance(value, str | datetime):
        return value
    raise ValueError(  # a bare number would silently be read as Unix time
        "a time must be written as text with a UTC offset, e.g. 2025-09-01T00:00:00+03:00"
    )


Time = Annotated[AwareDatetime, BeforeValidator(_time_text), Field(strict=False)]
"""An aware datetime, parsed from ISO 8601 text."""
