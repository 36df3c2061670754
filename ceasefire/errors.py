"""Every error ceasefire raises derives from CeasefireError, and lives here.

One module holds every exception class (as pystac's ``errors.py`` does), so a
caller can catch ``CeasefireError`` for anything ceasefire raises and find every
error in one place. The modules that raise an error import it from here (and
re-export it under its old name, so ``from ceasefire.log.heads import
HeadError`` keeps working). This module imports nothing from ceasefire: it is
the bottom layer. ``tests/test_errors.py`` fails on an exception class defined
anywhere else (two justified exceptions are listed there).

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


# ------------------------------------------------------------ model and geo


class IllegalTransition(DetailedError):
    """A state change the state machine does not allow."""


class GeometryError(DetailedError):
    """A geometry could not be built; ``key`` is the path inside its item."""

    def __init__(
        self, message: str, key: tuple[str | int, ...] = (), **details: Any
    ) -> None:
        super().__init__(message, **details)
        self.key = key


# ------------------------------------------------------------ agreements


class PredicateError(DetailedError):
    """A predicate failed to parse or type-check at character ``offset``."""

    def __init__(self, message: str, offset: int, **details: Any) -> None:
        super().__init__(message, **details)
        self.offset = offset


# ------------------------------------------------------------ log and store


class StoreError(CeasefireError):
    """A store could not be opened or used."""


class EntryNotFound(DetailedError):
    """No entry has that id or position."""


class HeadError(CeasefireError):
    """A tree head or signature is malformed, or a signature does not verify."""


class NoteError(CeasefireError):
    """A note, key or signature is malformed or does not verify."""


class TileError(CeasefireError):
    """Tiles cannot be written or read as the layout requires."""


class WitnessRefusal(CeasefireError):
    """The witness will not cosign: the checkpoint is unsigned, forked or rolled back."""


# ------------------------------------------------------------ importers


class RowError(CeasefireError, ValueError):
    """A bad field in a row: names the column and the value.

    Also a ``ValueError``, as it was before it moved here.
    """

    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = value
        self.reason = reason


class UnknownFormat(DetailedError):
    """No importer recognises the file, or the named format does not exist."""


class MappingError(DetailedError):
    """A mapping file that cannot be used, naming the key and the value."""


class MappingRequired(DetailedError):
    """A GeoJSON file was given without a mapping file."""


class InvalidIati(DetailedError):
    """The file is not IATI 2.03 XML that validates against the schema."""


class UnreadableFile(DetailedError):
    """A whole file could not be read as the chosen format."""


# ------------------------------------------------------------ tracker and control


class UnknownStep(DetailedError):
    """An ``after`` names a commitment or milestone the agreement does not have."""


class FrontlineError(DetailedError):
    """The agreement or the log cannot give a front-line comparison."""


class MissingPolygon(DetailedError):
    """An observation names a polygon whose content is not in the store."""


# ------------------------------------------------------------ outputs and scale


class ReportError(CeasefireError):
    """A report could not be written."""


HTTP_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}
"""The API's error code for each HTTP status it answers with."""


class ApiError(CeasefireError):
    """An error the API answers with, naming the field and value at fault."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        value: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or HTTP_STATUS_CODES.get(status, "error")
        self.message = message
        self.field = field
        self.value = value
        self.headers = headers or {}


class DatasetError(CeasefireError, ValueError):
    """A path that is not a ceasefire dataset, or one without its log head.

    Also a ``ValueError``, as it was before it moved here.
    """


class SparkMissing(CeasefireError, RuntimeError):
    """pyspark (or Java) is not installed.

    Also a ``RuntimeError``, as it was before it moved here.
    """


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
