"""Text broken into lines that fit a width, with paths broken only after a ``/``.

Textual wraps at spaces and cuts a word longer than the line wherever the line ends, so a
file path (``…/runs/run-3-spring-rejected.csv``) could break inside its file name. Here a
word too long for a line breaks after one of its ``/``, so every folder and the file name
stay whole; only a single part longer than the whole line is cut.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, chop_cells
from textual.content import Content
from textual.geometry import Size
from textual.visual import VisualType
from textual.widgets import Static

PATH_PARTS = re.compile(r"[^/]*/|[^/]+")
"""A path's parts, each with the ``/`` that ends it: ``/``, ``home/``, ``file.csv``."""


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at spaces (and at the line
    breaks it has); a word longer than a line breaks after a ``/``."""
    if width <= 0:
        return text.split("\n")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            joined = f"{line} {word}" if line else word
            if cell_len(joined) <= width:
                line = joined
            elif cell_len(word) <= width:
                lines.append(line)
                line = word
            else:
                if line:
                    lines.append(line)
                *whole, line = _path_lines(word, width)
                lines.extend(whole)
        lines.append(line)
    return lines


def shortened_path(path: str) -> str:
    """``…/run-3-spring-rejected.csv``: the file name of ``path``, for a sentence that has
    the whole path shown elsewhere."""
    folder, slash, name = path.rpartition("/")
    return f"…/{name}" if slash and folder else path


def _path_lines(word: str, width: int) -> list[str]:
    """``word`` (longer than ``width``) in lines broken after a ``/``."""
    lines: list[str] = []
    line = ""
    for part in PATH_PARTS.findall(word):
        if cell_len(line + part) <= width:
            line += part
            continue
        if line:
            lines.append(line)
        *cut, line = chop_cells(part, width) if cell_len(part) > width else [part]
        lines.extend(cut)
    return [*lines, line]


class WrappedText(Static):
    """Plain text (never markup) broken with :func:`wrap_words` at the widget's width."""

    def __init__(self, text: str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(Content(text), id=id, classes=classes)
        self.text = text

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Show ``content`` (its plain text) from now on."""
        self.text = str(content)
        super().update(Content(self.text), layout=layout)

    def render(self) -> Content:
        width = self.content_size.width
        return Content("\n".join(wrap_words(self.text, width)) if width else self.text)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(wrap_words(self.text, width)) if self.text else 0
