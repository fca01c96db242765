"""Step 4: which profile column fills each SendGrid field."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sgtui.export.matching import missing_required, suggest_mapping
from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.widgets.export.field_mapping import FieldMappingTable


class MappingStep(WizardStep):
    """Email is required; the other fields are optional. Pre-filled by column names."""

    DEFAULT_CSS = """
    MappingStep > #mapping-status { height: auto; color: $text-muted; }
    """

    title = "Data matching"
    help = "Pick the profile column for each SendGrid field (Email is required)."

    def compose(self) -> ComposeResult:
        yield Static(Content("Reading the profile columns…"), id="mapping-status")
        yield FieldMappingTable(id="field-mapping")

    def show(self, draft: ExportDraft) -> None:
        info = self.context.source_info
        status = self.query_one("#mapping-status", Static)
        table = self.query_one(FieldMappingTable)
        if info is None:
            status.update(Content("Reading the profile columns…"))
            return
        if info.problem:
            status.update(Content(info.problem))
            return
        status.display = False
        if not draft.mapping_touched:
            draft.mapping = suggest_mapping(info.columns)
            draft.mapping_touched = True
        table.set_columns(info.columns, info.rows, info.health, draft.mapping)

    def leave(self, draft: ExportDraft) -> None:
        info = self.context.source_info
        if info is not None and not info.problem:
            draft.mapping = self.query_one(FieldMappingTable).mapping

    def problem(self, draft: ExportDraft) -> str | None:
        info = self.context.source_info
        if info is None:
            return "Still reading the profile columns; try again in a moment."
        if info.problem:
            return info.problem
        missing = missing_required(self.query_one(FieldMappingTable).mapping)
        if missing:
            return (f"Map {' and '.join(missing)}: SendGrid identifies each contact by email "
                    "address.")
        return None
