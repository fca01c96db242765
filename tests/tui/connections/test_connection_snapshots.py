"""Every set-up step, the connections screen and access, at 80x24 and 120x40."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Button

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.tui.app import make_app
from sgtui.tui.screens.connection_setup import steps
from sgtui.tui.screens.connection_setup.draft import ConnectionDraft, Region
from sgtui.tui.screens.connection_setup.flow import SetupFlow
from sgtui.workspace.config import Workspace
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig, UsableBy
from sgtui.workspace.secrets import ApiKey, MemorySecrets

from .conftest import FIXED_URL, KEY, ForwardingTransport

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
STEPS = [steps.NameStep, steps.UsableByStep, steps.ApiKeyStep, steps.ConsentStep,
         steps.ConnectStep, steps.ExportUserStep, steps.SaveStep]
AGREED = Consent(accepted_by="alice", accepted_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


def filled_draft(index: int) -> ConnectionDraft:
    """A draft as it would be on arriving at step ``index`` (0-based)."""
    draft = ConnectionDraft.new()
    draft.display_name = "Marketing SendGrid"
    draft.name = "marketing-sendgrid"
    if index >= 2:
        draft.key = ApiKey(KEY)
        draft.region = Region.CUSTOM
        draft.custom_url = FIXED_URL
    if index >= 4:
        draft.consent = AGREED
    if index >= 5:
        draft.scopes = FULL_ACCESS_SCOPES
        draft.checked = (draft.base_url, draft.key)
    if index >= 6:
        draft.key_stored_in = "keyring"
        draft.export_users = ("alice",)
    return draft


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("index", range(len(STEPS)), ids=[s.STEP_TITLE for s in STEPS])
def test_setup_step_snapshot(snap_compare, workspace: Workspace, sandbox: SandboxServer,
                             index: int, size: tuple[int, int]) -> None:
    app = make_app(workspace, secrets=MemorySecrets(),
                   transport=ForwardingTransport(sandbox.base_url))

    async def open_step(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        flow = SetupFlow(app, filled_draft(index), STEPS)
        app.push_screen(flow.screen_for(index))
        await pilot.pause()
        if STEPS[index] is steps.ExportUserStep:
            app.screen.query_one("#add-me", Button).press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_step)


def seeded(workspace: Workspace) -> Workspace:
    """Two connections (one shared with contributors) and an export using the first."""
    created = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    workspace.put_connection(ConnectionConfig(
        name="marketing", display_name="Marketing SendGrid", base_url=FIXED_URL,
        export_users=("alice",), consent=AGREED, created_at=created))
    workspace.put_connection(ConnectionConfig(
        name="shared", display_name="Shared [bold]SendGrid[/x]",
        usable_by=UsableBy.ADMINS_AND_CONTRIBUTORS, base_url=FIXED_URL, consent=AGREED,
        created_at=created))
    workspace.put_export(ExportConfig(name="spring-newsletter", connection="marketing",
                                      list_id="list-1", segments=("vip",)))
    workspace.save()
    return workspace


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
def test_connections_screen_snapshot(snap_compare, workspace: Workspace, user: str,
                                     size: tuple[int, int]) -> None:
    app = make_app(seeded(workspace).as_user(user), secrets=MemorySecrets())

    async def open_connections(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_connections)


@pytest.mark.parametrize("size", SIZES)
def test_remove_connection_used_by_exports_snapshot(snap_compare, workspace: Workspace,
                                                    size: tuple[int, int]) -> None:
    app = make_app(seeded(workspace), secrets=MemorySecrets())

    async def ask_to_remove(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ask_to_remove)


@pytest.mark.parametrize("size", SIZES)
def test_access_screen_snapshot(snap_compare, workspace: Workspace,
                                size: tuple[int, int]) -> None:
    app = make_app(workspace, secrets=MemorySecrets())

    async def open_access(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_access)


def test_connect_step_with_a_wrong_key_snapshot(snap_compare, workspace: Workspace,
                                                sandbox: SandboxServer) -> None:
    app = make_app(workspace, secrets=MemorySecrets(),
                   transport=ForwardingTransport(sandbox.base_url))

    async def check_wrong_key(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        draft = filled_draft(4)
        draft.key = ApiKey("SG." + "c" * 22 + "." + "d" * 43)
        app.push_screen(SetupFlow(app, draft, STEPS).screen_for(4))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=check_wrong_key)


def test_export_user_step_without_keyring_snapshot(snap_compare, workspace: Workspace) -> None:
    import keyring
    import keyring.backends.fail

    from sgtui.workspace.secrets import KeyringSecrets

    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = make_app(workspace, secrets=KeyringSecrets())

    async def store_without_keyring(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(SetupFlow(app, filled_draft(5), STEPS).screen_for(5))
        await pilot.pause()
        app.screen.query_one("#add-me", Button).press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=store_without_keyring)


@pytest.mark.parametrize("ticked", [False, True], ids=["unticked", "ticked"])
def test_consent_step_reads_without_colour(snap_compare, workspace: Workspace,
                                           sandbox: SandboxServer, monkeypatch,
                                           ticked: bool) -> None:
    """With NO_COLOR the "I agree" box reads ticked or not as text, not by colour."""
    from sgtui.tui.widgets.plain_marks import Checkbox
    from tests.pilot_helpers import screen_plain_text

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(workspace, secrets=MemorySecrets(),
                   transport=ForwardingTransport(sandbox.base_url))
    index = STEPS.index(steps.ConsentStep)

    async def open_step(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(SetupFlow(app, filled_draft(index), STEPS).screen_for(index))
        await pilot.pause()
        assert app.no_color
        assert "▐ ▌▸I agree◂" in screen_plain_text(app)
        if ticked:
            await pilot.press("space")
            await pilot.pause()
            assert app.screen.query_one("#consent-agree", Checkbox).value
            assert "▐X▌▸I agree◂" in screen_plain_text(app)
            assert "▐ ▌▸I agree◂" not in screen_plain_text(app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_step)


def test_usable_by_step_reads_the_keyboard_highlight_without_colour(
        snap_compare, workspace: Workspace, sandbox: SandboxServer, monkeypatch) -> None:
    """With NO_COLOR the radio the arrow keys are on reads apart from the chosen one."""
    from tests.pilot_helpers import screen_plain_text

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(workspace, secrets=MemorySecrets(),
                   transport=ForwardingTransport(sandbox.base_url))
    index = STEPS.index(steps.UsableByStep)

    async def open_step(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(SetupFlow(app, filled_draft(index), STEPS).screen_for(index))
        await pilot.pause()
        assert "▐●▌▸Administrators◂" in screen_plain_text(app)
        await pilot.press("down")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐●▌ Administrators " in text
        assert "▐○▌▸Administrators and contributors◂" in text

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_step)
