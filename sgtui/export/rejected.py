"""The rejected-rows CSV of a run: every row that did not reach SendGrid, and why.

It is the one file where sgtui writes personal data, so it is owner-only (0600, or 0660 in
a group-shared workspace) like every sgtui file, made fresh and renamed into place so a
link planted at its name is replaced, never written through. Writers in threads and on the
event loop share one file through a lock.

Its cells come from profile data anyone may have typed, and people open it in a
spreadsheet, so each cell is made harmless: control characters (NUL included) are written
as visible escapes (``\x00``), and a cell a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and not a plain number) gets a
leading ``'``, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sgtui.export.events import RejectedRow
from sgtui.workspace.files import create_fresh

HEADER = ("profile", "email", "reason", "rejected_by")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def harmless_cell(value: object) -> str:
    """``value`` as a cell that neither hides bytes nor runs as a spreadsheet formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        text = "'" + text
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


_RUN_FILE = re.compile(r"^run-(\d+)-")


def rejected_csv_path(runs: Path, run_id: int, export: str) -> Path:
    """Where run ``run_id`` of ``export`` lists its rejected rows."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in export)
    return runs / f"run-{run_id}-{safe}-rejected.csv"


def highest_run_number(runs: Path) -> int:
    """The highest run number a file in ``runs`` carries (0 when none): a fresh state
    database numbers its runs past it, so no old rejected-rows file is overwritten."""
    try:
        names = os.listdir(runs)
    except OSError:
        return 0
    numbers = (int(match.group(1)) for match in map(_RUN_FILE.match, names) if match)
    return max(numbers, default=0)


KEPT_FOR_HISTORY = 10_000
"""Rejected rows of a run the state database keeps (the CSV keeps them all)."""


class RejectedCsv:
    """Appends rejected rows to ``path``, created on the first row; keeps the first
    :data:`KEPT_FOR_HISTORY` of them in ``kept`` for the state database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.kept: list[RejectedRow] = []
        self._file: TextIO | None = None
        self._lock = threading.Lock()

    def write(self, rows: Sequence[RejectedRow], *, by_sendgrid: bool) -> None:
        """Append ``rows``."""
        if not rows:
            return
        with self._lock:
            if self._file is None:
                fd = create_fresh(self.path)
                self._file = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
                csv.writer(self._file).writerow(HEADER)
            writer = csv.writer(self._file)
            who = "sendgrid" if by_sendgrid else "sgtui"
            writer.writerows((harmless_cell(row.key), harmless_cell(row.email),
                              harmless_cell(row.reason), who) for row in rows)
            self.count += len(rows)
            room = KEPT_FOR_HISTORY - len(self.kept)
            if room > 0:
                self.kept.extend(rows[:room])

    def close(self) -> None:
        """Flush and close the file (if any row was written)."""
        with self._lock:
            file, self._file = self._file, None
            if file is not None:
                file.close()

    @property
    def written(self) -> str | None:
        """The file's path once it holds a row, else None."""
        return str(self.path) if self.count else None
