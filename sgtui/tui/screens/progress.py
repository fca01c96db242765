"""The screen around the live progress panel: leave it (the run goes on) or cancel the run."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from sgtui.export.progress_state import RunProgressState
from sgtui.tui.runs import RunHandle
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.progress import RunProgressPanel


class RunProgressScreen(Screen[None]):
    """One run's progress panel: live from a :class:`RunHandle`, or a finished state."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="progress.back"),
        Binding("x", "cancel_run", "Cancel run", id="progress.cancel"),
    ]

    def __init__(
        self, handle: RunHandle | None = None, *, state: RunProgressState | None = None
    ) -> None:
        super().__init__()
        if handle is None and state is None:
            raise ValueError("RunProgressScreen needs a run handle or a state")
        self.handle = handle
        self.state = handle.state if handle is not None else state
        self._ended = self.state.finished
        self._asking: ConfirmModal | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield RunProgressPanel(self.state, id="run-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RunProgressPanel).focus()
        if not self._ended:
            self.set_interval(0.25, self._watch_end, name="progress-end")

    def _watch_end(self) -> None:
        if self.state.finished and not self._ended:
            self._ended = True
            self.refresh_bindings()
            if self._asking is not None and self._asking.is_active:
                self._asking.dismiss(False)  # the run ended first: nothing left to cancel

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return (self.handle is not None and self.handle.running
                    and not self.state.cancel_requested)
        return True

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
