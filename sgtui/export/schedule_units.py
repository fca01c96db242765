"""What schedules ``sgtui refresh``: the crontab line, the systemd units, and what the last
refresh left behind (``runs/last-refresh.json``). Pure text and parsing; no Textual.

Decisions the Schedule screen shows and this module makes:

- The command is the running sgtui by absolute path (symlinks kept, so a pipx or venv
  upgrade keeps working), else ``python -m sgtui`` with the running interpreter; always
  with ``--workspace`` and the absolute workspace folder; never ``--json``.
- cron runs it at minute 17 of every hour and appends stdout and stderr to
  ``runs/refresh.log`` in the workspace. systemd user units run it hourly
  (``Persistent=true`` catches up a missed hour) and log to the journal.
- The API key is never in the generated text. Both read ``~/.config/sgtui/env``, a file the
  user creates, owner-only (0600), holding one ``SGTUI_API_KEY=...`` line; cron sources it
  with ``set -a`` so the variable reaches sgtui, systemd reads it with ``EnvironmentFile=-``
  (the ``-``: a host with a keyring or a key file needs no such file).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sgtui.errors import CAUSE, SgtuiError, sentence_for

DEFAULT_CRON_SCHEDULE = "17 * * * *"
"""Minute 17 of every hour: off the full hour, when many other jobs start."""
DEFAULT_ON_CALENDAR = "hourly"
ENV_FILE = "~/.config/sgtui/env"
"""Where the scheduled job finds ``SGTUI_API_KEY``; the user creates it, 0600."""
ENV_VARIABLE = "SGTUI_API_KEY"
SERVICE_NAME = "sgtui-refresh.service"
TIMER_NAME = "sgtui-refresh.timer"
USER_UNIT_FOLDER = "~/.config/systemd/user"
REFRESH_LOG = "refresh.log"
LAST_REFRESH_FILE = "last-refresh.json"


@dataclass(frozen=True, slots=True)
class RefreshCommand:
    """The command a scheduler runs: ``program refresh --workspace FOLDER``."""

    program: tuple[str, ...]
    """The sgtui executable, or the interpreter followed by ``-m sgtui``."""
    workspace: Path
    """The workspace folder, absolute."""

    @property
    def argv(self) -> tuple[str, ...]:
        """Every word of the command."""
        return (*self.program, "refresh", "--workspace", str(self.workspace))

    @property
    def log_path(self) -> Path:
        """Where the crontab line appends the command's output."""
        return self.workspace / "runs" / REFRESH_LOG


def sgtui_program(
    argv0: str | None = None,
    *,
    which: Callable[[str], str | None] = shutil.which,
    executable: str | None = None,
) -> tuple[str, ...]:
    """The running sgtui, as the words that start it again from cron or systemd.

    ``argv0`` (default ``sys.argv[0]``) when it is an sgtui executable; ``python -m sgtui``
    with the running interpreter when sgtui was started that way or is not on the PATH;
    else the ``sgtui`` found on the PATH.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    python = executable if executable is not None else (sys.executable or "python3")
    started = Path(argv0) if argv0 else None
    if started is not None and started.name == "__main__.py" and started.parent.name == "sgtui":
        return (python, "-m", "sgtui")
    if started is not None and started.name == "sgtui" and started.is_file():
        return (os.path.abspath(started),)
    found = which("sgtui")
    if found:
        return (os.path.abspath(found),)
    return (python, "-m", "sgtui")


def refresh_command(workspace_folder: Path, program: tuple[str, ...] | None = None
                    ) -> RefreshCommand:
    """The refresh command for ``workspace_folder`` (made absolute) run by ``program``
    (default: the running sgtui, see :func:`sgtui_program`)."""
    folder = Path(os.path.abspath(workspace_folder))
    return RefreshCommand(program or sgtui_program(), folder)


# ------------------------------------------------------------------------------- cron
def crontab_line(command: RefreshCommand, when: str = DEFAULT_CRON_SCHEDULE) -> str:
    """One crontab line: load the key file if there is one, run, append to the log.

    cron hands the line to ``/bin/sh``; words are quoted for it, and ``%`` (a newline to
    cron) is escaped.
    """
    words = " ".join(shlex.quote(word) for word in command.argv)
    log = shlex.quote(str(command.log_path))
    shell = (f"set -a; [ -r {ENV_FILE} ] && . {ENV_FILE}; set +a; "
             f"{words} >> {log} 2>&1")
    return f"{when} {shell.replace('%', chr(92) + '%')}"


# ---------------------------------------------------------------------------- systemd
def systemd_quote(word: str) -> str:
    """``word`` as one argument of a systemd ``ExecStart=`` line."""
    escaped = word.replace("%", "%%").replace("$", "$$")
    if escaped and not any(c in escaped for c in " \t\"'\\;"):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def service_unit(command: RefreshCommand) -> str:
    """``sgtui-refresh.service``: one refresh of the workspace, as a user unit."""
    exec_start = " ".join(systemd_quote(word) for word in command.argv)
    env_file = ENV_FILE.replace("~", "%h", 1)
    return "\n".join([
        f"# {USER_UNIT_FOLDER}/{SERVICE_NAME}",
        f"# Workspace: {command.workspace}",
        "[Unit]",
        "Description=sgtui refresh: run the scheduled SendGrid exports",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={str(command.workspace).replace('%', '%%')}",
        f"# {ENV_VARIABLE}=... for hosts without a keyring; owner-only (chmod 600)",
        f"EnvironmentFile=-{env_file}",
        f"ExecStart={exec_start}",
        "",
    ])


def timer_unit(on_calendar: str = DEFAULT_ON_CALENDAR) -> str:
    """``sgtui-refresh.timer``: starts the service on a calendar, catching up missed runs."""
    return "\n".join([
        f"# {USER_UNIT_FOLDER}/{TIMER_NAME}",
        "[Unit]",
        "Description=Run sgtui refresh on a schedule",
        "",
        "[Timer]",
        f"OnCalendar={on_calendar}",
        "Persistent=true",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])


def systemd_commands() -> str:
    """The shell commands that install and start the user units, and show what they did."""
    return "\n".join([
        f"mkdir -p {USER_UNIT_FOLDER}",
        f"# save the two units above in {USER_UNIT_FOLDER}/, then:",
        "systemctl --user daemon-reload",
        f"systemctl --user enable --now {TIMER_NAME}",
        'loginctl enable-linger "$USER"   # runs also while you are logged out',
        f"systemctl --user list-timers {TIMER_NAME}",
        f"journalctl --user -u {SERVICE_NAME}",
    ])


def env_file_commands() -> str:
    """How to create the owner-only key file before putting the key in with an editor."""
    return f"mkdir -p ~/.config/sgtui && install -m 600 /dev/null {ENV_FILE}"


# ------------------------------------------------------------------ the last refresh
@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """How one export did in a refresh."""

    export: str
    status: str
    sentence: str


@dataclass(frozen=True, slots=True)
class LastRefresh:
    """What ``sgtui refresh`` wrote to ``runs/last-refresh.json`` when it last finished."""

    finished_at: datetime | None
    ok: bool
    failed: int
    exports: tuple[ExportOutcome, ...]
    sentence: str = ""
    """Why the refresh as a whole could not run its exports ("" when it ran them)."""


class LastRefreshUnreadable(SgtuiError):
    """``last-refresh.json`` exists but cannot be read; ``sentence`` says why."""


def load_last_refresh(runs_folder: Path) -> LastRefresh | None:
    """The last refresh's outcome, or None when no refresh has finished in the workspace."""
    path = runs_folder / LAST_REFRESH_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LastRefreshUnreadable(
            sentence_for(error, f"sgtui cannot read {path} ({CAUSE}).")
        ) from None
    except ValueError:
        raise LastRefreshUnreadable(
            f"{path} is not valid JSON; the next refresh writes it again."
        ) from None
    if not isinstance(data, dict):
        raise LastRefreshUnreadable(f"{path} does not hold a refresh outcome.")
    exports = tuple(
        ExportOutcome(str(item.get("export", "?")), str(item.get("status", "?")),
                      str(item.get("sentence", "")))
        for item in data.get("exports") or () if isinstance(item, dict)
    )
    failed = data.get("failed")
    return LastRefresh(
        finished_at=_when(data.get("finished_at")),
        ok=bool(data.get("ok", False)),
        failed=failed if isinstance(failed, int) else 0,
        exports=exports,
        sentence=str(data.get("sentence") or ""),
    )


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
