"""What sgtui knows about each SQL engine it reaches through SQLAlchemy.

One home for the per-engine facts: the name people call the engine by, the extra that
installs its driver, how to make a session read-only, how the engine says that a relation,
a column, a right or the connection is missing, and the GRANT that a refused user needs.
Everything here is plain data and small functions over driver exceptions; the source
(:mod:`sgtui.source.sql`) turns them into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Failure(Enum):
    """What went wrong, as far as the person who fixes it is concerned."""

    CONNECT = "connect"
    AUTHENTICATION = "authentication"
    NO_DATABASE = "no database"
    NO_RELATION = "no relation"
    NO_COLUMN = "no column"
    PERMISSION = "permission"
    DROPPED = "dropped"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class EngineFacts:
    """How one engine is installed, named and asked to stay read-only."""

    label: str
    extra: str
    driver: str | None = None  # the DBAPI driver the extra installs, when it is not implied
    session_setup: tuple[str, ...] = ()  # run on every new connection (read-only first)
    grant: str = "ask for SELECT on {relation} for the user {user}"
    option_file: str | None = None  # the driver reads the password from here, if present
    tested: bool = False


# A long net_write_timeout: a stream may wait on SendGrid's rate limit between two chunks.
_MYSQL_SESSION = ("SET SESSION TRANSACTION READ ONLY", "SET SESSION net_write_timeout = 3600")
ENGINES: dict[str, EngineFacts] = {
    "mysql": EngineFacts(
        "MySQL", "mysql", "pymysql",
        session_setup=_MYSQL_SESSION, option_file="~/.my.cnf",
        grant="ask for GRANT SELECT ON {relation} TO '{user}'", tested=True),
    # The file itself is opened read_only. No progress bar: DuckDB would draw it over the app.
    "duckdb": EngineFacts("DuckDB", "duckdb", session_setup=("SET enable_progress_bar = false",),
                          tested=True),
    "postgresql": EngineFacts(
        "PostgreSQL", "postgresql", "psycopg",
        session_setup=("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",),
        grant="ask for GRANT SELECT ON {relation} TO {user} (and USAGE on its schema)"),
    "snowflake": EngineFacts(
        "Snowflake", "snowflake",
        grant="ask for GRANT SELECT ON {relation} TO ROLE <the role of {user}> (and USAGE on "
              "its database and schema)"),
    "bigquery": EngineFacts(
        "BigQuery", "bigquery",
        grant="ask for the BigQuery Data Viewer role on the dataset of {relation} (and BigQuery "
              "Job User on the project) for {user}"),
    "redshift": EngineFacts(
        "Redshift", "redshift", "redshift_connector",
        grant="ask for GRANT SELECT ON {relation} TO {user} (and USAGE on its schema)"),
    "databricks": EngineFacts(
        "Databricks", "databricks",
        grant="ask for GRANT SELECT ON {relation} TO `{user}` (and USE CATALOG, USE SCHEMA)"),
    "trino": EngineFacts("Trino", "trino"),
}
ENGINES["mariadb"] = replace(ENGINES["mysql"], label="MariaDB")


def facts_for(dialect: str) -> EngineFacts:
    """The facts for ``dialect`` (a URL's name before ``+``); unknown engines get defaults."""
    return ENGINES.get(dialect) or EngineFacts(dialect, "sql")


def classify(error: BaseException, *, connecting: bool) -> Failure:
    """What the driver's ``error`` (or SQLAlchemy's wrapper of it) means."""
    original = getattr(error, "orig", None) or error
    for rule in (_mysql, _postgresql, _duckdb):
        failure = rule(original, connecting)
        if failure is not None:
            return failure
    if getattr(error, "connection_invalidated", False) and not connecting:
        return Failure.DROPPED
    return _by_words(str(original).lower(), connecting)


def _mysql(error: BaseException, connecting: bool) -> Failure | None:
    module = type(error).__module__
    if not module.startswith(("pymysql", "MySQLdb", "mysql", "mariadb")):
        return None
    code = error.args[0] if error.args and isinstance(error.args[0], int) else None
    failure = _MYSQL_CODES.get(code) if code else None
    if failure is not None:
        return Failure.CONNECT if connecting and failure is Failure.DROPPED else failure
    if not code and not connecting and type(error).__name__ in ("InterfaceError",
                                                                "OperationalError"):
        return Failure.DROPPED  # pymysql's "(0, '')": the socket closed under it
    return None


_MYSQL_CODES = {
    1044: Failure.PERMISSION, 1142: Failure.PERMISSION, 1143: Failure.PERMISSION,
    1045: Failure.AUTHENTICATION, 1049: Failure.NO_DATABASE,
    1146: Failure.NO_RELATION, 1054: Failure.NO_COLUMN,
    2002: Failure.CONNECT, 2003: Failure.CONNECT, 2005: Failure.CONNECT,
    1053: Failure.DROPPED, 1927: Failure.DROPPED, 2006: Failure.DROPPED,
    2013: Failure.DROPPED, 2055: Failure.DROPPED, 4031: Failure.DROPPED,
}


def _postgresql(error: BaseException, connecting: bool) -> Failure | None:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if not isinstance(state, str):
        return None
    if state in ("28P01", "28000"):
        return Failure.AUTHENTICATION
    if state == "3D000":
        return Failure.NO_DATABASE
    if state in ("42P01", "3F000"):
        return Failure.NO_RELATION
    if state == "42703":
        return Failure.NO_COLUMN
    if state == "42501":
        return Failure.PERMISSION
    if state.startswith(("08", "57P")):
        return Failure.CONNECT if connecting else Failure.DROPPED
    return None


def _duckdb(error: BaseException, connecting: bool) -> Failure | None:
    if not type(error).__module__.startswith(("duckdb", "_duckdb")):
        return None
    kind = type(error).__name__
    text = str(error).lower()
    if kind == "CatalogException" and "does not exist" in text:
        return Failure.NO_RELATION
    if kind == "BinderException" and "not found" in text:
        return Failure.NO_COLUMN
    if kind in ("IOException", "HTTPException"):
        if "permission denied" in text:
            return Failure.PERMISSION
        return Failure.CONNECT if connecting else Failure.NO_RELATION
    return None


def _by_words(text: str, connecting: bool) -> Failure:
    """For drivers sgtui is not tested with: their usual words."""
    if any(w in text for w in ("authentication", "password", "invalid credentials",
                               "incorrect username", "login failed")):
        return Failure.AUTHENTICATION
    if any(w in text for w in ("permission", "access denied", "not authorized",
                               "insufficient privilege", "privileges")):
        return Failure.PERMISSION
    if connecting:
        return Failure.CONNECT
    if "column" in text and any(w in text for w in ("not found", "does not exist", "unknown",
                                                    "cannot be resolved", "invalid")):
        return Failure.NO_COLUMN
    if any(w in text for w in ("does not exist", "not found", "unknown table", "no such table")):
        return Failure.NO_RELATION
    if any(w in text for w in ("connection", "closed", "gone away", "broken pipe", "reset")):
        return Failure.DROPPED
    return Failure.OTHER


def driver_words(error: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's wrapping or a trailing period."""
    original = getattr(error, "orig", None) or error
    if type(original).__module__.startswith("pymysql") and len(original.args) >= 2:
        text = str(original.args[1])
    else:
        text = str(original)
    for prefix in ("FATAL:", "ERROR:"):
        text = text.replace(prefix, "")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines or [type(original).__name__])[0].rstrip(".!")


def why_unreachable(words: str) -> str:
    """A connection failure's reason in plain words."""
    lowered = words.lower()
    if "timed out" in lowered or "timeout expired" in lowered:
        return "it did not answer in time"
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return ("another program has the file open for writing (DuckDB lets one program "
                "write or many read); close it, or point sgtui at a copy")
    if "refused" in lowered:
        return "the connection was refused (is the server running and listening there?)"
    if ("name or service not known" in lowered or "nodename nor servname" in lowered
            or "translate host name" in lowered or "errno -2" in lowered
            or "errno -3" in lowered or "unknown host" in lowered):
        return "the host name is unknown"
    return words


def abandon_stream(dbapi_cursor: object) -> None:
    """Let a half-read server-side cursor go without reading the rest of its rows.

    PyMySQL's unbuffered cursor reads every remaining row when it is closed (MySQL cannot
    stop sending); once its connection is dropped instead, it must not try.
    """
    pending = getattr(dbapi_cursor, "_result", None)
    if getattr(pending, "unbuffered_active", False):
        pending.unbuffered_active = False  # type: ignore[union-attr]
