"""``sgtui notify --test``: send a test alert to every ``[notify]`` target and say what
happened to each. Exit 0 when every target took it, 1 when any did not, 2 when ``[notify]``
is missing or has problems (the targets without problems are still tried)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sgtui.cli import EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE

SETUP_HINT = (
    "Add a [notify] table to sgtui.toml with webhook = \"https://...\" (a Slack incoming "
    "webhook, say) or email = [\"ops@example.com\"] with smtp and from; the README's "
    "\"Alerts\" section shows both."
)


def main(args: argparse.Namespace) -> int:
    """Send the test alert; print one line per target."""
    from sgtui.notify.service import configured_targets, send_test
    from sgtui.workspace.config import Workspace, WorkspaceError, default_workspace_folder
    from sgtui.workspace.notify_settings import read_notify

    if not args.test:
        _say("sgtui notify: nothing to do; --test sends a test alert to every [notify] target.")
        return EXIT_USAGE
    folder: Path = getattr(args, "workspace", None) or default_workspace_folder()
    try:
        workspace = Workspace.open(folder, create=False)
    except WorkspaceError as error:
        _say(f"sgtui notify: {error.sentence}")
        return EXIT_USAGE
    settings = read_notify(workspace.document)
    if "notify" not in workspace.document:
        _say(f"sgtui notify: {workspace.path} sets up no alerts. {SETUP_HINT}")
        return EXIT_USAGE
    targets = configured_targets(settings)
    if targets:
        names = ", ".join(f"{target} ({destination})" for target, destination in targets)
        print(f"Sending a test alert to {names}…", flush=True)
    report = send_test(workspace)
    for result in report.deliveries:
        print(f"  {result}")
    if report.problems:
        _say(f"sgtui notify: [notify] in {workspace.path} has problems; these were not tried:")
        for key, sentence in report.problems:
            where = "notify" if key == "notify" else f"notify.{key}"
            _say(f"  - {where}: {sentence}")
        return EXIT_USAGE
    if not report.deliveries:
        _say(f"sgtui notify: [notify] names no target. {SETUP_HINT}")
        return EXIT_USAGE
    if not report.ok:
        failed = sum(1 for result in report.deliveries if not result.delivered)
        _say(f"sgtui notify: {failed} of {len(report.deliveries)} targets did not get the "
             "test alert; see above (and runs/sgtui.log).")
        return EXIT_RUN_FAILED
    print("Every target got the test alert.")
    return EXIT_OK


def _say(text: str) -> None:
    print(text, file=sys.stderr)
