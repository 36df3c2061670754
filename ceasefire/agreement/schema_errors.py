"""Turn pydantic validation errors into positioned, actionable problems."""

from __future__ import annotations

import re
import types
import typing
from datetime import UTC, datetime
from typing import Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from ceasefire.agreement.source import Path, SourceMap
from ceasefire.errors import Problem, suggest
from ceasefire.model.agreement import AgreementDocument

_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Path, tuple[Any, ...]]:
    """Split a pydantic ``loc`` into the part that exists in ``data`` and the rest.

    Union members add tags such as 'function-after[...]' to ``loc``; they are
    not keys of the document and are dropped here.
    """
    path: list[str | int] = []
    current = data
    rest = list(loc)
    while rest:
        step = rest[0]
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif (
            isinstance(current, list) and isinstance(step, int) and step < len(current)
        ):
            current = current[step]
        elif isinstance(current, dict) and step == "from_" and "from" in current:
            step, current = "from", current["from"]
        else:
            break
        path.append(step)
        rest.pop(0)
    return tuple(path), tuple(rest)


def _model_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {
        (info.alias or name): info.annotation
        for name, info in model.model_fields.items()
    }


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Models reachable from a type hint through list/dict/Union/Optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin in (list, dict):
        return _models_in(get_args(annotation)[-1])
    if origin in (Union, types.UnionType, typing.Annotated):
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def keys_at(path: Path) -> list[str]:
    """The keys the format allows in the mapping at ``path``."""
    models: list[type[BaseModel]] = [AgreementDocument]
    for step in path:
        if isinstance(step, int):
            continue
        next_models: list[type[BaseModel]] = []
        for model in models:
            fields = _model_fields(model)
            if step in fields:
                next_models.extend(_models_in(fields[step]))
        if not next_models:  # inside a dict-valued field: keys are free
            continue
        models = next_models
    return sorted({key for model in models for key in _model_fields(model)})


def _describe(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "the document"


def problems_from(
    error: ValidationError, data: Any, source: SourceMap
) -> list[Problem]:
    """One problem per distinct location, with the most helpful message there."""
    by_path: dict[Path, list[dict[str, Any]]] = {}
    for item in error.errors():
        path, rest = _data_path(data, item["loc"])
        if item["type"] == "missing" and rest:
            path_key = path + (str(rest[0]),)
        else:
            path_key = path
        by_path.setdefault(path_key, []).append({**item, "_path": path, "_rest": rest})
    found = {key: _problem(items, data, source) for key, items in by_path.items()}
    # A misspelt required key is reported as unknown *and* as missing from the
    # same mapping; the "unknown … did you mean" problem says it all.
    typos = {
        (key[:-1], problem.suggestion)
        for key, problem in found.items()
        if problem.message.startswith("unknown key")
    }
    return [
        problem
        for key, problem in found.items()
        if not (
            problem.message.startswith("missing required key")
            and (key[:-1], key[-1]) in typos
        )
    ]


def _value_at(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _problem(items: list[dict[str, Any]], data: Any, source: SourceMap) -> Problem:
    item = _pick(items)
    path: Path = item["_path"]
    kind = item["type"]
    where = _describe(path)
    value = _value_at(data, path)
    span = source.find(path, key=kind == "extra_forbidden")
    line, column = (span.line, span.column) if span else (1, 1)
    expected: str | None = None
    suggestion: str | None = None
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = keys_at(path[:-1])
        message = f"unknown key {key!r} in {_describe(path[:-1])}"
        expected = "one of " + ", ".join(allowed)
        suggestion = suggest(key, allowed)
        value = key
    elif kind == "missing":
        missing = str(item["_rest"][0]) if item["_rest"] else str(path[-1])
        missing = "from" if missing == "from_" else missing
        message = f"missing required key {missing!r} in {where}"
        expected = f"a '{missing}' key"
        value = None
    elif isinstance(value, str) and _NAIVE.match(value):
        message = f"naive date/time {value!r} at {where}: times must carry a UTC offset"
        expected = "an ISO 8601 time with offset, e.g. 2025-09-01T00:00:00+03:00 or …Z"
        suggestion = _with_offset(value, data.get("timezone"))
    elif kind == "literal_error":
        message = f"{value!r} is not allowed at {where}"
        expected = "one of " + ", ".join(_options(item))
        suggestion = suggest(str(value), _options(item))
    elif kind == "value_error" and item.get("_rest") == ():
        # A model's own rule, e.g. "an obligation needs a 'deadline' …"
        problem, _, wanted = (
            str(item["msg"]).removeprefix("Value error, ").partition("; expected ")
        )
        message = f"{where}: {problem}"
        expected = wanted or problem
        value = None
    else:
        reason = (
            str(item["msg"])
            .removeprefix("Input should be ")
            .removeprefix("Value error, ")
        )
        message = f"{_shown(value)} at {where} is invalid"
        if reason.startswith(("greater", "less")):
            reason = "a number " + reason
        expected = _expected(items) or reason
    return Problem(
        code="CF002",
        message=message,
        file=source.file,
        line=line,
        column=column,
        value=value if isinstance(value, str | int | float | bool) else None,
        expected=expected,
        suggestion=suggestion,
        subject=_subject(data, path),
    )


def _shown(value: Any) -> str:
    if isinstance(value, str | int | float | bool):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else "the value"


def _with_offset(naive: str, zone_name: object) -> str:
    """The naive time with the UTC offset it has in the document's time zone."""
    text = naive if "T" in naive else naive + "T00:00:00"
    try:
        zone = ZoneInfo(str(zone_name)) if zone_name else UTC
        moment = datetime.fromisoformat(text).replace(tzinfo=zone)
    except (ValueError, ZoneInfoNotFoundError):
        return text + "+00:00"
    return moment.isoformat()


def _pick(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Prefer errors about the value itself over a union member's type tag."""
    for wanted in ("extra_forbidden", "missing", "literal_error", "value_error"):
        for item in items:
            if item["type"] == wanted:
                return item
    return items[0]


def _expected(items: list[dict[str, Any]]) -> str | None:
    messages = sorted(
        {str(item["msg"]).removeprefix("Input should be ") for item in items}
    )
    return " or ".join(messages) if len(messages) > 1 else None


def _options(item: dict[str, Any]) -> list[str]:
    ctx = item.get("ctx") or {}
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


def _subject(data: Any, path: Path) -> str | None:
    """The id of the innermost item on ``path`` that has one."""
    current = data
    subject = None
    for step in path:
        try:
            current = current[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(current, dict):
            ident = current.get("id") or current.get("term") or current.get("clause")
            subject = str(ident) if ident is not None else subject
    return subject
