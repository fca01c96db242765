"""The app is a tree: a section's key replaces the stack, so Escape always goes one level up."""

from __future__ import annotations

from pilot_helpers import until

from sgtui.tui.runs import start_run
from sgtui.tui.screens.connections import ConnectionsScreen
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.history import HistoryScreen
from sgtui.tui.screens.home import HomeScreen
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.screens.schedule import ScheduleScreen

from ..progress.scripted import EXPORT, ScriptedRunner


async def test_escape_from_a_section_goes_home_in_one_press_however_many_were_visited(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key, screen in (("e", ExportsScreen), ("h", HistoryScreen), ("c", ConnectionsScreen),
                            ("s", ScheduleScreen), ("h", HistoryScreen)):
            await pilot.press(key)
            assert isinstance(app.screen, screen)
            assert len(app.screen_stack) == 2  # home, then the one section
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1


async def test_from_a_run_panel_escape_goes_to_exports_then_home(app):
    runner = ScriptedRunner(batches=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        handle = start_run(app, EXPORT, runner=runner)
        await runner.started.wait()
        await pilot.pause()
        assert isinstance(app.screen, RunProgressScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ExportsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)

        # p reopens the panel from anywhere, under Exports: Escape still goes up the tree.
        await pilot.press("h", "c", "p")
        assert isinstance(app.screen, RunProgressScreen) and app.screen.handle is handle
        assert [type(s) for s in app.screen_stack] == [HomeScreen, ExportsScreen,
                                                         RunProgressScreen]
        await pilot.press("escape")
        assert isinstance(app.screen, ExportsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        runner.proceed.set()
        await runner.ended.wait()
        await until(pilot, lambda: not handle.running)
