"""The workspace's state database: every run, its SendGrid jobs, and what each list holds.

One SQLite file (``workspace.state_path``, 0600 or 0660 like every sgtui file), WAL mode,
every change in one transaction. Each call opens its own short-lived connection, so worker
threads and the history screen can use one :class:`StateStore` at the same time.

Schema (``PRAGMA user_version`` = 1)::

    runs(id INTEGER PRIMARY KEY, export TEXT, status TEXT, sentence TEXT,
         started_at TEXT, finished_at TEXT,        -- ISO 8601 UTC; finished_at NULL while running
         dry_run INT, full INT, pid INT,           -- pid: the process running it (resume)
         resumed_run INT,                          -- the interrupted run this run finished
         profiles, valid, duplicates, ..., batches INT,   -- one per RunCounts field
         rejected_csv TEXT)
    jobs(run_id INT, job_id TEXT, kind TEXT,       -- kind: 'upsert' or 'remove'
         batch INT, contacts INT, bytes INT, status TEXT,   -- pending/completed/errored/failed
         created INT, updated INT, errored INT, created_at TEXT, updated_at TEXT,
         PRIMARY KEY (run_id, job_id))
    rejected(run_id INT, row INT, key TEXT, email TEXT, reason TEXT, PRIMARY KEY (run_id, row))
    contacts(export TEXT, email TEXT,              -- who sgtui put on the export's list
             hash INT,                             -- 64-bit digest of the values sent (0: resend)
             job_id TEXT,                          -- the upsert job that last sent it
             seen_run INT,                         -- last run whose segments held this email
             PRIMARY KEY (export, email)) WITHOUT ROWID
    export_state(export TEXT PRIMARY KEY, list_id TEXT)   -- the list the contacts rows are for

A batch SendGrid accepted is written with its job (``pending``), its contacts and the run's
``uploaded``/``batches`` counts in one transaction; a completed job only changes its own row
(and adds its created/updated counts to the run that sent it); a job that failed or errored
sets its contacts' ``hash`` to 0 so the next run sends them again. A run compares hashes
only after settling every pending job of earlier runs, so a stored hash is one SendGrid
confirmed. A killed run leaves
``status = 'running'`` and pending jobs behind: the next run of the export (holding the
export's lock, so the killed one is surely dead) marks it ``interrupted``, polls its jobs
and then sends only what SendGrid has not confirmed. Mirror mode marks ``seen_run`` on every
contact its segments still hold; the others are the people who left.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sgtui.errors import SgtuiError
from sgtui.workspace.files import PlantedLink, create_exclusive, refuse_link, secure_file
from sgtui.workspace.run_records import COUNT_NAMES, RejectedRow, RunStatus, RunSummary

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    export TEXT NOT NULL,
    status TEXT NOT NULL,
    sentence TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    dry_run INTEGER NOT NULL DEFAULT 0,
    full INTEGER NOT NULL DEFAULT 0,
    pid INTEGER,
    resumed_run INTEGER,
    profiles INTEGER NOT NULL DEFAULT 0,
    valid INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    invalid_email INTEGER NOT NULL DEFAULT 0,
    missing_email INTEGER NOT NULL DEFAULT 0,
    trimmed_fields INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    uploaded INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    rejected_by_sendgrid INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    batches INTEGER NOT NULL DEFAULT 0,
    rejected_csv TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_export ON runs(export, id);
CREATE TABLE IF NOT EXISTS jobs (
    run_id INTEGER NOT NULL,
    job_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'upsert',
    batch INTEGER NOT NULL,
    contacts INTEGER NOT NULL,
    bytes INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    errored INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, job_id)
);
CREATE TABLE IF NOT EXISTS rejected (
    run_id INTEGER NOT NULL,
    row INTEGER NOT NULL,
    key TEXT NOT NULL,
    email TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, row)
);
CREATE TABLE IF NOT EXISTS contacts (
    export TEXT NOT NULL,
    email TEXT NOT NULL,
    hash INTEGER NOT NULL,
    job_id TEXT,
    seen_run INTEGER,
    PRIMARY KEY (export, email)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS export_state (
    export TEXT PRIMARY KEY,
    list_id TEXT NOT NULL
);
"""



class StateError(SgtuiError):
    """The state database cannot be used; ``sentence`` says why."""


class StateDamaged(StateError):
    """The state database is damaged (empty, cut short, not SQLite, or corrupt)."""

    def __init__(self, path: Path, why: str, set_aside: Path | None = None) -> None:
        if set_aside is not None:
            then = (f"sgtui kept it as {set_aside.name} (renamed, not deleted); the next run "
                    "starts a fresh state and sends every contact once.")
        else:
            then = ("the next run keeps it aside (renamed, not deleted), starts a fresh state "
                    "and sends every contact once.")
        super().__init__(f"The state database {path} is damaged ({why}); {then}")
        self.path, self.why, self.set_aside = path, why, set_aside


_SQLITE_MAGIC = b"SQLite format 3\x00"
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def damage_on_disk(path: Path) -> str | None:
    """What is wrong with the state file at ``path`` as its bytes show (read without
    SQLite: empty, not SQLite at all, cut short), or None when it looks whole."""
    try:
        with open(path, "rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return "the file is empty"
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        return "the file is not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    wal = path.with_name(path.name + "-wal")
    wal_holds_pages = wal.exists() and wal.stat().st_size > 0
    if not wal_holds_pages and (size % page_size or (pages and size < pages * page_size)):
        return "the file is cut short"
    return None


def state_damage(path: Path) -> str | None:
    """What :func:`damage_on_disk` finds, or else what SQLite's own check of every page
    finds (``sgtui check`` asks this); None when the state database is whole or absent."""
    found = damage_on_disk(path)
    if found is not None or not path.exists():
        return found
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return None  # a run holds it: it is in use, not damaged
        return f"SQLite cannot read it: {error}"
    if rows != [("ok",)]:
        return "SQLite found damaged pages"
    return None


def _read_only(folder: Path) -> bool:
    """Whether ``folder`` sits on a read-only file system."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _database_sentence(path: Path, error: sqlite3.DatabaseError) -> StateError:
    """The sentence for an SQLite error on the state database (not damage)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(error):
        return StateError(f"The state database {path} is locked by another sgtui; try "
                          "again when it has finished.")
    if name.startswith("SQLITE_FULL"):
        return StateError(f"The disk holding {path} is full, so sgtui could not record "
                          "the run; free some space and run it again: the next run "
                          "picks up where this one stopped.")
    if name.startswith("SQLITE_READONLY") or (name.startswith("SQLITE_CANTOPEN")
                                               and _read_only(path.parent)):
        return StateError(f"sgtui cannot write its state database {path} (it or its "
                          "folder is read-only); make the workspace folder writable for "
                          "you and run it again.")
    return StateError(f"sgtui cannot use its state database {path} ({error}); check the "
                      "disk and the folder's permissions, then run it again.")


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One SendGrid job of a run (an upsert batch, or a removal from the list)."""

    batch: int
    job_id: str
    contacts: int
    bytes: int
    status: str
    """``pending``, ``completed``, ``errored`` or ``failed``."""
    created: int
    """Contacts SendGrid created (as JobUpdated counts them)."""
    updated: int
    errored: int
    kind: str = "upsert"
    """``upsert`` (a batch) or ``remove`` (people taken off the list, mirror mode)."""
    sent_at: datetime | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PendingJob:
    """A job of an earlier, interrupted run that SendGrid may still be working on."""

    run_id: int
    job_id: str
    kind: str
    batch: int
    contacts: int


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path) -> threading.Lock:
    key = str(path.resolve())
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


def _add_count_columns(db: sqlite3.Connection) -> None:
    """Give ``runs`` a column for every counter of :class:`RunCounts` it lacks (a counter
    added in a newer sgtui), so adding a counter needs no migration of its own."""
    have = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    for name in COUNT_NAMES:
        if name not in have:
            db.execute(f"ALTER TABLE runs ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _parse(text: str | None) -> datetime:
    return datetime.fromisoformat(text) if text else datetime.now(UTC)


class StateStore:
    """Runs, jobs, rejected rows and per-export contact hashes in one SQLite file."""

    def __init__(self, path: Path | str, *, set_aside_damage: bool = False) -> None:
        """Open (or create) the state database at ``path``.

        A damaged one raises :class:`StateDamaged`; with ``set_aside_damage`` (a run) it is
        renamed aside instead and a fresh one started (``set_aside`` names the old one), and
        damage found later sets it aside at once, so the next run starts afresh.
        """
        self.path = Path(path)
        self.set_aside: Path | None = None
        self._set_aside_damage = set_aside_damage
        try:
            self._migrate()
        except StateDamaged as damaged:
            if not set_aside_damage:
                raise
            self.set_aside = damaged.set_aside
            self._migrate()

    def _keep_aside(self) -> Path:
        """Rename the damaged file (and its journal files) aside; the new name."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{number}")
        for suffix in ("-wal", "-shm", "-journal"):
            side = self.path.with_name(self.path.name + suffix)
            with contextlib.suppress(FileNotFoundError):
                side.rename(aside.with_name(aside.name + suffix))
        self.path.rename(aside)
        return aside

    def _damaged(self, why: str) -> StateDamaged:
        if not self._set_aside_damage:
            return StateDamaged(self.path, why)
        try:
            return StateDamaged(self.path, why, self._keep_aside())
        except OSError:
            return StateDamaged(self.path, why)

    # -- plumbing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            refuse_link(self.path)
        except PlantedLink as planted:
            raise StateError(planted.sentence) from None
        if not self.path.exists():
            raise StateError(f"The state database {self.path} is gone (moved or deleted "
                             "while sgtui used it); the next run starts a fresh one.")
        try:
            # mode=rw: a file moved away mid-run is never silently made anew here.
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=rw", uri=True,
                                 timeout=30.0, isolation_level=None)
        except sqlite3.Error as error:
            raise StateError(
                f"sgtui cannot open its state database {self.path} ({error})."
            ) from None
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorname", "") in _DAMAGE_CODES:
                raise self._damaged(str(error)) from None
            raise _database_sentence(self.path, error) from None
        finally:
            db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # Writers of this process take turns here rather than in SQLite's busy handler,
        # which sleeps in steps of up to 100 ms.
        with _write_lock(self.path), self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _migrate(self) -> None:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            create_exclusive(self.path)
        else:
            try:
                refuse_link(self.path)
            except PlantedLink as planted:
                raise StateError(planted.sentence) from None
            why = damage_on_disk(self.path)
            if why is not None:
                raise self._damaged(why)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                db.executescript(_SCHEMA + f"PRAGMA user_version={SCHEMA_VERSION};")
            _add_count_columns(db)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                secure_file(side)

    # -- the history screen's reads ----------------------------------------------------------
    def list_runs(self, export: str | None = None, limit: int = 200) -> list[RunSummary]:
        """Runs, newest first (running and interrupted ones included)."""
        with self._connect() as db:
            if export is None:
                rows = db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
            else:
                rows = db.execute(
                    "SELECT * FROM runs WHERE export = ? ORDER BY id DESC LIMIT ?",
                    (export, limit),
                )
            return [self._summary(db, row) for row in rows.fetchall()]

    def get_run(self, run_id: int) -> RunSummary | None:
        """One run, or None."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            return None if row is None else self._summary(db, row)

    def last_run(self, export: str) -> RunSummary | None:
        """The newest run of ``export``, or None."""
        runs = self.list_runs(export, limit=1)
        return runs[0] if runs else None

    def run_jobs(self, run_id: int) -> list[JobRecord]:
        """The run's SendGrid jobs, upserts by batch then removals."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT batch, job_id, contacts, bytes, status, created_at, updated_at, errored, "
                "kind, created, updated FROM jobs WHERE run_id = ? "
                "ORDER BY kind DESC, batch, job_id", (run_id,)
            ).fetchall()
        return [
            JobRecord(batch=r[0], job_id=r[1], contacts=r[2], bytes=r[3], status=r[4],
                      created=r[9], updated=r[10], errored=r[7], kind=r[8],
                      sent_at=_parse(r[5]), changed_at=_parse(r[6]))
            for r in rows
        ]

    def rejected_rows(self, run_id: int, limit: int = 500) -> list[RejectedRow]:
        """The run's rejected rows with reasons (the CSV holds them all)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, email, reason FROM rejected WHERE run_id = ? ORDER BY row LIMIT ?",
                (run_id, limit),
            ).fetchall()
        return [RejectedRow(key=r[0], email=r[1], reason=r[2]) for r in rows]

    def _summary(self, db: sqlite3.Connection, row: tuple) -> RunSummary:
        names = [d[0] for d in db.execute("SELECT * FROM runs LIMIT 0").description]
        data = dict(zip(names, row, strict=True))
        jobs = tuple(
            r[0] for r in db.execute(
                "SELECT job_id FROM jobs WHERE run_id = ? AND kind = 'upsert' ORDER BY batch",
                (data["id"],),
            )
        )
        started = _parse(data["started_at"])
        return RunSummary(
            run_id=data["id"], export=data["export"], status=RunStatus(data["status"]),
            sentence=data["sentence"], started_at=started,
            finished_at=_parse(data["finished_at"]) if data["finished_at"] else started,
            dry_run=bool(data["dry_run"]), jobs=jobs, rejected_csv=data["rejected_csv"],
            **{name: data[name] for name in COUNT_NAMES},
        )

    # -- the engine's writes -----------------------------------------------------------------
    def start_run(self, export: str, *, dry_run: bool, full: bool, pid: int,
                  started_at: datetime, after: int = 0) -> int:
        """Record a new running run; its id, past every earlier run and past ``after`` (the
        highest run number files in runs/ carry, so a fresh state never reuses one)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (id, export, status, started_at, dry_run, full, pid) "
                "VALUES (MAX(COALESCE((SELECT MAX(id) FROM runs), 0), ?) + 1, ?, 'running', "
                "?, ?, ?, ?)",
                (after, export, started_at.isoformat(timespec="milliseconds"), int(dry_run),
                 int(full), pid),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, summary: RunSummary, *, resumed_run: int | None = None) -> None:
        """Write a run's outcome and counts."""
        values = summary.as_dict()
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET status = ?, sentence = ?, finished_at = ?, rejected_csv = ?, "
                "resumed_run = COALESCE(?, resumed_run), "
                + ", ".join(f"{name} = ?" for name in values) + " WHERE id = ?",
                (summary.status.value, summary.sentence,
                 summary.finished_at.isoformat(timespec="milliseconds"), summary.rejected_csv,
                 resumed_run, *values.values(), summary.run_id),
            )

    def interrupted_runs(self, export: str, current_run: int) -> list[int]:
        """Mark the export's other 'running' runs interrupted (the caller holds the export's
        lock, so they are dead); their ids."""
        with self._transaction() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM runs WHERE export = ? AND status = 'running' AND id != ?",
                (export, current_run))]
            for run_id in ids:
                db.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = COALESCE("
                    "(SELECT MAX(updated_at) FROM jobs WHERE run_id = ?), started_at), "
                    "sentence = ? WHERE id = ?",
                    (run_id, f"The run was interrupted; run {current_run} finishes it.", run_id),
                )
            return ids

    def pending_jobs(self, export: str, exclude_run: int) -> list[PendingJob]:
        """Jobs still pending from earlier runs of ``export``."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT j.run_id, j.job_id, j.kind, j.batch, j.contacts FROM jobs j "
                "JOIN runs r ON r.id = j.run_id WHERE r.export = ? AND j.status = 'pending' "
                "AND j.run_id != ? ORDER BY j.run_id, j.batch", (export, exclude_run)
            ).fetchall()
        return [PendingJob(*row) for row in rows]

    def reset_contacts_for_list(self, export: str, list_id: str) -> bool:
        """Forget the export's contacts if they were sent to another list; True if reset."""
        with self._transaction() as db:
            row = db.execute("SELECT list_id FROM export_state WHERE export = ?",
                             (export,)).fetchone()
            changed = row is not None and row[0] != list_id
            if changed:
                db.execute("DELETE FROM contacts WHERE export = ?", (export,))
            db.execute(
                "INSERT INTO export_state (export, list_id) VALUES (?, ?) "
                "ON CONFLICT(export) DO UPDATE SET list_id = excluded.list_id",
                (export, list_id),
            )
            return changed

    def confirmed_count(self, export: str) -> int:
        """How many contacts SendGrid confirmed on the export's list."""
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM contacts WHERE export = ?",
                              (export,)).fetchone()[0]

    def confirmed_digests(self, export: str) -> set[int]:
        """The hash of every contact SendGrid confirmed on the export's list (0, "send
        again", left out): an unchanged contact's digest is among them."""
        with self._connect() as db:
            return {row[0] for row in db.execute(
                "SELECT hash FROM contacts WHERE export = ? AND hash != 0", (export,))}

    def last_confirmation(self, export: str, sample: int, window: timedelta
                          ) -> tuple[datetime | None, list[str]]:
        """When SendGrid last finished one of the export's upsert jobs, and up to ``sample``
        emails, picked at random, that its jobs of the ``window`` before then confirmed
        (None and [] when there is none)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT MAX(j.updated_at) FROM jobs j JOIN runs r ON r.id = j.run_id "
                "WHERE r.export = ? AND j.kind = 'upsert' AND j.status != 'pending'",
                (export,)).fetchone()
            if row is None or row[0] is None:
                return None, []
            last = _parse(row[0])
            emails = db.execute(
                "SELECT c.email FROM contacts c WHERE c.export = ? AND c.job_id IN ("
                "SELECT j.job_id FROM jobs j JOIN runs r ON r.id = j.run_id WHERE r.export = ? "
                "AND j.kind = 'upsert' AND j.status != 'pending' AND j.updated_at >= ?) "
                "ORDER BY random() LIMIT ?",
                (export, export, (last - window).isoformat(timespec="milliseconds"), sample)
            ).fetchall()
        return last, [email for (email,) in emails]

    def known_hashes(self, export: str, emails: Sequence[str],
                     mark_seen: int | None = None) -> dict[str, int]:
        """The confirmed hash of each of ``emails`` that sgtui sent to the export's list.

        With ``mark_seen`` (a run id, mirror mode) those rows also remember that this run's
        segments still hold them.
        """
        payload = json.dumps(list(emails), ensure_ascii=False)
        with self._connect() as db:
            if mark_seen is not None:
                with _write_lock(self.path):
                    db.execute("BEGIN IMMEDIATE")
                    db.execute(
                        "UPDATE contacts SET seen_run = ? WHERE export = ? AND email IN "
                        "(SELECT value FROM json_each(?))", (mark_seen, export, payload))
                    db.execute("COMMIT")
            rows = db.execute(
                "SELECT email, hash FROM contacts WHERE export = ? "
                "AND email IN (SELECT value FROM json_each(?))", (export, payload)
            ).fetchall()
        return dict(rows)

    def record_batch(self, run_id: int, export: str, batch: int, job_id: str,
                     contacts: Iterable[tuple[str, int]], size: int, count: int,
                     seen_run: int | None = None) -> None:
        """SendGrid accepted a batch: its job (pending) and its contacts, in one transaction."""
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO jobs (run_id, job_id, kind, batch, contacts, bytes, "
                "status, created_at, updated_at) VALUES (?, ?, 'upsert', ?, ?, ?, 'pending', ?, ?)",
                (run_id, job_id, batch, count, size, now, now),
            )
            db.executemany(
                "INSERT INTO contacts (export, email, hash, job_id, seen_run) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(export, email) DO UPDATE SET "
                "hash = excluded.hash, job_id = excluded.job_id, "
                "seen_run = COALESCE(excluded.seen_run, seen_run)",
                ((export, email, digest, job_id, seen_run) for email, digest in contacts),
            )
            db.execute("UPDATE runs SET uploaded = uploaded + ?, batches = batches + 1 "
                       "WHERE id = ?", (count, run_id))

    def record_removal_job(self, run_id: int, batch: int, job_id: str, count: int) -> None:
        """A removal job SendGrid accepted (pending)."""
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO jobs (run_id, job_id, kind, batch, contacts, status, "
                "created_at, updated_at) VALUES (?, ?, 'remove', ?, ?, 'pending', ?, ?)",
                (run_id, job_id, batch, count, now, now),
            )

    def finish_job(self, run_id: int, job_id: str, status: str, *, created: int = 0,
                   updated: int = 0, errored: int = 0, export: str | None = None,
                   removed_emails: Sequence[str] = ()) -> None:
        """SendGrid finished a job: record its outcome and settle its contacts.

        An upsert job that errored or failed marks its contacts to be sent again; a removal
        job that completed forgets ``removed_emails``.
        """
        with self._transaction() as db:
            kind_row = db.execute("SELECT kind FROM jobs WHERE run_id = ? AND job_id = ?",
                                  (run_id, job_id)).fetchone()
            db.execute(
                "UPDATE jobs SET status = ?, created = ?, updated = ?, errored = ?, "
                "updated_at = ? WHERE run_id = ? AND job_id = ?",
                (status, created, updated, errored, _now(), run_id, job_id),
            )
            kind = kind_row[0] if kind_row else "upsert"
            if kind == "upsert":
                db.execute("UPDATE runs SET created = created + ?, updated = updated + ? "
                           "WHERE id = ?", (created, updated, run_id))
                if status != "completed":  # rare: a scan is fine
                    db.execute("UPDATE contacts SET hash = 0 WHERE job_id = ?", (job_id,))
            elif status == "completed" and export is not None and removed_emails:
                db.executemany("DELETE FROM contacts WHERE export = ? AND email = ?",
                               ((export, email) for email in removed_emails))

    def forget_contacts(self, export: str, emails: Sequence[str]) -> None:
        """Drop contacts sgtui no longer tracks (e.g. no longer found in SendGrid)."""
        with self._transaction() as db:
            db.executemany("DELETE FROM contacts WHERE export = ? AND email = ?",
                           ((export, email) for email in emails))

    def departed(self, export: str, run_id: int, limit: int | None = None) -> list[str]:
        """Emails on the export's list whose person this run's segments no longer hold."""
        with self._connect() as db:
            sql = ("SELECT email FROM contacts WHERE export = ? AND "
                   "(seen_run IS NULL OR seen_run != ?) ORDER BY email")
            args: tuple = (export, run_id)
            if limit is not None:
                sql += " LIMIT ?"
                args += (limit,)
            return [r[0] for r in db.execute(sql, args)]

    def departed_count(self, export: str, run_id: int) -> int:
        """How many people :meth:`departed` would list."""
        with self._connect() as db:
            return db.execute(
                "SELECT COUNT(*) FROM contacts WHERE export = ? AND "
                "(seen_run IS NULL OR seen_run != ?)", (export, run_id)).fetchone()[0]

    def sent_emails(self, export: str) -> tuple[str | None, list[str]]:
        """The list the export's contacts rows are for (None before its first run) and the
        emails sgtui put on it, sorted (the wizard's review compares them with the segments)."""
        with self._connect() as db:
            row = db.execute("SELECT list_id FROM export_state WHERE export = ?",
                             (export,)).fetchone()
            emails = [r[0] for r in db.execute(
                "SELECT email FROM contacts WHERE export = ? ORDER BY email", (export,))]
        return (row[0] if row else None), emails

    def add_rejected(self, run_id: int, rows: Sequence[RejectedRow], start: int) -> None:
        """Store rejected rows (numbered from ``start``) for the history screen."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO rejected (run_id, row, key, email, reason) "
                "VALUES (?, ?, ?, ?, ?)",
                ((run_id, start + i, r.key, r.email, r.reason) for i, r in enumerate(rows)),
            )


__all__ = ["JobRecord", "PendingJob", "StateDamaged", "StateError", "StateStore",
           "damage_on_disk", "state_damage"]
