"""Ticked, chosen, the cursor row, the keyboard's place and the focused button read
differently as plain text."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from sgtui.tui.widgets.plain_marks import (
    Button,
    Checkbox,
    DataTable,
    DirectoryTree,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
)
from tests.pilot_helpers import screen_plain_text


class Gallery(App[None]):
    """One of each widget the app uses, nothing else."""

    def compose(self) -> ComposeResult:
        yield Checkbox("Off box", id="off")
        yield Checkbox("On box", value=True, id="on")
        with RadioSet(id="radios"):
            yield RadioButton("Chosen radio", value=True)
            yield RadioButton("Other radio")
            yield RadioButton("Third radio")
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


@pytest.fixture(params=[True, False], ids=["NO_COLOR", "colour"])
def no_color(request, monkeypatch) -> bool:  # type: ignore[no-untyped-def]
    """Each test runs with NO_COLOR set and without it."""
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return bool(request.param)


async def test_every_state_reads_as_text(no_color: bool) -> None:
    app = Gallery()
    async with app.run_test(size=(60, 40)) as pilot:
        await pilot.pause()
        app.query_one("#sel", SelectionList).focus()
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐ ▌ Off box " in text and "▐X▌ On box " in text
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


async def test_the_focused_checkbox_reads_apart_from_the_ticked_one(no_color: bool) -> None:
    app = Gallery()
    async with app.run_test(size=(60, 40)) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one("#off", Checkbox)
        text = screen_plain_text(app)
        assert "▐ ▌▸Off box◂" in text and "▐X▌ On box " in text

        await pilot.press("tab")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐ ▌ Off box " in text and "▐X▌▸On box◂" in text

        await pilot.press("space")
        await pilot.pause()
        assert "▐ ▌▸On box◂" in screen_plain_text(app)


async def test_the_radio_the_arrow_keys_are_on_reads_apart_from_the_chosen_one(
        no_color: bool) -> None:
    app = Gallery()
    async with app.run_test(size=(60, 40)) as pilot:
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸" not in "".join(lines_with(text, "radio")), "no mark while the set is blurred"

        app.query_one("#radios", RadioSet).focus()
        await pilot.pause()
        assert "▐●▌▸Chosen radio◂" in screen_plain_text(app)

        await pilot.press("down")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐●▌ Chosen radio " in text and "▐○▌▸Other radio◂" in text

        await pilot.press("down", "space")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐○▌ Chosen radio " in text and "▐●▌▸Third radio◂" in text

        app.query_one("#save", Button).focus()
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▐●▌ Third radio " in text
        assert "▸" not in "".join(lines_with(text, "radio"))


class Dropdown(App[None]):
    """A dropdown whose current value is the second option."""

    def __init__(self, *, compact: bool) -> None:
        super().__init__()
        self.compact = compact

    def compose(self) -> ComposeResult:
        yield Select([("Alpha", "a"), ("Beta", "b"), ("Gamma", "c")], value="b",
                     prompt="Pick one", id="pick", compact=self.compact)


@pytest.mark.parametrize("compact", [False, True], ids=["bordered", "compact"])
async def test_an_open_dropdown_marks_the_highlight_and_the_current_value(
        no_color: bool, compact: bool) -> None:
    app = Dropdown(compact=compact)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸● Beta" in text, "opening highlights the current value"
        assert lines_with(text, "Alpha")[0].split("Alpha")[0].endswith("   ")

        await pilot.press("down")
        await pilot.pause()
        text = screen_plain_text(app)
        assert " ● Beta" in text and "▸  Gamma" in text

        await pilot.press("enter")
        await pilot.pause()
        select = app.query_one("#pick", Select)
        assert select.value == "c" and not select.expanded
        await pilot.press("enter", "up", "up")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸  Alpha" in text and "   Beta" in text and " ● Gamma" in text


class DropdownAndButton(App[None]):
    """A dropdown (focused first) and a button to move the focus to."""

    def __init__(self, *, compact: bool) -> None:
        super().__init__()
        self.compact = compact

    def compose(self) -> ComposeResult:
        yield Select([("Alpha", "a"), ("Beta", "b")], value="b", prompt="Pick one",
                     id="pick", compact=self.compact)
        yield Button("Save", id="save")


@pytest.mark.parametrize("compact", [False, True], ids=["bordered", "compact"])
async def test_a_closed_dropdown_reads_focused_apart_from_unfocused(
        no_color: bool, compact: bool) -> None:
    app = DropdownAndButton(compact=compact)
    async with app.run_test(size=(40, 10)) as pilot:
        app.query_one("#pick", Select).focus()
        await pilot.pause()
        assert "▸Beta" in lines_with(screen_plain_text(app), "Beta")[0]

        await pilot.press("tab")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸" not in lines_with(text, "Beta")[0] and "▸Save◂" in text


class Files(App[None]):
    """A file tree over a folder with two files."""

    def __init__(self, folder) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        yield DirectoryTree(self.folder)


async def test_the_file_tree_cursor_reads_as_text(no_color: bool, tmp_path) -> None:
    (tmp_path / "first.csv").write_text("a\n")
    (tmp_path / "second.csv").write_text("a\n")
    app = Files(tmp_path)
    async with app.run_test(size=(40, 10)) as pilot:
        tree = app.query_one(DirectoryTree)
        await pilot.pause()
        while tree.last_line < 2:
            await pilot.pause(0.05)
        await pilot.press("down")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸📄 first.csv" in lines_with(text, "first.csv")[0]
        assert "▸" not in lines_with(text, "second.csv")[0]

        await pilot.press("down")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸" not in lines_with(text, "first.csv")[0]
        assert "▸📄 second.csv" in lines_with(text, "second.csv")[0]


async def test_the_marks_are_the_same_in_every_theme() -> None:
    app = Gallery()
    async with app.run_test(size=(60, 40)) as pilot:
        await pilot.pause()
        app.query_one("#radios", RadioSet).focus()
        await pilot.pause()
        expected = marked_lines(screen_plain_text(app))
        assert len(expected) == 13
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            assert marked_lines(screen_plain_text(app)) == expected, theme


def marked_lines(text: str) -> list[str]:
    """The lines of the gallery's widgets, without the borders (some themes draw none)."""
    labels = ("box", "radio", "Alpha", "Beta", "option", "row", "Save", "Cancel")
    return [line.strip("▊▎▏▕▔▁ ") for line in text.splitlines()
            if any(label in line for label in labels)]
