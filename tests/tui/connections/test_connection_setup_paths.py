"""The other ways through the set-up flow: Back, Escape, bad keys, no keyring."""

from __future__ import annotations

import keyring
import keyring.backends.fail
from textual.widgets import Button, Input

from sgtui.sandbox import SandboxServer
from sgtui.tui.app import make_app
from sgtui.tui.screens.connections import ConnectionsScreen
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import KeyringSecrets, MemorySecrets, account_name, user_key_file

from .conftest import KEY, OTHER_KEY
from .helpers import (
    fill_name,
    next_step,
    open_at_step,
    problem,
    settle,
    step,
    step_title,
    text_of,
)


async def test_back_keeps_what_was_entered(workspace: Workspace, sandbox: SandboxServer) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "a")
        await pilot.pause()
        await fill_name(app, pilot, "Marketing SendGrid")
        await next_step(app, pilot)
        assert step_title(app) == "Usable by"
        await pilot.click("#setup-back")
        await pilot.pause()
        assert step_title(app) == "Name"
        assert app.screen.query_one("#display-name", Input).value == "Marketing SendGrid"
        await next_step(app, pilot)
        await next_step(app, pilot)
        app.screen.query_one("#api-key", Input).value = KEY
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert step_title(app) == "Usable by"
        await next_step(app, pilot)
        assert app.screen.query_one("#api-key", Input).value == KEY
        assert app.screen.query_one("#api-key", Input).password, "the key stays masked"


async def test_name_is_required_and_unique(workspace: Workspace) -> None:
    from sgtui.workspace.model import ConnectionConfig

    workspace.put_connection(ConnectionConfig(name="marketing", display_name="Marketing"))
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "a")
        await pilot.pause()
        await next_step(app, pilot)
        assert problem(app) == "Enter a display name for the connection."
        await fill_name(app, pilot, "marketing")
        await next_step(app, pilot)
        assert "already called “Marketing”" in problem(app)
        await fill_name(app, pilot, "Marketing!")
        assert "[connections.marketing-2]" in text_of(app, "#name-key")
        await next_step(app, pilot)
        assert step_title(app) == "Usable by"


async def test_escape_on_a_dirty_form_asks_before_discarding(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "a")
        await pilot.pause()
        await pilot.press("escape")  # nothing entered: leaves at once
        await pilot.pause()
        assert isinstance(app.screen, ConnectionsScreen)

        await pilot.press("a")
        await pilot.pause()
        await fill_name(app, pilot, "Half done")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#confirm-cancel")  # Keep editing
        await pilot.pause()
        assert step_title(app) == "Name"
        assert app.screen.query_one("#display-name", Input).value == "Half done"

        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#confirm-ok")  # Discard
        await pilot.pause()
        assert isinstance(app.screen, ConnectionsScreen)
    assert "connections" not in workspace.path.read_text(encoding="utf-8")


async def test_a_wrong_key_is_a_sentence_and_blocks_next(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "Connect", key=OTHER_KEY, base_url=sandbox.base_url)
        result = text_of(app, "#connect-result")
        assert result.startswith("✗ SendGrid did not accept this API key")
        assert OTHER_KEY not in result
        await next_step(app, pilot)
        assert step_title(app) == "Connect"
        assert "go Back to fix what it names above" in problem(app)
        # Back to the key, enter the right one, and the check passes.
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert step_title(app) == "API key"
        app.screen.query_one("#api-key", Input).value = KEY
        await next_step(app, pilot)
        await next_step(app, pilot)
        await settle(app, pilot)
        assert text_of(app, "#connect-result").startswith("✓ Connected.")


async def test_a_key_missing_a_scope_names_the_permission(workspace: Workspace) -> None:
    with SandboxServer(api_keys={KEY: {"marketing.read"}}) as sandbox:
        app = make_app(workspace, secrets=MemorySecrets())
        async with app.run_test(size=(80, 24)) as pilot:
            await open_at_step(app, pilot, "Connect", key=KEY, base_url=sandbox.base_url)
            result = text_of(app, "#connect-result")
            assert "may not add and remove contacts" in result
            assert "Marketing read and write access" in result
            await next_step(app, pilot)
            assert step_title(app) == "Connect"
            assert "lacks a permission" in problem(app)


async def test_no_network_is_a_sentence(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "Connect", key=KEY, base_url="http://127.0.0.1:9")
        assert text_of(app, "#connect-result").startswith("✗ Could not connect to 127.0.0.1")
        assert not app.screen.query_one("#check-again", Button).disabled


async def test_no_keyring_offers_the_ways_forward(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = make_app(workspace, secrets=KeyringSecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "Export user", key=KEY, base_url=sandbox.base_url)
        assert step_title(app) == "Export user"
        await pilot.click("#add-me")
        await settle(app, pilot)
        result = text_of(app, "#store-result")
        assert result.startswith("✗ This computer has no usable keyring")
        assert "SGTUI_API_KEY" in result
        assert app.screen.query_one("#no-store", Button).display
        await pilot.click("#no-store")
        await pilot.pause()
        assert "need SGTUI_API_KEY" in text_of(app, "#store-result")
        await next_step(app, pilot)
        await next_step(app, pilot)  # Save
        await settle(app, pilot)
        assert "Saved to sgtui.toml" in text_of(app, "#save-result")
    connection = Workspace.open(workspace.folder, user="alice").connections["marketing-sendgrid"]
    assert connection.export_users == ()
    assert KEY not in workspace.path.read_text(encoding="utf-8")
    assert not (workspace.folder / "keys.unencrypted").exists()
    assert not user_key_file().path.exists()


async def test_no_keyring_and_the_chosen_unencrypted_key_file(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = make_app(workspace, secrets=KeyringSecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_at_step(app, pilot, "Export user", key=KEY, base_url=sandbox.base_url)
        await pilot.click("#add-me")
        await settle(app, pilot)
        await pilot.click("#key-file")
        await pilot.pause()
        assert "plain text" in text_of(app, "#confirm-body")
        await pilot.click("#confirm-ok")
        await settle(app, pilot)
        assert "unencrypted, owner-only file keys.unencrypted" in text_of(app, "#store-result")
        await next_step(app, pilot)
        await next_step(app, pilot)
        await settle(app, pilot)
    key_file = user_key_file().path
    assert key_file.parent != workspace.folder
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert f"{account_name(workspace.id, 'marketing-sendgrid')}\t{KEY}" in key_file.read_text()
    assert Workspace.open(workspace.folder, user="alice").connections[
        "marketing-sendgrid"].export_users == ("alice",)


async def test_discarding_after_storing_forgets_the_key(
    workspace: Workspace, sandbox: SandboxServer, memory_keyring
) -> None:
    app = make_app(workspace, secrets=KeyringSecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "Export user", key=KEY, base_url=sandbox.base_url)
        await pilot.click("#add-me")
        await settle(app, pilot)
        assert memory_keyring.passwords
        await pilot.press("escape")
        await pilot.pause()
        assert "will be forgotten" in text_of(app, "#confirm-body")
        await pilot.click("#confirm-ok")
        await settle(app, pilot)
        assert isinstance(app.screen, ConnectionsScreen)
    assert memory_keyring.passwords == {}


async def test_step_indicator_follows_the_flow(workspace: Workspace) -> None:
    from sgtui.tui.widgets.step_indicator import StepIndicator

    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "a")
        await pilot.pause()
        indicator = step(app).query_one(StepIndicator)
        assert indicator.current == 0
        assert "[1 Name] › 2 Usable by › 3 API key" in str(indicator.render())
        await fill_name(app, pilot, "X")
        await next_step(app, pilot)
        indicator = step(app).query_one(StepIndicator)
        assert indicator.current == 1
        # The current step reads as such in plain text, not only in bold colour.
        assert "1 Name › [2 Usable by] › 3 API key" in str(indicator.render())


async def test_a_pasted_key_loses_stray_whitespace_and_stays_masked(
    workspace: Workspace,
) -> None:
    from textual import events

    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "API key", key="", base_url="http://127.0.0.1:9")
        field = app.screen.query_one("#api-key", Input)
        field.focus()
        field.post_message(events.Paste(f"  {KEY}\n"))
        await pilot.pause()
        await pilot.pause()
        assert field.value == KEY
        assert field.password
        assert "looks like a SendGrid API key" in text_of(app, "#key-hint")
        await pilot.press("f2")
        assert not field.password
        assert str(app.screen.query_one("#toggle-key", Button).label) == "Hide"
        field.value = "not-a-key"
        await pilot.pause()
        assert "does not look like a SendGrid API key" in text_of(app, "#key-hint")


async def test_tls_failure_is_a_sentence(workspace: Workspace, sandbox: SandboxServer) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    plain_http_as_https = sandbox.base_url.replace("http://", "https://")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "Connect", key=KEY, base_url=plain_http_as_https)
        result = text_of(app, "#connect-result")
        assert result.startswith("✗ The secure (TLS) connection to 127.0.0.1 failed")


async def test_rate_limit_is_a_sentence(workspace: Workspace) -> None:
    with SandboxServer(api_keys={KEY: {"marketing.read", "marketing.write"}},
                       rate_limit_other=0, rate_window_seconds=0.2) as sandbox:
        app = make_app(workspace, secrets=MemorySecrets())
        async with app.run_test(size=(80, 24)) as pilot:
            await open_at_step(app, pilot, "Connect", key=KEY, base_url=sandbox.base_url)
            result = text_of(app, "#connect-result")
            assert result.startswith("✗ SendGrid kept limiting how fast this API key")


async def test_a_key_with_a_letter_beyond_ascii_is_named_without_showing_it(
    workspace: Workspace,
) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    mangled = KEY[:12] + "é" + KEY[13:]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(app, pilot, "API key", key=mangled, base_url="http://127.0.0.1:9")
        await next_step(app, pilot)
        assert step_title(app) == "API key"
        said = problem(app)
        assert said.startswith("The key you entered holds a character outside plain ASCII")
        assert "at character 13" in said and KEY[13:] not in said
