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
    Memory (``ceasefire.store.memory``): a named in-process store, for modules
    that parametrise ``store`` with it (``indirect=True``; the store contract).
    """
    if request.param == "sqlite":
        from ceasefire.store.sqlite import SQLiteStore

        with SQLiteStore(tmp_path / "store.db") as opened:
            yield opened
        return
    if request.param == "memory":  # only where a test module asks for it
        from ceasefire.store import memory

        name = f"test-{uuid.uuid4().hex[:12]}"
        try:
            with memory.MemoryStore(name) as opened:
                yield opened
        finally:  # and the siblings a test made (``<name>_v1``)
            for made in memory.names():
                if made.startswith(name):
                    memory.drop(made)
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


# ------------------------------------------------------------ markers

SLOW = frozenset(
    {
        # 40 s or more in a full run under pytest-xdist -n 2 at load 14 (issue 12);
        # ./dev test and CI run them; CEASEFIRE_QUICK=1 ./dev test skips them
        "tests/test_cli.py::test_every_command_has_help_with_an_example",
        "tests/test_cli.py::test_map_png_is_a_readable_map",
        "tests/test_compliance_postgis.py::test_alaska_geometric_clauses_equal_postgis_on_100k_synthetic",
        "tests/test_intake_more.py::test_real_files_import_with_honest_counts_and_reimport_nothing",
        "tests/test_intake_more.py::test_alert_mapping_matches_the_source",
        "tests/test_api_schema.py::test_no_server_errors",
        "tests/test_io_alerts_volunteer.py::test_real_file_imports_with_honest_counts_and_reimports_nothing",
        "tests/test_schema.py::test_documents_the_loader_accepts_validate",
        "tests/test_roundtrip.py::test_generated_documents_dump_without_defaults",
        "tests/test_roundtrip.py::test_generated_documents_round_trip",
        "tests/test_land_mask.py::test_sea_points_inside_oblasts_test_the_subtraction",
        "tests/test_land_mask.py::test_script_reproduces_the_file",
        "tests/test_export.py::test_export_then_append_elsewhere_gives_the_same_reports",
        "tests/test_measure.py::test_freeze_line_distances_match_geodesic",
        "tests/test_example_data.py::test_script_rebuilds_the_shipped_files_byte_for_byte",
        "tests/test_example_data.py::test_adm1_is_within_500_m_of_geoboundaries",
        "tests/test_io_geojson.py::test_deepstate_points_import_with_honest_counts_and_reimport_nothing",
        "tests/test_intake_resume.py::test_an_import_killed_mid_file_resumes_without_duplicates",
        "tests/test_io_csv.py::test_cli_exports_each_format_and_each_reimports_to_nothing_new",
        "tests/test_compliance_cli.py::test_csv_and_geojson_carry_the_same_verdicts",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests in ``SLOW`` (every parameter of each) as ``slow``."""
    for item in items:
        if item.nodeid.split("[", 1)[0] in SLOW:
            item.add_marker(pytest.mark.slow)
