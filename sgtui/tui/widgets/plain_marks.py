"""Textual's stock widgets with their state in the text, not only in the colour.

Textual draws a ticked and an unticked checkbox with the same ``X`` (and a chosen and an
unchosen radio button with the same ``●``), marks the cursor row of a table or list, the
focused button and so on by colour alone. With NO_COLOR, a 16-colour terminal, a screen
reader or a text capture they all read alike. The app uses these subclasses everywhere
instead, so each state reads differently as plain text in every theme:

- a checkbox shows ``X`` ticked and a blank unticked; a radio button ``●`` chosen, ``○`` not;
- the cursor row of a table, option list, selection list or file tree starts with ``▸``;
- the focused button, the focused checkbox and the radio button the arrow keys are on read
  ``▸Label◂``;
- in an open dropdown (``Select``) the highlighted option starts with ``▸`` and the current
  value is marked ``●``;
- a collapsible's focused title reads ``▸Title◂`` too.
"""

from __future__ import annotations

from typing import Generic

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, widgets
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import _collapsible
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay, SelectType
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.data_table import CellType
from textual.widgets.directory_tree import DirEntry
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType
from textual.widgets.tree import TreeNode

TICKED = "X"
UNTICKED = " "
CHOSEN = "●"
NOT_CHOSEN = "○"
CURSOR = "▸"
FOCUS_LEFT = "▸"
FOCUS_RIGHT = "◂"


def _mark_cell(strip: Strip, mark: str, x: int = 0) -> Strip:
    """``strip`` with its cell at ``x`` (a padding blank) replaced by ``mark``."""
    if strip.cell_length <= x:
        return strip
    left, cell, right = strip.divide([x, x + 1, strip.cell_length])
    segment = next(iter(cell))
    return Strip.join([left, Strip([Segment(mark, segment.style, segment.control)], 1), right])


def _mark_first_cell(strip: Strip, mark: str) -> Strip:
    """``strip`` with its first cell (a padding blank) replaced by ``mark``."""
    return _mark_cell(strip, mark, 0)


def _option_starting_at(option_list: widgets.OptionList, y: int) -> int | None:
    """The option whose first line is line ``y`` of ``option_list``'s view, if any."""
    try:
        option_index, line_offset = option_list._lines[option_list.scroll_offset.y + y]
    except IndexError:
        return None
    return None if line_offset else option_index


def _focus_marked(label: Content) -> Content:
    """``label`` as the keyboard's place reads: ``▸Label◂``."""
    return Content.assemble(FOCUS_LEFT, label, FOCUS_RIGHT)


def _unmarked(label: Content) -> Content:
    """``label`` padded as :func:`_focus_marked` would mark it: `` Label ``."""
    return Content.assemble(" ", label, " ")


class _MarkedToggle(ToggleButton):
    """A toggle button whose label reads ``▸Label◂`` while the keyboard is on it."""

    def _keyboard_is_here(self) -> bool:
        """Whether the keys (space, enter) act on this button now."""
        return self.has_focus

    def render(self) -> Content:
        button = self._button
        label_style = self.get_visual_style("toggle--label")
        marked = _focus_marked if self._keyboard_is_here() else _unmarked
        label = marked(self._label).stylize_before(label_style)
        if self._button_first:
            return Content.assemble(button, label)
        return Content.assemble(label, button)


class Checkbox(_MarkedToggle, widgets.Checkbox):
    """A checkbox whose tick is a character (``▐X▌`` ticked, ``▐ ▌`` not) and whose label
    reads ``▸Label◂`` while it has focus."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class attribute in Textual
        return TICKED if self.value else UNTICKED


class RadioButton(_MarkedToggle, widgets.RadioButton):
    """A radio button whose choice is a character (``●`` chosen, ``○`` not) and whose label
    reads ``▸Label◂`` while the arrow keys of its focused radio set are on it."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class attribute in Textual
        return CHOSEN if self.value else NOT_CHOSEN

    def _keyboard_is_here(self) -> bool:
        radio_set = self.parent
        if isinstance(radio_set, widgets.RadioSet):
            return radio_set.has_focus and self.has_class("-selected")
        return self.has_focus


class RadioSet(widgets.RadioSet):
    """A radio set that redraws its buttons when it gains or loses focus, so the one the
    arrow keys are on reads ``▸Label◂`` only while the keys act on it."""

    def watch_has_focus(self, has_focus: bool) -> None:
        super().watch_has_focus(has_focus)
        for button in self.query_children(RadioButton):
            button.refresh()


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
        option_index = _option_starting_at(self, y)
        if option_index is not None and option_index == self.highlighted:
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


class DirectoryTree(widgets.DirectoryTree):
    """A file tree whose cursor line reads ``▸`` before the icon (a blank on other lines)."""

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        mark = CURSOR if node.line >= 0 and node.line == self.cursor_line else " "
        return Text.assemble((mark, base_style), label)


class MarkedSelectOverlay(SelectOverlay):
    """The open dropdown: ``▸`` on the highlighted option, ``●`` on the current value."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        option_index = _option_starting_at(self, y)
        if option_index is None:
            return strip
        if option_index == self.highlighted:
            strip = _mark_cell(strip, CURSOR, 0)
        select = self.parent
        if isinstance(select, Select) and select.value_index() == option_index:
            strip = _mark_cell(strip, CHOSEN, 1)
        return strip


class MarkedSelectCurrent(SelectCurrent):
    """A closed dropdown's current value, read as ``▸Value`` while the dropdown has focus
    (a compact dropdown has no border to change colour)."""

    def update(self, label: RenderableType | NoSelection) -> None:
        super().update(label)
        self.show_focus()

    def show_focus(self) -> None:
        """Draw the value with ``▸`` before it while the dropdown has focus, plain otherwise."""
        shown: RenderableType = (self.placeholder if isinstance(self.label, NoSelection)
                                 else self.label)
        select = self.parent
        if isinstance(select, Select) and select.has_focus:
            if isinstance(shown, Text):
                shown = Text.assemble(FOCUS_LEFT, shown)
            elif isinstance(shown, str | Content):
                shown = Content.assemble(FOCUS_LEFT, shown)
        self.query_one("#label", widgets.Static).update(shown)


class Select(widgets.Select[SelectType], Generic[SelectType]):
    """A dropdown that reads ``▸Value`` while it has focus, and whose open list
    marks the highlighted option ``▸`` and the current value ``●``, so all read without
    colour."""

    DEFAULT_CSS = """
    Select > MarkedSelectOverlay { padding: 0 1 0 0; }
    Select > MarkedSelectOverlay > .option-list--option { padding: 0 1 0 3; }
    Select > MarkedSelectOverlay.-textual-compact > .option-list--option { padding: 0 1 0 3; }
    """

    def compose(self) -> ComposeResult:
        yield MarkedSelectCurrent(self.prompt)
        yield MarkedSelectOverlay(type_to_search=self._type_to_search).data_bind(
            compact=widgets.Select.compact
        )

    def watch_has_focus(self, has_focus: bool) -> None:
        super().watch_has_focus(has_focus)
        for current in self.query_children(MarkedSelectCurrent):  # none before compose
            current.show_focus()

    def value_index(self) -> int | None:
        """The position of the current value among the options (the blank one included)."""
        for index, (_prompt, value) in enumerate(self._options):
            if value == self.value:
                return index
        return None
