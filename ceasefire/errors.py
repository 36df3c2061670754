"""Every error ceasefire raises derives from CeasefireError.

A ``Problem`` is one finding about a document: a load error or a lint
finding. It names the file, line and column, the offending value, what was
expected and, where one is near, what the author probably meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


class CeasefireError(Exception):
    """Root of ceasefire's exceptions."""


@dataclass(frozen=True)
class Problem:
    """One finding about a document, with where it is and how to fix it."""

    code: str
    message: str
    file: str
    line: int
    column: int
    severity: Severity = "error"
    value: Any = None
    expected: str | None = None
    suggestion: str | None = None
    subject: str | None = None
    """The id of the clause, geometry, term … the finding is about."""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code}: "
        text += self.message
        if self.expected:
            text += f"; expected {self.expected}"
        if self.suggestion:
            text += f"; did you mean {self.suggestion!r}?"
        return text

    def to_json(self) -> dict[str, Any]:
        """The JSON form used by ``lint --format json``."""
        data = asdict(self)
        location = {"file": data.pop("file"), "line": data.pop("line")}
        location["column"] = data.pop("column")
        data["location"] = location
        if data["value"] is not None and not isinstance(
            data["value"], str | int | float | bool
        ):
            data["value"] = repr(data["value"])
        return data


class DetailedError(CeasefireError):
    """An error that knows the offending value, what was expected, and a fix."""

    def __init__(
        self,
        message: str,
        *,
        value: Any = None,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.expected = expected
        self.suggestion = suggestion


class WorkflowError(DetailedError):
    """A fact-finding step the rules do not allow."""


class NoticeError(DetailedError):
    """A notice operation the rules do not allow."""


class CapError(DetailedError):
    """A CAP message does not validate against the CAP 1.2 schema."""


class EntryBodyError(DetailedError):
    """A logged body does not have the shape its kind requires."""


class AgreementError(CeasefireError):
    """An agreement document failed to load; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}" if first else "invalid agreement")


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, if one is close enough to be a typo."""
    options = [c for c in candidates if c]
    matches = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = str(word).lower().replace(" ", "_")
    for candidate in options:
        if lowered == candidate.lower() or lowered in candidate.lower().split("_"):
            return candidate
    return None
