"""Advisory file locks, so two runs of one export (or two refreshes) never overlap.

The lock is an ``flock`` on a small file in the workspace; the kernel drops it when the
process ends however it ends (SIGKILL too), which is how a later run knows an earlier
'running' run is dead.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sgtui.workspace.files import open_lock_file, still_at

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


class LockHeld(Exception):
    """Another process holds the lock; ``pid`` is the one it recorded (0 if unknown)."""

    def __init__(self, path: Path, pid: int) -> None:
        super().__init__(f"{path} is held by process {pid or 'unknown'}")
        self.path = path
        self.pid = pid


class FileLock:
    """An exclusive, non-blocking lock on ``path`` (created owner-only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`LockHeld` at once."""
        while True:
            fd = open_lock_file(self.path)
            if fcntl is None:
                break
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                pid = _read_pid(fd)
                os.close(fd)
                raise LockHeld(self.path, pid) from None
            if still_at(fd, self.path):
                break
            os.close(fd)  # replaced while we locked it: lock the file that is there now
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays, empty)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _read_pid(fd: int) -> int:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0)
    except (OSError, ValueError):
        return 0
