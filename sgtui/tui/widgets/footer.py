"""The footer every screen shows: the keys that fit, with the help key always in sight.

Textual's footer lists the keys in binding order and cuts what does not fit, so on a
crowded screen at 80 columns the help key, which the app declares last, was the first to
go, and the last key shown was cut mid-word ("s Sche"). Here the help key stands at the
right end, beside the command palette's key, on every screen and at every width; a key that
does not fit whole is left out of the footer, and the help it opens lists every key.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from sgtui.tui.keys import HELP_BINDING


def _width(widget: Widget) -> int:
    """The cells ``widget`` takes in the footer row, margins included, shown or not."""
    content = widget.get_content_width(Size(0, 0), Size(0, 0))
    return content + widget.styles.gutter.width + widget.styles.margin.width


class FooterWithHelp(Footer):
    """A footer whose help key (``f1 Help``, or the key it is remapped to) is always shown,
    with the other keys that fit whole."""

    DEFAULT_CSS = """
    FooterWithHelp > .footer-end {
        dock: right; width: auto; height: 1; border-left: vkey $foreground 20%;
    }
    FooterWithHelp > .footer-end > FooterKey.-command-palette { dock: none; }
    """

    def compose(self) -> ComposeResult:
        end: list[Widget] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                    widget.action == HELP_BINDING.action
                    or widget.has_class("-command-palette")):
                end.append(widget)
            else:
                yield widget
        if end:
            yield HorizontalGroup(*end, classes="footer-end")
        self.call_after_refresh(self._fit_keys)

    def on_resize(self) -> None:
        self._fit_keys()

    def _fit_keys(self) -> None:
        """Show the keys, in order, while each fits whole before the help key."""
        if not self.is_attached:
            return
        ends = self.query_children(".footer-end")
        room = self.size.width - sum(sum(_width(key) for key in end.children) + 1
                                     for end in ends)
        fits = True
        for widget in self.children:
            if widget.has_class("footer-end"):
                continue
            room -= _width(widget) if isinstance(widget, FooterKey) else widget.outer_size.width
            fits = fits and room >= 0
            widget.display = fits
