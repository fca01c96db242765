"""``sgtui``: open the terminal app on a workspace."""

from __future__ import annotations

import argparse
import sys

from sgtui.cli import EXIT_OK, EXIT_USAGE
from sgtui.tui.app import make_app
from sgtui.workspace.config import Workspace, WorkspaceError, default_workspace_folder


def main(args: argparse.Namespace) -> int:
    """Open (or create) the workspace and run the app until the user quits."""
    folder = getattr(args, "workspace", None) or default_workspace_folder()
    try:
        workspace = Workspace.open(folder)
    except WorkspaceError as error:
        print(f"sgtui: {error.sentence}", file=sys.stderr)
        return EXIT_USAGE
    make_app(workspace).run()
    return EXIT_OK
