"""Cursor pagination: ``limit`` and an opaque ``cursor`` → ``{"items", "next"}``.

A cursor is the log position of the last item served (keyset paging), so a
page never repeats or skips items when new reports are logged meanwhile.
"""

from __future__ import annotations

import base64
import binascii

import orjson

from ceasefire.api.errors import ApiError

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_POSITION = 2**62
"""No log gets this long; larger cursors would overflow the store's integers."""


def encode_cursor(after_seq: int) -> str:
    """An opaque cursor for 'after this log position'."""
    raw = orjson.dumps({"after": after_seq})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The log position a cursor stands for; 422 naming the cursor if it is not one."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = orjson.loads(raw)["after"]
    except (ValueError, binascii.Error, KeyError, TypeError, orjson.JSONDecodeError):
        after = None
    if (
        not isinstance(after, int)
        or isinstance(after, bool)
        or not -1 <= after < MAX_POSITION
    ):
        raise ApiError(
            422,
            "cursor: not a cursor this API gave out; use the 'next' value of a previous page",
            field="cursor",
            value=cursor,
        )
    return after
