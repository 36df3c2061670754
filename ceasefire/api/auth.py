"""Bearer tokens and roles: who is asking, and what they may do.

Roles: ``monitor`` (submits reports), ``analyst`` (moves incidents through the
verification states), ``guarantor`` (reads all verdicts), ``party:<id>`` (a
party's liaison officer: its own notices and replies, never a protected
source's identity) and ``public`` (no token: redacted data only).
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from ceasefire.api.errors import ApiError
from ceasefire.errors import DetailedError

Role = str
"""``monitor``, ``analyst``, ``guarantor``, ``public`` or ``party:<party id>``."""
BASE_ROLES = ("monitor", "analyst", "guarantor", "public")
_PARTY = re.compile(r"^party:([a-z][a-z0-9_-]*)$")
TRUSTED = frozenset({"monitor", "analyst", "guarantor"})
"""Roles of the mission and its guarantors: they see sources and all replies."""


@dataclass(frozen=True)
class Principal:
    """The caller: a role, the party for a liaison officer, and the token's key."""

    role: str
    party: str | None = None
    key: str = "public"
    """Identifies the caller for rate limiting (never the token itself)."""

    @property
    def trusted(self) -> bool:
        """Mission staff and guarantors, who see source identities."""
        return self.role in TRUSTED

    @property
    def actor(self) -> str:
        """How the caller is named in the log entries it writes."""
        return f"party:{self.party}" if self.party else self.role


PUBLIC = Principal("public")


def parse_role(text: str) -> tuple[str, str | None]:
    """``(role, party)`` from ``monitor`` … or ``party:ua``; an error names the value."""
    if text in BASE_ROLES:
        return text, None
    found = _PARTY.match(text)
    if found:
        return "party", found.group(1)
    raise DetailedError(
        f"unknown role {text!r}",
        value=text,
        expected="monitor, analyst, guarantor, public or party:<party id>",
    )


def load_tokens(path: Path) -> dict[str, Role]:
    """Tokens from a JSON file ``{"<token>": "<role>", …}``; roles are checked."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DetailedError(
            f"{path}: cannot read tokens ({exc})",
            value=str(path),
            expected='a JSON object {"<token>": "<role>"}',
        ) from None
    if not isinstance(data, dict):
        raise DetailedError(
            f"{path}: tokens must be a JSON object",
            value=type(data).__name__,
            expected='{"<token>": "<role>"}',
        )
    for token, role in data.items():
        if not isinstance(role, str):
            raise DetailedError(f"{path}: the role of a token must be text", value=role)
        if len(token) < 16:
            raise DetailedError(
                f"{path}: a token must have at least 16 characters",
                value=token[:4] + "…",
                expected="a long random string (e.g. python -c 'import secrets; print(secrets.token_urlsafe())')",
            )
        try:
            parse_role(role)
        except DetailedError as exc:
            raise DetailedError(
                f"{path}: {exc.message}", value=role, expected=exc.expected
            ) from None
    return dict(data)


class TokenTable:
    """Looks tokens up in constant time per candidate (no timing oracle)."""

    def __init__(self, tokens: dict[str, Role]) -> None:
        self._entries = [
            (token.encode(), parse_role(role), f"token-{number}")
            for number, (token, role) in enumerate(sorted(tokens.items()))
        ]

    def principal(self, token: str) -> Principal | None:
        """The principal of ``token``, or None when no token matches."""
        given = token.encode()
        found: Principal | None = None
        for known, (role, party), key in self._entries:
            if hmac.compare_digest(known, given):
                found = Principal(role, party, key)
        return found


def principal_of(request: Request) -> Principal:
    """The caller of ``request``: public without a token, 401 for a wrong one."""
    header = request.headers.get("authorization")
    if header is None:
        return Principal("public", None, f"ip-{_client(request)}")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "the Authorization header must be 'Bearer <token>'",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    table: TokenTable = request.app.state.tokens
    found = table.principal(token.strip())
    if found is None:
        raise ApiError(
            401,
            "unknown or revoked token",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require(who: Principal, *roles: str) -> None:
    """Refuse with 403 unless the caller has one of ``roles`` ('party' = any party)."""
    if who.role not in roles:
        raise ApiError(
            403,
            f"the {who.role} role may not do this; needs {' or '.join(roles)}",
            field="Authorization",
            value=who.role,
        )
