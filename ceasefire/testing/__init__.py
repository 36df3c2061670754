"""Helpers for testing ceasefire and code built on it (issue 12).

``assert_body_round_trips`` is the check every log entry kind's fixtures go
through (as pystac's ``assert_to_from_dict``); the shared server and browser
harness of the API and web tests is to move here from ``ceasefire.web.testing``
and ``tests/api_support.py``.
"""

from __future__ import annotations

from typing import Any

import orjson

from ceasefire.model.entries import BODIES, Body, Kind, dump_body, parse_body


def assert_body_round_trips(kind: str, raw: bytes) -> Body:
    """Parse a logged body, write it back, and check nothing changed.

    A body of an older shape (``identify`` below ``VERSION``) must migrate
    instead: its re-parsed current form must equal the first parse.
    """
    body = parse_body(kind, raw)
    assert body.KIND == kind, f"{kind} parsed as a {body.KIND}"
    written: dict[str, Any] = orjson.loads(dump_body(body))
    model = BODIES[Kind(kind)]
    if model.identify(orjson.loads(raw)) == model.VERSION:
        assert written == orjson.loads(raw), f"{kind} changed on a round trip"
    assert parse_body(kind, dump_body(body)) == body, f"{kind} is not stable"
    return body
