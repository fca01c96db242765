"""Step 5: the segments whose members go to the list."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.widgets.export.segment_picker import SegmentPicker


class SegmentsStep(WizardStep):
    """Tick segments; everyone in any of them is exported once."""

    DEFAULT_CSS = """
    SegmentsStep > #segments-status { height: auto; color: $text-muted; }
    """

    title = "Segments"
    help = "Tick the segments to export (space ticks). Someone in two segments is sent once."

    def compose(self) -> ComposeResult:
        yield Static(Content("Reading the segments…"), id="segments-status")
        yield SegmentPicker(id="segment-picker")

    def show(self, draft: ExportDraft) -> None:
        info = self.context.source_info
        self.query_one(SegmentPicker).cap = self.context.profile_cap
        status = self.query_one("#segments-status", Static)
        if info is None:
            return
        if info.problem:
            status.update(Content(info.problem))
            return
        if not info.segments:
            status.update(Content("The customer data has no segments yet: add rows to the "
                                  "segments and segment_members tables."))
            return
        status.display = False
        self.query_one(SegmentPicker).set_segments(
            info.segments, draft.segments, draft.mapping.get("email"))

    def leave(self, draft: ExportDraft) -> None:
        info = self.context.source_info
        if info is not None and info.segments:
            draft.segments = self.query_one(SegmentPicker).selected

    def problem(self, draft: ExportDraft) -> str | None:
        info = self.context.source_info
        if info is None:
            return "Still reading the segments; try again in a moment."
        if info.problem:
            return info.problem
        if not info.segments:
            return "There are no segments to export yet."
        return self.query_one(SegmentPicker).problem()
