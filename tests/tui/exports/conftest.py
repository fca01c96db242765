"""Fixtures for the exports screen and the export wizard: demo data, a sandbox, a workspace."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.source.demo import generate_demo_database
from sgtui.tui.app import SgtuiApp, make_app
from sgtui.workspace.config import Workspace
from sgtui.workspace.model import Access, ConnectionConfig, Consent, UsableBy
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name

KEY = "SG." + "a" * 22 + "." + "b" * 43
WRONG_KEY = "SG." + "c" * 22 + "." + "d" * 43
SEEDED_LISTS = ("Newsletter", "Spring promo", "VIP customers")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo customer database (2,000 profiles), built once."""
    return generate_demo_database(tmp_path_factory.mktemp("demo") / "customers.db", 2_000, 7)


@pytest.fixture(scope="session")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database just past SendGrid's recommended 100,000 profiles (about a second)."""
    return generate_demo_database(tmp_path_factory.mktemp("big") / "customers.db", 100_100, 7)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A sandbox SendGrid on loopback that knows ``KEY``, with three lists."""
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0, seed=1) as server:
        for name in SEEDED_LISTS:
            server.create_list(name)
        yield server


def connection(name: str, base_url: str, *, shared: bool = False,
               export_users: tuple[str, ...] = ("alice",), display: str | None = None
               ) -> ConnectionConfig:
    """A consented SendGrid connection."""
    return ConnectionConfig(
        name=name,
        display_name=display or name.replace("-", " ").title(),
        usable_by=UsableBy.ADMINS_AND_CONTRIBUTORS if shared else UsableBy.ADMINS,
        base_url=base_url,
        export_users=export_users,
        consent=Consent("alice", datetime(2026, 11, 28, 10, tzinfo=UTC)),
    )


MakeWorkspace = Callable[..., Workspace]


@pytest.fixture
def make_workspace(tmp_path: Path, demo_db: Path) -> MakeWorkspace:
    """A workspace (alice admin, bob contributor) with demo data and the given connections.

    Each connection's key goes into the in-memory keyring for its export users.
    """

    def make(*connections: ConnectionConfig, db: Path | None = None, user: str = "alice",
             key: str = KEY) -> Workspace:
        folder = tmp_path / "workspace"
        workspace = Workspace.open(folder, user="alice")
        workspace.set_access(Access(admins=("alice",), contributors=("bob",)))
        shutil.copy(db or demo_db, workspace.source_path)
        for item in connections:
            workspace.put_connection(item)
            if item.export_users:
                KeyringSecrets().set(account_name(workspace.id, item.name), ApiKey(key))
        workspace.save()
        return workspace.as_user(user)

    return make


def app_for(workspace: Workspace) -> SgtuiApp:
    """The app as the CLI builds it, on the test keyring."""
    return make_app(workspace, secrets=KeyringSecrets())


def mask_list_ids(app: SgtuiApp) -> None:
    """Replace list UUIDs on screen with a fixed text, so snapshots do not depend on them."""
    from textual.content import Content
    from textual.widgets import Static

    for widget in app.screen.query(Static):
        content = widget.content
        if isinstance(content, Content) and UUID.search(content.plain):
            # Same length, so the styles (spans) still sit on the right characters.
            masked = UUID.sub("LIST-ID-" + "x" * 28, content.plain)
            widget.update(Content(masked, spans=list(content.spans)))


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every worker has finished and the screen has caught up."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_wizard(pilot) -> None:  # type: ignore[no-untyped-def]
    """From the home screen: the exports screen, then New."""
    await pilot.press("e")
    await pilot.press("n")
    await settle(pilot)


async def next_step(pilot) -> None:  # type: ignore[no-untyped-def]
    """Press Next and wait for the step's workers."""
    await pilot.press("ctrl+n")
    await settle(pilot)


def problem_text(app) -> str:  # type: ignore[no-untyped-def]
    """The sentence under the step, if any."""
    return str(app.screen.query_one("#wizard-problem").content)


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every Static's text on the current screen, joined (what a user reads)."""
    from textual.widgets import Static

    return "\n".join(str(widget.content) for widget in app.screen.query(Static))


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``predicate()`` holds (e.g. a coalescing timer fired)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the app did not get there in time"
        await pilot.pause(0.02)
    await settle(pilot)


async def segments_counted(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the segment totals match the ticked segments, emails included."""
    from sgtui.tui.widgets.export import SegmentPicker

    picker = pilot.app.screen.query_one(SegmentPicker)
    await wait_until(pilot, lambda: not picker.counting and (
        picker.emails is not None or picker.email_column is None or not picker.selected))
