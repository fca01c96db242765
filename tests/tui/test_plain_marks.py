"""Ticked, chosen, the cursor row and the focused button read differently as plain text."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from sgtui.tui.widgets.plain_marks import (
    Button,
    Checkbox,
    DataTable,
    OptionList,
    RadioButton,
    SelectionList,
)
from tests.pilot_helpers import screen_plain_text


class Gallery(App[None]):
    """One of each widget the app uses, nothing else."""

    def compose(self) -> ComposeResult:
        yield Checkbox("Off box", id="off")
        yield Checkbox("On box", value=True, id="on")
        with RadioSet():
            yield RadioButton("Chosen radio", value=True)
            yield RadioButton("Other radio")
        yield SelectionList[str](("Alpha", "a", True), ("Beta", "b"), id="sel")
        yield OptionList("First option", "Second option", id="opts")
        table: DataTable[str] = DataTable(id="table")
        table.add_columns("Name")
        table.add_rows([("row one",), ("row two",)])
        yield table
        yield Button("Save", id="save")
        yield Button("Cancel", id="cancel")


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
async def test_every_state_reads_as_text(monkeypatch, no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = Gallery()
    async with app.run_test(size=(60, 40)) as pilot:
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐ ▌ Off box" in text and "▐X▌ On box" in text
        assert "▐●▌ Chosen radio" in text and "▐○▌ Other radio" in text
        assert "▐X▌" in lines_with(text, "Alpha")[0] and "▐ ▌" in lines_with(text, "Beta")[0]
        assert lines_with(text, "First option")[0].split("First")[0].endswith("▸ ")
        assert "▸" not in lines_with(text, "Second option")[0]
        assert "▸row one" in text and "▸row two" not in text

        app.query_one("#save", Button).focus()
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸Save◂" in text and "▸Cancel◂" not in text
        await pilot.press("tab")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸Cancel◂" in text and "▸Save◂" not in text

        app.query_one("#off", Checkbox).value = True
        app.query_one("#table", DataTable).move_cursor(row=1)
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐X▌ Off box" in text
        assert "▸row two" in text and "▸row one" not in text
