"""Textual's stock widgets with their state in the text, not only in the colour.

Textual draws a ticked and an unticked checkbox with the same ``X`` (and a chosen and an
unchosen radio button with the same ``●``), marks the cursor row of a table or list, the
focused button and so on by colour alone. With NO_COLOR, a 16-colour terminal, a screen
reader or a text capture they all read alike. The app uses these subclasses everywhere
instead, so each state reads differently as plain text in every theme:

- a checkbox shows ``X`` ticked and a blank unticked; a radio button ``●`` chosen, ``○`` not;
- the cursor row of a table, option list or selection list starts with ``▸``;
- the focused button reads ``▸Label◂``, and so does a collapsible's focused title.
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events, widgets
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import _collapsible
from textual.widgets.data_table import CellType
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType

TICKED = "X"
UNTICKED = " "
CHOSEN = "●"
NOT_CHOSEN = "○"
CURSOR = "▸"
FOCUS_LEFT = "▸"
FOCUS_RIGHT = "◂"


def _mark_first_cell(strip: Strip, mark: str) -> Strip:
    """``strip`` with its first cell (a padding blank) replaced by ``mark``."""
    if not strip.cell_length:
        return strip
    first = next(iter(strip))
    rest = strip.crop(1)
    return Strip([Segment(mark, first.style, first.control), *rest], strip.cell_length)


class Checkbox(widgets.Checkbox):
    """A checkbox whose tick is a character: ``▐X▌`` ticked, ``▐ ▌`` not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class attribute in Textual
        return TICKED if self.value else UNTICKED


class RadioButton(widgets.RadioButton):
    """A radio button whose choice is a character: ``●`` chosen, ``○`` not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class attribute in Textual
        return CHOSEN if self.value else NOT_CHOSEN


class SelectionList(widgets.SelectionList[SelectionType]):
    """A selection list whose ticks are characters and whose cursor row starts with ``▸``."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            index = self.scroll_offset.y + y
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 4:
            return strip
        if selection.value not in self._selected:
            inner = segments[1]
            segments[1] = Segment(UNTICKED, inner.style, inner.control)
        if self.highlighted == index:
            gap = segments[3]
            segments[3] = Segment(CURSOR, gap.style, gap.control)
        return Strip(segments, strip.cell_length)


class OptionList(widgets.OptionList):
    """An option list whose highlighted option starts with ``▸``."""

    DEFAULT_CSS = """
    OptionList > .option-list--option { padding: 0 0 0 2; }
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option_index, line_offset = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return strip
        if option_index == self.highlighted and line_offset == 0:
            return _mark_first_cell(strip, CURSOR)
        return strip


class DataTable(widgets.DataTable[CellType]):
    """A data table whose cursor row starts with ``▸`` (in the first cell's padding)."""

    def _render_line(self, y: int, x1: int, x2: int, base_style):  # type: ignore[no-untyped-def]
        strip = super()._render_line(y, x1, x2, base_style)
        if x1 or not self.show_cursor or self.cursor_type == "none" or not self.row_count:
            return strip
        try:
            row_key, line = self._get_offsets(y)
        except LookupError:
            return strip
        if line or row_key is self._header_row_key:
            return strip
        if self._row_locations.get(row_key) == self.cursor_row:
            return _mark_first_cell(strip, CURSOR)
        return strip


class Button(widgets.Button):
    """A button that reads ``▸Label◂`` while it has focus (and `` Label `` otherwise)."""

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return super().get_content_width(container, viewport) + 2

    def render(self) -> Content:
        label = self.label
        assert isinstance(label, Content)
        if self.has_focus:
            return Content.assemble(FOCUS_LEFT, label, FOCUS_RIGHT)
        return Content.assemble(" ", label, " ")


class CollapsibleTitle(_collapsible.CollapsibleTitle):
    """A collapsible's title that reads ``▶ ▸Title◂`` while it has focus (``▶`` collapsed,
    ``▼`` expanded, as Textual draws them)."""

    def _update_label(self) -> None:
        assert isinstance(self.label, Content)
        symbol = self.collapsed_symbol if self.collapsed else self.expanded_symbol
        if self.has_focus:
            self.update(Content.assemble(symbol, " ", FOCUS_LEFT, self.label, FOCUS_RIGHT))
        else:
            self.update(Content.assemble(symbol, "  ", self.label, " "))

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._update_label()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._update_label()


class Collapsible(widgets.Collapsible):
    """A collapsible whose focused title reads ``▸Title◂`` (see :class:`CollapsibleTitle`)."""

    def __init__(self, *children: Widget, title: str = "Toggle", collapsed: bool = True,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(*children, title=title, collapsed=collapsed, id=id, classes=classes)
        self._title = CollapsibleTitle(label=title, collapsed_symbol="▶", expanded_symbol="▼",
                                       collapsed=collapsed)
