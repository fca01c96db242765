"""Renaming a connection: a new display name in a small dialog, checked before it closes."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from sgtui.tui.keys import HELP_BINDING
from sgtui.tui.widgets.plain_marks import Button
from sgtui.workspace.model import ConnectionConfig


class RenameConnectionModal(ModalScreen[str | None]):
    """Asks for ``connection``'s new display name; dismisses with it, or None to leave it.

    ``problem`` says why a name cannot be used (None when it can); the dialog stays open,
    with that sentence, until the name is usable or the user cancels.
    """

    HELP_TITLE = "Rename a connection"
    HELP = ("A new display name for the connection: how people see it when they pick a "
            "connection for an export. Its key in sgtui.toml stays, so its exports and the "
            "keys stored for it keep working.")
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    RenameConnectionModal { align: center middle; background: $background 60%; }
    RenameConnectionModal > #rename-dialog {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $panel; padding: 1 2;
    }
    RenameConnectionModal #rename-title { text-style: bold; height: auto; }
    RenameConnectionModal #rename-body { height: auto; margin: 1 0; color: $text-muted; }
    RenameConnectionModal #rename-problem { height: auto; color: $text-error; }
    RenameConnectionModal #rename-buttons { height: auto; align-horizontal: right;
                                            margin-top: 1; }
    RenameConnectionModal #rename-buttons Button { margin-left: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename.cancel"), HELP_BINDING]

    def __init__(self, connection: ConnectionConfig, problem: Callable[[str], str | None],
                 *, max_length: int) -> None:
        super().__init__()
        self.connection = connection
        self.problem = problem
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-dialog"):
            yield Static(Content(f"Rename “{self.connection.display_name}”"),
                         id="rename-title")
            yield Static(Content(
                f"In sgtui.toml it stays [connections.{self.connection.name}], so the exports "
                "that use it and the keys stored for it keep working."), id="rename-body")
            yield Label("New display name")
            yield Input(self.connection.display_name, max_length=self.max_length,
                        id="rename-name")
            yield Static("", id="rename-problem")
            with Horizontal(id="rename-buttons"):
                yield Button("Cancel", id="rename-cancel")
                yield Button("Rename", variant="primary", id="rename-ok")

    def on_mount(self) -> None:
        self.query_one("#rename-name", Input).focus()

    @on(Input.Changed, "#rename-name")
    def _typed(self) -> None:
        self.query_one("#rename-problem", Static).update("")

    @on(Input.Submitted, "#rename-name")
    @on(Button.Pressed, "#rename-ok")
    def _rename(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        new = self.query_one("#rename-name", Input).value.strip()
        if new == self.connection.display_name:
            self.dismiss(None)  # nothing to change
            return
        sentence = self.problem(new)
        if sentence is not None:
            self.query_one("#rename-problem", Static).update(Content(sentence))
            return
        self.dismiss(new)

    @on(Button.Pressed, "#rename-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without renaming."""
        self.dismiss(None)
