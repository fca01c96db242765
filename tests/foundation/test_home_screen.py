"""The home screen: whose workspace, which role, and the way to everything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.tui.app import make_app
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import MemorySecrets


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)  # a relative folder keeps snapshots free of tmp paths
    return prepare_demo_workspace(Path("ws"), profiles=400, seed=2, user="alice")


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).render())


async def test_home_shows_workspace_user_role_and_data(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        facts = text_of(app, "#workspace-facts")
        assert "ws" in facts and "alice (Administrator)" in facts
        assert "400 profiles in segments, 6 segments" in text_of(app, "#data-line")


@pytest.mark.parametrize(("key", "screen"), [("c", "ConnectionsScreen"), ("e", "ExportsScreen"),
                                             ("h", "HistoryScreen"), ("s", "ScheduleScreen"),
                                             ("i", "CsvImportScreen")])
async def test_keys_lead_to_each_area_and_escape_comes_back(workspace, key, screen) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert type(app.screen).__name__ == screen
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_enter_on_the_menu_opens_the_highlighted_area(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExportsScreen"


async def test_a_viewer_is_told_what_they_can_do(workspace: Workspace) -> None:
    app = make_app(workspace.as_user("eve"), secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        facts = text_of(app, "#workspace-facts")
        assert "eve (Viewer)" in facts
        assert "an administrator can make you a contributor" in facts


async def test_missing_customer_data_is_a_sentence_not_a_crash(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "empty", user="alice")
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "does not exist. Import a CSV" in text_of(app, "#data-line")


def test_home_snapshot_80x24(workspace: Workspace, snap_compare) -> None:
    app = make_app(workspace, secrets=MemorySecrets())

    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


async def test_the_history_entry_counts_runs_from_the_state_database(workspace) -> None:
    import os

    from sgtui.workspace.config import now_utc
    from sgtui.workspace.state import StateStore

    store = StateStore(workspace.state_path)
    for _ in range(2):
        store.start_run("spring", dry_run=True, full=False, pid=os.getpid(),
                        started_at=now_utc())
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        menu = app.screen.query_one("#home-menu")
        history = str(menu.get_option("history").prompt)
        assert "2 runs" in history and "nothing has run yet" not in history
