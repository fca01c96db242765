"""The whole set-up flow against a real sandbox, checked where a user (and an auditor) would."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from sgtui.sandbox import SandboxServer
from sgtui.tui.app import make_app
from sgtui.tui.screens.connections import ConnectionsScreen
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import SERVICE, KeyringSecrets, account_name

from .conftest import KEY
from .helpers import (
    agree,
    choose_shared,
    fill_key,
    fill_name,
    next_step,
    problem,
    settle,
    step_title,
    text_of,
)


def sandbox_requests(sandbox: SandboxServer) -> int:
    """How many API requests the sandbox has answered so far."""
    stats = sandbox.stats()
    counts = stats.get("requests", {})
    return sum(counts.values()) if isinstance(counts, dict) else int(counts or 0)


async def test_admin_sets_up_a_connection_from_name_to_save(
    workspace: Workspace, sandbox: SandboxServer, memory_keyring, tmp_path
) -> None:
    app = make_app(workspace, secrets=KeyringSecrets())
    before = datetime.now(UTC) - timedelta(seconds=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConnectionsScreen)
        await pilot.press("a")
        await pilot.pause()

        assert step_title(app) == "Name"
        await fill_name(app, pilot, "Marketing SendGrid")
        assert "[connections.marketing-sendgrid]" in text_of(app, "#name-key")
        await next_step(app, pilot)

        assert step_title(app) == "Usable by"
        await choose_shared(app, pilot)
        await next_step(app, pilot)

        assert step_title(app) == "API key"
        await fill_key(app, pilot, KEY, sandbox.base_url)
        assert "looks like a SendGrid API key" in text_of(app, "#key-hint")
        await next_step(app, pilot)

        assert step_title(app) == "Consent"
        await next_step(app, pilot)  # not ticked: stays, and says why
        assert step_title(app) == "Consent"
        assert "I agree" in problem(app)
        assert sandbox_requests(sandbox) == 0, "nothing may reach SendGrid before consent"
        await agree(app, pilot)
        await next_step(app, pilot)

        assert step_title(app) == "Connect"
        await settle(app, pilot)
        assert text_of(app, "#connect-result").startswith("✓ Connected.")
        assert "add and remove contacts" in text_of(app, "#connect-result")
        await next_step(app, pilot)

        assert step_title(app) == "Export user"
        await pilot.click("#add-me")
        await settle(app, pilot)
        assert "in alice's keyring on this computer" in text_of(app, "#store-result")
        await next_step(app, pilot)

        assert step_title(app) == "Save"
        assert "alice (your key is in alice's keyring on this computer)" in text_of(
            app, "#save-summary")
        await next_step(app, pilot)  # Save
        await settle(app, pilot)
        assert "Saved to sgtui.toml" in text_of(app, "#save-result")
        app.save_screenshot("saved.svg", str(tmp_path))
        await next_step(app, pilot)  # Done
        assert isinstance(app.screen, ConnectionsScreen)
        app.save_screenshot("connections.svg", str(tmp_path))

    text = workspace.path.read_text(encoding="utf-8")
    saved = tomllib.loads(text)["connections"]["marketing-sendgrid"]
    assert saved["display_name"] == "Marketing SendGrid"
    assert saved["usable_by"] == "admins_and_contributors"
    assert saved["base_url"] == sandbox.base_url
    assert saved["export_users"] == ["alice"]
    assert saved["consent"]["accepted_by"] == "alice"
    assert before <= saved["consent"]["accepted_at"] <= datetime.now(UTC)
    account = account_name(workspace.id, "marketing-sendgrid")
    assert memory_keyring.passwords == {(SERVICE, account): KEY}
    assert KEY not in text
    for screenshot in tmp_path.glob("*.svg"):
        assert KEY not in screenshot.read_text(encoding="utf-8")
        assert KEY[3:20] not in screenshot.read_text(encoding="utf-8")


def test_no_snapshot_shows_the_key() -> None:
    from pathlib import Path

    from .conftest import OTHER_KEY

    snapshots = list((Path(__file__).parent / "__snapshots__").rglob("*.svg"))
    assert snapshots, "the snapshot tests write these"
    for snapshot in snapshots:
        text = snapshot.read_text(encoding="utf-8")
        for secret in (KEY, OTHER_KEY):
            assert secret not in text and secret[3:25] not in text, snapshot.name
