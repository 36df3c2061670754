"""Shared fixtures: paths to the repo, the examples and the real data in ../shared/data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from ceasefire.store.base import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED_DATA = Path(
    os.environ.get("CEASEFIRE_SHARED_DATA", REPO.parent / "shared" / "data")
)


def shared_data(relative: str) -> Path:
    """Return a path in ../shared/data, or skip the test saying what is missing.

    CI sets CEASEFIRE_REQUIRE_SHARED_DATA=1: there a missing file fails the test
    instead, so real-data tests can never be skipped silently.
    """
    path = SHARED_DATA / relative
    if not path.exists():
        reason = (
            f"real data not found: {path} (set CEASEFIRE_SHARED_DATA to its folder)"
        )
        if os.environ.get("CEASEFIRE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


# ------------------------------------------------------------ stores

POSTGRES_URL_VARIABLE = "CEASEFIRE_TEST_POSTGRES_URL"


def _no_postgres(reason: str) -> NoReturn:
    """Skip, or fail under CEASEFIRE_REQUIRE_POSTGRES=1 (CI must run these tests)."""
    if os.environ.get("CEASEFIRE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (CEASEFIRE_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL + PostGIS database for tests, from CEASEFIRE_TEST_POSTGRES_URL.

    ``./dev test`` starts one with scripts/test-postgres.sh. Without it the
    tests that need it skip, saying why; CI sets CEASEFIRE_REQUIRE_POSTGRES=1
    to make them fail instead.
    """
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        _no_postgres(
            f"no PostgreSQL server: set {POSTGRES_URL_VARIABLE}"
            " (scripts/test-postgres.sh start prints one; ./dev test does it for you)"
        )
    try:
        import psycopg
    except ImportError:
        _no_postgres("psycopg is not installed: pip install -e '.[postgis]'")
    try:
        with psycopg.connect(url, connect_timeout=10) as connection:
            connection.execute("SELECT postgis_version()")
    except psycopg.Error as exc:
        _no_postgres(f"cannot use the PostGIS database {url}: {exc}".strip())
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store on each backend.

    SQLite: a file in tmp_path. PostgreSQL: a new schema (``schema=``) in the
    test database; afterwards it is dropped, with any schema whose name starts
    with it (a test may make ``<store.schema>_more`` for a second database).
    """
    if request.param == "sqlite":
        from ceasefire.store.sqlite import SQLiteStore

        with SQLiteStore(tmp_path / "store.db") as opened:
            yield opened
        return

    url = request.getfixturevalue("postgres_url")
    import psycopg
    from psycopg import sql

    from ceasefire.store.postgres import PostgresStore

    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        with PostgresStore(url, schema=schema) as opened:
            yield opened
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            made = connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (f"{schema}%",),
            ).fetchall()
            for (name,) in made:
                connection.execute(
                    sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name))
                )
