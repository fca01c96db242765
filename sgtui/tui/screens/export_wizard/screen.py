"""The export wizard: seven steps, one at a time, with Back/Next and a step indicator."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, Static

from sgtui.errors import sentence_for
from sgtui.tui.keys import bound_key
from sgtui.tui.screens.export_wizard.connection_step import ConnectionStep
from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.list_step import ListStep
from sgtui.tui.screens.export_wizard.mapping_step import MappingStep
from sgtui.tui.screens.export_wizard.name_step import NameStep
from sgtui.tui.screens.export_wizard.review_step import ReviewStep
from sgtui.tui.screens.export_wizard.schedule_step import ScheduleStep
from sgtui.tui.screens.export_wizard.segments_step import SegmentsStep
from sgtui.tui.screens.export_wizard.source_info import SourceInfo, read_source_info
from sgtui.tui.screens.export_wizard.step import StepContext, WizardStep
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.export.list_picker import ListPicker
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import Button
from sgtui.tui.widgets.step_indicator import StepIndicator
from sgtui.tui.wizard_keys import wizard_bindings
from sgtui.workspace.config import WorkspaceError

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.model import ExportConfig

STEP_COUNT = 7


def profile_cap(workspace: Workspace) -> int:
    """The most profiles one export may send (the workspace's ``[limits]``)."""
    from sgtui.workspace.limits import max_profiles_per_export

    return max_profiles_per_export(workspace)


def same_export(one: ExportConfig, other: ExportConfig) -> bool:
    """Whether saving ``one`` over ``other`` would change nothing that matters (the order the
    segments were ticked in does not)."""
    return replace(one, segments=tuple(sorted(one.segments))) == replace(
        other, segments=tuple(sorted(other.segments)))


@dataclass(frozen=True, slots=True)
class SavedExport:
    """What the wizard hands back: the saved export's name and whether to run it now."""

    name: str
    run: bool


class ExportWizardScreen(OfSgtuiApp, Screen[SavedExport | None]):
    """Define a new export, or edit one (``draft.original_name`` set).

    Dismisses with :class:`SavedExport`, or None when left without saving.
    """

    HELP_TITLE = "Define an export"
    HELP = ('Defining an export, step by step: the connection, the SendGrid list, the field '
            'mapping, the segments and the schedule, then a review. Saving never runs it (Save '
            'and run now does); when editing, Save goes straight to the review from any step. '
            'Cancel leaves without saving, asking first when something would be lost.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    ExportWizardScreen #wizard-help { height: auto; padding: 0 1; color: $text-muted; }
    ExportWizardScreen #wizard-steps { height: 1fr; }
    ExportWizardScreen #wizard-problem { height: auto; padding: 0 1; color: $error; }
    ExportWizardScreen #wizard-bar { height: 1; padding: 0 1; margin-bottom: 1; }
    ExportWizardScreen #wizard-bar Button { margin-right: 2; min-width: 10; }
    """

    BINDINGS = wizard_bindings("wizard", cancel="cancel", back="previous_step",
                               forward="next_step", save="save", save_and_run="save_and_run")
    holds_app_keys = True
    """The app's keys would open another screen on top of a half-made export."""

    class SourceRead(Message):
        """The customer data's columns, sample and segments were read (thread worker)."""

        def __init__(self, info: SourceInfo) -> None:
            super().__init__()
            self.info = info

    class Saved(Message):
        """``sgtui.toml`` was written (thread worker), or ``problem`` says why not."""

        def __init__(self, name: str, problem: str | None, run: bool) -> None:
            super().__init__()
            self.name, self.problem, self.run = name, problem, run

    def __init__(self, draft: ExportDraft | None = None) -> None:
        super().__init__()
        self.draft = draft or ExportDraft()
        self._loaded = self.draft.to_config() if self.draft.original_name else None
        """The export as it was opened for editing (None for a new one)."""
        self.source_info: SourceInfo | None = None
        self.index = 0
        self.saving = False
        self._advance_when_chosen = False
        self._steps: list[WizardStep] = [
            ConnectionStep(id="step-connection"), NameStep(id="step-name"),
            ListStep(id="step-list"), MappingStep(id="step-mapping"),
            SegmentsStep(id="step-segments"), ScheduleStep(id="step-schedule"),
            ReviewStep(id="step-review"),
        ]

    @property
    def steps(self) -> list[WizardStep]:
        """The steps in order (each is mounted when first shown)."""
        return self._steps

    @property
    def step(self) -> WizardStep:
        """The step on screen."""
        return self.steps[self.index]

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepIndicator([step.title for step in self._steps], 0, id="wizard-indicator")
        yield Static("", id="wizard-help")
        with ContentSwitcher(initial="step-connection", id="wizard-steps"):
            yield self._steps[0]  # the others are mounted when first shown: a faster start
        yield Static("", id="wizard-problem")
        with Horizontal(id="wizard-bar"):
            yield Button("Back", id="wizard-back", compact=True)
            yield Button("Next", id="wizard-next", variant="primary", compact=True)
            yield Button("Save", id="wizard-save", variant="success", compact=True)
            yield Button("Save and run now", id="wizard-save-run", compact=True)
        yield FooterWithHelp()

    async def on_mount(self) -> None:
        verb = "Edit export" if self.draft.original_name else "New export"
        self.sub_title = verb
        await self._show(0)
        self.call_after_refresh(self.read_source)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        last = self.index == STEP_COUNT - 1
        if action == "previous_step":
            return self.index > 0
        if action == "next_step":
            return not last
        if action == "save":  # on the review; when editing, from any step (to the review)
            return last or self._loaded is not None
        if action == "save_and_run":
            return last
        return True

    # -- moving between steps ----------------------------------------------------------------
    async def _show(self, index: int) -> None:
        self.index = index
        step = self.step
        switcher = self.query_one(ContentSwitcher)
        if not step.is_attached:
            await switcher.mount(step)
        switcher.current = step.id
        self.query_one(StepIndicator).current = index
        self.query_one("#wizard-help", Static).update(Content(step.help))
        self._problem("")
        last = index == len(self.steps) - 1
        self.query_one("#wizard-back").display = index > 0
        self.query_one("#wizard-next").display = not last
        self.query_one("#wizard-save").display = last
        self.query_one("#wizard-save-run").display = last
        step.enter(self.draft, self._step_context())
        self.refresh_bindings()
        self.call_after_refresh(step.focus_first)

    async def action_next_step(self) -> None:
        """Check this step and go to the next (on the last step: nothing)."""
        if self.index >= len(self.steps) - 1 or self.saving:
            return
        step = self.step
        problem = step.problem(self.draft)
        if problem:
            self._advance_when_chosen = isinstance(step, ListStep) and (
                self.query_one(ListPicker).busy)
            self._problem(problem)
            return
        step.leave(self.draft)
        await self._show(self.index + 1)

    async def action_previous_step(self) -> None:
        """Go back one step, keeping what was entered."""
        if self.index == 0 or self.saving:
            return
        self._advance_when_chosen = False
        self.step.leave(self.draft)
        await self._show(self.index - 1)

    def action_cancel(self) -> None:
        """Leave the wizard; ask first when something would be lost (an edit that changed
        nothing, or a new export still on its first step, leaves at once)."""
        if self._nothing_to_lose():
            self.dismiss(None)
            return
        from sgtui.tui.widgets.confirm import ConfirmModal

        what = "your changes to this export" if self.draft.original_name else "this new export"

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmModal("Leave without saving?", f"Nothing of {what} will be kept.",
                         "Leave", cancel_label="Stay"),
            answered,
        )

    def _nothing_to_lose(self) -> bool:
        """Whether leaving now loses nothing the user entered: for an edit, the draft says
        what the loaded export said (the step on screen included)."""
        if self._loaded is None:
            return self.index == 0
        self.step.leave(self.draft)
        return same_export(self.draft.to_config(), self._loaded)

    @on(Button.Pressed, "#wizard-back")
    async def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_previous_step()

    @on(Button.Pressed, "#wizard-next")
    async def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_next_step()

    @on(Button.Pressed, "#wizard-save")
    async def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_save()

    @on(Button.Pressed, "#wizard-save-run")
    async def _save_run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_save(run=True)

    async def on_list_picker_chosen(self, event: ListPicker.Chosen) -> None:
        self._problem("")  # the picker now says what holds (and why, when nothing does)
        if event.list_id:
            if self._advance_when_chosen and isinstance(self.step, ListStep):
                self._advance_when_chosen = False
                await self.action_next_step()
        else:
            self._advance_when_chosen = False

    def _problem(self, sentence: str) -> None:
        self.query_one("#wizard-problem", Static).update(Content(sentence))

    # -- the customer data -----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="wizard-source", exit_on_error=False)
    def read_source(self) -> None:
        """Read the profile columns, a sample of profiles and the segments."""
        try:
            source = self.app.open_source()
            try:
                info = read_source_info(source)
            finally:
                source.close()
        except Exception as error:  # SourceError, or a database surprise
            info = SourceInfo(problem=sentence_for(
                error, "The customer data could not be read ({cause})."))
        self.post_message(self.SourceRead(info))

    def on_export_wizard_screen_source_read(self, event: SourceRead) -> None:
        self.source_info = event.info
        if isinstance(self.step, MappingStep | SegmentsStep):
            self.step.enter(self.draft, self._step_context())

    def _step_context(self) -> StepContext:
        """What the steps get when entered, besides the draft."""
        workspace = self.app.workspace
        return StepContext(workspace, self.source_info, profile_cap(workspace))

    async def on_wizard_step_next_requested(self, event: WizardStep.NextRequested) -> None:
        event.stop()
        await self.action_next_step()

    # -- saving ----------------------------------------------------------------------------
    async def action_save(self, run: bool = False) -> None:
        """Write the export to ``sgtui.toml`` from the review step. When editing, Save on an
        earlier step checks that step and goes straight to the review, as the connection
        flow's Save goes to its Save step."""
        last = len(self.steps) - 1
        if self.saving:
            return
        if self.index != last:
            if self._loaded is not None and not run:
                await self._straight_to(last)
            return
        self.step.leave(self.draft)
        self.saving = True
        self._problem("")
        self.save(run)

    async def action_save_and_run(self) -> None:
        """Write the export, then start a run of it (only from the review step)."""
        await self.action_save(run=True)

    async def _straight_to(self, index: int) -> None:
        """Check the step on screen and show step ``index`` (the steps between keep the
        draft's values, which were valid when the export was loaded)."""
        problem = self.step.problem(self.draft)
        if problem:
            self._problem(problem)
            return
        self.step.leave(self.draft)
        await self._show(index)

    @work(thread=True, exclusive=True, group="wizard-save", exit_on_error=False)
    def save(self, run: bool) -> None:
        """Put the export into the workspace and write the file."""
        export = self.draft.to_config()
        original = self.draft.original_name

        def change(workspace: Workspace) -> None:
            if original and original != export.name:
                workspace.remove_export(original)
            workspace.put_export(export)

        try:
            self.app.workspace.apply_and_save(change)
        except WorkspaceError as error:
            self.post_message(self.Saved(export.name, error.sentence, run))
        else:
            self.post_message(self.Saved(export.name, None, run))

    def on_export_wizard_screen_saved(self, event: Saved) -> None:
        self.saving = False
        if event.problem:
            self._problem(event.problem)
            return
        if not event.run:
            from sgtui.tui.screens.exports import ExportsScreen

            run_key = bound_key(self, "exports.run", ExportsScreen)
            self.app.notify(f"Saved {event.name}. Saving does not run it: press {run_key} in "
                            "the exports list to run it now.", markup=False)
        self.dismiss(SavedExport(event.name, event.run))

