"""The connections screen (a placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class ConnectionsScreen(Screen[None]):
    """Connections: coming with its own issue."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="connections.back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Connections", classes="screen-title")
        yield Static("Nothing here yet.", classes="empty-state")
        yield Footer()
