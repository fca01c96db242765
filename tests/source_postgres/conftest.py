"""A real PostgreSQL server for these tests: the one `.ci/system-packages` starts.

The server is found at ``$SGTUI_TEST_PG_DSN``, else at the fixed address the CI script
uses: ``postgresql://sgtui_test@127.0.0.1:55432/sgtui_test`` (trust on loopback). Without a
reachable server these tests fail when ``CI`` is set and skip, saying why, otherwise.
Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from source_fixtures import CUSTOMERS, MEMBERS, SEGMENTS

DEFAULT_DSN = "postgresql://sgtui_test@127.0.0.1:55432/sgtui_test"
READER_ROLE = "sgtui_test_reader"
PASSWORD_ROLE = "sgtui_test_password"

def _psycopg_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("psycopg") is None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


if _psycopg_missing() and not _in_ci():
    # Only test_server_available.py runs, and skips saying why; in CI the imports fail loudly.
    collect_ignore = ["test_postgres_source.py", "test_postgres_errors.py",
                      "test_check_postgres.py", "test_export_from_postgres.py"]


def in_ci() -> bool:
    """Whether the CI machine runs us (where a missing server is a failure)."""
    return _in_ci()


def unavailable(reason: str) -> None:
    """Fail in CI, skip with ``reason`` elsewhere."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: .ci/system-packages should have started it)")
    pytest.skip(reason)


def configured_dsn() -> str:
    """The DSN of the test server."""
    return os.environ.get("SGTUI_TEST_PG_DSN", "").strip() or DEFAULT_DSN


def dsn_for(user: str, base: str | None = None) -> str:
    """The test server's DSN with another user."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(base or configured_dsn())
    params["user"] = user
    params.pop("password", None)
    return make_conninfo(**params)


@pytest.fixture(autouse=True)
def isolated_libpq(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """No developer PG* settings or ~/.pgpass leak into a test."""
    for name in ("PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE",
                 "PGSERVICEFILE", "PGOPTIONS", "PGCONNECT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path_factory.getbasetemp() / "no-pgpass"))


@pytest.fixture(scope="session")
def server_dsn() -> str:
    """The DSN of a reachable test server (fails in CI, skips locally, when there is none)."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed (pip install -e '.[test]')")
    dsn = configured_dsn()
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            pass
    except psycopg.Error as error:
        unavailable(f"no PostgreSQL test server at {dsn}: {str(error).strip().splitlines()[0]}; "
                    "run .ci/system-packages as root, or set SGTUI_TEST_PG_DSN")
    return dsn


def role_exists(dsn: str, role: str) -> bool:
    """Whether the server knows ``role``."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as db:
        found = db.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    return found is not None


@dataclass
class Schema:
    """One test's private schema on the test server, and a connection that owns it."""

    name: str
    dsn: str
    db: Any

    def execute(self, statement: str, params: Any = None) -> None:
        """Run SQL with ``{s}`` replaced by the quoted schema name."""
        self.db.execute(statement.replace("{s}", f'"{self.name}"'), params)

    def rel(self, table: str) -> str:
        """``schema.table`` as sgtui.toml names it."""
        return f"{self.name}.{table}"


@pytest.fixture
def schema(server_dsn: str) -> Iterator[Schema]:
    """A fresh, empty schema, dropped (with everything in it) after the test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    db = psycopg.connect(server_dsn, autocommit=True)
    db.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield Schema(name, server_dsn, db)
    finally:
        db.execute(f'DROP SCHEMA "{name}" CASCADE')
        db.close()




def create_tables(schema: Schema) -> None:
    """The DESIGN tables in ``schema``, filled with CUSTOMERS and SEGMENTS."""
    schema.execute(
        "CREATE TABLE {s}.profiles (customer_id text PRIMARY KEY, email text, "
        "first_name text, country text, lifetime_value numeric(10, 2));"
        "CREATE TABLE {s}.segments (segment_id text PRIMARY KEY, name text NOT NULL, "
        "description text);"
        "CREATE TABLE {s}.segment_members (segment_id text, profile_id text, "
        "PRIMARY KEY (segment_id, profile_id))"
    )
    with schema.db.cursor() as cursor:
        cursor.executemany(
            schema_sql(schema, "INSERT INTO {s}.profiles VALUES (%s, %s, %s, %s, %s)"),
            [(c, e, f, k, 12.5) for c, e, f, k, _ in CUSTOMERS],
        )
        cursor.executemany(schema_sql(schema, "INSERT INTO {s}.segments VALUES (%s, %s, %s)"),
                           SEGMENTS)
        cursor.executemany(
            schema_sql(schema, "INSERT INTO {s}.segment_members VALUES (%s, %s)"),
            MEMBERS,
        )


def schema_sql(schema: Schema, statement: str) -> str:
    """``statement`` with ``{s}`` replaced by the quoted schema name."""
    return statement.replace("{s}", f'"{schema.name}"')


@pytest.fixture
def tables(schema: Schema) -> Schema:
    """A schema holding the three DESIGN tables with seven customers in four segments."""
    create_tables(schema)
    return schema


@pytest.fixture
def open_tables(tables: Schema) -> Iterator[Any]:
    """A PostgresSource on ``tables``."""
    from sgtui.source.postgresql import PostgresSource

    source = PostgresSource(tables.dsn, profiles=tables.rel("profiles"),
                            segments=tables.rel("segments"),
                            segment_members=tables.rel("segment_members"))
    yield source
    source.close()
