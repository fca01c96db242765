"""The exports screen: every export, searchable, with its actions and who may use them."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Input

from sgtui.export.events import RunStatus, RunSummary
from sgtui.tui.screens.export_wizard import ExportWizardScreen
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.workspace.model import ExportConfig, Schedule
from sgtui.workspace.state import StateStore
from tests.tui.exports.conftest import app_for, connection, screen_text, settle

LIST_ID = "6b1a3b7c-0000-4000-8000-000000000001"
MAPPING = {"email": "email", "first_name": "first_name"}


def export(name: str, conn: str | None = "marketing", **changes: object) -> ExportConfig:
    values: dict[str, object] = dict(name=name, connection=conn, list_id=LIST_ID,
                                     list_name="Newsletter", segments=("high-value",),
                                     mapping=MAPPING)
    values.update(changes)
    return ExportConfig(**values)  # type: ignore[arg-type]


def with_exports(workspace, *exports: ExportConfig):  # type: ignore[no-untyped-def]
    for item in exports:
        workspace.put_export(item)
    workspace.save()
    return workspace


def rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#exports-table", DataTable)
    if not table.display:
        return []
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def saved(workspace) -> dict:  # type: ignore[no-untyped-def]
    return tomllib.loads(workspace.path.read_text()).get("exports", {})


async def open_exports(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExportsScreen)


async def test_every_export_is_listed_with_its_list_segments_schedule_and_last_run(
        make_workspace) -> None:
    workspace = with_exports(
        make_workspace(connection("marketing", "http://127.0.0.1:9", display="Marketing")),
        export("spring"), export("old", None, schedule=Schedule.MANUAL))
    store = StateStore(workspace.state_path)
    started = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    run_id = store.start_run("spring", dry_run=False, full=False, pid=1, started_at=started)
    store.finish_run(RunSummary(run_id, "spring", RunStatus.SUCCEEDED, "Done.", started,
                                started, uploaded=1234, valid=1234))
    app = app_for(workspace)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_exports(pilot)
        listed = rows(app)
        assert listed[0][:5] == ["old", "(detached)", "Newsletter", "High value", "on demand"]
        assert listed[0][5] == "never"
        assert listed[1][:5] == ["spring", "Marketing", "Newsletter", "High value",
                                 "every refresh"]
        assert listed[1][5].startswith("succeeded · ")
        assert LIST_ID in screen_text(app)  # the full ID in the details below
        app.screen.query_one("#exports-table", DataTable).move_cursor(row=1)
        await pilot.pause()
        assert "1,234 contacts" in screen_text(app)  # and the last run's count

        await pilot.press("slash")
        app.screen.query_one("#exports-search", Input).value = "SPR"
        await pilot.pause()
        assert [row[0] for row in rows(app)] == ["spring"]
        app.screen.query_one("#exports-search", Input).value = "nothing like it"
        await pilot.pause()
        assert "No export matches" in screen_text(app)


async def test_a_missing_state_database_shows_never(make_workspace) -> None:
    workspace = with_exports(make_workspace(connection("marketing", "http://127.0.0.1:9")),
                             export("spring"))
    app = app_for(workspace)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_exports(pilot)
        assert rows(app)[0][5] == "never"
    assert not workspace.state_path.exists()


async def test_no_exports_yet_says_what_to_do(make_workspace) -> None:
    app = app_for(make_workspace())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exports(pilot)
        assert "No exports yet. Press n to define one" in screen_text(app)


async def test_schedule_detach_and_remove_write_the_file(make_workspace) -> None:
    workspace = with_exports(make_workspace(connection("marketing", "http://127.0.0.1:9")),
                             export("spring"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert saved(workspace)["spring"]["schedule"] == "manual"
        await pilot.press("o")
        await settle(pilot)
        assert saved(workspace)["spring"]["schedule"] == "refresh"

        await pilot.press("x")
        await pilot.press("y")
        await settle(pilot)
        assert "connection" not in saved(workspace)["spring"]
        assert rows(app)[0][1] == "(detached)"

        await pilot.press("delete")
        await pilot.press("escape")  # changed their mind
        await settle(pilot)
        assert "spring" in saved(workspace)
        await pilot.press("delete")
        await pilot.click("#confirm-ok")
        await settle(pilot)
        assert saved(workspace) == {}
        assert "No exports yet" in screen_text(app)


async def test_duplicate_opens_the_wizard_on_a_copy(make_workspace) -> None:
    workspace = with_exports(make_workspace(connection("marketing", "http://127.0.0.1:9")),
                             export("spring"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ExportWizardScreen)
        assert app.screen.draft.name == "spring-copy"
        assert app.screen.draft.original_name is None
        assert app.screen.draft.list_id == LIST_ID
        await pilot.press("ctrl+n")
        app.screen.query_one("#export-name", Input).value = "spring"
        await pilot.press("ctrl+n")
        assert "There is already an export called 'spring'" in screen_text(app)
    assert list(saved(workspace)) == ["spring"]  # nothing saved until Save


async def test_run_now_runs_with_a_key_and_explains_without_one(make_workspace,
                                                                monkeypatch) -> None:
    workspace = with_exports(
        make_workspace(connection("marketing", "http://127.0.0.1:9"),
                       connection("shared", "http://127.0.0.1:9", shared=True,
                                  display="Shared", export_users=()),
                       ),
        export("spring"), export("bobs", "shared"))
    app = app_for(workspace)
    started: list[str] = []
    monkeypatch.setattr(app, "start_run", lambda name, **_: started.append(name))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await open_exports(pilot)
        await pilot.press("r")  # "bobs" is first: nobody has a key for Shared
        await settle(pilot)
        assert started == []
        assert any("no API key for Shared" in n.message and "next refresh" in n.message
                   for n in app._notifications)
        await pilot.press("down", "r")
        await settle(pilot)
        assert started == ["spring"]

        started.clear()
        await pilot.press("R")  # run all scheduled: both are, only "spring" has a key
        await pilot.press("y")
        await settle(pilot)
        assert started == ["spring"]


async def test_a_contributor_edits_on_shared_connections_only(make_workspace) -> None:
    workspace = with_exports(
        make_workspace(connection("private", "http://127.0.0.1:9", display="Admins only"),
                       connection("shared", "http://127.0.0.1:9", shared=True,
                                  display="Shared"),
                       user="bob"),
        export("a-private", "private"), export("b-shared", "shared"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await open_exports(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportsScreen)
        assert any("only administrators may use" in n.message for n in app._notifications)
        assert "Read-only for you" in screen_text(app)
        await pilot.press("down", "e")
        await settle(pilot)
        assert isinstance(app.screen, ExportWizardScreen)
        assert app.screen.draft.original_name == "b-shared"


async def test_a_viewer_sees_everything_read_only(make_workspace) -> None:
    workspace = with_exports(make_workspace(connection("marketing", "http://127.0.0.1:9"),
                                            user="carol"), export("spring"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_exports(pilot)
        assert "You can look at the exports here" in screen_text(app)
        assert [row[0] for row in rows(app)] == ["spring"]
        shown = {active.binding.action for active in app.screen.active_bindings.values()
                 if active.enabled}
        assert not shown & {"new_export", "edit_export", "run_export", "remove_export"}
        depth = len(app.screen_stack)
        for key in ("n", "e", "enter", "r", "o", "x", "delete", "d", "R"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ExportsScreen)
            assert len(app.screen_stack) == depth
    assert saved(workspace)["spring"]["schedule"] == "refresh"


async def test_unreadable_customer_data_is_one_sentence_in_the_wizard(make_workspace) -> None:
    workspace = make_workspace(connection("marketing", "http://127.0.0.1:9"))
    workspace.source_path.unlink()
    app = app_for(workspace)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.draft.list_id, app.screen.draft.list_checked = LIST_ID, True
        await app.screen._show(3)  # straight to data matching
        await settle(pilot)
        assert "customer database" in screen_text(app) and "does not exist" in screen_text(app)
        await pilot.press("ctrl+n")
        assert app.screen.step.title == "Data matching"


async def test_a_failed_save_is_one_sentence_and_changes_nothing(make_workspace,
                                                                 monkeypatch) -> None:
    workspace = with_exports(make_workspace(connection("marketing", "http://127.0.0.1:9")),
                             export("spring"))

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workspace, "save", disk_full)
    app = app_for(workspace)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await open_exports(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert any("could not be written (No space left on device)" in n.message
                   for n in app._notifications)
        assert rows(app)[0][4] == "every refresh"
    assert workspace.exports["spring"].schedule is Schedule.REFRESH



@pytest.mark.parametrize("user", ["alice", "carol"])  # an administrator, a viewer
async def test_s_opens_the_schedule_screen_from_exports_as_everywhere(make_workspace,
                                                                      user: str) -> None:
    from sgtui.tui.screens.schedule import ScheduleScreen

    workspace = with_exports(make_workspace(connection("marketing", "http://127.0.0.1:9"),
                                            user=user), export("spring"))
    app = app_for(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_exports(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)
    assert saved(workspace)["spring"]["schedule"] == "refresh"  # s switched nothing
