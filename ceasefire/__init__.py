"""ceasefire: turn a cease-fire or peace agreement into code and monitor it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ceasefire.errors import AgreementError, CeasefireError, Problem

if TYPE_CHECKING:
    from ceasefire.agreement import Agreement, load, loads

__version__ = "0.1.0"

__all__ = [
    "Agreement",
    "AgreementError",
    "CeasefireError",
    "Problem",
    "__version__",
    "load",
    "loads",
]

_LAZY = {"Agreement", "load", "loads"}
"""Imported on first use: loading agreements pulls in shapely and pyproj, which
``ceasefire --help`` must not wait for (issue 12)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from ceasefire import agreement

        return getattr(agreement, name)
    raise AttributeError(f"module 'ceasefire' has no attribute {name!r}")
