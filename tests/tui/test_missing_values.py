"""A value the data lacks reads "(none)" wherever it is shown, never as a blank."""

from __future__ import annotations

from textual.app import App, ComposeResult

from sgtui.export.events import RejectedRow
from sgtui.export.progress_state import RunProgressState
from sgtui.export.wording import MISSING, shown
from sgtui.tui.widgets.export.contact_preview import ContactPreview
from sgtui.tui.widgets.progress.tables import RejectedRowsTable
from tests.pilot_helpers import screen_plain_text


def test_a_missing_value_is_shown_as_none() -> None:
    assert MISSING == "(none)"
    assert [shown(value) for value in (None, "", "   ", "\t")] == [MISSING] * 4
    assert shown("ana@example.com") == "ana@example.com" and shown(0) == "0"


class Rejected(App[None]):
    def compose(self) -> ComposeResult:
        yield RejectedRowsTable()


async def test_the_rejected_rows_table_never_shows_a_blank_email_or_key() -> None:
    app = Rejected()
    state = RunProgressState(rejected=[
        RejectedRow("c-1", "", "missing email"),
        RejectedRow("c-2", "   ", "missing email"),
        RejectedRow("", "bob@example.com", "refused: invalid"),
    ])
    async with app.run_test(size=(70, 10)) as pilot:
        app.query_one(RejectedRowsTable).show(state)
        await pilot.pause()
        lines = screen_plain_text(app).splitlines()
        assert [line.split()[:2] for line in lines if "c-" in line] == [
            ["c-1", MISSING], ["c-2", MISSING]]
        assert next(line for line in lines if "bob@" in line).split()[0] == MISSING


class Preview(App[None]):
    def compose(self) -> ComposeResult:
        yield ContactPreview()


async def test_the_contact_preview_shows_a_missing_value_as_none() -> None:
    app = Preview()
    async with app.run_test(size=(100, 20)) as pilot:
        app.query_one(ContactPreview).show(
            [{"email": "ana@example.com", "first_name": "Ana"},
             {"email": "", "first_name": "Ben"},
             {"email": "cy@example.com", "first_name": " "}],
            {"email": "email", "first_name": "first_name"})
        await pilot.pause()
        lines = screen_plain_text(app).splitlines()
        assert next(line for line in lines if "Ben" in line).split()[:2] == [MISSING, "Ben"]
        assert next(line for line in lines if "cy@" in line).split()[:2] == [
            "cy@example.com", MISSING]
