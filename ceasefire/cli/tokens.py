"""``ceasefire tokens``: issue, list and revoke the API's bearer tokens (issue 14).

Each token names its holder (a person or a system) and a role, and may
expire. The file keeps only the SHA-256 of each token, so a copy of it lets
no one in; ``ceasefire serve --tokens FILE`` reads it and follows its changes.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from ceasefire.api.auth import hashed, load_tokens, parse_role, token_info
from ceasefire.errors import DetailedError

file_option = click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("tokens.json"),
    show_default=True,
    help="The tokens file `ceasefire serve --tokens` reads.",
)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return dict(load_tokens(path))
    except DetailedError as exc:
        raise click.ClickException(exc.message) from None


def _write(path: Path, tokens: dict[str, Any]) -> None:
    """Write atomically (a server may be reading it) and private to its owner."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(
        json.dumps(tokens, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    partial.chmod(0o600)
    os.replace(partial, path)


@click.group(name="tokens")
def tokens_group() -> None:
    """Bearer tokens of the API: one per person or system, with a role.

    \b
    Example:
      ceasefire tokens new monitor:alice --days 90
      ceasefire serve --db sqlite:///mission.db --agreement examples/minsk-ii.yaml --tokens tokens.json
    """


@tokens_group.command(name="new")
@click.argument("spec", metavar="ROLE[:NAME]")
@file_option
@click.option(
    "--days", type=click.IntRange(1, 3650), help="Expire after this many days."
)
def new(spec: str, path: Path, days: int | None) -> None:
    """Issue a token for ROLE (monitor, analyst, guarantor, party:<id>) held by NAME.

    Prints the token once (only its hash is stored). The log names every
    entry the token writes ``ROLE/NAME``.

    \b
    Example:
      ceasefire tokens new monitor:alice --days 90
      ceasefire tokens new party:ua:liaison-kyiv --file tokens.json
    """
    role, _, name = spec.rpartition(":") if spec.count(":") >= 1 else (spec, "", "")
    if role == "party" or not role:  # "party:ua" alone: no name given
        role, name = spec, ""
    try:
        parse_role(role)
    except DetailedError as exc:
        raise click.ClickException(f"{exc.message}; expected {exc.expected}") from None
    token = secrets.token_urlsafe(32)
    entry: dict[str, Any] = {"role": role, "name": name or hashed(token)[7:15]}
    if days is not None:
        entry["expires"] = (datetime.now(UTC) + timedelta(days=days)).isoformat(
            timespec="seconds"
        )
    token_info(token, entry)
    tokens = _read(path)
    tokens[hashed(token)] = entry
    _write(path, tokens)
    click.echo(
        f"issued {role}/{entry['name']} in {path}; the token (shown once):", err=True
    )
    click.echo(token)


@tokens_group.command(name="list")
@file_option
def list_tokens(path: Path) -> None:
    """The holders, roles, expiry and revocation of every token (never the tokens).

    \b
    Example:
      ceasefire tokens list --file tokens.json
    """
    for key, spec in sorted(_read(path).items()):
        info = token_info(key, spec)
        state = (
            "revoked"
            if info.revoked
            else (
                "expires " + info.expires.isoformat() if info.expires else "no expiry"
            )
        )
        click.echo(f"{info.role}/{info.name}\t{state}")


@tokens_group.command(name="revoke")
@click.argument("name")
@file_option
def revoke(name: str, path: Path) -> None:
    """Revoke every token held by NAME (a running server notices within a second).

    \b
    Example:
      ceasefire tokens revoke alice --file tokens.json
    """
    tokens = _read(path)
    hit = 0
    for key, spec in tokens.items():
        info = token_info(key, spec)
        if info.name == name and not info.revoked:
            tokens[key] = {**info.to_json(), "revoked": True}
            hit += 1
    if not hit:
        raise click.ClickException(f"no live token held by {name!r} in {path}")
    _write(path, tokens)
    click.echo(f"revoked {hit} token(s) of {name}")
