"""The Schedule screen: the texts to install, copy to the clipboard, the last refresh."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import Static

from sgtui.cli import main
from sgtui.commands.run import summary_json
from sgtui.export.events import RunStatus, RunSummary
from sgtui.export.schedule_units import crontab_line, service_unit, timer_unit
from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.tui.app import SgtuiApp, make_app
from sgtui.tui.screens.home import HomeScreen
from sgtui.tui.screens.schedule import ScheduleScreen
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, MemorySecrets, account_name
from sgtui.workspace.state import StateStore

from .conftest import FIXED_COMMAND, KEY, add_exports

FINISHED = datetime(2026, 11, 28, 10, 17, 42, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0, seed=2) as server:
        yield server


def shown(app: SgtuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def everything_shown(app: SgtuiApp) -> str:
    return "\n".join(str(static.render()) for static in app.screen.query(Static))


async def outcome_loaded(app: SgtuiApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the thread worker to read the last refresh."""
    await app.screen.workers.wait_for_complete()
    await pilot.pause()


def write_outcome(workspace: Workspace) -> None:
    """A last-refresh.json exactly as ``sgtui refresh`` writes it (one export failed)."""
    ok = RunSummary(run_id=7, export="news", status=RunStatus.SUCCEEDED,
                    sentence="Sent 42 contacts to Newsletter in 0:02: 40 created, 2 updated.",
                    started_at=FINISHED - timedelta(seconds=2), finished_at=FINISHED,
                    profiles=45, valid=42, uploaded=42, created=40, updated=2, batches=1,
                    jobs=("job-1",))
    outcome = {
        "finished_at": FINISHED.isoformat(timespec="seconds"),
        "exports": [summary_json(ok), {
            "export": "vip", "status": "failed",
            "sentence": "The connection 'sandbox' has no export user with a key here.",
        }],
        "failed": 1,
        "ok": False,
    }
    (workspace.runs_folder / "last-refresh.json").write_text(
        json.dumps(outcome, ensure_ascii=False, indent=1))
    store = StateStore(workspace.state_path)
    run_id = store.start_run("news", dry_run=False, full=False, pid=1,
                             started_at=ok.started_at)
    store.finish_run(replace(ok, run_id=run_id))


@pytest.fixture
def refreshed(workspace: Workspace, sandbox: SandboxServer) -> Workspace:
    """The workspace after a real ``sgtui refresh`` filled its scheduled export's list."""
    created = sandbox.create_list("Newsletter")
    add_exports(workspace, sandbox.base_url, created["id"])
    KeyringSecrets().set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    assert main(["refresh", "--workspace", str(workspace.folder)]) == 0
    assert sandbox.list_emails(created["id"])
    return workspace


async def test_a_real_refresh_shows_its_outcome_and_which_exports_it_runs(
        refreshed: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = refreshed
    monkeypatch.setenv("SGTUI_API_KEY", KEY)  # as a cron host would have it

    app = make_app(Workspace.open(workspace.folder), secrets=MemorySecrets())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ScheduleScreen())
        await outcome_loaded(app, pilot)
        outcome = shown(app, "#last-refresh")
        assert "the 1 export succeeded" in outcome
        assert "news" in outcome and "Sent " in outcome
        exports = shown(app, "#scheduled-exports").splitlines()
        assert any(line.split()[:6] == ["news", "with", "the", "refresh", "last", "run"]
                   and "succeeded" in line for line in exports)
        assert any(line.split()[:5] == ["archive", "manual", "only", "never", "run"]
                   for line in exports)
        # The running sgtui on this very workspace, and no key anywhere on the screen.
        assert f"--workspace '{workspace.folder}'" in shown(app, "#crontab-line")
        for action in ("1", "2", "3"):
            await pilot.press(action)
            assert KEY not in app.clipboard
        assert KEY not in everything_shown(app)


async def test_before_any_refresh_the_screen_says_nothing_has_run(workspace: Workspace) -> None:
    assert not (workspace.folder / "runs").exists()
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)
        assert shown(app, "#last-refresh").startswith(
            "Nothing has run yet: no refresh has finished in this workspace.")
        assert "No export is defined yet" in shown(app, "#scheduled-exports")
    assert (workspace.folder / "runs").is_dir()  # the crontab line's log can be appended to


async def test_a_demo_workspace_is_said_to_be_throwaway(workspace: Workspace) -> None:
    from sgtui.tui.app import DemoInfo

    plain = make_app(workspace, secrets=MemorySecrets())
    async with plain.run_test(size=(80, 24)) as pilot:
        await plain.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(plain, pilot)
        assert not plain.screen.query("#schedule-demo")
    app = make_app(workspace, secrets=MemorySecrets(),
                   demo=DemoInfo(sandbox_url="http://127.0.0.1:9", api_key=None, profiles=10))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)
        assert shown(app, "#schedule-demo").startswith("This is a throwaway demo workspace")


async def test_copy_puts_each_text_on_the_clipboard_and_escape_goes_back(
        workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await pilot.press("1")
        assert app.clipboard == crontab_line(FIXED_COMMAND)
        await pilot.press("2")
        assert app.clipboard == service_unit(FIXED_COMMAND)
        await pilot.press("3")
        assert app.clipboard == timer_unit()
        assert "Copied the timer unit to the clipboard." in [
            n.message for n in app._notifications]
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_broken_outcome_file_is_one_sentence(workspace: Workspace) -> None:
    (workspace.runs_folder / "last-refresh.json").write_text("[/bold]{")
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)
        assert shown(app, "#last-refresh").endswith(
            "last-refresh.json is not valid JSON; the next refresh writes it again.")


async def test_a_failed_refresh_names_the_export_and_its_sentence(workspace: Workspace) -> None:
    add_exports(workspace, "http://127.0.0.1:9", "list-1")
    write_outcome(workspace)
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)
        lines = shown(app, "#last-refresh").splitlines()
        assert lines[0] == "Finished 2026-11-28 10:17: 1 of 2 exports failed."
        assert lines[2].split()[:2] == ["vip", "failed"]
        assert lines[2].endswith("has no export user with a key here.")


# ---------------------------------------------------------------------------- snapshots
def test_snapshot_first_time_at_80x24(snap_compare, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    app = make_app(workspace, secrets=MemorySecrets())

    async def open_schedule(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_schedule)


def test_snapshot_scrolled_to_systemd_at_80x24(snap_compare, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    add_exports(workspace, "http://127.0.0.1:9", "list-1")
    write_outcome(workspace)
    app = make_app(workspace, secrets=MemorySecrets())

    async def open_and_scroll(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)
        app.screen.query_one("#service-unit").scroll_visible(top=True, animate=False)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_and_scroll)


def test_snapshot_with_the_last_refresh_at_120x40(snap_compare, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    add_exports(workspace, "http://127.0.0.1:9", "list-1")
    write_outcome(workspace)
    app = make_app(workspace, secrets=MemorySecrets())

    async def open_schedule(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await app.push_screen(ScheduleScreen(FIXED_COMMAND))
        await outcome_loaded(app, pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_schedule)


async def test_c_and_s_mean_on_the_schedule_screen_what_they_mean_everywhere(
        workspace: Workspace) -> None:
    from sgtui.tui.screens.connections import ConnectionsScreen

    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, ScheduleScreen)
        assert "1, 2 and 3 copy the texts below" in shown(app, "#schedule-intro")
        await pilot.press("c")
        assert isinstance(app.screen, ConnectionsScreen)
        assert app.clipboard == ""  # c opened Connections; it copied nothing
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
