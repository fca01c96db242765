"""The SQL source: three relations (tables or views) in any engine SQLAlchemy reaches.

```toml
[source]
type = "sql"
url = "mysql+pymysql://sgtui@db.internal/crm"   # no password: SGTUI_SOURCE_PASSWORD
profiles = "marketing.profiles_v"
segments = "marketing.segments_v"              # segment_id, name[, description]
segment_members = "marketing.segment_members_v"  # segment_id, profile_id
key_column = "customer_id"                     # default: the profiles table's primary key
```
The engine counts and deduplicates (one query each, no rows pulled to count); members stream
through a server-side cursor on their own connection, so memory stays flat. Every query is
built with SQLAlchemy Core, so the dialect quotes every identifier. sgtui only ever reads.

PostgreSQL keeps its own source (:mod:`sgtui.source.postgresql`): on 1,000,000 profiles it
streams in 3.6 s where this one, through ``postgresql+psycopg``, takes 8.0 s, and it counts
in 6.5 s against 9.3 s (``tests/benchmarks/bench_sql.py --engines --postgres DSN``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sgtui.source.base import CHUNK_SIZE, Column, Segment, SegmentTotals, SourceError
from sgtui.source.sql_connect import PASSWORD_VARIABLE, Target, open_engine
from sgtui.source.sql_engines import (
    Failure,
    abandon_stream,
    classify,
    driver_words,
    why_unreachable,
)
from sgtui.workspace.model import SourceConfig

SEGMENT_COLUMNS = ("segment_id", "name")
MEMBER_COLUMNS = ("segment_id", "profile_id")
SAMPLED_ROWS = 200
ROLES = ("profiles", "segments", "segment_members")


class SqlSource:
    """Customer data in a SQL database or warehouse, in three relations named by sgtui.toml."""

    def __init__(
        self,
        url: str,
        *,
        profiles: str = "profiles",
        segments: str = "segments",
        segment_members: str = "segment_members",
        key_column: str | None = None,
        folder: Path | None = None,
    ) -> None:
        self._names = {"profiles": profiles, "segments": segments,
                       "segment_members": segment_members}
        self._split = {role: _split_relation(name) for role, name in self._names.items()}
        self._target: Target = open_engine(url, folder)
        self.label = self._target.facts.label
        try:
            self._inspect(key_column)
        except BaseException:
            self._target.engine.dispose()
            raise

    @classmethod
    def from_config(cls, config: SourceConfig, folder: Path | None = None) -> SqlSource:
        """The source a workspace's ``[source]`` table describes (``folder``: the workspace)."""
        if not config.url:
            raise SourceError("A sql source needs a url in sgtui.toml, like "
                              "\"mysql+pymysql://sgtui@db.internal/crm\" or "
                              "\"duckdb:///customers.duckdb\".")
        return cls(config.url, profiles=config.profiles, segments=config.segments,
                   segment_members=config.segment_members, key_column=config.key_column,
                   folder=folder)

    # -- connecting and checking ----------------------------------------------------------
    def _connect(self) -> sa.Connection:
        try:
            connection = self._target.engine.connect()
        except sa.exc.SQLAlchemyError as error:
            raise SourceError(self._connect_sentence(error)) from None
        if getattr(connection.dialect, "is_mariadb", False):
            self.label = "MariaDB"  # a mysql:// url that reached a MariaDB server
        return connection

    @contextlib.contextmanager
    def _connection(self, reading: str) -> Iterator[sa.Connection]:
        """A pooled connection; every failure inside becomes a :class:`SourceError`."""
        connection = self._connect()
        try:
            with connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            raise SourceError(self._query_sentence(error, reading)) from None

    def _connect_sentence(self, error: BaseException) -> str:
        target, words = self._target, driver_words(error)
        failure = classify(error, connecting=True)
        if failure is Failure.AUTHENTICATION and _no_password_given(words):
            return (f"{self.label} at {target.where} wants a password for user "
                    f"{target.user!r} and none was given. Set {PASSWORD_VARIABLE} in the "
                    "environment, or use the driver's own way (never a password in sgtui.toml).")
        if failure is Failure.AUTHENTICATION:
            return (f"{self.label} at {target.where} refused user {target.user!r} "
                    f"(authentication failed: {words}). Check {PASSWORD_VARIABLE} or the "
                    "driver's own credentials (never a password in sgtui.toml).")
        if failure is Failure.NO_DATABASE:
            return f"{self.label} at {target.where}: {words}; fix the database in the url."
        if failure is Failure.PERMISSION:
            return (f"{self.label} at {target.where} does not let user {target.user!r} in "
                    f"({words}); {self._grant(self._whole_database())}.")
        return (f"sgtui cannot connect to {self.label} at {target.where}: "
                f"{why_unreachable(words)}.")

    def _query_sentence(self, error: BaseException, reading: str) -> str:
        words = driver_words(error)
        failure = classify(error, connecting=False)
        if failure is Failure.DROPPED:
            return (f"The connection to {self.label} at {self._target.where} dropped while "
                    f"{reading} ({words}). The run stopped; run it again to resume.")
        if failure is Failure.NO_COLUMN:
            return (f"{self.label} at {self._target.where} lacks a column while {reading} "
                    f"({words}); the relations changed since sgtui looked: run sgtui check.")
        if failure is Failure.PERMISSION:
            return (f"The {self.label} user {self._target.user!r} was refused while {reading} "
                    f"({words}); {self._grant('the three relations')}.")
        return (f"{self.label} at {self._target.where} could not answer while {reading}: "
                f"{words}. Check the relations and the export's columns (sgtui check).")

    def _grant(self, relation: str) -> str:
        return self._target.facts.grant.format(relation=relation, user=self._target.user)

    def _probe(self, role: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        """Column names, their types and the first rows of one relation."""
        name = self._names[role]
        connection = self._connect()
        try:
            with connection:
                result = connection.execute(
                    sa.select(sa.text("*")).select_from(self._table(role)).limit(SAMPLED_ROWS))
                description = result.cursor.description or []
                rows = [tuple(row) for row in result]
        except sa.exc.SQLAlchemyError as error:
            failure = classify(error, connecting=False)
            if failure is Failure.NO_RELATION:
                raise SourceError(
                    f"{self.label} at {self._target.where} has no relation {name!r} (the {role} "
                    f"relation in sgtui.toml); create it or set [source] {role} to a table or "
                    f"view that exists ({driver_words(error)}).") from None
            if failure is Failure.PERMISSION:
                raise SourceError(
                    f"The {self.label} user {self._target.user!r} may not read {name!r} "
                    f"(permission denied); {self._grant(self._qualified(role))}.") from None
            raise SourceError(self._query_sentence(error, f"reading {name!r}")) from None
        names = [str(column[0]) for column in description]
        types = [_type_name(column[1]) for column in description]
        return names, types, rows

    def _inspect(self, key_column: str | None) -> None:
        """Check every relation and required column now, so later calls rarely fail."""
        found = {role: self._probe(role) for role in ROLES}
        for role, needed in (("segments", SEGMENT_COLUMNS), ("segment_members", MEMBER_COLUMNS)):
            for column in needed:
                if column not in found[role][0]:
                    raise SourceError(self._missing_column(role, column, found[role][0]))
        key = key_column or self._primary_key()
        if key not in found["profiles"][0]:
            raise SourceError(self._missing_column("profiles", key, found["profiles"][0]))
        self._key = key
        self._profile_columns = found["profiles"]
        self._has_description = "description" in found["segments"][0]
        ids = [row[found["segments"][0].index("segment_id")] for row in found["segments"][2]]
        self._numeric_segment_ids = bool(ids) and all(isinstance(i, int) for i in ids)

    def _missing_column(self, role: str, column: str, present: Sequence[str]) -> str:
        setting = " or set [source] key_column" if role == "profiles" else ""
        return (f"The {role} relation {self._names[role]!r} has no column {column!r}{setting}; "
                f"it has {', '.join(present) or 'no columns'}.")

    def _primary_key(self) -> str:
        schema, name = self._split["profiles"]
        try:
            with self._target.engine.connect() as connection:
                keys = sa.inspect(connection).get_pk_constraint(name, schema=schema)[
                    "constrained_columns"] or []
        except (sa.exc.SQLAlchemyError, NotImplementedError):
            keys = []  # a dialect that cannot say: the view's case
        if len(keys) != 1:
            raise SourceError(
                f"sgtui cannot tell which column of {self._names['profiles']!r} identifies a "
                f"profile (it is a view, or its primary key is not one column); set [source] "
                "key_column in sgtui.toml, like key_column = \"customer_id\".")
        return str(keys[0])

    def _table(self, role: str, columns: Sequence[str] = ()) -> sa.TableClause:
        schema, name = self._split[role]
        return sa.table(name, *(sa.column(c) for c in columns), schema=schema)

    def _whole_database(self) -> str:
        database = self._target.database
        if database and self._target.facts.extra == "mysql":
            return f"{self._target.engine.dialect.identifier_preparer.quote(database)}.*"
        return "the database"

    def _qualified(self, role: str) -> str:
        preparer = self._target.engine.dialect.identifier_preparer
        schema, name = self._split[role]
        if schema is None and self._target.database and self._target.facts.extra == "mysql":
            schema = self._target.database
        return ".".join(preparer.quote(part) for part in (schema, name) if part)

    # -- the CustomerSource protocol -------------------------------------------------------
    @property
    def key_column(self) -> str:
        return self._key

    def columns(self) -> list[Column]:
        names, types, rows = self._profile_columns = self._probe("profiles")
        samples: list[str | None] = [None] * len(names)
        for row in rows:
            for at, value in enumerate(row):
                if samples[at] is None and value is not None and str(value).strip():
                    samples[at] = str(value)
        result = [Column(name=name, type=type_, sample=sample, is_key=name == self._key)
                  for name, type_, sample in zip(names, types, samples, strict=True)]
        result.sort(key=lambda column: not column.is_key)
        return result

    def segments(self) -> list[Segment]:
        s = self._table("segments", ["segment_id", "name", "description"])
        m = self._table("segment_members", MEMBER_COLUMNS)
        counts = (sa.select(m.c.segment_id,
                            sa.func.count(sa.distinct(m.c.profile_id)).label("members"))
                  .group_by(m.c.segment_id).subquery("c"))
        description = s.c.description if self._has_description else sa.literal("")
        query = (sa.select(s.c.segment_id, s.c.name, description,
                           sa.func.coalesce(counts.c.members, 0))
                 .select_from(s.outerjoin(counts, counts.c.segment_id == s.c.segment_id)))
        with self._connection("counting segment members") as connection:
            rows = connection.execute(query).all()
        segments = [Segment(id=str(r[0]), name=str(r[1] or r[0]), description=str(r[2] or ""),
                            member_count=int(r[3])) for r in rows]
        segments.sort(key=lambda segment: (segment.name.lower(), segment.id))
        return segments

    def _segment_ids(self, segment_ids: Sequence[str]) -> list[Any]:
        """The ids as the engine stores them (numbers compare with numbers, and use indexes)."""
        ids = list(dict.fromkeys(segment_ids))
        if self._numeric_segment_ids:
            return [int(i) for i in ids if str(i).lstrip("-").isdigit()]
        return ids

    def _members_filter(self, p: sa.TableClause) -> sa.ColumnElement[bool]:
        m = self._table("segment_members", MEMBER_COLUMNS)
        members = sa.select(m.c.profile_id).where(
            m.c.segment_id.in_(sa.bindparam("ids", expanding=True)))
        return p.c[self._key].in_(members)

    def _profile_table(self, columns: Sequence[str]) -> sa.TableClause:
        known = self._profile_columns[0]
        missing = [column for column in columns if column not in known]
        if missing:
            raise SourceError(f"The profiles relation {self._names['profiles']!r} has no column "
                              f"{', '.join(map(repr, missing))}; it has {', '.join(known)}.")
        return self._table("profiles", list(dict.fromkeys([self._key, *columns])))

    def totals(self, segment_ids: Sequence[str], email_column: str | None) -> SegmentTotals:
        ids = self._segment_ids(segment_ids)
        if not ids:
            return SegmentTotals(0, 0)
        p = self._profile_table([email_column] if email_column else [])
        if email_column is None:
            emails: sa.ColumnElement[Any] = sa.literal(0)
        else:
            email = sa.func.trim(sa.cast(p.c[email_column], sa.String))
            emails = sa.func.count(sa.distinct(sa.case((email != "", sa.func.lower(email)))))
        query = sa.select(sa.func.count(), emails).select_from(p).where(self._members_filter(p))
        with self._connection("counting unique profiles") as connection:
            profiles, unique_emails = connection.execute(query, {"ids": ids}).one()
        return SegmentTotals(int(profiles), int(unique_emails or 0))

    def stream_members(
        self, segment_ids: Sequence[str], columns: Sequence[str], *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[Sequence[Sequence[object]]]:
        ids = self._segment_ids(segment_ids)
        if not ids:
            return
        p = self._profile_table(columns)
        query = (sa.select(*(p.c[c] for c in columns)).where(self._members_filter(p))
                 .order_by(p.c[self._key]))
        # Its own connection: counts asked for meanwhile (from the UI) never wait behind it.
        finished = False
        with self._connection("reading segment members") as connection:
            result = None
            try:
                result = connection.execution_options(
                    stream_results=True, yield_per=chunk_size).execute(query, {"ids": ids})
                # SQLAlchemy's rows are tuple-like already: copying them costs a sixth.
                yield from result.partitions(chunk_size)
                finished = True
            finally:
                if not finished:
                    # Stopped early: drop the connection rather than drain the cursor.
                    if result is not None:
                        abandon_stream(result.cursor)
                    with contextlib.suppress(sa.exc.SQLAlchemyError):
                        connection.invalidate()

    def sample_rows(self, columns: Sequence[str], limit: int = 3) -> list[tuple[object, ...]]:
        p = self._profile_table(columns)
        query = sa.select(*(p.c[c] for c in columns)).order_by(p.c[self._key]).limit(limit)
        with self._connection("reading sample profiles") as connection:
            return [tuple(row) for row in connection.execute(query)]

    def close(self) -> None:
        self._target.engine.dispose()


def _split_relation(name: str) -> tuple[str | None, str]:
    """``marketing.profiles_v`` -> ``("marketing", "profiles_v")``; the dialect quotes both."""
    parts = [part.strip().strip('"`') for part in name.split(".")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise SourceError(f"{name!r} is not a relation name; write a table or view as name or "
                          "schema.name, like \"marketing.profiles_v\" (the database or catalog "
                          "goes in the url).")
    return (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def _no_password_given(words: str) -> bool:
    lowered = words.lower()
    return any(w in lowered for w in ("using password: no", "no password supplied",
                                      "password is required"))


def _type_name(type_code: object) -> str:
    """The driver's name for a column type (DuckDB gives names, MySQL drivers numbers)."""
    if isinstance(type_code, int):
        with contextlib.suppress(ImportError):
            from pymysql.constants import FIELD_TYPE

            names = {v: k for k, v in vars(FIELD_TYPE).items() if isinstance(v, int)}
            if type_code in names:
                return names[type_code].lower().replace("var_string", "varchar")
        return "unknown"
    return str(type_code) if type_code is not None else "unknown"
