"""Keys users remap in their own config.toml: applied everywhere, shown everywhere, and a
bad entry is a sentence at start, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import text, until

from sgtui.tui.app import make_app
from sgtui.tui.keys import binding_catalogue
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.history import HistoryScreen
from sgtui.tui.screens.home import HomeScreen
from sgtui.workspace.secrets import MemorySecrets
from sgtui.workspace.user_config import user_config_path

README = Path(__file__).resolve().parents[3] / "README.md"


def write_config(body: str) -> Path:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def test_the_user_config_of_the_developer_never_leaks_into_a_test(tmp_path_factory) -> None:
    assert str(user_config_path()).startswith(str(tmp_path_factory.getbasetemp()))
    assert user_config_path().name == "config.toml"


async def test_a_remapped_key_drives_the_app_and_shows_in_every_hint(workspace) -> None:
    write_config('# my keys\n[keymap]\n"app.history" = "y"\n"exports.new" = "a"\n')
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert "[y]" in str(app.screen.query_one("#home-menu").get_option("history").prompt)
        await pilot.press("h")
        assert isinstance(app.screen, HomeScreen)  # h is not History any more
        await pilot.press("y")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("e")
        assert isinstance(app.screen, ExportsScreen)
        assert text(app.screen, "#exports-role").startswith("a new · e edit · r run")
        assert "Press a to define one" in text(app.screen, "#exports-empty")
        await pilot.press("n")
        assert isinstance(app.screen, ExportsScreen)  # n is not New any more
        await pilot.press("a")
        assert type(app.screen).__name__ == "ExportWizardScreen"
        assert messages(app) == []  # a good keymap says nothing


@pytest.mark.parametrize(("body", "sentence"), [
    ('[keymap]\n"app.histroy" = "y"\n', '"app.histroy" is not a key sgtui has'),
    ('[keymap]\n"app.history" = "yy"\n', "'yy' is not a key name"),
    ('[keymap]\n"app.history" = 5\n', '"app.history" should be keys in quotes'),
    ('[keymap\n"app.history" = "y"\n', "is not valid TOML"),
    ('theme = "no-such-theme"\n', 'there is no theme called "no-such-theme"'),
])
async def test_a_bad_entry_is_a_sentence_at_start_and_the_rest_still_works(
        workspace, body: str, sentence: str) -> None:
    write_config(body + '[other]\n')
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: any(sentence in m for m in messages(app)))
        assert len(messages(app)) == 1
        await pilot.press("h")  # the default keys still work
        assert isinstance(app.screen, HistoryScreen)


async def test_a_theme_chosen_in_the_palette_is_remembered_with_comments_kept(workspace) -> None:
    path = write_config('# my settings\n[keymap]\n"app.history" = "y"  # like yesterday\n')
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.theme = "nord"  # what choosing it in ctrl+p, Theme does
        await until(pilot, lambda: 'theme = "nord"' in path.read_text())
    written = path.read_text()
    assert "# my settings" in written and "# like yesterday" in written
    again = make_app(workspace, secrets=MemorySecrets())
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


def test_the_readme_lists_every_binding_id() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [info.id for info in binding_catalogue()
               if info.description and f"`{info.id}`" not in readme]
    assert missing == []


def test_every_visible_binding_has_an_id() -> None:
    from textual.dom import DOMNode

    import sgtui.tui.keys as keys

    binding_catalogue()  # imports every screen and widget
    without = [f"{cls.__name__}: {binding.key}" for cls in keys.subclasses_of(DOMNode)
               if cls.__module__.startswith("sgtui.")
               for binding in keys.own_bindings(cls) if binding.show and not binding.id]
    assert without == []


async def test_a_key_moved_onto_another_bindings_key_says_which_one_lost_it(workspace) -> None:
    write_config('[keymap]\n"exports.new" = "e"\n')
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, ExportsScreen)
        await pilot.press("e")  # now New, not Edit
        assert type(app.screen).__name__ == "ExportWizardScreen"
        await until(pilot, lambda: any("same key" in m for m in messages(app)))
        assert [m for m in messages(app) if "same key" in m] == [
            f'{user_config_path()}: [keymap] puts "exports.edit" (Edit) and "exports.new" (New) '
            "on the same key, e; give one of them another key."]


async def test_a_theme_that_cannot_be_saved_is_a_sentence_not_a_crash(workspace) -> None:
    path = user_config_path()
    path.mkdir(parents=True)  # a folder where the file should be: unreadable, unwritable
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: any("could not be read (Is a directory)" in m
                                       for m in messages(app)))
        app.theme = "nord"
        await until(pilot, lambda: any("The theme was not remembered" in m
                                       for m in messages(app)))
        assert app.is_running
