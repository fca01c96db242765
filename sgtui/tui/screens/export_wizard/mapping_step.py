"""Step 4: which profile column fills each SendGrid field, reserved and custom."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sgtui.export.matching import missing_required, suggest_mapping
from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.widgets.export.contact_preview import ContactPreview
from sgtui.tui.widgets.export.custom_fields_part import CustomFieldsPart
from sgtui.tui.widgets.export.field_mapping import FieldMappingTable
from sgtui.tui.widgets.plain_marks import Collapsible
from sgtui.workspace.model import MORE_FIELDS

PREVIEW_ROWS = 3
"""Profiles the preview and the samples beside the fields show."""


class MappingStep(WizardStep):
    """Email is required; the other fields are optional. Pre-filled by column names.

    Below the seven fields: "More SendGrid fields" (the other reserved fields) and "Custom
    fields", each folded away until it is used; then a preview of what SendGrid would get.
    """

    DEFAULT_CSS = """
    MappingStep > #mapping-status { height: auto; color: $text-muted; }
    MappingStep > Collapsible {
        background: transparent; border-top: none; padding: 0; margin-top: 1;
    }
    MappingStep > #custom-part { margin-top: 0; }
    MappingStep > Collapsible:focus-within { background-tint: $foreground 0%; }
    MappingStep > Collapsible > Contents { padding: 0 0 0 2; }
    MappingStep > Collapsible CollapsibleTitle { padding: 0; }
    """

    title = "Data matching"
    help = "Pick the profile column for each SendGrid field (Email is required)."

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._folded_for_draft = False
        self._values_of: tuple[object, dict[str, list[object]]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("Reading the profile columns…"), id="mapping-status")
        yield FieldMappingTable(id="field-mapping")
        yield Collapsible(FieldMappingTable(MORE_FIELDS, id="more-fields"),
                          title="More SendGrid fields", id="more-part")
        yield Collapsible(CustomFieldsPart(id="custom-fields"), title="Custom fields",
                          id="custom-part")
        yield ContactPreview(id="contact-preview")

    @property
    def _table(self) -> FieldMappingTable:
        return self.query_one("#field-mapping", FieldMappingTable)

    @property
    def _more(self) -> FieldMappingTable:
        return self.query_one("#more-fields", FieldMappingTable)

    @property
    def _custom(self) -> CustomFieldsPart:
        return self.query_one(CustomFieldsPart)

    def show(self, draft: ExportDraft) -> None:
        info = self.context.source_info
        status = self.query_one("#mapping-status", Static)
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
        rows = self._preview_rows()
        self._table.set_columns(info.columns, rows, info.health, draft.mapping)
        self._more.set_columns(info.columns, rows, info.health, draft.more_fields)
        if not self._folded_for_draft:
            self._folded_for_draft = True
            self.query_one("#more-part", Collapsible).collapsed = not draft.more_fields
            self.query_one("#custom-part", Collapsible).collapsed = not draft.custom_fields
        connection = self.context.workspace.connections.get(draft.connection or "")
        self.call_later(self._custom.load, connection, draft.custom_fields, info.columns,
                        self._values())
        self._refresh()

    def leave(self, draft: ExportDraft) -> None:
        info = self.context.source_info
        if info is not None and not info.problem:
            draft.mapping = self._table.mapping
            draft.more_fields = self._more.mapping
            if self._custom.ready:  # else its rows are still the draft's
                draft.custom_fields = self._custom.custom_fields
        draft.field_definitions = self._custom.definitions

    def problem(self, draft: ExportDraft) -> str | None:
        info = self.context.source_info
        if info is None:
            return "Still reading the profile columns; try again in a moment."
        if info.problem:
            return info.problem
        missing = missing_required(self._table.mapping)
        if missing:
            return (f"Map {' and '.join(missing)}: SendGrid identifies each contact by email "
                    "address.")
        custom = self._custom.problem({**self._table.mapping, **self._more.mapping})
        if custom:
            self.query_one("#custom-part", Collapsible).collapsed = False
        return custom

    # -- reacting --------------------------------------------------------------------------
    def on_field_mapping_table_changed(self, event: FieldMappingTable.Changed) -> None:
        event.stop()
        self._refresh()

    def on_custom_fields_part_changed(self, event: CustomFieldsPart.Changed) -> None:
        event.stop()
        self._refresh()

    def _refresh(self) -> None:
        """The titles of the folded parts say what they hold; the preview shows it all."""
        more = len(self._more.mapping)
        self.query_one("#more-part", Collapsible).title = (
            f"More SendGrid fields ({more} mapped)" if more else "More SendGrid fields")
        rows = len(self._custom.rows) if self._custom.ready else 0
        self.query_one("#custom-part", Collapsible).title = (
            f"Custom fields ({rows})" if rows else "Custom fields")
        self.query_one(ContactPreview).show(
            self._preview_rows(), {**self._table.mapping, **self._more.mapping},
            self._custom.custom_fields)

    def _preview_rows(self) -> list[dict[str, object]]:
        info = self.context.source_info
        if info is None:
            return []
        return [dict(zip(info.columns, row, strict=False)) for row in info.rows[:PREVIEW_ROWS]]

    def _values(self) -> dict[str, list[object]]:
        """Each column's values in the sample of profiles (read once per sample)."""
        info = self.context.source_info
        assert info is not None
        if self._values_of is None or self._values_of[0] is not info:
            columns: Sequence[str] = info.columns
            values: dict[str, list[object]] = {column: [] for column in columns}
            for row in info.rows:
                for column, value in zip(columns, row, strict=False):
                    values[column].append(value)
            self._values_of = (info, values)
        return self._values_of[1]
