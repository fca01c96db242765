"""Alert lines in the workspace's ``runs/sgtui.log``, beside what the runs log there.

Written directly (one append per line, under a lock) rather than through :mod:`logging`,
so alerts sent from the app's threads and from the CLI never add handlers to a shared
logger, and a log that cannot be written never stops an alert.
"""

from __future__ import annotations

import contextlib
import os
import threading
from datetime import datetime

from sgtui.workspace.config import Workspace
from sgtui.workspace.files import open_append

LOG_NAME = "sgtui.log"
_LOCK = threading.Lock()


def log_line(workspace: Workspace, level: str, text: str) -> None:
    """Append ``2026-12-01 03:17:00,123 LEVEL sgtui.notify: text`` to ``runs/sgtui.log``."""
    stamp = datetime.now().astimezone()
    line = (f"{stamp:%Y-%m-%d %H:%M:%S},{stamp.microsecond // 1000:03d} {level} "
            f"sgtui.notify: {' '.join(text.split())}\n")
    with _LOCK, contextlib.suppress(OSError):
        handle = open_append(workspace.runs_folder / LOG_NAME)  # never through a link
        try:
            os.write(handle, line.encode("utf-8"))
        finally:
            os.close(handle)
