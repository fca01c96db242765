"""Writing exports to ``sgtui.toml`` (blocking: call from a thread worker)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace


def write_workspace(workspace: Workspace, change: Callable[[Workspace], None]) -> str | None:
    """Apply ``change`` and save; on failure undo it and return the sentence saying why."""
    try:
        change(workspace)
        workspace.save()
    except Exception as error:  # WorkspaceError, or the disk said no
        # Go back to what the file holds, so the screens do not show an unsaved change.
        with contextlib.suppress(Exception):
            workspace.reload()
        why = getattr(error, "strerror", None) or type(error).__name__
        return getattr(error, "sentence", None) or (
            f"sgtui.toml could not be written ({why}); nothing was changed.")
    return None
