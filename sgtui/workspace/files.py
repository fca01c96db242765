"""Files sgtui writes: atomically, and with the permissions of the folder they live in.

A private folder gets 0700 and files 0600. A folder an admin has shared with a group on
purpose (group rwx and setgid, ``chmod 2770``) stays shared, and files in it are 0660.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SHARED_FILE_MODE = 0o660


def is_group_shared(folder: Path) -> bool:
    """Whether ``folder`` was deliberately shared with its group (group rwx and setgid)."""
    try:
        mode = folder.stat().st_mode
    except FileNotFoundError:
        return False
    return bool(mode & stat.S_ISGID) and (mode & 0o070) == 0o070


def file_mode_for(folder: Path) -> int:
    """The mode for a new sgtui file in ``folder``."""
    return SHARED_FILE_MODE if is_group_shared(folder) else PRIVATE_FILE_MODE


def ensure_private_dir(folder: Path) -> Path:
    """Create ``folder`` (0700) if missing; leave an existing folder's mode alone."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
        os.chmod(folder, PRIVATE_DIR_MODE)
    return folder


def ensure_subdir(folder: Path) -> Path:
    """Create a folder inside a workspace, private or group-shared like its parent."""
    if not folder.exists():
        parent = folder.parent
        shared = is_group_shared(parent)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o2770 if shared else PRIVATE_DIR_MODE)
    return folder


def secure_file(path: Path) -> None:
    """Give an existing file the mode its folder calls for."""
    with contextlib.suppress(OSError):
        os.chmod(path, file_mode_for(path.parent))


def atomic_write_text(path: Path | str, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` so a crash leaves either the old or the new file.

    The text goes to a temporary file in the same folder, is flushed and fsynced, then
    renamed over the target; the folder is fsynced so the rename itself is durable.
    """
    path = Path(path)
    folder = path.parent
    mode = file_mode_for(folder) if mode is None else mode
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as temp:
            os.fchmod(temp.fileno(), mode)
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
