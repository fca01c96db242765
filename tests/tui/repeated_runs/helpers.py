"""Pilot helpers for runs started from the app."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Button, Static

from sgtui.tui.runs import RunHandle
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.progress import RunProgressPanel


async def until(pilot: Pilot, condition: Callable[[], bool], *, seconds: float = 30.0) -> None:
    """Let the app run until ``condition`` holds."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never got there")


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and the screen caught up."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_exports(pilot: Pilot) -> None:
    """From the home screen to the exports screen."""
    await pilot.pause()
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExportsScreen)


async def run_number(pilot: Pilot, number: int) -> RunHandle:
    """Wait until the app's ``number``th run ended and its panel shows how."""
    app = pilot.app
    runs = app.runs

    def shown() -> bool:
        screen = app.screen
        if len(runs) < number or runs.latest().running:
            return False
        if not isinstance(screen, RunProgressScreen) or screen.handle is not runs.latest():
            return False
        return screen.query_one(RunProgressPanel)._final_drawn

    await until(pilot, shown)
    await pilot.pause()
    return runs.latest()  # type: ignore[return-value]


def text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    """The plain text a Static shows on the current screen."""
    return str(app.screen.query_one(selector, Static).render())


def button(app, selector: str) -> Button | None:  # type: ignore[no-untyped-def]
    """The button if the current screen shows it (its row included), else None."""
    found = app.screen.query_one(selector, Button)
    if not found.display or not found.parent.display:
        return None
    return found
