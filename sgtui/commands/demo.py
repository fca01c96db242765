"""``sgtui demo``: a complete local playground on a fresh machine.

Demo customer data in a new workspace, a sandbox SendGrid on a free loopback port with a
few lists and a realistic job delay, an in-memory keyring (nothing touches the OS keyring,
so it works without D-Bus or a Secret Service), and the app on top with a banner showing
the key to paste. A new demo workspace comes with one export, :data:`DEMO_EXPORT`, that
fills custom fields from the demo data's typed columns; it waits for the connection the
user sets up (it is detached until then).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sgtui.cli import EXIT_OK, EXIT_USAGE
from sgtui.errors import sentence_for
from sgtui.sandbox import SandboxServer
from sgtui.source.demo import generate_demo_database
from sgtui.tui.app import DemoInfo, SgtuiApp, make_app
from sgtui.workspace.config import Workspace, WorkspaceError
from sgtui.workspace.model import (
    CustomFieldConfig,
    CustomFieldType,
    ExportConfig,
    Schedule,
    SyncMode,
)
from sgtui.workspace.secrets import MemorySecrets

DEMO_LISTS = ("Newsletter", "Spring promo", "VIP customers")
DEMO_JOB_DELAY = 2.0
DEMO_INDEX_LAG = 5.0
"""List counts catch up this long after a job, so the demo shows SendGrid catching up."""
LOOPBACK_PREFIXES = ("http://127.0.0.1:", "http://localhost:")
DEMO_EXPORT = ExportConfig(
    name="customer-value",
    connection=None,
    list_id="",
    list_name="VIP customers",
    segments=("high-value",),
    mapping={"email": "email", "first_name": "first_name", "last_name": "last_name",
             "country": "country", "city": "city"},
    custom_fields=(
        CustomFieldConfig("lifetime_value", "lifetime_value", CustomFieldType.NUMBER),
        CustomFieldConfig("last_order", "last_order_at", CustomFieldType.DATE),
        CustomFieldConfig("tier", "tier", CustomFieldType.TEXT),
    ),
    schedule=Schedule.MANUAL,
    mode=SyncMode.UPSERT,
)
"""The export a new demo workspace comes with: the high-value segment into the VIP
customers list, with a number, a date and a text custom field (its list id is the demo
sandbox's; no connection until the user attaches theirs with Edit)."""


def prepare_demo_workspace(folder: Path, *, profiles: int, seed: int, user: str | None = None):  # type: ignore[no-untyped-def]
    """A workspace in ``folder`` with generated customer data; returns the Workspace."""
    return _prepare(folder, profiles=profiles, seed=seed, user=user)[0]


def _prepare(folder: Path, *, profiles: int, seed: int,
             user: str | None) -> tuple[Workspace, bool]:
    """The workspace with customer data, and whether the data was generated just now."""
    workspace = Workspace.open(folder, user=user)
    if workspace.source_path.exists():
        return workspace, False
    generate_demo_database(workspace.source_path, profiles=profiles, seed=seed)
    return workspace, True


@dataclass(frozen=True, slots=True)
class DemoSession:
    """Everything a demo runs on: the workspace, the sandbox, the banner and the keys."""

    workspace: Workspace
    sandbox: SandboxServer
    info: DemoInfo
    secrets: MemorySecrets

    def make_app(self) -> SgtuiApp:
        """The app on the demo workspace, talking to the sandbox, keys in memory."""
        return make_app(self.workspace, secrets=self.secrets, demo=self.info)


@contextmanager
def demo_session(
    folder: Path,
    *,
    profiles: int,
    seed: int,
    job_delay: float = DEMO_JOB_DELAY,
    index_lag: float = DEMO_INDEX_LAG,
    user: str | None = None,
) -> Iterator[DemoSession]:
    """Demo data in ``folder`` and a sandbox SendGrid on loopback for as long as it lasts.

    Connections a previous demo left in the workspace pointed at that demo's sandbox (gone
    now, with another port): they are pointed at this one. A new workspace gets
    :data:`DEMO_EXPORT`, filling this sandbox's list of its name.
    """
    workspace, fresh = _prepare(folder, profiles=profiles, seed=seed, user=user)
    with SandboxServer(job_delay=job_delay, index_lag=index_lag, seed=seed) as sandbox:
        list_ids = {name: sandbox.create_list(name)["id"] for name in DEMO_LISTS}
        if fresh and DEMO_EXPORT.name not in workspace.exports:
            workspace.apply_and_save(lambda workspace: workspace.put_export(
                replace(DEMO_EXPORT, list_id=list_ids[DEMO_EXPORT.list_name or ""])))
        _point_at(workspace, sandbox.base_url)
        api_key = next(iter(sandbox.api_keys))
        info = DemoInfo(sandbox_url=sandbox.base_url, api_key=api_key, profiles=profiles)
        yield DemoSession(workspace, sandbox, info, MemorySecrets())


def _point_at(workspace: Workspace, base_url: str) -> None:
    stale = [c for c in workspace.connections.values()
             if c.base_url.startswith(LOOPBACK_PREFIXES) and c.base_url != base_url]

    def change(workspace: Workspace) -> None:
        for connection in stale:
            workspace.put_connection(replace(connection, base_url=base_url))

    if stale:
        workspace.apply_and_save(change)


def main(args: argparse.Namespace) -> int:
    """Build the playground, run the app, and tidy up the sandbox afterwards."""
    folder = getattr(args, "workspace", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="sgtui-demo-")) / "workspace"
    print(f"Preparing a demo workspace in {folder} with {args.profiles:,} profiles…")
    try:
        with demo_session(Path(folder), profiles=args.profiles, seed=args.seed) as session:
            print(_welcome(session, Path(folder)))
            session.make_app().run()
    except WorkspaceError as error:
        print(f"sgtui demo: {error.sentence}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(sentence_for(error, "sgtui demo: the sandbox could not start on loopback ({cause})."),
              file=sys.stderr)
        return EXIT_USAGE
    print(f"The demo workspace stays in {folder}. Come back with "
          f"`sgtui demo --workspace {folder}`: a fresh sandbox with the same key and empty "
          "lists; keys lived in memory, so add yours again (Connections, u).")
    return EXIT_OK


def _welcome(session: DemoSession, folder: Path) -> str:
    info = session.info
    lists = ", ".join(DEMO_LISTS)
    return (
        f"Sandbox SendGrid on {info.sandbox_url} (lists: {lists}; jobs take about "
        f"{session.sandbox.job_delay:g} s and list counts catch up "
        f"{session.sandbox.index_lag:g} s later, like the real ones).\n"
        f"Demo API key (the app shows it too): {info.api_key}\n"
        "Keys are kept in memory for this session only; the OS keyring is not used.\n"
        f"The export {DEMO_EXPORT.name} fills custom fields (a number, a date, a text); "
        "once you have set up a connection, attach it with Edit (Exports, e).\n"
        "To run an export headless while the demo is open, from another terminal:\n"
        f"  SGTUI_API_KEY={info.api_key} sgtui run NAME --workspace {shlex.quote(str(folder))}"
    )
