"""Stores behind two interfaces, chosen by URL (see base.LogStore, base.Projection)."""

from __future__ import annotations

from urllib.parse import urlparse

from ceasefire.store.base import LogStore, Projection, Store, StoreError

__all__ = ["LogStore", "Projection", "Store", "StoreError", "open_store"]


def open_store(url: str) -> Store:
    """Open ``sqlite:///path/to/file.db``, ``postgresql://user@host/db`` or ``memory://``.

    PostgreSQL needs the ``postgis`` extra (psycopg); it is imported only here.
    ``memory://`` is a fresh store that lives as long as the object;
    ``memory://NAME`` the store of that name in this process (tests, demos).
    """
    scheme = urlparse(url).scheme
    if scheme == "memory":
        from ceasefire.store.memory import MemoryStore

        return MemoryStore(url.removeprefix("memory://") or None)
    if scheme == "sqlite":
        from ceasefire.store.sqlite import SQLiteStore

        # as in SQLAlchemy: sqlite:///x.db is relative, sqlite:////abs/x.db absolute
        if not url.startswith("sqlite:///") or len(url) == len("sqlite:///"):
            raise StoreError(
                f"{url!r} names no file; expected sqlite:///path/to/file.db"
            )
        return SQLiteStore(url.removeprefix("sqlite:///"))

    if scheme in ("postgresql", "postgres"):
        try:
            from ceasefire.store.postgres import PostgresStore
        except ImportError as exc:  # psycopg missing
            raise StoreError(
                f"{url!r} needs psycopg: pip install 'ceasefire[postgis]' ({exc})"
            ) from None
        return PostgresStore(url)
    raise StoreError(
        f"unknown store URL {url!r}; expected sqlite:///FILE, postgresql://HOST/DB or memory://[NAME]"
    )
