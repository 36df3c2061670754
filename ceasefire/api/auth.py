"""Bearer tokens and roles: who is asking, and what they may do.

Roles: ``monitor`` (submits reports), ``analyst`` (moves incidents through the
verification states), ``guarantor`` (reads all verdicts), ``party:<id>`` (a
party's liaison officer: its own notices and replies, never a protected
source's identity) and ``public`` (no token: redacted data only).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    """The caller: a role, the party for a liaison officer, and who holds the token."""

    role: str
    party: str | None = None
    key: str = "public"
    """Identifies the caller for rate limiting (never the token itself)."""
    name: str | None = None
    """The person or system the token was issued to (None for the public)."""

    @property
    def trusted(self) -> bool:
        """Mission staff and guarantors, who see source identities."""
        return self.role in TRUSTED

    @property
    def subject(self) -> str:
        """Role and holder, e.g. ``monitor/alice`` or ``party:ua/liaison-1``."""
        role = f"party:{self.party}" if self.party else self.role
        return role if self.name is None else f"{role}/{self.name}"

    @property
    def actor(self) -> str:
        """How the caller is named in the log entries it writes: the token's subject."""
        return self.subject


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


@dataclass(frozen=True)
class TokenInfo:
    """What the tokens file says of one token."""

    role: str
    name: str
    expires: datetime | None = None
    revoked: bool = False

    def to_json(self) -> dict[str, Any]:
        """The entry as the tokens file stores it."""
        found: dict[str, Any] = {"role": self.role, "name": self.name}
        if self.expires is not None:
            found["expires"] = self.expires.isoformat()
        if self.revoked:
            found["revoked"] = True
        return found


TokenSpec = str | dict[str, Any]
"""A tokens-file value: a role (old form) or ``{"role", "name", "expires", "revoked"}``."""


def hashed(token: str) -> str:
    """The key a tokens file may hold instead of the token itself."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def token_info(key: str, spec: TokenSpec, where: str = "tokens") -> TokenInfo:
    """A tokens-file entry, checked; the error names the entry and what was expected."""
    if isinstance(spec, str):
        spec = {"role": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("role"), str):
        raise DetailedError(
            f"{where}: each token needs a role",
            value=spec,
            expected='"<role>" or {"role": "<role>", "name": "<holder>", "expires": "<ISO time>"}',
        )
    try:
        parse_role(spec["role"])
    except DetailedError as exc:
        raise DetailedError(
            f"{where}: {exc.message}", value=spec["role"], expected=exc.expected
        ) from None
    expires = spec.get("expires")
    try:
        when = None if expires is None else datetime.fromisoformat(str(expires))
    except ValueError:
        when = None
        expires = f"bad:{expires}"
    if expires is not None and (when is None or when.tzinfo is None):
        raise DetailedError(
            f"{where}: expires must be an ISO time with a UTC offset", value=expires
        )
    name = spec.get("name") or hashlib.sha256(key.encode()).hexdigest()[:8]
    return TokenInfo(spec["role"], str(name), when, bool(spec.get("revoked")))


def load_tokens(path: Path) -> dict[str, TokenSpec]:
    """Tokens from a JSON file ``{"<token>" or "sha256:<hex>": role or entry}``; checked."""
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
    for token, spec in data.items():
        if len(token) < 16:
            raise DetailedError(
                f"{path}: a token must have at least 16 characters",
                value=token[:4] + "…",
                expected="a long random string (ceasefire tokens new ROLE:NAME makes one)",
            )
        token_info(token, spec, str(path))
    return dict(data)


class TokenTable:
    """Tokens → principals, in constant time per candidate (no timing oracle).

    Given the file it came from, the table re-reads it when it changes, so a
    revocation (``ceasefire tokens revoke``) takes effect without a restart.
    """

    def __init__(
        self, tokens: Mapping[str, TokenSpec], source: Path | None = None
    ) -> None:
        self._source = source
        self._stamp = self._mtime()
        self._checked = time.monotonic()
        self._load(tokens)

    def _load(self, tokens: Mapping[str, TokenSpec]) -> None:
        self._entries = [
            (token.encode(), token_info(token, spec), f"token-{number}")
            for number, (token, spec) in enumerate(sorted(tokens.items()))
        ]

    def _mtime(self) -> float | None:
        try:
            return None if self._source is None else self._source.stat().st_mtime
        except OSError:
            return None

    def _refresh(self) -> None:
        if self._source is None or time.monotonic() - self._checked < 1:
            return
        self._checked = time.monotonic()
        stamp = self._mtime()
        if stamp != self._stamp:
            try:
                self._load(load_tokens(self._source))
                self._stamp = stamp
            except DetailedError:
                pass  # a half-written file: keep the last good table

    def principal(self, token: str) -> Principal | None:
        """The principal of ``token``, or None when no token matches or it is void."""
        self._refresh()
        given, digest = token.encode(), hashed(token).encode()
        found: Principal | None = None
        now = datetime.now(UTC)
        for known, info, key in self._entries:
            if hmac.compare_digest(known, given) | hmac.compare_digest(known, digest):
                expired = info.expires is not None and info.expires <= now
                if not (info.revoked or expired):
                    role, party = parse_role(info.role)
                    found = Principal(role, party, key, info.name)
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
