"""A value the data lacks reads "(none)" wherever it is shown, never as a blank."""

from __future__ import annotations

from textual.app import App, ComposeResult

from sgtui.export.events import RejectedRow
from sgtui.export.progress_state import RunProgressState
from sgtui.export.wording import MISSING, shown
from sgtui.tui.widgets.export import FieldMappingTable
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


class Mapping(App[None]):
    def compose(self) -> ComposeResult:
        yield FieldMappingTable()


async def test_the_mapping_preview_shows_a_missing_email_as_none() -> None:
    app = Mapping()
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.query_one(FieldMappingTable)
        table.set_columns(["email", "first_name"],
                          [("ana@example.com", "Ana"), ("", "Ben"), ("cy@example.com", " ")],
                          {}, {"email": "email", "first_name": "first_name"})
        await pilot.pause()
        text = screen_plain_text(app)
        ben = next(line for line in text.splitlines() if "Ben" in line)
        assert ben.split()[:2] == [MISSING, "Ben"]
        cy = next(line for line in text.splitlines() if "cy@example.com" in line
                  and "Ana" not in line and "(none)" in line)
        assert cy.split()[-1] == MISSING
