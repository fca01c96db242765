"""Help on every screen: ? and F1 open what the screen is for and its keys; Escape closes."""

from __future__ import annotations

import pytest
from pilot_helpers import text, until

from sgtui.tui.app import make_app
from sgtui.tui.keys import binding_catalogue
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.help import HelpScreen
from sgtui.tui.screens.home import HomeScreen
from sgtui.workspace.secrets import MemorySecrets
from sgtui.workspace.user_config import user_config_path


async def test_question_mark_and_f1_open_this_screens_help_and_escape_closes_it(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert text(app.screen, "#help-purpose").startswith("Where every session starts")
        everywhere = text(app.screen, "#help-everywhere")
        assert "e       Exports" in everywhere and "f1 / ?  Help" in everywhere
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("e", "f1")
        assert isinstance(app.screen, HelpScreen)
        assert text(app.screen, "#help-purpose").startswith("Every export:")
        here = text(app.screen, "#help-here").splitlines()
        assert "n    New" in here and "del  Remove" in here and "esc  Back" in here
        assert "Exports" not in text(app.screen, "#help-everywhere")  # e edits here
        await pilot.press("f1")  # the help key closes it too
        assert isinstance(app.screen, ExportsScreen)


async def test_help_shows_remapped_keys(workspace) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[keymap]\n"exports.new" = "a"\n"app.help" = "f2"\n', encoding="utf-8")
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", "f2")
        assert isinstance(app.screen, HelpScreen)
        assert "a    New" in text(app.screen, "#help-here").splitlines()
        assert "f2  Help" in text(app.screen, "#help-everywhere")


async def test_the_palettes_help_is_for_the_screen_under_it_and_escape_closes_it(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h", "ctrl+p")
        await pilot.press(*"help")
        await until(pilot, lambda: "Help" in str(app.screen.query("CommandList").first()
                                                  .get_option_at_index(0).prompt))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert text(app.screen, "#help-purpose").startswith("Every run of every export")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HistoryScreen"


async def test_the_palette_lists_every_section_before_anything_is_typed(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        commands = app.screen.query_one("CommandList")
        await until(pilot, lambda: commands.option_count >= 7)
        await pilot.pause()
        titles = [str(commands.get_option_at_index(i).prompt).split("\n")[0]
                  for i in range(commands.option_count)]
        assert titles == ["Connections", "Exports", "Help", "History", "Import CSV",
                          "Schedule", "Theme"]
        assert "Keys" not in titles
        assert commands.max_scroll_y == 0  # every one of them fits at 80x24


def test_every_screen_says_what_it_is_for() -> None:
    from textual.screen import Screen

    import sgtui.tui.keys as keys

    binding_catalogue()  # imports every screen
    silent = [cls.__name__ for cls in keys.subclasses_of(Screen)
              if cls.__module__.startswith("sgtui.") and not getattr(cls, "HELP", "")]
    assert silent == []


@pytest.mark.parametrize("section", ["home", "exports"])
def test_help_snapshot(section: str, app, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        if section == "exports":
            await pilot.press("e")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
