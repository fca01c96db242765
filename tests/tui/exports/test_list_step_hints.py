"""The list step's hints follow its mode: pick from the account, create a list, type an ID."""

from __future__ import annotations

from textual.widgets import Input, Select

from sgtui.tui.widgets.export import ListPicker
from sgtui.tui.widgets.export.list_picker import MODE_HINTS, NEW_LIST, TYPED_ID
from tests.pilot_helpers import text
from tests.tui.exports.conftest import (
    app_for,
    connection,
    next_step,
    open_wizard,
    problem_text,
    settle,
)


async def go_to_list_step(pilot) -> None:  # type: ignore[no-untyped-def]
    await open_wizard(pilot)
    await next_step(pilot)
    pilot.app.screen.query_one("#export-name", Input).value = "spring"
    await next_step(pilot)


async def choose_mode(pilot, mode: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#list-select", Select).value = mode
    await settle(pilot)


def hints(app) -> str:  # type: ignore[no-untyped-def]
    """What the step says under its choices, and the wizard's line under the step."""
    return text(app.screen, "#list-note") + "\n" + problem_text(app)


async def test_the_hint_follows_the_mode(make_workspace, sandbox) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)

        await choose_mode(pilot, NEW_LIST)
        assert text(app.screen, "#list-note") == MODE_HINTS[NEW_LIST]
        await next_step(pilot)  # no name typed yet
        assert "Type a name for the new list" in hints(app)

        await choose_mode(pilot, TYPED_ID)
        assert "new list" not in hints(app)
        assert text(app.screen, "#list-note") == MODE_HINTS[TYPED_ID]
        assert problem_text(app) == ""

        app.screen.query_one("#typed-list-id", Input).value = "no-such-list"
        await next_step(pilot)
        assert "no contact list with the ID 'no-such-list'" in hints(app)
        assert "Checking" not in hints(app), "the question is answered"

        await choose_mode(pilot, NEW_LIST)
        assert "no-such-list" not in hints(app) and "ID" not in problem_text(app)
        assert text(app.screen, "#list-note") == MODE_HINTS[NEW_LIST]

        first = app.screen.query_one(ListPicker).lists[0]
        await choose_mode(pilot, first.id)
        assert hints(app).strip() == ""
