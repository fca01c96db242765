"""Step 2: the export's name, unique in the workspace."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Static

from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.workspace.config import export_name_for

MAX_NAME = 64


class NameStep(WizardStep):
    """Name the export (it is how `sgtui run NAME` and the history refer to it).

    What people type is kept as the export's display name when it would need quoting on a
    command line (spaces, capitals and the like); the name itself is its slug, shown as they
    type. A ``/`` is refused: it reads as a folder.
    """

    DEFAULT_CSS = """
    NameStep > Input { max-width: 60; }
    NameStep > .muted { height: auto; margin-top: 1; }
    """

    title = "Name"
    help = "A short name you will recognise in the exports list and the history."

    def compose(self) -> ComposeResult:
        yield Input(placeholder="e.g. spring-newsletter", id="export-name", max_length=MAX_NAME)
        yield Static(self._runs_as(""), id="export-slug", classes="muted")

    def enter(self, draft: ExportDraft) -> None:
        self.query_one(Input).value = draft.display_name or draft.name

    def _typed(self) -> str:
        return self.query_one(Input).value.strip()

    def _export_name(self, draft: ExportDraft | None = None) -> str:
        """The export's name for what is typed (an edited export keeps its own name)."""
        typed = self._typed()
        if draft is not None and draft.original_name and typed in (
                draft.original_name, draft.display_name):
            return draft.original_name
        return export_name_for(typed) if typed else ""

    def leave(self, draft: ExportDraft) -> None:
        typed, name = self._typed(), self._export_name(draft)
        draft.name = name
        draft.display_name = typed if typed and typed != name else None

    def _runs_as(self, typed: str) -> Content:
        if not typed:
            return Content("The name is also how `sgtui run NAME` and cron jobs refer to the "
                           "export; spaces are fine, it then runs by its short form.")
        name = self._export_name(self.wizard.draft if self.is_mounted else None)
        if name == typed:
            return Content(f"Runs as: sgtui run {name}")
        return Content(f"Shown as “{typed}”; runs as: sgtui run {name}")

    @on(Input.Changed, "#export-name")
    def _typed_changed(self) -> None:
        self.query_one("#export-slug", Static).update(self._runs_as(self._typed()))

    def problem(self, draft: ExportDraft) -> str | None:
        typed = self._typed()
        if not typed:
            return "Give the export a name."
        if "/" in typed:
            return ("A name cannot hold “/”: `sgtui run` and cron would read it as a folder. "
                    "Use a - instead.")
        if any(ord(character) < 32 for character in typed):
            return "The name cannot hold control characters."
        name = self._export_name(draft)
        taken = set(self.app.workspace.exports) - {draft.original_name}
        if name in taken:
            return f"There is already an export called {name!r}; pick another name."
        return None

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.wizard.action_next_step()
