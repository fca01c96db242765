"""A short notice instead of a broken layout when the terminal is smaller than 80x24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24


def too_small(width: int, height: int) -> bool:
    """Whether a terminal of ``width`` x ``height`` cells is too small for the app's screens."""
    return width < MIN_WIDTH or height < MIN_HEIGHT


def notice(width: int, height: int) -> str:
    """The sentence the notice shows."""
    return (f"Make the terminal at least {MIN_WIDTH}x{MIN_HEIGHT} to use sgtui "
            f"(it is {width}x{height} now). Everything is kept; it comes back as it was.")


class TooSmallScreen(ModalScreen[None]):
    """Covers the app while the terminal is too small; closes itself once it is big enough."""

    HELP = ("The terminal is smaller than sgtui needs: make it bigger and this notice goes "
            "away by itself.")
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen > Static { width: 1fr; height: auto; padding: 0 1; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Content(notice(*self.app.size)), id="too-small")

    def on_resize(self) -> None:
        self.query_one("#too-small", Static).update(Content(notice(*self.app.size)))
