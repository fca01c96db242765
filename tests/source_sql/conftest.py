"""Real engines for the sql source: DuckDB over Parquet files, and a real MariaDB server.

DuckDB is embedded: each test gets a folder of Parquet files (written by DuckDB's own COPY)
and a ``.duckdb`` file whose views read them. MariaDB is the server `.ci/system-packages`
starts, found at ``$SGTUI_TEST_MARIADB_URL``, else at the fixed address the CI script uses:
``mysql+pymysql://sgtui_test@127.0.0.1:53306/sgtui_test`` (no password on loopback). Without
a reachable server the MariaDB tests fail when ``CI`` is set and skip, saying why, otherwise.
Each MariaDB test gets its own database, dropped afterwards.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from source_fixtures import CUSTOMERS, MEMBERS, SEGMENTS

DEFAULT_MARIADB_URL = "mysql+pymysql://sgtui_test@127.0.0.1:53306/sgtui_test"
READER_USER = "sgtui_test_reader"
PASSWORD_USER = "sgtui_test_password"

PROFILE_COLUMNS = ("customer_id", "email", "first_name", "country", "lifetime_value")


def in_ci() -> bool:
    """Whether the CI machine runs us (where a missing server is a failure)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    """Fail in CI, skip with ``reason`` elsewhere."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: .ci/system-packages should have started it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def no_source_password(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """A developer's SGTUI_SOURCE_PASSWORD or ~/.my.cnf never leaks into a test."""
    monkeypatch.delenv("SGTUI_SOURCE_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


# -- DuckDB over Parquet ---------------------------------------------------------------------
@dataclass
class Lake:
    """A folder of Parquet files and a DuckDB file whose views read them."""

    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / "crm.duckdb"

    @property
    def url(self) -> str:
        return f"duckdb:///{self.path}"

    def execute(self, *statements: str) -> None:
        """Run SQL on the DuckDB file (read-write: only the test itself ever writes)."""
        import duckdb

        # Relative paths resolve beside the file, as they do for sgtui.
        db = duckdb.connect(str(self.path), config={"file_search_path": str(self.folder)})
        try:
            for statement in statements:
                db.execute(statement)
        finally:
            db.close()

    def parquet(self, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
                types: dict[str, str] | None = None) -> str:
        """Write ``rows`` as ``parquet/<name>.parquet`` (via CSV and DuckDB's COPY)."""
        (self.folder / "parquet").mkdir(exist_ok=True)
        staged = self.folder / f"{name}.csv"
        with staged.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(["\\N" if v is None else v for v in row] for row in rows)
        columns = {column: (types or {}).get(column, "VARCHAR") for column in header}
        spec = ", ".join(f"'{c}': '{t}'" for c, t in columns.items())
        target = f"parquet/{name}.parquet"
        import duckdb

        # In memory: writing Parquet needs no database file.
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{staged}', header = true, "
                       f"nullstr = '\\N', columns = {{{spec}}})) "
                       f"TO '{self.folder / target}' (FORMAT parquet)")
        staged.unlink()
        return target

    @staticmethod
    def view(name: str, parquet: str) -> str:
        """The statement of a view over a Parquet file (a path relative to this folder)."""
        return f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{parquet}')"


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    """An empty lake folder (no DuckDB file yet)."""
    folder = tmp_path / "lake"
    folder.mkdir()
    return Lake(folder)


def fill_lake(lake: Lake) -> Lake:
    """The DESIGN relations as views over three Parquet files, with CUSTOMERS and SEGMENTS."""
    profiles = lake.parquet("profiles", PROFILE_COLUMNS,
                            [(c, e, f, k, 12.5) for c, e, f, k, _ in CUSTOMERS],
                            {"lifetime_value": "DECIMAL(10, 2)"})
    segments = lake.parquet("segments", ("segment_id", "name", "description"), SEGMENTS)
    members = lake.parquet("members", ("segment_id", "profile_id"), MEMBERS)
    lake.execute(lake.view("profiles", profiles), lake.view("segments", segments),
                 lake.view("segment_members", members))
    return lake


# -- MariaDB ---------------------------------------------------------------------------------
def configured_url() -> str:
    """The SQLAlchemy URL of the MariaDB test server."""
    return os.environ.get("SGTUI_TEST_MARIADB_URL", "").strip() or DEFAULT_MARIADB_URL


def admin_connect(url: str, *, database: str | None = None) -> Any:
    """A plain PyMySQL connection (autocommit) as the URL's user."""
    import pymysql
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return pymysql.connect(host=parsed.host or "127.0.0.1", port=parsed.port or 3306,
                           user=parsed.username, password=parsed.password or "",
                           database=database or parsed.database, autocommit=True,
                           connect_timeout=3)


@pytest.fixture(scope="session")
def mariadb_url() -> str:
    """The URL of a reachable MariaDB test server (fails in CI, skips locally, without one)."""
    url = configured_url()
    try:
        import pymysql
    except ImportError:
        unavailable("pymysql is not installed (pip install -e '.[test]')")
    try:
        admin_connect(url).close()
    except pymysql.Error as error:
        unavailable(f"no MariaDB test server at {url}: {error}; run .ci/system-packages as "
                    "root, or set SGTUI_TEST_MARIADB_URL")
    return url


@dataclass
class Database:
    """One test's own MariaDB database, and a connection that owns it."""

    name: str
    server_url: str
    db: Any

    def execute(self, *statements: str, params: Any = None) -> None:
        """Run SQL with ``{d}`` replaced by the quoted database name."""
        with self.db.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.replace("{d}", f"`{self.name}`"), params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.db.cursor() as cursor:
            cursor.executemany(statement.replace("{d}", f"`{self.name}`"), rows)

    def rel(self, table: str) -> str:
        """``database.table`` as sgtui.toml names it."""
        return f"{self.name}.{table}"

    @property
    def url(self) -> str:
        """The server's URL with this database as the default one."""
        return self.url_for(None)

    def url_for(self, user: str | None) -> str:
        from sqlalchemy.engine import make_url

        url = make_url(self.server_url).set(database=self.name)
        if user is not None:
            url = url.set(username=user, password=None)
        return url.render_as_string(hide_password=False)

    def kill_connections(self, *, running: str | None = None) -> int:
        """Kill this database's other connections (those running ``running``, if given)."""
        with self.db.cursor() as cursor:
            cursor.execute(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s "
                "AND ID <> CONNECTION_ID() AND (%s IS NULL OR INFO LIKE %s)",
                (self.name, running, f"%{running}%"))
            ids = [row[0] for row in cursor.fetchall()]
            for connection_id in ids:
                cursor.execute(f"KILL {int(connection_id)}")
        return len(ids)


@pytest.fixture
def database(mariadb_url: str) -> Iterator[Database]:
    """A fresh, empty database, dropped (with everything in it) after the test."""
    name = f"sgtui_t_{uuid.uuid4().hex[:12]}"
    db = admin_connect(mariadb_url)
    with db.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        yield Database(name, mariadb_url, db)
    finally:
        with db.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
        db.close()


def fill_database(database: Database) -> Database:
    """The DESIGN tables in ``database``, filled with CUSTOMERS and SEGMENTS."""
    database.execute(
        "CREATE TABLE {d}.profiles (customer_id varchar(20) PRIMARY KEY, email text, "
        "first_name text, country text, lifetime_value decimal(10, 2))",
        "CREATE TABLE {d}.segments (segment_id varchar(40) PRIMARY KEY, name text NOT NULL, "
        "description text)",
        "CREATE TABLE {d}.segment_members (segment_id varchar(40), profile_id varchar(20), "
        "PRIMARY KEY (segment_id, profile_id))",
    )
    database.executemany("INSERT INTO {d}.profiles VALUES (%s, %s, %s, %s, %s)",
                         [(c, e, f, k, 12.5) for c, e, f, k, _ in CUSTOMERS])
    database.executemany("INSERT INTO {d}.segments VALUES (%s, %s, %s)", SEGMENTS)
    database.executemany("INSERT INTO {d}.segment_members VALUES (%s, %s)", MEMBERS)
    return database


# -- either engine ---------------------------------------------------------------------------
@dataclass
class Design:
    """The DESIGN relations with CUSTOMERS in one engine, and how to open a source on them."""

    engine: str
    url: str
    relations: dict[str, str]
    key_column: str | None

    def open(self, **overrides: Any) -> Any:
        from sgtui.source.sql import SqlSource

        settings: dict[str, Any] = {**self.relations, "key_column": self.key_column}
        settings.update(overrides)
        return SqlSource(self.url, **settings)


@pytest.fixture(params=["duckdb", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def design(request: pytest.FixtureRequest, tmp_path: Path) -> Design:
    """The same seven customers in DuckDB views over Parquet, and in MariaDB tables."""
    if request.param == "duckdb":
        lake = fill_lake(request.getfixturevalue("lake"))
        # Views have no primary key: the key is configured, as sgtui.toml would.
        return Design("duckdb", lake.url, {r: r for r in ("profiles", "segments",
                                                          "segment_members")}, "customer_id")
    database = fill_database(request.getfixturevalue("database"))
    return Design("mariadb", database.url,
                  {r: database.rel(r) for r in ("profiles", "segments", "segment_members")},
                  None)


@pytest.fixture
def open_design(design: Design) -> Iterator[Any]:
    """A SqlSource on ``design``."""
    source = design.open()
    yield source
    source.close()
