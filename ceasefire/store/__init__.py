"""Stores behind one interface, chosen by URL (see base.Store)."""

from __future__ import annotations

from urllib.parse import urlparse

from ceasefire.store.base import Store, StoreError

__all__ = ["Store", "StoreError", "open_store"]


def open_store(url: str) -> Store:
    """Open ``sqlite:///path/to/file.db`` or ``postgresql://user@host/db``.

    PostgreSQL needs the ``postgis`` extra (psycopg); it is imported only here.
    """
    scheme = urlparse(url).scheme
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
        f"unknown store URL {url!r}; expected sqlite:///FILE or postgresql://HOST/DB"
    )
