"""Removing a connection that exports use: remove those exports too, or detach them."""

from __future__ import annotations

from enum import StrEnum

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sgtui.tui.keys import HELP_BINDING
from sgtui.tui.widgets.plain_marks import Button
from sgtui.workspace.model import ConnectionConfig, ExportConfig


class RemoveChoice(StrEnum):
    """What happens to the exports of a removed connection."""

    REMOVE_EXPORTS = "remove_exports"
    DETACH_EXPORTS = "detach_exports"


class ConfirmRemoveModal(ModalScreen[RemoveChoice | None]):
    """Names the exports that use ``connection`` and asks what to do with them (None: cancel)."""

    HELP_TITLE = "Remove a connection"
    HELP = ('Removing a connection, and what happens to the exports that use it.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    ConfirmRemoveModal { align: center middle; background: $background 60%; }
    ConfirmRemoveModal > #remove-dialog {
        width: 76; max-width: 98%; height: auto; max-height: 95%;
        border: thick $error; background: $panel; padding: 0 1; overflow-y: auto;
    }
    ConfirmRemoveModal #remove-title { text-style: bold; height: auto; }
    ConfirmRemoveModal #remove-exports { height: auto; max-height: 6; margin: 1 0; }
    ConfirmRemoveModal #remove-body { height: auto; }
    ConfirmRemoveModal #remove-buttons { height: auto; margin-top: 1; }
    ConfirmRemoveModal #remove-buttons Button { width: auto; margin-right: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="remove.cancel"), HELP_BINDING]

    def __init__(self, connection: ConnectionConfig, exports: list[ExportConfig]) -> None:
        super().__init__()
        self.connection = connection
        self.exports = exports

    def compose(self) -> ComposeResult:
        count = len(self.exports)
        noun = "export uses" if count == 1 else "exports use"
        with Vertical(id="remove-dialog"):
            yield Static(Content(f"Remove “{self.connection.display_name}”? {count} {noun} it:"),
                         id="remove-title")
            with VerticalScroll(id="remove-exports"):
                yield Static(Content("\n".join(f"• {export.name}" for export in self.exports)))
            them = "it" if count == 1 else "them"
            yield Static(Content(
                f"Remove {them} too, or detach {them}: a detached export is kept, inactive "
                "until another connection is attached. Contacts already in SendGrid stay "
                "there."), id="remove-body")
            with Horizontal(id="remove-buttons"):
                yield Button("Cancel", id="remove-cancel")
                yield Button("Detach", variant="warning", id="remove-detach")
                yield Button("Remove exports too" if count != 1 else "Remove export too",
                             variant="error", id="remove-all")

    def on_mount(self) -> None:
        self.query_one("#remove-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choices = {"remove-detach": RemoveChoice.DETACH_EXPORTS,
                   "remove-all": RemoveChoice.REMOVE_EXPORTS}
        self.dismiss(choices.get(event.button.id or ""))

    def action_cancel(self) -> None:
        """Keep everything."""
        self.dismiss(None)
