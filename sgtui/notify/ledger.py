"""What each alert target last heard, and every alert sent, in the workspace's state database.

Two tables of their own in ``state.db`` (created here when missing; the run tables and their
schema version belong to :mod:`sgtui.workspace.state`)::

    notify_state(subject TEXT, target TEXT,   -- subject: an export, or REFRESH
                 health TEXT,                 -- ok / failed / partial: what the target knows
                 since TEXT,                  -- when it last changed (ISO 8601 UTC)
                 PRIMARY KEY (subject, target))
    notify_log(id INTEGER PRIMARY KEY, subject TEXT, kind TEXT,   -- failed/partial/recovered/test
               run_id INT, target TEXT, destination TEXT,         -- e.g. "hooks.slack.com"
               delivered INT, detail TEXT,                        -- what happened, a sentence
               line TEXT, sent_at TEXT)                           -- the alert's first line

A target whose delivery failed keeps what it knew, so the next run tries to tell it again.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sgtui.notify.decide import Health
from sgtui.workspace.files import refuse_link
from sgtui.workspace.state import StateStore

REFRESH = "(refresh)"
"""The subject of alerts about the refresh as a whole (no export is called that: export
names cannot hold parentheses when the wizard makes them, and a hand-written one would
only share its alert state)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notify_state (
    subject TEXT NOT NULL,
    target TEXT NOT NULL,
    health TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (subject, target)
);
CREATE TABLE IF NOT EXISTS notify_log (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    run_id INTEGER,
    target TEXT NOT NULL,
    destination TEXT NOT NULL,
    delivered INTEGER NOT NULL,
    detail TEXT NOT NULL,
    line TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notify_log_by_subject ON notify_log(subject, id);
"""


_READY: set[str] = set()
"""State databases this process already gave the alert tables (a run checks once)."""


@dataclass(frozen=True, slots=True)
class Known:
    """What one target last heard about one subject."""

    health: Health
    since: datetime | None


@dataclass(frozen=True, slots=True)
class SentAlert:
    """One alert to one target, delivered or not."""

    subject: str
    kind: str
    run_id: int | None
    target: str
    destination: str
    delivered: bool
    detail: str
    line: str
    sent_at: datetime


class AlertLedger:
    """The alert tables in the workspace's ``state.db``."""

    def __init__(self, state_path: Path) -> None:
        self.path = state_path
        key = str(state_path.resolve())
        if key not in _READY or not state_path.exists():
            StateStore(state_path)  # creates the file with the workspace's permissions
            with self._connect() as db:
                db.executescript(_SCHEMA)
            _READY.add(key)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        refuse_link(self.path)  # SQLite would write through a link planted since
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    def known(self, subject: str, targets: Iterable[str]) -> dict[str, Known]:
        """What each of ``targets`` last heard about ``subject`` (``ok`` when nothing)."""
        with self._connect() as db:
            rows = dict((r[0], (r[1], r[2])) for r in db.execute(
                "SELECT target, health, since FROM notify_state WHERE subject = ?",
                (subject,)))
        found: dict[str, Known] = {}
        for target in targets:
            health, since = rows.get(target, (Health.OK.value, None))
            found[target] = Known(Health(health), _parse(since))
        return found

    def remember(self, subject: str, target: str, health: Health, at: datetime) -> None:
        """``target`` now knows ``subject`` is ``health``."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO notify_state (subject, target, health, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(subject, target) DO UPDATE SET health = excluded.health, "
                "since = excluded.since WHERE notify_state.health != excluded.health",
                (subject, target, health.value, _iso(at)),
            )

    def record(self, alert: SentAlert) -> None:
        """Keep one delivery (the Schedule screen shows them)."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO notify_log (subject, kind, run_id, target, destination, delivered, "
                "detail, line, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (alert.subject, alert.kind, alert.run_id, alert.target, alert.destination,
                 int(alert.delivered), alert.detail, alert.line, _iso(alert.sent_at)),
            )

    def last_alerts(self) -> dict[str, list[SentAlert]]:
        """The newest alert per subject (one entry per target it went to), tests excluded."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT l.* FROM notify_log l JOIN (SELECT subject, MAX(sent_at) AS newest "
                "FROM notify_log WHERE kind != 'test' GROUP BY subject) n "
                "ON l.subject = n.subject AND l.sent_at = n.newest "
                "WHERE l.kind != 'test' ORDER BY l.subject, l.id").fetchall()
        found: dict[str, list[SentAlert]] = {}
        for row in rows:
            found.setdefault(row[1], []).append(_sent(row))
        return found

    def failures(self, limit: int = 5) -> list[SentAlert]:
        """The newest deliveries that did not arrive, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM notify_log WHERE delivered = 0 "
                              "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_sent(row) for row in rows]


def _sent(row: tuple) -> SentAlert:
    return SentAlert(subject=row[1], kind=row[2], run_id=row[3], target=row[4],
                     destination=row[5], delivered=bool(row[6]), detail=row[7], line=row[8],
                     sent_at=_parse(row[9]) or datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
