"""JSON errors: ``{"error": {"code", "message", "field", "value"}}`` with a fitting status."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ceasefire.errors import HTTP_STATUS_CODES as STATUS_CODES
from ceasefire.errors import ApiError as ApiError  # re-exported
from ceasefire.errors import DetailedError
from ceasefire.log.service import EntryNotFound
from ceasefire.model.states import IllegalTransition
from ceasefire.store.base import StoreError


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    value: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The JSON body every error has."""
    body = {"code": code, "message": message, "field": field, "value": value}
    content = orjson.dumps({"error": body}, default=repr)
    return Response(content, status, headers, media_type="application/json")


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as one dotted field name, without 'query'/'body'."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "header", "body"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    field = _location(first.get("loc", ()))
    message = f"{field}: {first.get('msg', 'invalid')}"
    value = first.get("input")
    if isinstance(value, dict | list) and len(orjson.dumps(value, default=repr)) > 500:
        value = None  # the whole body: the field name says enough
    return error_response(422, "invalid", message, field, value)


def _api(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status, exc.code, exc.message, exc.field, exc.value, exc.headers
    )


def _http(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = STATUS_CODES.get(exc.status_code, "error")
    return error_response(
        exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {})
    )


def _detailed(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, DetailedError)
    status = 404 if isinstance(exc, EntryNotFound) else 409
    if not isinstance(exc, EntryNotFound | IllegalTransition):
        status = 422
    message = exc.message + (f"; expected {exc.expected}" if exc.expected else "")
    return error_response(status, STATUS_CODES[status], message, None, exc.value)


def _store(_: Request, exc: Exception) -> Response:
    return error_response(400, "bad_request", str(exc))


def _unexpected(_: Request, exc: Exception) -> Response:
    # a bug, not the caller's fault: still JSON with a code (issue 14)
    return error_response(500, "server_error", f"internal error ({type(exc).__name__})")


def install(app: FastAPI) -> None:
    """Answer every error the API raises as JSON."""
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DetailedError, _detailed)
    app.add_exception_handler(StoreError, _store)
