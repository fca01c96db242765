"""Every run, newest first, filterable by export and status; a run reopens its panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from sgtui.errors import sentence_for
from sgtui.export.events import RunStatus, RunSummary
from sgtui.export.progress_state import RunProgressState, format_duration
from sgtui.export.wording import REFUSED, REFUSED_RULE, SET_ASIDE, SET_ASIDE_RULE, shown
from sgtui.tui.keys import hint
from sgtui.tui.runs import RunEnded
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import DataTable, Select

if TYPE_CHECKING:
    from sgtui.workspace.state import StateStore

HISTORY_LIMIT = 1000
UNREADABLE = "The run history could not be read ({cause})."

STATUS_STYLES = {
    RunStatus.RUNNING: "bold cyan",
    RunStatus.SUCCEEDED: "green",
    RunStatus.PARTIAL: "yellow",
    RunStatus.FAILED: "bold red",
    RunStatus.CANCELLED: "yellow",
    RunStatus.INTERRUPTED: "yellow",
}


@dataclass(frozen=True, slots=True)
class RunDetails:
    """A finished run, rebuilt for the progress panel."""

    state: RunProgressState


def set_aside_count(summary: RunSummary) -> int:
    """Rows sgtui kept back for their email (they do not make a run partial)."""
    return summary.invalid_email + summary.missing_email


class HistoryScreen(OfSgtuiApp, Screen[None]):
    """Runs per export with status, start, duration and counts."""

    HELP = ('Every run of every export, newest first: its status, start, duration and counts, '
            "filtered by export and status; under the table, what the highlighted run said "
            "when it ended. Enter reopens a run's panel as it ended. "
            f"{SET_ASIDE_RULE} {REFUSED_RULE}")
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    HistoryScreen #history-filters { height: auto; padding: 0 1; }
    HistoryScreen #history-filters Select { width: 1fr; max-width: 40; margin-right: 1; }
    HistoryScreen #history-table { height: 1fr; margin: 0 1; }
    HistoryScreen #history-sentence { padding: 0 1; height: auto; max-height: 4; }
    HistoryScreen #history-legend { padding: 0 1; color: $text-muted; height: auto; }
    HistoryScreen #history-hint { padding: 0 1; color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="history.back"),
        Binding("f", "focus_filters", "Filter", id="history.filter"),
        Binding("ctrl+r", "reload", "Reload", id="history.reload"),
    ]

    class RunsLoaded(Message):
        """The runs were read from the state database (or could not be)."""

        def __init__(self, runs: list[RunSummary], problem: str | None) -> None:
            super().__init__()
            self.runs, self.problem = runs, problem

    class DetailsLoaded(Message):
        """One run's jobs and rejected rows were read, rebuilt as a panel state."""

        def __init__(self, details: RunDetails | None, problem: str | None) -> None:
            super().__init__()
            self.details, self.problem = details, problem

    def __init__(self, *, store: StateStore | None = None) -> None:
        super().__init__()
        self._store = store
        self.runs: list[RunSummary] = []
        self._first_load = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("History", classes="screen-title")
        with Horizontal(id="history-filters"):
            yield Select([], prompt="All exports", id="history-export", allow_blank=True)
            yield Select(
                [(status.value.capitalize(), status.value) for status in RunStatus],
                prompt="Any status", id="history-status", allow_blank=True,
            )
        yield Static("Reading the run history…", id="history-empty", classes="empty-state")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-sentence")
        yield Static(Content(f"{SET_ASIDE_RULE} {REFUSED_RULE}"), id="history-legend")
        keys = hint(self, ("history.filter", "filter"), ("history.back", "back"),
                    between=": ", separator="   ", spoken=True)
        yield Static(f"Enter: the run's details   {keys}", id="history-hint")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (("Run", "run"), ("Export", "export"), ("Status", "status"),
                           ("Started", "started"), ("Took", "took"), ("Profiles", "profiles"),
                           ("Sent", "sent"), ("Created", "created"), ("Updated", "updated"),
                           (SET_ASIDE.capitalize(), "set-aside"),
                           (REFUSED.capitalize(), "refused")):
            table.add_column(label, key=key)
        table.display = False

    def on_screen_resume(self) -> None:
        """Read the runs on first show, and again on coming back (a run may have ended);
        paint first, read after."""
        self.call_after_refresh(self.load_runs)

    def on_run_ended(self, event: RunEnded) -> None:
        """A run of this session ended: its row shows how."""
        self.load_runs()

    def _store_or_none(self) -> StateStore | None:
        """The state database (blocking; no store before the first run). Called from thread
        workers, so it keeps nothing on the screen."""
        if self._store is not None:
            return self._store
        path = self.app.workspace.state_path
        if not path.exists():
            return None
        from sgtui.workspace.state import StateStore

        return StateStore(path)

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False)
    def load_runs(self) -> None:
        """Read the runs off the UI thread."""
        try:
            store = self._store_or_none()
            runs = [] if store is None else store.list_runs(limit=HISTORY_LIMIT)
        except Exception as error:  # a locked or broken database is a sentence, not a crash
            self.post_message(self.RunsLoaded([], sentence_for(error, UNREADABLE)))
        else:
            self.post_message(self.RunsLoaded(runs, None))

    def on_history_screen_runs_loaded(self, event: RunsLoaded) -> None:
        self.runs = event.runs
        exports = sorted({run.export for run in self.runs} | set(self.app.workspace.exports))
        select = self.query_one("#history-export", Select)
        chosen = select.value
        with select.prevent(Select.Changed):
            select.set_options([(name, name) for name in exports])
            if chosen in exports:
                select.value = chosen
        self._fill(event.problem)
        table = self.query_one(DataTable)
        if table.display and self._first_load:
            table.focus()
        self._first_load = False

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._fill(None)

    def _filtered(self) -> list[RunSummary]:
        export = self.query_one("#history-export", Select).value
        status = self.query_one("#history-status", Select).value
        return [
            run for run in self.runs
            if (export == Select.NULL or run.export == export)
            and (status == Select.NULL or run.status.value == status)
        ]

    def _fill(self, problem: str | None) -> None:
        table = self.query_one(DataTable)
        empty = self.query_one("#history-empty", Static)
        runs = self._filtered()
        table.clear()
        for run in runs:
            table.add_row(*_cells(run), key=str(run.run_id))
        table.display = bool(runs)
        empty.display = not runs
        self.query_one("#history-legend").display = bool(runs)
        self._show_sentence(runs[0] if runs else None)
        if problem:
            empty.update(Content(problem))
        elif not self.runs:
            empty.update(Content("Nothing has run yet. Run an export from Exports (e), "
                                 "or with `sgtui run NAME`."))
        else:
            empty.update(Content("No run matches these filters."))

    def _show_sentence(self, run: RunSummary | None) -> None:
        """What ``run`` said when it ended, under the table (nothing without a run)."""
        box = self.query_one("#history-sentence", Static)
        box.display = run is not None
        if run is not None:
            box.update(Content.styled(f"#{run.run_id} {run.export}: ", "bold")
                       + Content("Still running." if run.status is RunStatus.RUNNING
                                 else shown(run.sentence)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        run_id = int(event.row_key.value or 0)
        self._show_sentence(next((run for run in self.runs if run.run_id == run_id), None))

    def action_focus_filters(self) -> None:
        """Move to the export filter."""
        self.query_one("#history-export", Select).focus()

    def action_reload(self) -> None:
        """Read the history again."""
        self.load_runs()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        run_id = int(event.row_key.value or 0)
        from sgtui.tui.runs import open_progress

        live = next((h for h in self.app.runs.running() if h.state.run_id == run_id), None)
        if live is not None:
            open_progress(self.app, live)
            return
        self.load_details(run_id)

    @work(thread=True, exclusive=True, group="history-details", exit_on_error=False)
    def load_details(self, run_id: int) -> None:
        """Rebuild one run's final panel from its summary, jobs and rejected rows."""
        try:
            store = self._store_or_none()
            summary = store.get_run(run_id) if store is not None else None
            if store is None or summary is None:
                self.post_message(self.DetailsLoaded(None, f"Run #{run_id} is not recorded."))
                return
            state = RunProgressState.from_history(
                summary, store.run_jobs(run_id), store.rejected_rows(run_id)
            )
        except Exception as error:
            self.post_message(self.DetailsLoaded(None, sentence_for(error, UNREADABLE)))
        else:
            self.post_message(self.DetailsLoaded(RunDetails(state), None))

    def on_history_screen_details_loaded(self, event: DetailsLoaded) -> None:
        if event.details is None:
            self.notify(event.problem or "That run cannot be shown.", severity="error")
            return
        from sgtui.tui.screens.progress import RunProgressScreen

        self.app.push_screen(RunProgressScreen(state=event.details.state))


def _cells(run: RunSummary) -> tuple[object, ...]:
    running = run.status is RunStatus.RUNNING

    def number(value: int) -> Text:
        return Text(f"{value:,}", justify="right")

    return (
        Text(f"#{run.run_id}", justify="right"),
        Text(run.export),
        Text(run.status.value + (" (dry run)" if run.dry_run else ""),
             style=STATUS_STYLES.get(run.status, "")),
        Text(run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        Text("…" if running else format_duration(run.seconds), justify="right"),
        number(run.profiles), number(run.uploaded), number(run.created), number(run.updated),
        Text(f"{set_aside_count(run):,}", justify="right",
             style="yellow" if set_aside_count(run) else ""),
        Text(f"{run.rejected_by_sendgrid:,}", justify="right",
             style="red" if run.rejected_by_sendgrid else ""),
    )
