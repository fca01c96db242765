"""The footer of every screen shows the help key whole, however many keys the screen has."""

from __future__ import annotations

import pytest
from pilot_helpers import screen_plain_text, until

from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.footer import FooterWithHelp

from ..progress.scripted import finished_state, mid_run_state

SCREENS = {
    # name: the keys that open it from home (a callable pushes it instead)
    "home": (),
    "connections": ("c",),
    "connection set-up": ("c", "a"),
    "access": ("c", "m"),
    "exports": ("e",),
    "export wizard": ("e", "n"),
    "history": ("h",),
    "schedule": ("s",),
    "import": ("i",),
}


def footer_line(app) -> str:  # type: ignore[no-untyped-def]
    return screen_plain_text(app).splitlines()[-1]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", [*SCREENS, "run panel (running)", "run panel (finished)"])
async def test_every_screen_shows_f1_help_in_its_footer(app, name: str, size) -> None:
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if name == "run panel (running)":
            from sgtui.tui.runs import RunHandle

            app.push_screen(RunProgressScreen(RunHandle("spring-newsletter", mid_run_state())))
        elif name == "run panel (finished)":
            app.push_screen(RunProgressScreen(state=finished_state()))
        await pilot.pause()
        for key in SCREENS.get(name, ()):
            await pilot.press(key)
            await pilot.pause()
        assert app.screen.query(FooterWithHelp)  # the footer every screen has
        await until(pilot, lambda: "f1 Help" in footer_line(app))
        line = footer_line(app)
        assert line.rstrip().endswith("f1 Help ▏^p palette"), line


async def test_a_key_that_does_not_fit_is_left_out_whole_and_help_still_lists_it(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query(FooterWithHelp)  # the footer every screen has
        await until(pilot, lambda: "f1 Help" in footer_line(app))
        line = footer_line(app)
        shown = line.split("▏")[0].split()
        assert "Remove" not in shown and "Schedule on/off" not in line  # no room at 80
        assert not any(word in ("Sched", "Dupli", "Detac") for word in shown)
        await pilot.press("f1")
        await pilot.pause()
        assert "Schedule on/off" in screen_plain_text(app)
        assert "Remove" in screen_plain_text(app)
