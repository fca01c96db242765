"""Helpers for tests of saving sgtui.toml: a disk that fills up, and what the app holds."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import tomlkit

from sgtui.workspace.config import Workspace


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every write of sgtui.toml fails the way a full disk fails it."""
    def no_space(path: Path, text: str, *, mode: int | None = None) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("sgtui.workspace.config.atomic_write_text", no_space)


def in_memory_is_the_file(workspace: Workspace) -> bool:
    """The workspace shows exactly what sgtui.toml holds (no unsaved change)."""
    return tomlkit.dumps(workspace.document) == workspace.path.read_text()
