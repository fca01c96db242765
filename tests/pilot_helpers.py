"""Small helpers for pilot tests: wait for a condition, read what a Static shows."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static


async def until(pilot: Pilot, condition: Callable[[], bool], *, seconds: float = 5.0) -> None:
    """Let the app run until ``condition`` holds (the panel redraws on a 0.1 s timer)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never got there")


def text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    """The plain text a Static shows."""
    return str(screen.query_one(selector, Static).render())


def screen_plain_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every cell of the screen as plain text, as a text capture or screen reader gets it."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()
