"""Step 1: the connection's display name (its key in ``sgtui.toml`` is derived from it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, Static

from sgtui.tui.screens.connection_setup.base import SetupStep

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace

MAX_NAME_LENGTH = 60
"""The longest display name a connection may have (the Name step's field holds no more)."""


class NameStep(SetupStep):
    """Display name: required and unique among the workspace's connections."""

    STEP_TITLE = "Name"
    HEADING = "What should this connection be called?"

    def compose_body(self) -> ComposeResult:
        yield Static(Content("A name people recognise when they pick a connection for an "
                             "export, e.g. the SendGrid account or team it belongs to."),
                     classes="help")
        yield Label("Display name", classes="tight")
        yield Input(self.draft.display_name, placeholder="e.g. Marketing SendGrid",
                    max_length=MAX_NAME_LENGTH, id="display-name", classes="tight")
        yield Static("", id="name-key", classes="help")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#display-name", Input).focus()
        self._show_key(self.draft.display_name)

    @on(Input.Changed, "#display-name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._show_key(event.value)
        self.show_problem(None)

    @on(Input.Submitted, "#display-name")
    def _name_submitted(self) -> None:
        self.action_next()

    def _show_key(self, display_name: str) -> None:
        line = self.query_one("#name-key", Static)
        if not display_name.strip():
            line.update("")
            return
        key = self._key_for(display_name)
        line.update(Content(f"Saved in sgtui.toml as [connections.{key}]"))

    def _key_for(self, display_name: str) -> str:
        if not self.draft.is_new:
            return self.draft.name
        return self.app.workspace.unique_connection_name(display_name)

    def store(self) -> None:
        value = self.query_one("#display-name", Input).value
        self.draft.display_name = value.strip()
        if self.draft.is_new and self.draft.display_name:
            self.draft.name = self._key_for(self.draft.display_name)

    def problem(self) -> str | None:
        return display_name_problem(self.app.workspace, self.draft.display_name,
                                    self.draft.name)


def display_name_problem(workspace: Workspace, display_name: str, name: str) -> str | None:
    """Why ``display_name`` cannot name connection ``name`` (its key; "" for a new one), in
    one sentence, or None: it is required, and no other connection may be called the same,
    whatever the capitals. The set-up flow's Name step and Rename both ask here."""
    display_name = display_name.strip()
    if not display_name:
        return "Enter a display name for the connection."
    if len(display_name) > MAX_NAME_LENGTH:
        return f"Keep the display name to {MAX_NAME_LENGTH} characters or fewer."
    for other in workspace.connections.values():
        if other.name != name and other.display_name.casefold() == display_name.casefold():
            return (f"Another connection is already called “{other.display_name}”. "
                    "Pick another name.")
    return None
