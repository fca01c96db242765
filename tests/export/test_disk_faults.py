"""A full disk or a read-only workspace ends a run in a true sentence with what to do: no
traceback on the terminal, no 'unexpected problem (OSError)'."""

from __future__ import annotations

import errno
import io
import logging
import os
import sqlite3
from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.export.outcome import unexpected_sentence
from sgtui.workspace.state import _database_sentence
from tests.export.conftest import Setup


def no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_disk_that_fills_up_mid_run_ends_in_a_summary_not_tracebacks(
        setup: Setup, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sgtui.export.rejected.RejectedCsv.write", no_space)
    code = main(["run", "news", "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err and "unexpected problem" not in out + err
    assert "The disk holding the workspace is full" in out and "free some space" in out


def test_a_log_line_a_full_disk_refuses_is_dropped_not_printed_as_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    from sgtui.commands.run import _QuietLogHandler

    class FullDisk(io.StringIO):
        def write(self, text: str) -> int:
            no_space()
            return 0

    handler = _QuietLogHandler(FullDisk())
    handler.emit(logging.LogRecord("sgtui", logging.INFO, __file__, 1, "batch 1", (), None))
    assert capsys.readouterr().err == ""


def sqlite_error(name: str, text: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(text)
    error.sqlite_errorname = name  # type: ignore[attr-defined]
    return error


def test_state_database_faults_are_named_for_what_they_are(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    full = _database_sentence(state, sqlite_error("SQLITE_FULL", "database or disk is full"))
    assert "is full" in full.sentence and "free some space" in full.sentence
    read_only = _database_sentence(state, sqlite_error("SQLITE_READONLY",
                                                       "attempt to write a readonly database"))
    assert "read-only" in read_only.sentence and "writable" in read_only.sentence
    assert unexpected_sentence(OSError(errno.EROFS, os.strerror(errno.EROFS))).startswith(
        "sgtui cannot write in the workspace folder (Read-only file system)")
