"""Loading profiles from a CSV file into the workspace's SQLite customer database.

The file has a header row and any columns; it is UTF-8 (with or without a BOM) and
separated by commas or semicolons (sniffed from the header). One column identifies a
profile (``--key``, else ``customer_id``/``profile_id``/``id``, else the first column); into
a database that already holds profiles, that is its key column, and ``--key`` names the
file's column that holds it when the file calls it something else. One column
may list segment names (``--segments-column``, else a column called ``segments``), separated
by ``;``, ``|`` or ``,`` (``newsletter;vip``). Segment ids are slugs of the names.

Re-importing updates the profiles in the file (other profiles stay) and replaces their
memberships with the ones listed. The import is one transaction: any bad row (reported with
its line number) leaves the database exactly as it was.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sgtui.errors import CAUSE, SgtuiError, sentence_for
from sgtui.source.sqlite import ensure_indexes, quote
from sgtui.workspace.files import PlantedLink, create_exclusive, refuse_link, secure_file

KEY_NAMES = ("customer_id", "profile_id", "id")
SEGMENTS_NAMES = ("segments", "segment")
SEGMENT_SEPARATORS = re.compile(r"[;|,]")
BATCH_ROWS = 2_000
MAX_PROBLEMS_SHOWN = 20
SNIFF_BYTES = 64 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS segments (
    segment_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS segment_members (
    segment_id TEXT, profile_id TEXT, PRIMARY KEY (segment_id, profile_id)) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad row: the line it starts on, and what is wrong with it."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class CsvImportError(SgtuiError):
    """The file cannot be imported; nothing was changed. ``sentence`` says why."""

    def __init__(self, sentence: str, problems: list[RowProblem] | None = None) -> None:
        super().__init__(sentence)
        self.problems = problems or []


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """How a CSV file is laid out: its separator, columns and the columns sgtui will use."""

    delimiter: str
    columns: list[str]
    key_column: str
    segments_column: str | None
    stored_key: str | None = None
    """The database column the file's key goes into, when it has another name there."""

    @property
    def profile_columns(self) -> list[str]:
        """The file's columns stored on profiles (the key first, without the segments column)."""
        rest = [c for c in self.columns if c not in (self.key_column, self.segments_column)]
        return [self.key_column, *rest]

    @property
    def stored_columns(self) -> list[str]:
        """``profile_columns`` as named in the database (the key under its stored name)."""
        return [self.stored_key or self.key_column, *self.profile_columns[1:]]

    def key_sentence(self) -> str:
        """Which column identifies profiles, for people (said before importing)."""
        return describe_key(self.key_column, self.stored_key)


def describe_key(file_column: str, stored_key: str | None) -> str:
    """Which column identifies profiles: one home for the sentence before and after importing."""
    if stored_key and stored_key != file_column:
        return (f"The file's column {file_column!r} holds the workspace's key {stored_key!r}: "
                f"each row updates the profile with that {stored_key}, or adds one.")
    return f"Profiles are identified by {file_column!r}."


@dataclass(frozen=True, slots=True)
class CsvPreview:
    """The layout of a file and its first rows (for the import screen)."""

    layout: CsvLayout
    rows: list[list[str]]


@dataclass(slots=True)
class ImportResult:
    """What an import changed."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    segments_created: list[str] = field(default_factory=list)
    memberships: int = 0
    columns_added: list[str] = field(default_factory=list)
    key_column: str = ""
    segments_column: str | None = None
    database: Path | None = None
    stored_key: str | None = None

    def summary(self) -> str:
        """One sentence for people."""
        parts = [f"Imported {self.rows:,} profiles ({self.added:,} new, {self.updated:,} updated)"]
        if self.segments_column:
            parts.append(f"{self.memberships:,} segment memberships")
        if self.segments_created:
            parts.append(f"new segments: {', '.join(self.segments_created)}")
        if self.columns_added:
            parts.append(f"new columns: {', '.join(self.columns_added)}")
        return "; ".join(parts) + "."


def segment_id_for(name: str) -> str:
    """The segment id for a segment name: ``VIP Europe`` -> ``vip-europe``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if slug:
        return slug
    return "segment-" + hashlib.sha1(name.strip().lower().encode()).hexdigest()[:8]


def segment_names(cell: str) -> list[str]:
    """The segment names listed in one cell, each once, in order."""
    names = (name.strip() for name in SEGMENT_SEPARATORS.split(cell))
    return list(dict.fromkeys(name for name in names if name))


def read_layout(path: Path, *, key: str | None = None,
                segments_column: str | None = None,
                existing_key: str | None = None) -> CsvLayout:
    """Sniff the separator and header of ``path`` and decide the key and segments columns."""
    with _open(path) as handle:
        sample = _read_sample(handle, path)
    if not sample.strip():
        raise CsvImportError(f"{path} is empty; sgtui needs a header row and profiles.")
    delimiter = _sniff_delimiter(sample)
    try:
        header = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except (csv.Error, StopIteration) as error:
        raise CsvImportError(f"sgtui cannot read the header row of {path} ({error}).") from None
    columns = [name.strip() for name in header]
    for number, name in enumerate(columns, start=1):
        if not name:
            raise CsvImportError(f"Column {number} of {path} has no name in the header row; "
                                 "give every column a name.")
    duplicates = sorted({name for name in columns if columns.count(name) > 1})
    if duplicates:
        raise CsvImportError(f"The header row of {path} names {', '.join(duplicates)} more than "
                             "once; give every column its own name.")
    by_lower = {name.lower(): name for name in columns}
    if key is not None and key not in columns:
        raise CsvImportError(f"{path} has no column {key!r} (--key); its columns are "
                             f"{', '.join(columns)}.")
    stored_key: str | None = None
    if existing_key is not None:
        if key is None and existing_key not in columns:
            raise CsvImportError(
                f"{path} has no column {existing_key!r}, which identifies profiles in the "
                f"customer database; say which of its columns holds it (--key COLUMN, or the "
                f"Key column on the Import screen): {', '.join(columns)}.")
        if key is not None and key != existing_key:
            if existing_key in columns:
                raise CsvImportError(
                    f"{path} has a column {existing_key!r}, which identifies profiles in the "
                    f"customer database, and {key!r} cannot hold that key as well; use "
                    f"--key {existing_key}, or rename one of the two columns.")
            stored_key = existing_key
        else:
            key = existing_key
    if key is None:
        key = _likely_key(columns)
    if segments_column is not None:
        if segments_column not in columns:
            raise CsvImportError(f"{path} has no column {segments_column!r} (--segments-column); "
                                 f"its columns are {', '.join(columns)}.")
    else:
        segments_column = next((by_lower[n] for n in SEGMENTS_NAMES if n in by_lower), None)
    if segments_column == key:
        raise CsvImportError("The key column cannot also be the segments column.")
    return CsvLayout(delimiter, columns, key, segments_column, stored_key)


def _likely_key(columns: list[str]) -> str:
    """The column a file's profiles are most likely keyed by: a known name, else the first."""
    by_lower = {name.lower(): name for name in columns}
    return next((by_lower[name] for name in KEY_NAMES if name in by_lower), columns[0])


def stored_key_column(database: Path) -> str | None:
    """The column that identifies profiles in ``database``; None when there is none yet."""
    database = Path(database)
    if not database.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return _existing_key(db, database)
    except (sqlite3.Error, CsvImportError):
        return None
    finally:
        db.close()


def preview_csv(path: Path, *, limit: int = 5, key: str | None = None,
                segments_column: str | None = None,
                existing_key: str | None = None) -> CsvPreview:
    """The layout of ``path`` and its first ``limit`` rows.

    ``existing_key`` is the customer database's key column (``stored_key_column``): a file
    without it gets its first likely key column proposed to hold it.
    """
    if existing_key is not None and key is None:
        columns = read_layout(path, segments_column=segments_column).columns
        if existing_key not in columns:
            key = _likely_key(columns)
    layout = read_layout(path, key=key, segments_column=segments_column,
                         existing_key=existing_key)
    rows: list[list[str]] = []
    with _open(path) as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter)
        try:
            next(reader)
            for row in reader:
                if not row:
                    continue
                rows.append(row)
                if len(rows) >= limit:
                    break
        except (csv.Error, UnicodeDecodeError):
            pass  # the preview shows what reads; the import reports the exact line
    return CsvPreview(layout, rows)


def import_csv(
    path: Path,
    database: Path,
    *,
    key: str | None = None,
    segments_column: str | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> ImportResult:
    """Load ``path`` into the SQLite ``database`` (created if missing), all or nothing."""
    path, database = Path(path), Path(database)
    if not path.is_file():
        raise CsvImportError(f"There is no file {path}.")
    try:
        refuse_link(database)
    except PlantedLink as planted:
        raise CsvImportError(planted.sentence + " Nothing was imported.") from None
    database.parent.mkdir(parents=True, exist_ok=True)
    created = create_exclusive(database)
    try:
        db = sqlite3.connect(database, isolation_level=None)
    except sqlite3.Error as error:
        raise CsvImportError(f"sgtui cannot open the customer database {database} ({error}).") \
            from None
    try:
        result = _import(db, path, database, key, segments_column, on_progress)
    except BaseException:
        db.close()
        if created:
            with contextlib.suppress(OSError):
                database.unlink()
        raise
    db.close()
    secure_file(database)
    return result


def _import(db: sqlite3.Connection, path: Path, database: Path, key: str | None,
            segments_column: str | None,
            on_progress: Callable[[int], object] | None) -> ImportResult:
    try:
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise CsvImportError(f"The customer database {database} is busy or unreadable "
                             f"({error}); try again when no other import runs.") from None
    try:
        existing_key = _existing_key(db, database)
        layout = read_layout(path, key=key, segments_column=segments_column,
                             existing_key=existing_key)
        result = ImportResult(key_column=layout.key_column,
                              segments_column=layout.segments_column, database=database,
                              stored_key=layout.stored_key)
        result.columns_added = _prepare_tables(db, layout, existing_key is None)
        before = db.execute("SELECT COUNT(*) FROM profiles").fetchone()[0]
        problems = _load_rows(db, path, layout, result, on_progress)
        if problems:
            raise CsvImportError(_problems_sentence(path, problems), problems)
        after = db.execute("SELECT COUNT(*) FROM profiles").fetchone()[0]
        result.added = after - before
        result.updated = result.rows - result.added
        ensure_indexes(db)
        db.execute("COMMIT")
        return result
    except sqlite3.Error as error:
        db.execute("ROLLBACK")
        raise CsvImportError(f"The customer database {database} refused the import ({error}); "
                             "nothing was changed.") from None
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _existing_key(db: sqlite3.Connection, database: Path) -> str | None:
    info = db.execute("PRAGMA table_info(profiles)").fetchall()
    if not info:
        return None
    keys = [row[1] for row in info if row[5]]
    if len(keys) != 1:
        raise CsvImportError(f"The profiles table in {database} needs exactly one PRIMARY KEY "
                             "column to import into.")
    return str(keys[0])


def _prepare_tables(db: sqlite3.Connection, layout: CsvLayout, new: bool) -> list[str]:
    """Create the tables (a new database) or add the file's new columns; the added names."""
    columns = layout.stored_columns
    if new:
        others = "".join(f", {quote(c)} TEXT" for c in columns[1:])
        db.execute(f"CREATE TABLE profiles ({quote(columns[0])} TEXT PRIMARY KEY{others})")
        added = []
    else:
        present = {row[1] for row in db.execute("PRAGMA table_info(profiles)")}
        added = [c for c in columns if c not in present]
        for column in added:
            db.execute(f"ALTER TABLE profiles ADD COLUMN {quote(column)} TEXT")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    return added


def _load_rows(db: sqlite3.Connection, path: Path, layout: CsvLayout, result: ImportResult,
               on_progress: Callable[[int], object] | None) -> list[RowProblem]:
    positions = [layout.columns.index(c) for c in layout.profile_columns]
    columns = layout.stored_columns
    segment_position = (layout.columns.index(layout.segments_column)
                        if layout.segments_column else None)
    upsert = (
        f"INSERT INTO profiles ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
        + (f" ON CONFLICT({quote(columns[0])}) DO UPDATE SET "
           + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
           if len(columns) > 1 else f" ON CONFLICT({quote(columns[0])}) DO NOTHING")
    )
    known_segments = {row[0] for row in db.execute("SELECT segment_id FROM segments")}
    # Memberships of profiles in the file are replaced; with none stored yet (a first
    # import) there is nothing to delete, and otherwise the index makes each delete a lookup
    # instead of a scan of every membership (which made first imports quadratic).
    replacing = db.execute("SELECT 1 FROM segment_members LIMIT 1").fetchone() is not None
    if replacing:
        ensure_indexes(db)
    ids_by_name: dict[str, str] = {}
    seen: dict[str, int] = {}
    problems: list[RowProblem] = []
    profiles: list[tuple[str | None, ...]] = []
    members: list[tuple[str, str]] = []
    cleared: list[tuple[str]] = []
    width = len(layout.columns)
    for line, row in _rows(path, layout.delimiter, problems):
        if len(row) != width:
            fields = f"{len(row)} field{'s' if len(row) != 1 else ''}"
            problems.append(RowProblem(line, f"{fields} where the header has {width}"))
            continue
        profile_key = row[positions[0]].strip()
        if not profile_key:
            problems.append(RowProblem(line, f"the key column {layout.key_column!r} is empty"))
            continue
        if profile_key in seen:
            problems.append(RowProblem(
                line, f"the key {profile_key!r} already appeared on line {seen[profile_key]}"))
            continue
        seen[profile_key] = line
        if problems:
            continue  # keep checking the rest, but write nothing more
        profiles.append((profile_key, *(row[i] if row[i].strip() else None
                                        for i in positions[1:])))
        if segment_position is not None:
            if replacing:
                cleared.append((profile_key,))
            for name in segment_names(row[segment_position]):
                segment_id = ids_by_name.get(name)
                if segment_id is None:
                    segment_id = ids_by_name[name] = segment_id_for(name)
                if segment_id not in known_segments:
                    db.execute("INSERT INTO segments (segment_id, name) VALUES (?, ?)",
                               (segment_id, name))
                    known_segments.add(segment_id)
                    result.segments_created.append(name)
                members.append((segment_id, profile_key))
        if len(profiles) >= BATCH_ROWS:
            _flush(db, upsert, profiles, cleared, members, result)
            if on_progress:
                on_progress(result.rows)
    if not problems:
        _flush(db, upsert, profiles, cleared, members, result)
        if on_progress:
            on_progress(result.rows)
    return problems


def _flush(db: sqlite3.Connection, upsert: str, profiles: list, cleared: list, members: list,
           result: ImportResult) -> None:
    db.executemany(upsert, profiles)
    if cleared:
        db.executemany("DELETE FROM segment_members WHERE profile_id = ?", cleared)
    db.executemany("INSERT OR IGNORE INTO segment_members VALUES (?, ?)", members)
    result.rows += len(profiles)
    result.memberships += len(members)
    profiles.clear()
    cleared.clear()
    members.clear()


def _rows(path: Path, delimiter: str,
          problems: list[RowProblem]) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank data row with the line it starts on; unreadable text ends the file."""
    with _open(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        line = 1
        try:
            next(reader)
            while True:
                line = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                if row and any(cell.strip() for cell in row):
                    yield line, row
        except csv.Error as error:
            problems.append(RowProblem(line, _malformed(str(error))))
        except UnicodeDecodeError as error:
            problems.append(RowProblem(line, "the text is not UTF-8 (byte "
                                       f"{error.object[error.start]:#04x} near here); save the "
                                       "file as UTF-8 and import again"))


def _malformed(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted field starts here and is never closed (nothing after it was read)"
    if "expected after" in message:
        return ("a quote closes in the middle of a field; write quotes inside a quoted field "
                "as two quotes (\"\")")
    return f"the CSV is malformed here ({message})"


def _problems_sentence(path: Path, problems: list[RowProblem]) -> str:
    count = len(problems)
    shown = "; ".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
    more = f"; and {count - MAX_PROBLEMS_SHOWN} more" if count > MAX_PROBLEMS_SHOWN else ""
    return (f"{path} has {count} bad row{'s' if count != 1 else ''}, so nothing was imported: "
            f"{shown}{more}.")


def _sniff_delimiter(sample: str) -> str:
    """``;`` when the header splits into more fields on it than on ``,``, else ``,``."""
    widths = {}
    for delimiter in (",", ";"):
        try:
            widths[delimiter] = len(next(csv.reader(io.StringIO(sample), delimiter=delimiter)))
        except (csv.Error, StopIteration):
            widths[delimiter] = 0
    return ";" if widths[";"] > widths[","] else ","


def _open(path: Path) -> io.TextIOWrapper:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CsvImportError(sentence_for(error, f"sgtui cannot read {path}: {CAUSE}.")) from None


def _read_sample(handle: io.TextIOWrapper, path: Path) -> str:
    try:
        return handle.read(SNIFF_BYTES)
    except UnicodeDecodeError:
        raise CsvImportError(f"{path} is not UTF-8 text; save it as UTF-8 (Excel: "
                             "CSV UTF-8) and import again.") from None

