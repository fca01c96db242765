"""Importing profiles from CSV (a placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class CsvImportScreen(Screen[None]):
    """Import CSV: coming with its own issue."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="import.back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Import CSV", classes="screen-title")
        yield Static("Use `sgtui import FILE.csv` for now.", classes="empty-state")
        yield Footer()
