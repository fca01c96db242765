"""``sgtui import FILE.csv``: load profiles from a CSV file into the workspace's SQLite source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sgtui.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from sgtui.source.csv_import import CsvImportError, describe_key, import_csv
from sgtui.workspace.config import Workspace, WorkspaceError, default_workspace_folder
from sgtui.workspace.roles import IMPORT_ACTION, can_import_profiles, who_can


def main(args: argparse.Namespace) -> int:
    """Import the file (exit 0) or say why nothing was imported (exit 2)."""
    folder: Path = getattr(args, "workspace", None) or default_workspace_folder()
    try:
        workspace = Workspace.open(folder)
    except WorkspaceError as error:
        print(f"sgtui import: {error.sentence}", file=sys.stderr)
        return EXIT_USAGE
    if workspace.source.type != "sqlite":
        print(f"sgtui import: this workspace reads its customer data from "
              f"{workspace.source.type}; CSV import loads the SQLite source. Load the file into "
              "your database, or import into another workspace (--workspace DIR).",
              file=sys.stderr)
        return EXIT_USAGE
    if not can_import_profiles(workspace.role):
        print(f"sgtui import: {who_can(IMPORT_ACTION)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = import_csv(args.file, workspace.source_path, key=args.key,
                            segments_column=args.segments_column)
    except CsvImportError as error:
        print(f"sgtui import: {error.sentence}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("sgtui import: stopped (Ctrl-C); nothing was imported, the customer database "
              "is as it was.", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(result.summary())
    print(describe_key(result.key_column, result.stored_key)
          + (f" Segments came from {result.segments_column!r}." if result.segments_column
             else " The file has no segments column (--segments-column)."))
    print(f"Customer data: {result.database}")
    return EXIT_OK
