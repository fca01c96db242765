"""Both wizards alike: the same keys move and save, Save and run now has a key, an unchanged
edit leaves without asking (issue 16, "Wizards alike")."""

from __future__ import annotations

import tomllib

from textual.widgets import Input, Select, SelectionList

from sgtui.sandbox import SandboxServer
from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.screens.connections import ConnectionsScreen
from sgtui.tui.screens.export_wizard import ExportWizardScreen
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.help import HelpScreen
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.export import ListPicker
from sgtui.workspace.model import ExportConfig
from tests.pilot_helpers import screen_plain_text, until
from tests.tui.exports.conftest import (
    MakeWorkspace,
    app_for,
    connection,
    segments_counted,
    settle,
)

MAPPING = {"email": "email", "first_name": "first_name"}


def footer_line(app) -> str:  # type: ignore[no-untyped-def]
    """The bottom line of the screen, as a text capture shows it."""
    return screen_plain_text(app).rstrip("\n").splitlines()[-1]


def step_title(app) -> str:  # type: ignore[no-untyped-def]
    """The title of the set-up step on screen."""
    return app.screen.STEP_TITLE


def with_export(workspace, sandbox: SandboxServer):  # type: ignore[no-untyped-def]
    """``workspace`` with one export, "spring", filling a new sandbox list."""
    made = sandbox.create_list("Spring")
    workspace.put_export(ExportConfig(name="spring", connection="marketing",
                                      list_id=made["id"], list_name="Spring",
                                      segments=("vip-europe",), mapping=MAPPING))
    workspace.save()
    return workspace


async def edit_spring(pilot) -> None:  # type: ignore[no-untyped-def]
    """From home: the exports screen, then Edit on the only export."""
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExportWizardScreen)


async def press(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle(pilot)


async def edit_first_connection(pilot) -> None:  # type: ignore[no-untyped-def]
    """From anywhere: the Connections screen, then Edit on the first connection."""
    await press(pilot, "c")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, SetupStep)


# -- the same keys ---------------------------------------------------------------------------
async def test_the_same_keys_go_back_next_and_save_in_both_wizards(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    workspace = with_export(make_workspace(connection("marketing", sandbox.base_url,
                                                      display="Marketing")), sandbox)
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        # The export wizard: Next, Back, Next to the review, Save.
        await edit_spring(pilot)
        wizard = app.screen
        assert "^o Back" not in footer_line(app) and "^n Next" in footer_line(app)
        await press(pilot, "ctrl+n")
        assert wizard.step.title == "Name"
        assert "^o Back" in footer_line(app)
        await press(pilot, "ctrl+o")
        assert wizard.step.title == "Connection"
        for _ in range(6):
            await press(pilot, "ctrl+n")
        assert wizard.step.title == "Review"
        assert "^s Save" in footer_line(app)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ExportsScreen)

        # The connection flow, on the same keys: Next, Back, then Save from the first step.
        await edit_first_connection(pilot)
        assert isinstance(app.screen, SetupStep) and app.screen.STEP_TITLE == "Name"
        assert "^n Next" in footer_line(app) and "^s Save" in footer_line(app)
        app.screen.query_one("#display-name", Input).value = "Marketing EU"
        await press(pilot, "ctrl+n")
        assert app.screen.STEP_TITLE == "Usable by"
        assert "^o Back" in footer_line(app)
        await press(pilot, "ctrl+o")
        assert app.screen.STEP_TITLE == "Name"
        assert app.screen.query_one("#display-name", Input).value == "Marketing EU"
        await press(pilot, "ctrl+s")  # straight to the Save step
        assert app.screen.STEP_TITLE == "Save"
        await press(pilot, "ctrl+s")  # and save
        assert "✓ Saved to sgtui.toml" in screen_plain_text(app)
        assert "^s Save" not in footer_line(app)  # saved: nothing left to save

    saved = tomllib.loads(workspace.path.read_text())
    assert saved["connections"]["marketing"]["display_name"] == "Marketing EU"
    assert saved["exports"]["spring"]["connection"] == "marketing"


async def test_save_from_an_earlier_step_waits_for_a_new_key_to_be_checked(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    from tests.tui.exports.conftest import WRONG_KEY

    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(120, 40)) as pilot:
        await edit_first_connection(pilot)
        await press(pilot, "ctrl+n")
        await press(pilot, "ctrl+n")
        assert app.screen.STEP_TITLE == "API key"
        app.screen.query_one("#api-key", Input).value = WRONG_KEY
        await press(pilot, "ctrl+s")
        assert app.screen.STEP_TITLE == "API key"
        assert ("A new API key is checked and stored before saving: press ctrl+n to go on."
                in screen_plain_text(app))


async def test_a_new_connection_saves_only_on_its_last_step(
        make_workspace: MakeWorkspace) -> None:
    app = app_for(make_workspace())
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "c")
        await press(pilot, "a")
        app.screen.query_one("#display-name", Input).value = "Marketing"
        for title in ("Name", "Usable by", "API key"):
            assert step_title(app) == title
            assert "^s Save" not in footer_line(app)
            await press(pilot, "ctrl+s")
            assert step_title(app) == title  # nothing skipped
            await press(pilot, "ctrl+n")


async def test_save_in_an_export_edit_goes_straight_to_the_review_then_saves(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    workspace = with_export(make_workspace(connection("marketing", sandbox.base_url)), sandbox)
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await edit_spring(pilot)
        await press(pilot, "ctrl+n")
        assert "^s Save" in footer_line(app)
        app.screen.query_one("#export-name", Input).value = "spring/2"
        await press(pilot, "ctrl+s")
        assert app.screen.step.title == "Name"  # the step on screen is checked first
        app.screen.query_one("#export-name", Input).value = "summer"
        await press(pilot, "ctrl+s")
        assert app.screen.step.title == "Review"
        assert "summer" in screen_plain_text(app)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ExportsScreen)
    assert list(tomllib.loads(workspace.path.read_text())["exports"]) == ["summer"]


# -- Save and run now --------------------------------------------------------------------------
async def test_the_save_and_run_key_saves_the_export_and_runs_it_against_the_sandbox(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "e")
        await press(pilot, "n")
        await press(pilot, "ctrl+n")  # the highlighted connection
        app.screen.query_one("#export-name", Input).value = "now"
        await press(pilot, "ctrl+n")
        newsletter = app.screen.query_one(ListPicker).lists[0]
        app.screen.query_one("#list-select", Select).value = newsletter.id
        await press(pilot, "ctrl+n")
        await press(pilot, "ctrl+n")  # the mapping as pre-filled
        app.screen.query_one(SelectionList).select("vip-europe")
        await segments_counted(pilot)
        await press(pilot, "ctrl+n")
        assert "^r Save and run now" not in footer_line(app)  # only on the review
        assert "^s Save" not in footer_line(app)  # a new export saves on its review only
        await press(pilot, "ctrl+s")
        assert app.screen.step.title == "Schedule"
        await press(pilot, "ctrl+n")
        assert app.screen.step.title == "Review"
        assert "^r Save and run now" in footer_line(app)

        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        assert "Save and run now" in screen_plain_text(app)
        await press(pilot, "escape")

        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, RunProgressScreen)
                    and not app.runs.latest().running, seconds=30)
        emails = sandbox.list_emails(newsletter.id)
    assert "now" in tomllib.loads(workspace.path.read_text())["exports"]
    assert emails, "the run put the segment's people on the list"


# -- an unchanged edit leaves without asking ---------------------------------------------------
async def test_escape_in_an_unchanged_export_edit_leaves_at_once_a_changed_one_asks(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    workspace = with_export(make_workspace(connection("marketing", sandbox.base_url)), sandbox)
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await edit_spring(pilot)
        await press(pilot, "escape")
        assert isinstance(app.screen, ExportsScreen)

        await edit_spring(pilot)  # walked through without changing anything
        for _ in range(4):
            await press(pilot, "ctrl+n")
        assert app.screen.step.title == "Segments"
        await press(pilot, "escape")
        assert isinstance(app.screen, ExportsScreen)

        await edit_spring(pilot)
        await press(pilot, "ctrl+n")
        app.screen.query_one("#export-name", Input).value = "summer"
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "n")  # Stay
        app.screen.query_one("#export-name", Input).value = "spring"  # as it was
        await press(pilot, "escape")
        assert isinstance(app.screen, ExportsScreen)


async def test_escape_in_an_unchanged_connection_edit_leaves_at_once_a_changed_one_asks(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(120, 40)) as pilot:
        await edit_first_connection(pilot)
        for _ in range(3):
            await press(pilot, "ctrl+n")
        assert app.screen.STEP_TITLE == "Consent"
        await press(pilot, "escape")
        assert isinstance(app.screen, ConnectionsScreen)

        await press(pilot, "enter")
        await press(pilot, "ctrl+n")
        await press(pilot, "down")
        await press(pilot, "enter")  # Administrators and contributors
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        assert "Discard your changes?" in screen_plain_text(app)


# -- renaming a connection ---------------------------------------------------------------------
async def test_rename_writes_the_new_display_name_keeps_a_teammates_edit_and_exports_still_run(
        make_workspace: MakeWorkspace, sandbox: SandboxServer) -> None:
    from sgtui.export.events import RunStatus
    from sgtui.tui.widgets.connection.rename import RenameConnectionModal
    from sgtui.workspace.config import Workspace
    from tests.tui.repeated_runs.helpers import run_number

    workspace = with_export(make_workspace(connection("marketing", sandbox.base_url,
                                                      display="Marketing")), sandbox)
    list_id = workspace.exports["spring"].list_id
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "c")
        assert "r Rename" in footer_line(app)
        await press(pilot, "r")
        assert isinstance(app.screen, RenameConnectionModal)
        assert "[connections.marketing]" in screen_plain_text(app)

        # Meanwhile a teammate adds an export user and makes the export manual.
        teammate = Workspace.open(workspace.folder, user="alice")
        from dataclasses import replace

        teammate.put_connection(replace(teammate.connections["marketing"],
                                        export_users=("alice", "carol")))
        from sgtui.workspace.model import Schedule

        teammate.put_export(replace(teammate.exports["spring"], schedule=Schedule.MANUAL))
        teammate.save()

        app.screen.query_one("#rename-name", Input).value = "Marketing EU"
        await press(pilot, "enter")
        assert isinstance(app.screen, ConnectionsScreen)
        shown = screen_plain_text(app)
        assert "Renamed “Marketing” to “Marketing EU”. Its 1 export still uses it." in shown
        assert "Marketing EU" in shown.split("Renamed")[0]  # the table row

        saved = tomllib.loads(workspace.path.read_text())
        assert saved["connections"]["marketing"]["display_name"] == "Marketing EU"
        assert saved["connections"]["marketing"]["export_users"] == ["alice", "carol"]
        assert saved["exports"]["spring"]["connection"] == "marketing"
        assert saved["exports"]["spring"]["schedule"] == "manual"

        await press(pilot, "e")
        await press(pilot, "r")  # run the export, on its renamed connection
        run = await run_number(pilot, 1)
        assert run.state.status is RunStatus.SUCCEEDED
    assert sandbox.list_emails(list_id), "the run filled the list"


async def test_rename_refuses_an_empty_or_taken_name_as_the_name_step_does(
        make_workspace: MakeWorkspace) -> None:
    from sgtui.tui.screens.connection_setup.name import display_name_problem
    from sgtui.tui.widgets.connection.rename import RenameConnectionModal

    workspace = make_workspace(connection("marketing", "http://127.0.0.1:9", display="Marketing"),
                               connection("sales", "http://127.0.0.1:9", display="Sales"))
    before = workspace.path.read_text()
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "c")
        await press(pilot, "r")  # on Marketing, the first row
        field = app.screen.query_one("#rename-name", Input)
        for typed, sentence in (("  ", "Enter a display name for the connection."),
                                ("SALES", "Another connection is already called “Sales”. "
                                          "Pick another name.")):
            assert display_name_problem(workspace, typed, "marketing") == sentence
            field.value = typed
            await press(pilot, "enter")
            assert isinstance(app.screen, RenameConnectionModal)
            assert sentence in screen_plain_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, ConnectionsScreen)
    assert workspace.path.read_text() == before


def test_rename_dialog_snapshot(make_workspace: MakeWorkspace, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_workspace(connection("marketing", "http://127.0.0.1:9",
                                            display="Marketing SendGrid")))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await press(pilot, "c")
        await press(pilot, "r")
        pilot.app.screen.query_one("#rename-name", Input).value = ""
        await press(pilot, "enter")  # the sentence under the field

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_renaming_a_connection_a_teammate_just_removed_says_so(
        make_workspace: MakeWorkspace) -> None:
    from sgtui.workspace.config import Workspace

    workspace = make_workspace(connection("marketing", "http://127.0.0.1:9", display="Marketing"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "c")
        await press(pilot, "r")
        teammate = Workspace.open(workspace.folder, user="alice")
        teammate.remove_connection("marketing")
        teammate.save()
        app.screen.query_one("#rename-name", Input).value = "Marketing EU"
        await press(pilot, "enter")
        assert ("“Marketing” was not renamed: someone removed it from sgtui.toml meanwhile."
                in screen_plain_text(app))
    assert "marketing" not in tomllib.loads(workspace.path.read_text()).get("connections", {})
