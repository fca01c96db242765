"""The embedded SQLite source: ``profiles``, ``segments`` and ``segment_members`` tables.

```
profiles(<key column> PRIMARY KEY, any other columns...)
segments(segment_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT)
segment_members(segment_id TEXT, profile_id, PRIMARY KEY (segment_id, profile_id))
```
The database is opened read-only. Counting relies on the primary key index of
``segment_members``; :func:`ensure_indexes` adds the reverse index that makes unions fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from sgtui.source.base import CHUNK_SIZE, Column, Segment, SegmentTotals, SourceError

REQUIRED_TABLES = ("profiles", "segments", "segment_members")


def quote(identifier: str) -> str:
    """``identifier`` quoted for SQL (column names come from the user's schema)."""
    return '"' + identifier.replace('"', '""') + '"'


class SqliteSource:
    """Customer data in an SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(
                f"The customer database {self.path} does not exist. Import a CSV with "
                "`sgtui import FILE.csv`, run `sgtui demo`, or set [source] path in sgtui.toml."
            )
        try:
            self._db = self._connect()
            tables = {
                row[0]
                for row in self._db.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                )
            }
        except sqlite3.DatabaseError as error:
            raise self._unreadable(error) from None
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise SourceError(
                f"The customer database {self.path} has no {', '.join(missing)} table. "
                "The README's 'Bring your own data' section shows the tables sgtui reads."
            )
        self._key = self._find_key_column()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True,
                               check_same_thread=False)

    def _unreadable(self, error: sqlite3.DatabaseError) -> SourceError:
        """The sentence for an SQLite error reading the customer database."""
        if getattr(error, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return SourceError(
                f"The customer database {self.path} is locked by another program (an "
                "import, or a tool holding a write lock), so sgtui could not read it. Try "
                "again when it has finished."
            )
        return SourceError(f"{self.path} is not a readable SQLite database ({error}).")

    def _find_key_column(self) -> str:
        info = self._db.execute("PRAGMA table_info(profiles)").fetchall()
        keys = sorted((row[5], row[1]) for row in info if row[5])
        if len(keys) != 1:
            raise SourceError(
                "The profiles table needs exactly one PRIMARY KEY column to identify a "
                f"profile; {self.path} has {len(keys)}."
            )
        return keys[0][1]

    @property
    def key_column(self) -> str:
        return self._key

    def columns(self) -> list[Column]:
        info = self._db.execute("PRAGMA table_info(profiles)").fetchall()
        result = []
        for _cid, name, declared, _notnull, _default, pk in info:
            sample = self._db.execute(
                f"SELECT {quote(name)} FROM profiles WHERE {quote(name)} IS NOT NULL "
                f"AND TRIM({quote(name)}) != '' LIMIT 1"
            ).fetchone()
            result.append(
                Column(name=name, type=declared or "TEXT",
                       sample=None if sample is None else str(sample[0]), is_key=bool(pk))
            )
        result.sort(key=lambda column: not column.is_key)
        return result

    def segments(self) -> list[Segment]:
        rows = self._db.execute(
            "SELECT s.segment_id, s.name, COALESCE(s.description, ''), "
            "(SELECT COUNT(*) FROM segment_members m WHERE m.segment_id = s.segment_id) "
            "FROM segments s ORDER BY s.name COLLATE NOCASE"
        ).fetchall()
        return [Segment(id=str(r[0]), name=str(r[1]), description=str(r[2]), member_count=r[3])
                for r in rows]

    def _members_sql(self, segment_ids: Sequence[str]) -> str:
        # A UNION of index range scans beats IN (...) with DISTINCT by about a quarter.
        one = "SELECT profile_id FROM segment_members WHERE segment_id = ?"
        return " UNION ".join([one] * len(segment_ids))

    def totals(self, segment_ids: Sequence[str], email_column: str | None) -> SegmentTotals:
        if not segment_ids:
            return SegmentTotals(0, 0)
        ids = list(dict.fromkeys(segment_ids))
        if email_column is None:  # members whose profile exists, as the run reads them
            (profiles,) = self._db.execute(
                f"SELECT COUNT(*) FROM profiles p "
                f"WHERE p.{quote(self._key)} IN ({self._members_sql(ids)})", ids
            ).fetchone()
            return SegmentTotals(profiles, 0)
        email = quote(email_column)
        profiles, emails = self._db.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT LOWER(TRIM(p.{email}))) "
            f"FILTER (WHERE TRIM(p.{email}) != '') "
            f"FROM profiles p WHERE p.{quote(self._key)} IN ({self._members_sql(ids)})",
            ids,
        ).fetchone()
        return SegmentTotals(profiles, emails)

    def stream_members(
        self, segment_ids: Sequence[str], columns: Sequence[str], *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[Sequence[Sequence[object]]]:
        if not segment_ids:
            return
        ids = list(dict.fromkeys(segment_ids))
        selected = ", ".join(f"p.{quote(c)}" for c in columns)
        # A separate connection, so a long stream never blocks counts from the UI.
        db = self._connect()
        try:
            cursor = db.execute(
                f"SELECT {selected} FROM profiles p "
                f"WHERE p.{quote(self._key)} IN ({self._members_sql(ids)}) "
                f"ORDER BY p.{quote(self._key)}",
                ids,
            )
            while chunk := cursor.fetchmany(chunk_size):
                yield chunk
        except sqlite3.DatabaseError as error:
            raise self._unreadable(error) from None
        finally:
            db.close()

    def sample_rows(self, columns: Sequence[str], limit: int = 3) -> list[tuple[object, ...]]:
        selected = ", ".join(quote(c) for c in columns)
        return self._db.execute(
            f"SELECT {selected} FROM profiles ORDER BY {quote(self._key)} LIMIT ?", (limit,)
        ).fetchall()

    def close(self) -> None:
        self._db.close()


def ensure_indexes(db: sqlite3.Connection) -> None:
    """Indexes that keep counting and streaming fast on millions of profiles."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS segment_members_by_profile "
        "ON segment_members(profile_id, segment_id)"
    )
