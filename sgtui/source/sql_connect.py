"""From a ``[source] url`` to a read-only SQLAlchemy engine, or a sentence saying why not.

A URL that carries a password is refused without being repeated: the password comes from
``SGTUI_SOURCE_PASSWORD`` or the driver's own way (``~/.my.cnf``, a key file, default
credentials). A DuckDB file is opened read-only, and relative paths (the file itself, and the
Parquet or CSV files its views read) are found next to the workspace and the file.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sgtui.source.base import SourceError
from sgtui.source.sql_engines import EngineFacts, facts_for

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

PASSWORD_VARIABLE = "SGTUI_SOURCE_PASSWORD"
CONNECT_TIMEOUT_SECONDS = 10
EXAMPLE_URL = "mysql+pymysql://sgtui@db.internal/crm"
_SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "token", "secret")
SQLALCHEMY_MISSING = ("This workspace reads a SQL database through SQLAlchemy, which is not "
                      "installed: pip install 'sgtui[sql]' (and your engine's extra, like "
                      "sgtui[mysql] or sgtui[duckdb]).")


@dataclass(frozen=True, slots=True)
class Target:
    """An engine ready to connect, and the words that name where it points."""

    engine: Engine
    facts: EngineFacts
    where: str
    user: str
    database: str | None


def open_engine(text: str, folder: Path | None = None) -> Target:
    """A read-only engine for the URL ``text``; ``folder`` anchors a relative DuckDB path."""
    try:
        import sqlalchemy
        from sqlalchemy.engine import make_url
    except ModuleNotFoundError as error:
        if error.name != "sqlalchemy":
            raise
        raise SourceError(SQLALCHEMY_MISSING) from None
    try:
        url = make_url(text.strip())
    except (sqlalchemy.exc.ArgumentError, ValueError):
        # Not repeated: a URL that does not parse may still hold a password.
        raise SourceError(f"The [source] url in sgtui.toml is not a database URL; write it "
                          f"like \"{EXAMPLE_URL}\" or \"duckdb:///customers.duckdb\".") from None
    if url.password is not None or any(k.lower() in _SECRET_QUERY_KEYS for k in url.query):
        raise SourceError(f"The [source] url in sgtui.toml contains a password; remove it and "
                          f"set {PASSWORD_VARIABLE} in the environment instead (or use the "
                          "driver's own way, like ~/.my.cnf).")
    dialect = url.get_backend_name()
    facts = facts_for(dialect)
    connect_args: dict[str, Any] = {}
    if dialect == "duckdb":
        url, where, connect_args = _duckdb(url, folder)
    else:
        where = _describe_server(url)
        if facts.driver in ("pymysql", "psycopg"):
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        password = os.environ.get(PASSWORD_VARIABLE)
        if password:
            url = url.set(password=password)
        elif facts.option_file and Path(facts.option_file).expanduser().is_file():
            # Its [client] section fills in only what the url leaves out (the password).
            connect_args["read_default_file"] = str(Path(facts.option_file).expanduser())
    try:
        engine = sqlalchemy.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (sqlalchemy.exc.NoSuchModuleError, ImportError) as error:
        raise SourceError(_driver_missing(url, facts, error)) from None
    except sqlalchemy.exc.ArgumentError as error:
        raise SourceError(f"The [source] url in sgtui.toml does not suit {facts.label}: "
                          f"{str(error).splitlines()[0]}.") from None
    if facts.session_setup:
        statements = facts.session_setup

        @sqlalchemy.event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                for statement in statements:
                    cursor.execute(statement)
            finally:
                cursor.close()

    user = url.username or _os_user()
    return Target(engine, facts, where, user, url.database)


def _duckdb(url: URL, folder: Path | None) -> tuple[URL, str, dict[str, Any]]:
    if not url.database or url.database == ":memory:":
        raise SourceError("A DuckDB source needs a database file, like "
                          "url = \"duckdb:///customers.duckdb\" (read-only).")
    path = Path(url.database).expanduser()
    if not path.is_absolute():
        path = (folder / path) if folder is not None else path.absolute()
    if not path.is_file():
        raise SourceError(f"The DuckDB file {path} does not exist; create it (its views can read "
                          "Parquet files) or fix [source] url in sgtui.toml.")
    # Relative paths inside its views (read_parquet('profiles.parquet')) resolve beside it.
    config = {"file_search_path": str(path.parent)}
    return (url.set(database=str(path)), str(path),
            {"read_only": True, "config": config})


def _describe_server(url: URL) -> str:
    host = url.host or "localhost"
    where = f"{host}:{url.port}" if url.port else host
    return f"{where}, database {url.database!r}" if url.database else where


def _driver_missing(url: URL, facts: EngineFacts, error: BaseException) -> str:
    backend, _, driver = url.drivername.partition("+")
    install = f"pip install 'sgtui[{facts.extra}]'"
    module = getattr(error, "name", None)
    if facts.driver and driver != facts.driver:
        chosen = f"the driver {driver!r}" if driver else "SQLAlchemy's default driver"
        return (f"This workspace reads {facts.label} through {chosen}, which is not installed"
                f"{f' ({module})' if module else ''}; use the one sgtui installs: {install}, "
                f"and write the url as \"{backend}+{facts.driver}://...\".")
    what = f"driver ({module})" if module else "SQLAlchemy dialect"
    return f"This workspace reads {facts.label}, whose {what} is not installed: {install}."


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
