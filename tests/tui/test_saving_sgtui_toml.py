"""Every screen that writes sgtui.toml: a teammate's edit survives it, a failed save is a
sentence and leaves the app showing what the file holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from sgtui.tui.app import SgtuiApp, make_app
from sgtui.workspace.config import Workspace
from sgtui.workspace.model import ConnectionConfig, ExportConfig, Schedule
from sgtui.workspace.secrets import MemorySecrets
from tests.tui.connections.helpers import open_at_step
from tests.workspace_helpers import fill_the_disk, in_memory_is_the_file

KEY = "SG." + "a" * 22 + "." + "b" * 43
NOWHERE = "http://127.0.0.1:9"
FULL_DISK = "sgtui.toml could not be written (No space left on device); nothing was changed."


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    """The demo workspace (alice is admin) with one connection and one export using it."""
    workspace.put_connection(ConnectionConfig(name="marketing", display_name="Marketing",
                                              base_url=NOWHERE))
    workspace.put_export(ExportConfig(name="spring", connection="marketing", list_id="l1",
                                      segments=("high-value",), mapping={"email": "email"}))
    workspace.save()
    return workspace


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def shown(app: SgtuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def notified(app: SgtuiApp) -> str:
    return "\n".join(notification.message for notification in app._notifications)


# -- each writer: what the user does, where the app answers, and what lands in the file ----
async def set_up_a_connection(pilot: Pilot) -> str:
    await open_at_step(pilot.app, pilot, "Save", key=KEY, base_url=NOWHERE, name="EU account")
    await pilot.press("ctrl+n")  # Save
    await settle(pilot)
    return shown(pilot.app, "#setup-problem") + shown(pilot.app, "#save-result")


async def make_dave_an_admin(pilot: Pilot) -> str:
    await pilot.press("c", "m")
    await pilot.pause()
    pilot.app.screen.query_one("#access-user", Input).value = "dave"
    await pilot.click("#make-admin")
    await settle(pilot)
    return shown(pilot.app, "#access-status")


async def remove_the_connection(pilot: Pilot) -> str:
    await pilot.press("c")
    await pilot.pause()
    await pilot.press("d")
    await pilot.pause()
    await pilot.click("#remove-detach")  # the export stays, without a connection
    await settle(pilot)
    return shown(pilot.app, "#connections-status")


async def edit_the_export_in_the_wizard(pilot: Pilot) -> str:
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("e")  # edit the selected export
    await settle(pilot)
    wizard = pilot.app.screen
    wizard.draft.schedule = Schedule.MANUAL
    await wizard._show(len(wizard.steps) - 1)  # straight to the review
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    return notified(pilot.app) + (shown(pilot.app, "#wizard-problem")
                                  if pilot.app.screen is wizard else "")


async def switch_the_schedule_off(pilot: Pilot) -> str:
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)
    return notified(pilot.app)


async def remove_the_export(pilot: Pilot) -> str:
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("delete")
    await pilot.pause()
    await pilot.click("#confirm-ok")
    await settle(pilot)
    return notified(pilot.app)


@dataclass(frozen=True)
class Writer:
    act: Callable[[Pilot], Awaitable[str]]
    landed: Callable[[Workspace], bool]


WRITERS = {
    "connection set-up": Writer(set_up_a_connection,
                                lambda ws: "eu-account" in ws.connections),
    "access screen": Writer(make_dave_an_admin, lambda ws: "dave" in ws.access.admins),
    "connections screen": Writer(remove_the_connection,
                                 lambda ws: "marketing" not in ws.connections),
    "export wizard": Writer(edit_the_export_in_the_wizard,
                            lambda ws: ws.exports["spring"].schedule is Schedule.MANUAL),
    "exports: schedule": Writer(switch_the_schedule_off,
                                lambda ws: ws.exports["spring"].schedule is Schedule.MANUAL),
    "exports: remove": Writer(remove_the_export, lambda ws: "spring" not in ws.exports),
}


def a_teammate_adds_an_export(workspace: Workspace) -> None:
    bob = Workspace.open(workspace.folder, user="bob")
    bob.apply_and_save(lambda ws: ws.put_export(ExportConfig(
        name="bobs", connection="marketing", list_id="l2", segments=("vip-europe",),
        mapping={"email": "email"})))


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
async def test_a_save_keeps_what_a_teammate_saved_meanwhile(workspace: Workspace,
                                                            writer: Writer) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        a_teammate_adds_an_export(workspace)
        answer = await writer.act(pilot)
        assert "could not" not in answer
    on_disk = Workspace.open(workspace.folder, user="alice")
    assert writer.landed(on_disk)
    assert "bobs" in on_disk.exports
    assert in_memory_is_the_file(app.workspace)


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
async def test_a_failed_save_is_a_sentence_and_the_app_shows_the_file(
    workspace: Workspace, writer: Writer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        a_teammate_adds_an_export(workspace)
        fill_the_disk(monkeypatch)
        answer = await writer.act(pilot)
        assert FULL_DISK in answer
        assert "Traceback" not in answer
    assert not writer.landed(app.workspace)
    assert in_memory_is_the_file(app.workspace)
    assert "bobs" in app.workspace.exports, "the failed save reloaded the file"
