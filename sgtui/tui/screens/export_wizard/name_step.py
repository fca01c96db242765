"""Step 2: the export's name, unique in the workspace."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep

MAX_NAME = 64


class NameStep(WizardStep):
    """Name the export (it is how `sgtui run NAME` and the history refer to it)."""

    DEFAULT_CSS = """
    NameStep > Input { max-width: 60; }
    NameStep > .muted { height: auto; margin-top: 1; }
    """

    title = "Name"
    help = "A short name you will recognise in the exports list and the history."

    def compose(self) -> ComposeResult:
        yield Input(placeholder="e.g. spring-newsletter", id="export-name", max_length=MAX_NAME)
        yield Static("The name is also how `sgtui run NAME` and cron jobs refer to the export.",
                     classes="muted")

    def show(self, draft: ExportDraft) -> None:
        self.query_one(Input).value = draft.name

    def leave(self, draft: ExportDraft) -> None:
        draft.name = self.query_one(Input).value.strip()

    def problem(self, draft: ExportDraft) -> str | None:
        name = self.query_one(Input).value.strip()
        if not name:
            return "Give the export a name."
        taken = set(self.context.workspace.exports) - {draft.original_name}
        if name in taken:
            return f"There is already an export called {name!r}; pick another name."
        if any(ord(character) < 32 for character in name):
            return "The name cannot hold control characters."
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.request_next()
