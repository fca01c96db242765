"""``sgtui demo``: a complete local playground on a fresh machine.

Demo customer data in a new workspace, a sandbox SendGrid on a free loopback port with a
few lists and a realistic job delay, an in-memory keyring (nothing touches the OS keyring),
and the app on top with a banner showing the key to paste.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from sgtui.cli import EXIT_OK, EXIT_USAGE

DEMO_LISTS = ("Newsletter", "Spring promo", "VIP customers")
DEMO_JOB_DELAY = 2.0


def prepare_demo_workspace(folder: Path, *, profiles: int, seed: int, user: str | None = None):  # type: ignore[no-untyped-def]
    """A workspace in ``folder`` with generated customer data; returns the Workspace."""
    from sgtui.source.demo import generate_demo_database
    from sgtui.workspace.config import Workspace

    workspace = Workspace.open(folder, user=user)
    if not workspace.source_path.exists():
        generate_demo_database(workspace.source_path, profiles=profiles, seed=seed)
    return workspace


def main(args: argparse.Namespace) -> int:
    """Build the playground, run the app, and tidy up the sandbox afterwards."""
    from sgtui.sandbox import SandboxServer
    from sgtui.tui.app import DemoInfo, make_app
    from sgtui.workspace.config import WorkspaceError
    from sgtui.workspace.secrets import MemorySecrets

    folder = getattr(args, "workspace", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="sgtui-demo-")) / "workspace"
    print(f"Preparing a demo workspace in {folder} with {args.profiles:,} profiles…")
    try:
        workspace = prepare_demo_workspace(folder, profiles=args.profiles, seed=args.seed)
    except WorkspaceError as error:
        print(f"sgtui demo: {error.sentence}", file=sys.stderr)
        return EXIT_USAGE
    with SandboxServer(job_delay=DEMO_JOB_DELAY, seed=args.seed) as sandbox:
        for name in DEMO_LISTS:
            sandbox.create_list(name)
        api_key = next(iter(sandbox.api_keys))
        demo = DemoInfo(sandbox_url=sandbox.base_url, api_key=api_key, profiles=args.profiles)
        make_app(workspace, secrets=MemorySecrets(), demo=demo).run()
    print(f"The demo workspace stays in {folder}; open it again with "
          f"`sgtui --workspace {folder}` (the sandbox is gone).")
    return EXIT_OK
