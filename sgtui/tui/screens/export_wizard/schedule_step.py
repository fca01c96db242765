"""Step 6: when the export runs, and what it does with people who left the segments."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label

from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.widgets.plain_marks import RadioButton, RadioSet
from sgtui.workspace.model import Schedule, SyncMode


class ScheduleStep(WizardStep):
    """Schedule (every refresh, or on demand) and sync mode (add and update, or mirror)."""

    DEFAULT_CSS = """
    ScheduleStep > Label { margin-top: 1; text-style: bold; }
    ScheduleStep > RadioSet { width: auto; }
    """

    title = "Schedule"
    help = "Choose when the export runs and how it treats the list."

    def compose(self) -> ComposeResult:
        yield Label("When")
        with RadioSet(id="schedule"):
            yield RadioButton("With every refresh (sgtui refresh, run by cron or a timer)",
                              id="schedule-refresh")
            yield RadioButton("On demand only (Run now, or sgtui run NAME)", id="schedule-manual")
        yield Label("Sync mode")
        with RadioSet(id="mode"):
            yield RadioButton("Add and update: people who left the segments stay on the list",
                              id="mode-upsert")
            yield RadioButton("Mirror: also remove people who left the segments from the list",
                              id="mode-mirror")

    def show(self, draft: ExportDraft) -> None:
        self.query_one(f"#schedule-{draft.schedule.value}", RadioButton).value = True
        self.query_one(f"#mode-{draft.mode.value}", RadioButton).value = True

    def leave(self, draft: ExportDraft) -> None:
        schedule = self.query_one("#schedule", RadioSet).pressed_button
        mode = self.query_one("#mode", RadioSet).pressed_button
        if schedule is not None and schedule.id:
            draft.schedule = Schedule(schedule.id.removeprefix("schedule-"))
        if mode is not None and mode.id:
            draft.mode = SyncMode(mode.id.removeprefix("mode-"))
