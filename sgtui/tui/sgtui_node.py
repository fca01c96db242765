"""The one place that tells the type checker a screen's or widget's ``app`` is sgtui's."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual import getters
    from textual.message_pump import MessagePump

    from sgtui.tui.app import SgtuiApp

    _Node = MessagePump
else:
    _Node = object


class OfSgtuiApp(_Node):
    """Mixin for sgtui's screens and widgets (list it before the Textual base):
    ``self.app`` is a :class:`~sgtui.tui.app.SgtuiApp`, with its workspace, secrets and runs.

    Only the type checker sees the typed ``app`` (Textual's ``getters.app``); at run time
    the mixin is a plain ``object`` and Textual's own ``app`` answers.
    """

    if TYPE_CHECKING:
        app = getters.app(SgtuiApp)
