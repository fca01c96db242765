"""The screen around the live progress panel: leave it (the run goes on) or cancel the run."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from sgtui.export.progress_state import RunProgressState
from sgtui.tui.runs import RunEnded, RunHandle, start_run
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import Button
from sgtui.tui.widgets.progress import RunProgressPanel
from sgtui.workspace.roles import can_edit_export


class RunProgressScreen(OfSgtuiApp, Screen[None]):
    """One run's progress panel: live from a :class:`RunHandle`, or a finished state."""

    HELP_TITLE = "Run progress"
    HELP = ('One run of an export: each stage, the profiles read, the contacts SendGrid '
            'confirmed, its jobs, and the rows set aside with their reasons. Leaving this screen '
            'does not stop the run; the header says it goes on.')
    """What the screen is for, as its help (? or F1) says."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="progress.back"),
        Binding("x", "cancel_run", "Cancel run", id="progress.cancel"),
        Binding("a", "allow_removals", "Remove people", id="progress.allow-removals"),
        Binding("f", "run_full", "Run full", id="progress.run-full"),
    ]

    def __init__(
        self, handle: RunHandle | None = None, *, state: RunProgressState | None = None
    ) -> None:
        super().__init__()
        if handle is not None:
            state = handle.state
        elif state is None:
            raise ValueError("RunProgressScreen needs a run handle or a state")
        self.handle = handle
        self.state: RunProgressState = state
        self._ended = self.state.finished
        self._asking: ConfirmModal | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield RunProgressPanel(self.state, offers=self._may_run(), id="run-panel")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        self.query_one(RunProgressPanel).focus()

    def on_run_ended(self, event: RunEnded) -> None:
        """This panel's run ended: offer what a finished run offers; close the Cancel dialog."""
        if event.handle is self.handle and not self._ended:
            self._ended = True
            self.refresh_bindings()  # the finished run's offers (a, f) appear
            if self._asking is not None and self._asking.is_active:
                self._asking.dismiss(False)  # the run ended first: nothing left to cancel

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return (self.handle is not None and self.handle.running
                    and not self.state.cancel_requested)
        if action == "allow_removals":
            return bool(self.state.removals_to_allow) and self._may_run()
        if action == "run_full":
            return self.state.offers_full_run and self._may_run()
        return True

    def _may_run(self) -> bool:
        workspace = self.app.workspace
        export = workspace.exports.get(self.state.export)
        return export is not None and can_edit_export(workspace.role, export,
                                                      workspace.connections)

    @on(Button.Pressed, "#run-allow-removals")
    def _allow_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_allow_removals()

    @on(Button.Pressed, "#run-full")
    def _full_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run_full()

    def action_allow_removals(self) -> None:
        """Ask, then run the export again allowing the removals the limit stopped."""
        count = self.state.removals_to_allow
        if not count or not self._may_run():
            return
        people = f"{count:,} {'person' if count == 1 else 'people'}"
        body = (f"{people} who left the segments of {self.state.export} are removed from "
                "the SendGrid list. They are removed from the list only, never deleted from "
                "the SendGrid account; anyone who joins the segments again is added back by "
                "a later run.")

        def answered(remove: bool | None) -> None:
            if remove:
                self._run_again(allow_removals=count)

        self.app.push_screen(ConfirmModal(f"Remove {people} from the list?", body,
                                          f"Remove {people}", cancel_label="Keep them",
                                          destructive=True), answered)

    def action_run_full(self) -> None:
        """Run the export again, sending every contact (the list changed outside sgtui)."""
        if self.state.offers_full_run and self._may_run():
            self._run_again(full=True)

    def _run_again(self, *, full: bool = False, allow_removals: int | None = None) -> None:
        """Replace this finished panel with the panel of a new run of the same export."""
        app = self.app
        export = self.state.export
        if app.screen is self:
            app.pop_screen()
        start_run(app, export, full=full, allow_removals=allow_removals)

    def action_cancel_run(self) -> None:
        """Ask first; batches SendGrid already accepted still finish."""
        handle = self.handle
        if handle is None or not handle.running:
            return
        state = self.state
        accepted = (
            f"SendGrid already accepted {state.uploaded:,} contacts in "
            f"{state.accepted_batches} batch{'es' if state.accepted_batches != 1 else ''}; "
            "those still finish processing there and stay on the list."
            if state.accepted_batches else "SendGrid has not accepted any batch yet."
        )
        body = f"sgtui stops reading and uploading now. {accepted}"

        def answered(stop: bool | None) -> None:
            self._asking = None
            if stop and handle.running:
                handle.request_cancel()
                self.refresh_bindings()

        self._asking = ConfirmModal(f"Cancel the run of {handle.export}?", body,
                                    "Cancel the run", cancel_label="Keep running",
                                    destructive=True)
        self.app.push_screen(self._asking, answered)
