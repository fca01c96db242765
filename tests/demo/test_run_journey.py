"""A real run from the app: demo data into the sandbox, exactly the expected contacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import text, until

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.export.events import RunStatus
from sgtui.sandbox import SandboxServer
from sgtui.tui.app import make_app
from sgtui.tui.runs import registry
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig
from sgtui.workspace.secrets import ApiKey, MemorySecrets, account_name

from .conftest import DEMO_KEY, expected_emails

SEGMENTS = ["newsletter-optin", "high-value"]


def configure(workspace: Workspace, sandbox: SandboxServer, secrets: MemorySecrets) -> str:
    """The connection and export a user would set up, written to sgtui.toml directly."""
    newsletter = next(item for item in sandbox_lists(sandbox) if item["name"] == "Newsletter")
    workspace.put_connection(ConnectionConfig(
        name="demo", display_name="Demo SendGrid", base_url=sandbox.base_url,
        export_users=("alice",), consent=Consent("alice", now_utc()),
    ))
    workspace.put_export(ExportConfig(
        name="newsletter", connection="demo", list_id=newsletter["id"], segments=tuple(SEGMENTS),
        mapping={"email": "email", "first_name": "first_name", "last_name": "last_name"},
    ))
    workspace.save()
    secrets.set(account_name(workspace.id, "demo"), ApiKey(DEMO_KEY))
    return newsletter["id"]


def sandbox_lists(sandbox: SandboxServer) -> list[dict]:
    import httpx

    answer = httpx.get(f"{sandbox.base_url}/v3/marketing/lists",
                       headers={"Authorization": f"Bearer {DEMO_KEY}"})
    return answer.json()["result"]


async def test_run_from_the_app_puts_exactly_the_segment_contacts_on_the_list(
    demo_workspace: Workspace, sandbox: SandboxServer
) -> None:
    secrets = MemorySecrets()
    list_id = configure(demo_workspace, sandbox, secrets)
    app = make_app(demo_workspace, secrets=secrets)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_run("newsletter")
        await until(pilot, lambda: bool(registry(app)) and not registry(app).running(),
                    seconds=30)
        handle = registry(app).latest()
        assert handle.state.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), \
            handle.state.summary_line()
        await until(pilot, lambda: text(app.screen, "#run-summary") != "")
        assert isinstance(app.screen, RunProgressScreen)
        assert DEMO_KEY not in app.export_screenshot()

    expected = expected_emails(demo_workspace.source_path, SEGMENTS)
    assert sorted(sandbox.list_emails(list_id)) == sorted(expected)
    assert handle.state.uploaded == len(expected)


async def test_cancelling_a_real_run_says_what_sendgrid_accepted(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sgtui.tui import runs

    monkeypatch.setattr(runs, "CANCEL_GRACE", 1.0)  # the engine waits on SendGrid: insist soon
    workspace = prepare_demo_workspace(tmp_path / "big", profiles=20_000, seed=3, user="alice")
    secrets = MemorySecrets()
    configure(workspace, sandbox, secrets)
    sandbox.rate_limit_contacts = 1  # one upload a minute: the run waits on SendGrid's limit
    app = make_app(workspace, secrets=secrets)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_run("newsletter")
        handle = registry(app).latest()
        await until(pilot, lambda: handle.state.accepted_batches > 0, seconds=30)
        await pilot.press("x", "y")
        await until(pilot, lambda: not handle.running, seconds=30)
        assert handle.state.status is RunStatus.CANCELLED
        await until(pilot, lambda: text(app.screen, "#run-summary") != "")
        summary = text(app.screen, "#run-summary")
        assert f"{handle.state.uploaded:,} contacts" in summary and "accepted" in summary
        assert handle.state.uploaded < handle.state.counts.valid
