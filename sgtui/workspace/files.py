"""Files sgtui writes: atomically, and with the permissions of the folder they live in.

A private folder gets 0700 and files 0600. A folder an admin has shared with a group on
purpose (group rwx and setgid, ``chmod 2770``) stays shared, and files in it are 0660.

In a shared folder anyone in the group can put a symbolic link (or a file of their own)
where sgtui is about to write, to aim customer data at a file of their choosing. So sgtui
never writes through a link: new files are made under a fresh name and renamed into place
(:func:`create_fresh`, :func:`atomic_write_text`), files it appends to are opened with
``O_NOFOLLOW`` and replaced when they are not plainly sgtui's (:func:`open_append`,
:func:`open_lock_file`), and the SQLite databases, which SQLite opens itself, are refused
when they are links (:func:`refuse_link`), their journals cleared of planted links first.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import tempfile
from pathlib import Path

logger = logging.getLogger("sgtui.files")

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
    """Create a folder inside a workspace, private or group-shared like its parent.

    A symbolic link in its place is replaced by a real folder, never followed.
    """
    if folder.is_symlink():
        logger.warning("%s was a symbolic link; replaced it with a folder", folder)
        with contextlib.suppress(FileNotFoundError):
            folder.unlink()
    if not folder.exists():
        parent = folder.parent
        shared = is_group_shared(parent)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o2770 if shared else PRIVATE_DIR_MODE)
    return folder


def secure_file(path: Path) -> None:
    """Give an existing file the mode its folder calls for (never through a link)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            os.fchmod(fd, file_mode_for(path.parent))
        finally:
            os.close(fd)


class PlantedLink(OSError):
    """A file sgtui was about to write is a symbolic link; ``sentence`` says what to do."""

    def __init__(self, path: Path) -> None:
        self.sentence = (
            f"{path} is a symbolic link, and sgtui never writes through a link (anyone who "
            "can write the folder could aim it at another file). Replace the link with the "
            "real file, or point sgtui at the real file, and try again."
        )
        super().__init__(errno.ELOOP, self.sentence, str(path))


def refuse_link(path: Path) -> None:
    """Raise :class:`PlantedLink` if ``path`` is a symbolic link; clear planted journal links.

    For SQLite files, which SQLite opens (following links) itself: the database must be a
    plain file, and a link where its journal or WAL would go is removed before SQLite
    creates one there.
    """
    if path.is_symlink():
        raise PlantedLink(path)
    for suffix in ("-journal", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.is_symlink():
            logger.warning("%s was a symbolic link; removed it", side)
            with contextlib.suppress(FileNotFoundError):
                side.unlink()


def create_exclusive(path: Path, *, mode: int | None = None) -> bool:
    """Create ``path`` empty with the folder's mode unless something is there (a link
    too: never followed); whether this call created it."""
    mode = file_mode_for(path.parent) if mode is None else mode
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, mode)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, mode)  # the umask may have taken bits the mode asked for
    finally:
        os.close(fd)
    return True


def create_fresh(path: Path, *, mode: int | None = None) -> int:
    """A new, empty file at ``path``, open for writing; returns its descriptor.

    It is made under a temporary name with the folder's mode and renamed into place, so
    whatever stood at ``path`` (a planted link, someone else's file) is replaced, never
    written through.
    """
    folder = path.parent
    mode = file_mode_for(folder) if mode is None else mode
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        os.replace(temp_name, path)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return fd


def open_append(path: Path) -> int:
    """``path`` open for appending, created with the folder's mode if missing.

    Never through a link: a link, a file with other links to it, a file others may read or
    anything but a plain file is replaced by a fresh one.
    """
    fd = _open_plain(path, os.O_WRONLY | os.O_APPEND)
    if fd is None:
        logger.warning("%s was not a plain sgtui file; replaced it", path)
        fd = create_fresh(path)
    return fd


def open_lock_file(path: Path) -> int:
    """``path`` open for reading and writing (a lock file), never through a link.

    Anything but a plain sgtui file in its place is removed and a plain file made (the
    caller checks, once it holds the lock, that the file is still the one at ``path``).
    """
    fd = _open_plain(path, os.O_RDWR)
    if fd is None:
        logger.warning("%s was not a plain sgtui file; replaced it", path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        fd = _open_plain(path, os.O_RDWR)
        if fd is None:
            raise PlantedLink(path)
    return fd


def _open_plain(path: Path, flags: int) -> int | None:
    """Open (creating) ``path`` without following a link; None unless it is a plain file
    with one name only and no permissions for others."""
    mode = file_mode_for(path.parent)
    try:
        # O_NONBLOCK: a planted FIFO must not hang the open; it is refused just below.
        fd = os.open(path, flags | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     mode)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            return None
        raise
    info = os.fstat(fd)
    plain = stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and not info.st_mode & 0o007
    if not plain:
        os.close(fd)
        return None
    os.set_blocking(fd, True)
    if info.st_uid == os.getuid():
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)
    return fd


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


def still_at(fd: int, path: Path) -> bool:
    """Whether the open file ``fd`` is still the one named ``path`` (not replaced since)."""
    try:
        named = os.lstat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
