"""A small yes/no question in a modal: ``ConfirmModal(title, body, confirm_label)`` -> bool."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sgtui.tui.keys import HELP_BINDING
from sgtui.tui.widgets.plain_marks import Button


class ConfirmModal(ModalScreen[bool]):
    """Ask before doing something that cannot be undone; dismisses with True to go ahead.

    ``title`` and ``body`` are shown as plain text (never parsed as markup). Escape, ``n``
    or the cancel button answer False; ``y`` or the confirm button answer True.
    """

    HELP_TITLE = "A question"
    HELP = ('A question before something that cannot be undone: answer with the buttons, or with '
            'the keys below.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
        background: $background 60%;
    }
    ConfirmModal > #confirm-dialog {
        width: 64;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $panel;
        padding: 1 2;
    }
    ConfirmModal #confirm-title { text-style: bold; height: auto; }
    ConfirmModal #confirm-body { height: auto; margin: 1 0; }
    ConfirmModal #confirm-buttons { height: auto; align-horizontal: right; }
    ConfirmModal #confirm-buttons Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
        Binding("n", "answer(False)", "No", show=False, id="confirm.no"),
        Binding("y", "answer(True)", "Yes", show=False, id="confirm.yes"),
        HELP_BINDING,
    ]

    def __init__(
        self,
        title: str,
        body: str,
        confirm_label: str = "OK",
        *,
        cancel_label: str = "Cancel",
        destructive: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body_text = body
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.destructive = destructive

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(Content(self.title_text), id="confirm-title")
            yield Static(Content(self.body_text), id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.cancel_label, id="confirm-cancel")
                yield Button(
                    self.confirm_label,
                    variant="error" if self.destructive else "primary",
                    id="confirm-ok",
                )

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-ok")

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with ``answer``."""
        self.dismiss(answer)
