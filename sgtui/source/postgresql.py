"""The PostgreSQL source: three relations (tables or views) read where they live, with psycopg 3.

```toml
[source]
type = "postgresql"
dsn = "postgresql://sgtui@db.internal/crm"   # no password: PGPASSWORD, ~/.pgpass, a service
profiles = "marketing.profiles_v"
segments = "marketing.segments_v"              # segment_id, name[, description]
segment_members = "marketing.segment_members_v"  # segment_id, profile_id
key_column = "customer_id"                     # default: the profiles table's primary key
```
Counting happens on the server (one query each, no rows pulled to count); members stream
through a server-side cursor, so memory stays flat however many profiles there are. Every
failure becomes a :class:`SourceError` with a sentence naming the host or the relation.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from sgtui.source.base import CHUNK_SIZE, Column, Segment, SegmentTotals, SourceError
from sgtui.workspace.model import SourceConfig

CONNECT_TIMEOUT_SECONDS = 10
SEGMENT_COLUMNS = ("segment_id", "name")
MEMBER_COLUMNS = ("segment_id", "profile_id")
TEXT_TYPES = {"text", "character varying", "varchar", "character", "bpchar", "name"}


class PostgresSource:
    """Customer data in PostgreSQL, in three relations named by ``sgtui.toml``."""

    def __init__(
        self,
        dsn: str,
        *,
        profiles: str = "profiles",
        segments: str = "segments",
        segment_members: str = "segment_members",
        key_column: str | None = None,
    ) -> None:
        try:
            params = conninfo_to_dict(dsn)
        except psycopg.ProgrammingError as error:
            raise SourceError(f"The PostgreSQL dsn in sgtui.toml is not valid "
                              f"({_first_line(error)}); write it like "
                              "\"postgresql://sgtui@db.internal/crm\".") from None
        if params.get("password"):
            raise SourceError(
                "The PostgreSQL dsn in sgtui.toml contains a password; remove it and give the "
                "password the libpq way instead: PGPASSWORD, ~/.pgpass or a service file."
            )
        params.setdefault("connect_timeout", str(CONNECT_TIMEOUT_SECONDS))
        params.setdefault("application_name", "sgtui")
        self._conninfo = make_conninfo("", **params)
        self._where = _describe_server(params)
        self._user = str(params.get("user") or os.environ.get("PGUSER") or _os_user())
        self._names = {"profiles": profiles, "segments": segments,
                       "segment_members": segment_members}
        self._relations = {role: _relation(name) for role, name in self._names.items()}
        self._lock = threading.Lock()
        self._db = self._connect()
        try:
            self._inspect(key_column)
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def from_config(cls, config: SourceConfig) -> PostgresSource:
        """The source a workspace's ``[source]`` table describes."""
        if not config.dsn:
            raise SourceError("A PostgreSQL source needs a dsn in sgtui.toml, like "
                              "\"postgresql://sgtui@db.internal/crm\".")
        return cls(config.dsn, profiles=config.profiles, segments=config.segments,
                   segment_members=config.segment_members, key_column=config.key_column)

    # -- connecting and checking ----------------------------------------------------------
    def _connect(self, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self._conninfo, autocommit=autocommit)
        except psycopg.Error as error:
            raise SourceError(self._connect_sentence(error)) from None

    def _connect_sentence(self, error: psycopg.Error) -> str:
        message = _first_line(error)
        lowered = message.lower()
        if "password authentication failed" in lowered or "authentication failed" in lowered:
            return (f"PostgreSQL at {self._where} refused the password of user {self._user!r} "
                    "(authentication failed). Check PGPASSWORD or the user's line in ~/.pgpass.")
        if "no password supplied" in lowered or "password is required" in lowered:
            return (f"PostgreSQL at {self._where} wants a password for user {self._user!r} and "
                    "none was given. Set PGPASSWORD or add a line to ~/.pgpass "
                    "(never in sgtui.toml).")
        if "role" in lowered and "does not exist" in lowered:
            return (f"PostgreSQL at {self._where} has no user {self._user!r}; "
                    "fix the user in the dsn.")
        if "database" in lowered and "does not exist" in lowered:
            return f"PostgreSQL at {self._where}: {message}; fix the database name in the dsn."
        if "pg_hba.conf" in lowered:
            return (f"PostgreSQL at {self._where} does not let user {self._user!r} in from this "
                    f"machine ({message}); ask its administrator for access.")
        if "timeout" in lowered:
            why = f"it did not answer within {CONNECT_TIMEOUT_SECONDS} seconds"
        elif "connection refused" in lowered:
            why = "the connection was refused (is the server running and listening there?)"
        elif "translate host name" in lowered or "name or service not known" in lowered:
            why = "the host name is unknown"
        else:
            why = message
        return f"sgtui cannot connect to PostgreSQL at {self._where}: {why}."

    def _query_sentence(self, error: psycopg.Error, reading: str) -> str:
        if isinstance(error, psycopg.OperationalError) or self._db.closed:
            return (f"The connection to PostgreSQL at {self._where} dropped while {reading} "
                    f"({_first_line(error)}). Nothing was lost: run again to resume.")
        return (f"PostgreSQL at {self._where} could not answer while {reading}: "
                f"{_first_line(error)}.")

    def _inspect(self, key_column: str | None) -> None:
        """Check every relation and required column now, so later calls rarely fail."""
        found: dict[str, dict[str, str]] = {}
        for role, relation in self._relations.items():
            found[role] = self._describe(role, relation)
        for role, needed in (("segments", SEGMENT_COLUMNS), ("segment_members", MEMBER_COLUMNS)):
            for column in needed:
                if column not in found[role]:
                    raise SourceError(self._missing_column(role, column, found[role]))
        key = key_column or self._primary_key()
        if key not in found["profiles"]:
            raise SourceError(self._missing_column("profiles", key, found["profiles"]))
        self._key = key
        self._has_description = "description" in found["segments"]
        # Matching key and member types keep the join on indexes; otherwise compare as text.
        self._same_key_type = _comparable(found["profiles"][key],
                                          found["segment_members"]["profile_id"])
        self._segment_id_type = found["segment_members"]["segment_id"]

    def _describe(self, role: str, relation: sql.Composable) -> dict[str, str]:
        name = self._names[role]
        try:
            with self._lock:
                if self._db.closed or self._db.broken:
                    self._db = self._connect()
                with self._db.cursor() as cursor:
                    cursor.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(relation))
                    return {c.name: c.type_display for c in cursor.description or []}
        except errors.UndefinedTable:
            raise SourceError(
                f"PostgreSQL at {self._where} has no relation {name!r} (the {role} relation in "
                f"sgtui.toml); create it or set [source] {role} to a table or view that exists."
            ) from None
        except errors.InvalidSchemaName:
            raise SourceError(
                f"PostgreSQL at {self._where} has no schema for {name!r} (the {role} relation "
                "in sgtui.toml); check the schema name."
            ) from None
        except errors.InsufficientPrivilege:
            raise SourceError(
                f"The PostgreSQL user {self._user!r} may not read {name!r} (permission denied); "
                f"ask for GRANT SELECT ON {name} TO {self._user} (and USAGE on its schema)."
            ) from None
        except psycopg.Error as error:
            raise SourceError(self._query_sentence(error, f"reading {name!r}")) from None

    def _missing_column(self, role: str, column: str, present: dict[str, str]) -> str:
        setting = " or set [source] key_column" if role == "profiles" else ""
        return (f"The {role} relation {self._names[role]!r} has no column {column!r}{setting}; "
                f"it has {', '.join(present) or 'no columns'}.")

    def _primary_key(self) -> str:
        name = self._names["profiles"]
        rows = self._fetch(
            "finding the profiles key",
            sql.SQL("SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                    "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                    "WHERE i.indisprimary AND i.indrelid = {}::regclass"
                    ).format(sql.Literal(self._relations["profiles"].as_string(self._db))),
        )
        if len(rows) != 1:
            raise SourceError(
                f"sgtui cannot tell which column of {name!r} identifies a profile (it has "
                f"{'no' if not rows else 'a multi-column'} primary key); set [source] key_column "
                "in sgtui.toml, like key_column = \"customer_id\"."
            )
        return str(rows[0][0])

    def _fetch(self, reading: str, query: sql.SQL | sql.Composed,
               params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        """Run a read; a connection that dropped since the last one is reopened once."""
        try:
            with self._lock:
                for attempt in (1, 2):
                    if self._db.closed or self._db.broken:
                        self._db = self._connect()
                    try:
                        with self._db.cursor() as cursor:
                            cursor.execute(query, params)
                            return cursor.fetchall()
                    except psycopg.OperationalError:
                        if attempt == 2 or not self._db.broken:
                            raise
                raise AssertionError("unreachable")
        except errors.InsufficientPrivilege as error:
            raise SourceError(
                f"The PostgreSQL user {self._user!r} was refused while {reading} "
                f"({_first_line(error)}); ask for GRANT SELECT on the three relations."
            ) from None
        except (errors.UndefinedTable, errors.UndefinedColumn) as error:
            raise SourceError(
                f"PostgreSQL at {self._where} could not answer while {reading}: "
                f"{_first_line(error)}. Check the relations and the export's columns "
                "(sgtui check)."
            ) from None
        except psycopg.Error as error:
            raise SourceError(self._query_sentence(error, reading)) from None

    # -- the CustomerSource protocol -------------------------------------------------------
    @property
    def key_column(self) -> str:
        return self._key

    def columns(self) -> list[Column]:
        names = list(self._describe("profiles", self._relations["profiles"]).items())
        samples = sql.SQL(", ").join(
            sql.SQL("(SELECT {c}::text FROM {p} WHERE {c} IS NOT NULL "
                    "AND btrim({c}::text) <> '' LIMIT 1)").format(
                c=sql.Identifier(name), p=self._relations["profiles"])
            for name, _type in names
        )
        (row,) = self._fetch("reading column samples", sql.SQL("SELECT {}").format(samples))
        result = [Column(name=name, type=type_, sample=sample, is_key=name == self._key)
                  for (name, type_), sample in zip(names, row, strict=True)]
        result.sort(key=lambda column: not column.is_key)
        return result

    def segments(self) -> list[Segment]:
        description = (sql.SQL("COALESCE(s.description::text, '')") if self._has_description
                       else sql.SQL("''"))
        rows = self._fetch(
            "counting segment members",
            sql.SQL(
                "SELECT s.segment_id::text, s.name::text, {d}, COALESCE(c.members, 0) "
                "FROM {s} s LEFT JOIN (SELECT segment_id, COUNT(DISTINCT profile_id) AS members "
                "FROM {m} GROUP BY segment_id) c ON c.segment_id = s.segment_id "
                "ORDER BY lower(s.name::text), s.segment_id::text"
            ).format(d=description, s=self._relations["segments"],
                     m=self._relations["segment_members"]),
        )
        return [Segment(id=r[0], name=r[1] or r[0], description=r[2], member_count=int(r[3]))
                for r in rows]

    def _members_filter(self) -> sql.Composed:
        """``p.<key> IN (members of %(ids)s)``, typed so PostgreSQL can use its indexes."""
        key: sql.Composable = sql.SQL("p.{}").format(sql.Identifier(self._key))
        member: sql.Composable = sql.SQL("m.profile_id")
        if not self._same_key_type:
            key, member = sql.SQL("{}::text").format(key), sql.SQL("m.profile_id::text")
        if self._segment_id_type in TEXT_TYPES:
            ids: sql.Composable = sql.SQL("%(ids)s::text[]")
        else:
            ids = sql.SQL("CAST(%(ids)s AS {}[])").format(sql.SQL(self._segment_id_type))
        return sql.SQL("{key} IN (SELECT {member} FROM {m} m WHERE m.segment_id = ANY({ids}))"
                       ).format(key=key, member=member, m=self._relations["segment_members"],
                                ids=ids)

    def totals(self, segment_ids: Sequence[str], email_column: str | None) -> SegmentTotals:
        if not segment_ids:
            return SegmentTotals(0, 0)
        params = {"ids": list(dict.fromkeys(segment_ids))}
        if email_column is None:
            emails: sql.Composable = sql.SQL("0")
        else:
            email = sql.SQL("btrim(p.{}::text)").format(sql.Identifier(email_column))
            emails = sql.SQL("COUNT(DISTINCT lower({e})) FILTER (WHERE {e} <> '')").format(e=email)
        ((profiles, unique_emails),) = self._fetch(
            "counting unique profiles",
            sql.SQL("SELECT COUNT(*), {emails} FROM {p} p WHERE {where}").format(
                emails=emails, p=self._relations["profiles"], where=self._members_filter()),
            params,
        )
        return SegmentTotals(int(profiles), int(unique_emails))

    def stream_members(
        self, segment_ids: Sequence[str], columns: Sequence[str], *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[Sequence[Sequence[object]]]:
        if not segment_ids:
            return
        params = {"ids": list(dict.fromkeys(segment_ids))}
        query = sql.SQL("SELECT {cols} FROM {p} p WHERE {where} ORDER BY p.{key}").format(
            cols=sql.SQL(", ").join(sql.SQL("p.{}").format(sql.Identifier(c)) for c in columns),
            p=self._relations["profiles"], where=self._members_filter(),
            key=sql.Identifier(self._key),
        )
        # Its own connection and transaction: the named cursor lives on the server, and counts
        # asked for meanwhile (from the UI) never wait behind a long stream.
        db = self._connect(autocommit=False)
        try:
            with db.cursor(name="sgtui_members") as cursor:
                cursor.itersize = chunk_size
                try:
                    cursor.execute(query, params)
                    while chunk := cursor.fetchmany(chunk_size):
                        yield chunk
                except errors.UndefinedColumn as error:
                    raise SourceError(f"The profiles relation {self._names['profiles']!r} "
                                      f"lacks a mapped column: {_first_line(error)}.") from None
                except errors.InsufficientPrivilege as error:
                    raise SourceError(f"The PostgreSQL user {self._user!r} was refused while "
                                      f"reading members ({_first_line(error)}).") from None
                except psycopg.Error as error:
                    raise SourceError(
                        f"The connection to PostgreSQL at {self._where} dropped while reading "
                        f"segment members ({_first_line(error)}). The run stopped; run it again "
                        "to resume."
                        if isinstance(error, psycopg.OperationalError) or db.broken
                        else self._query_sentence(error, "reading segment members")
                    ) from None
        finally:
            with contextlib.suppress(psycopg.Error):
                db.close()

    def sample_rows(self, columns: Sequence[str], limit: int = 3) -> list[tuple[object, ...]]:
        return self._fetch(
            "reading sample profiles",
            sql.SQL("SELECT {cols} FROM {p} ORDER BY {key} LIMIT %s").format(
                cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                p=self._relations["profiles"], key=sql.Identifier(self._key)),
            (limit,),
        )

    def close(self) -> None:
        self._db.close()


def _relation(name: str) -> sql.Composable:
    """``marketing.profiles_v`` -> ``"marketing"."profiles_v"``; names are never spliced raw."""
    parts = [part.strip() for part in name.split(".")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise SourceError(f"{name!r} is not a relation name; write a table or view as "
                          "name or schema.name, like \"marketing.profiles_v\".")
    return sql.Identifier(*(part.strip('"') for part in parts))


def _comparable(left: str, right: str) -> bool:
    """Whether PostgreSQL compares the two types without casts (and so with indexes)."""
    integers = {"smallint", "integer", "bigint"}
    return left == right or (left in integers and right in integers) or (
        left.split("(")[0] in TEXT_TYPES and right.split("(")[0] in TEXT_TYPES)


def _describe_server(params: dict[str, Any]) -> str:
    host = str(params.get("host") or os.environ.get("PGHOST") or "")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    database = params.get("dbname") or os.environ.get("PGDATABASE")
    if not host or host.startswith("/"):
        where = f"the local socket{f' in {host}' if host else ''} (port {port})"
    else:
        where = f"{host}:{port}"
    return f"{where}, database {database!r}" if database else where


def _first_line(error: BaseException) -> str:
    """The server's or libpq's own words, without the connection preamble."""
    text = str(error).strip()
    for prefix in ("FATAL:", "ERROR:"):
        text = text.replace(prefix, "")
    lines = [_PREAMBLE.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    return (lines or [type(error).__name__])[0].rstrip(".")


_PREAMBLE = re.compile(r"^(connection failed:\s*)?(connection to server (at|on) .*? failed:\s*)+")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
