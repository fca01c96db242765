"""Step 3: the SendGrid list the export fills."""

from __future__ import annotations

from textual.app import ComposeResult

from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.widgets.export.list_picker import ListPicker


class ListStep(WizardStep):
    """Pick a list of the account, create a new one, or type a list ID."""

    title = "SendGrid list"
    help = "Which contact list in SendGrid should hold these people?"

    def compose(self) -> ComposeResult:
        yield ListPicker(id="list-picker")

    def show(self, draft: ExportDraft) -> None:
        connection = self.context.workspace.connections.get(draft.connection or "")
        if connection is not None:
            self.query_one(ListPicker).load(connection, draft.list_id, draft.list_name,
                                            draft.list_checked)

    def leave(self, draft: ExportDraft) -> None:
        picker = self.query_one(ListPicker)
        if picker.chosen_id:
            draft.list_id, draft.list_name = picker.chosen_id, picker.chosen_name
            draft.list_checked = picker.checked

    def problem(self, draft: ExportDraft) -> str | None:
        return self.query_one(ListPicker).settle()
