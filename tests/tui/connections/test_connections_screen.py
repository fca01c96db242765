"""The connections screen for each role: what they see, what they may do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Input

from sgtui.sandbox import SandboxServer
from sgtui.tui.app import make_app
from sgtui.tui.screens.access import AccessScreen
from sgtui.tui.screens.connections import ConnectionsScreen
from sgtui.tui.widgets.connection.confirm_remove import ConfirmRemoveModal
from sgtui.workspace.config import Workspace
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig, UsableBy
from sgtui.workspace.secrets import SERVICE, ApiKey, KeyringSecrets, MemorySecrets, account_name
from tests.pilot_helpers import until

from .conftest import KEY
from .helpers import next_step, settle, step_title, text_of

AGREED = Consent(accepted_by="alice", accepted_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


@pytest.fixture
def two_connections(workspace: Workspace, sandbox: SandboxServer) -> Workspace:
    """"Marketing SendGrid" (admins only, used by two exports) and "Shared SendGrid"."""
    workspace.put_connection(ConnectionConfig(
        name="marketing", display_name="Marketing SendGrid", base_url=sandbox.base_url,
        export_users=("alice",), consent=AGREED))
    workspace.put_connection(ConnectionConfig(
        name="shared", display_name="Shared SendGrid", base_url=sandbox.base_url,
        usable_by=UsableBy.ADMINS_AND_CONTRIBUTORS, consent=AGREED))
    for name in ("spring", "vip"):
        workspace.put_export(ExportConfig(name=name, connection="marketing", list_id="l1",
                                          segments=("s1",)))
    workspace.save()
    return workspace


def rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The connections table as plain text, row by row."""
    table = app.screen.query_one("#connections-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def headers(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#connections-table", DataTable)
    return [str(column.label) for column in table.columns.values()]


async def test_contributor_sees_only_shared_connections_by_name_and_type(
    two_connections: Workspace,
) -> None:
    app = make_app(two_connections.as_user("bob"), secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert headers(app) == ["Name", "Type"]
        assert rows(app) == [["Shared SendGrid", "SendGrid"]]
        assert "Only an administrator" in text_of(app, "#connections-who")
        assert not app.screen.query("#connections-actions")
        await pilot.press("a", "d", "enter")  # set-up keys do nothing for them
        await pilot.pause()
        assert isinstance(app.screen, ConnectionsScreen)
        assert "connections.add" not in {b.binding.id for b in app.active_bindings.values()}


async def test_viewer_sees_names_only(two_connections: Workspace) -> None:
    app = make_app(two_connections.as_user("carol"), secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert headers(app) == ["Name"]
        assert rows(app) == [["Marketing SendGrid"], ["Shared SendGrid"]]
        assert "Only an administrator" in text_of(app, "#connections-who")


async def test_admin_sees_everything(two_connections: Workspace) -> None:
    app = make_app(two_connections, secrets=MemorySecrets())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert headers(app) == ["Name", "Type", "Usable by", "Export users", "Created"]
        assert rows(app)[0][:4] == ["Marketing SendGrid", "SendGrid", "Admins", "alice"]
        assert rows(app)[1][2:4] == ["Admins + contributors", "none yet"]


async def test_markup_in_a_name_is_shown_as_written(workspace: Workspace) -> None:
    workspace.put_connection(ConnectionConfig(name="odd", display_name="Odd [b]name[/x]"))
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert rows(app)[0][0] == "Odd [b]name[/x]"


async def test_removing_a_used_connection_can_detach_its_exports(
    two_connections: Workspace,
) -> None:
    secrets = MemorySecrets()
    secrets.set(account_name(two_connections.id, "marketing"), ApiKey(KEY))
    app = make_app(two_connections, secrets=secrets)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRemoveModal)
        assert "2 exports use it" in text_of(app, "#remove-title")
        await pilot.click("#remove-detach")
        await settle(app, pilot)
        assert "2 exports are kept, inactive" in text_of(app, "#connections-status")
        assert rows(app)[0][0] == "Shared SendGrid"
    saved = Workspace.open(two_connections.folder, user="alice")
    assert "marketing" not in saved.connections
    assert {e.name: e.connection for e in saved.exports.values()} == {"spring": None, "vip": None}
    assert secrets.get(account_name(two_connections.id, "marketing")) is None


async def test_removing_a_used_connection_can_remove_its_exports_too(
    two_connections: Workspace,
) -> None:
    app = make_app(two_connections, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#remove-all")
        await settle(app, pilot)
        assert "Removed 2 exports too" in text_of(app, "#connections-status")
    saved = Workspace.open(two_connections.folder, user="alice")
    assert list(saved.connections) == ["shared"]
    assert saved.exports == {}


async def test_test_uses_my_stored_key(two_connections: Workspace, memory_keyring) -> None:
    app = make_app(two_connections, secrets=KeyringSecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("t")
        await settle(app, pilot)
        assert "You have no key for “Marketing SendGrid”" in text_of(app, "#connections-status")
        memory_keyring.set_password(SERVICE, account_name(two_connections.id, "marketing"), KEY)
        await pilot.press("t")
        await settle(app, pilot)
        assert text_of(app, "#connections-status").startswith("✓ “Marketing SendGrid” works")


async def test_admin_adds_themselves_as_export_user_later(
    two_connections: Workspace, memory_keyring
) -> None:
    app = make_app(two_connections, secrets=KeyringSecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("down", "u")  # "Shared SendGrid" has no export user yet
        await pilot.pause()
        assert step_title(app) == "API key"
        app.screen.query_one("#api-key", Input).value = KEY
        await next_step(app, pilot)
        await settle(app, pilot)
        assert step_title(app) == "Connect"
        assert text_of(app, "#connect-result").startswith("✓ Connected.")
        await next_step(app, pilot)
        await pilot.press("enter")  # "Add me as export user" has the focus
        await settle(app, pilot)
        await next_step(app, pilot)
        await next_step(app, pilot)  # Save
        await settle(app, pilot)
        await next_step(app, pilot)  # Done
        assert isinstance(app.screen, ConnectionsScreen)
        assert rows(app)[1][3] == "alice"
    saved = Workspace.open(two_connections.folder, user="alice").connections["shared"]
    assert saved.export_users == ("alice",)
    assert saved.consent == AGREED, "the original consent record is kept"
    assert memory_keyring.passwords == {(SERVICE, account_name(two_connections.id, "shared")): KEY}


async def test_admin_manages_admins_and_contributors(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "m")
        await pilot.pause()
        assert isinstance(app.screen, AccessScreen)
        app.screen.query_one("#access-user", Input).value = "dave"
        await pilot.click("#make-admin")
        await settle(app, pilot)
        assert text_of(app, "#access-status") == "dave is now an administrator."
        app.screen.query_one("#access-user", Input).value = "bob"
        await pilot.click("#make-viewer")
        await settle(app, pilot)
        app.screen.query_one("#access-user", Input).value = "alice"
        await pilot.click("#make-contributor")
        await pilot.pause()
        await pilot.click("#confirm-ok")  # step down: dave stays admin
        await settle(app, pilot)
        assert isinstance(app.screen, ConnectionsScreen)
        assert not app.screen.query("#connections-actions"), "no set-up actions any more"
    saved = Workspace.open(workspace.folder, user="alice").access
    assert saved.admins == ("dave",)
    assert saved.contributors == ("alice",)


async def test_the_last_admin_cannot_be_removed(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "m")
        await pilot.pause()
        app.screen.query_one("#access-user", Input).value = "alice"
        await pilot.click("#make-viewer")
        await pilot.pause()
        assert "at least one administrator" in text_of(app, "#access-status")
    assert Workspace.open(workspace.folder, user="alice").access.admins == ("alice",)


async def test_test_finds_the_key_in_the_chosen_key_file_without_keyring(
    two_connections: Workspace,
) -> None:
    import keyring
    import keyring.backends.fail

    from sgtui.workspace.secrets import user_key_file

    keyring.set_keyring(keyring.backends.fail.Keyring())
    user_key_file().set(account_name(two_connections.id, "marketing"), ApiKey(KEY))
    app = make_app(two_connections, secrets=KeyringSecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("t")
        await settle(app, pilot)
        assert text_of(app, "#connections-status").startswith("✓ “Marketing SendGrid” works")


async def test_edit_renames_and_shares_without_touching_the_key(
    two_connections: Workspace,
) -> None:
    from textual.widgets import RadioSet

    from .helpers import fill_name

    app = make_app(two_connections, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")  # Edit "Marketing SendGrid"
        await pilot.pause()
        assert step_title(app) == "Name"
        assert "[connections.marketing]" in text_of(app, "#name-key")
        await fill_name(app, pilot, "Marketing (EU team)")
        assert "[connections.marketing]" in text_of(app, "#name-key"), "the key never changes"
        await next_step(app, pilot)
        app.screen.query_one("#usable-by", RadioSet).query("RadioButton").last().value = True
        await next_step(app, pilot)
        assert step_title(app) == "API key"
        await next_step(app, pilot)  # no key: keep using the stored one
        assert step_title(app) == "Consent"
        assert "accepted by alice on 2026-11-28 10:00 UTC" in text_of(app, "#consent-record")
        await next_step(app, pilot)
        await settle(app, pilot)
        assert text_of(app, "#connect-result").startswith("Nothing was checked")
        await next_step(app, pilot)
        assert "nothing to store" in text_of(app, "#store-result")
        await next_step(app, pilot)
        await next_step(app, pilot)  # Save
        await settle(app, pilot)
        await next_step(app, pilot)  # Done
        assert isinstance(app.screen, ConnectionsScreen)
    saved = Workspace.open(two_connections.folder, user="alice").connections["marketing"]
    assert saved.display_name == "Marketing (EU team)"
    assert saved.usable_by is UsableBy.ADMINS_AND_CONTRIBUTORS
    assert saved.consent == AGREED
    assert saved.export_users == ("alice",)


async def test_the_demo_sandbox_is_the_suggested_base_url(workspace: Workspace) -> None:
    from textual.widgets import Collapsible

    from sgtui.tui.app import DemoInfo

    demo = DemoInfo(sandbox_url="http://127.0.0.1:8765", api_key=None, profiles=10)
    app = make_app(workspace, secrets=MemorySecrets(), demo=demo)
    async with app.run_test(size=(80, 24)) as pilot:
        from sgtui.tui.screens.connection_setup import add_connection

        flow = add_connection(app)
        await pilot.pause()
        flow.go(2)
        await pilot.pause()
        assert step_title(app) == "API key"
        assert not app.screen.query_one("#advanced", Collapsible).collapsed
        assert app.screen.query_one("#custom-url", Input).value == "http://127.0.0.1:8765"


async def test_a_connection_is_not_removed_while_an_export_runs_with_it(
    two_connections: Workspace,
) -> None:
    from sgtui.tui.runs import start_run
    from tests.tui.progress.scripted import ScriptedRunner

    app = make_app(two_connections, secrets=MemorySecrets())
    runner = ScriptedRunner(batches=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        handle = start_run(app, "spring", runner=runner, show=False)
        await runner.started.wait()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmRemoveModal)
        status = text_of(app, "#connections-status")
        assert "“Marketing SendGrid” is in use: spring is running with it" in status
        assert "cancel it in its run panel" in status

        runner.proceed.set()
        await runner.ended.wait()
        await until(pilot, lambda: not handle.running)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRemoveModal)
    assert "marketing" in Workspace.open(two_connections.folder, user="alice").connections
