"""The live progress panel: one run's stages, bars, counters, jobs and rejected rows.

Events fold into a :class:`RunProgressState` as they arrive; the panel redraws from it on
a timer (ten times a second), so the number of events never decides the redraw rate.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sgtui.export.events import RunStatus
from sgtui.export.progress_state import RunProgressState, format_duration
from sgtui.export.wording import REFUSED, SET_ASIDE
from sgtui.tui.widgets.plain_marks import Button
from sgtui.tui.widgets.progress.bars import ProgressLine
from sgtui.tui.widgets.progress.counters import RunCounters
from sgtui.tui.widgets.progress.stages import StageList
from sgtui.tui.widgets.progress.tables import BatchTable, RejectedRowsTable
from sgtui.tui.widgets.progress.throughput import RateLimitMeter, ThroughputSparkline
from sgtui.tui.widgets.wrapping import WrappedText, shortened_path

REDRAW_INTERVAL = 0.1
WIDE = 110

STATUS_STYLES = {
    RunStatus.RUNNING: "bold $accent",
    RunStatus.SUCCEEDED: "bold $success",
    RunStatus.PARTIAL: "bold $warning",
    RunStatus.FAILED: "bold $error",
    RunStatus.CANCELLED: "bold $warning",
    RunStatus.INTERRUPTED: "bold $warning",
}


class RunProgressPanel(VerticalScroll):
    """Everything about one run, live or finished; scrolls when the terminal is small."""

    DEFAULT_CSS = """
    RunProgressPanel { height: 1fr; }
    RunProgressPanel .section-title { text-style: bold; padding: 0 1; margin-top: 1; }
    RunProgressPanel #run-status { padding: 0 1; height: auto; }
    RunProgressPanel #run-summary { padding: 0 1; height: auto; margin-top: 1; }
    RunProgressPanel #run-summary.-succeeded { background: $success 15%; }
    RunProgressPanel #run-summary.-partial { background: $warning 15%; }
    RunProgressPanel #run-summary.-cancelled { background: $warning 15%; }
    RunProgressPanel #run-summary.-interrupted { background: $warning 15%; }
    RunProgressPanel #run-summary.-failed { background: $error 15%; }
    RunProgressPanel #run-top { height: auto; margin-top: 1; }
    RunProgressPanel #run-stages { width: 1fr; }
    RunProgressPanel #run-counters { width: 35; }
    RunProgressPanel.-narrow #run-top { layout: vertical; }
    RunProgressPanel.-narrow #run-counters { width: 1fr; margin-top: 1; }
    RunProgressPanel #run-bars { height: auto; margin-top: 1; }
    RunProgressPanel #run-pace { height: auto; margin-top: 1; }
    RunProgressPanel #run-actions { height: auto; padding: 0 1; margin-top: 1; }
    RunProgressPanel #run-actions Button { margin-right: 2; }
    RunProgressPanel #run-notes {
        height: auto; margin-top: 1; padding: 0 1;
        border-left: thick $warning; background: $warning 12%;
    }
    RunProgressPanel #rejected-csv { padding: 0 1; height: auto; color: $text-muted; }
    RunProgressPanel .empty { padding: 0 1; color: $text-muted; height: auto; }
    """

    def __init__(self, state: RunProgressState, *, offers: bool = True,
                 id: str | None = None) -> None:
        """``offers``: whether the finished panel may offer to run the export again."""
        super().__init__(id=id)
        self.state = state
        self.offers = offers
        self._drawn_version = -1
        self._final_drawn = False

    def compose(self) -> ComposeResult:
        yield Static("", id="run-status")
        yield Static("", id="run-summary")
        with Horizontal(id="run-actions"):
            yield Button("Remove people from the list", id="run-allow-removals",
                         variant="error", compact=True)
            yield Button("Run full (send everything)", id="run-full", variant="primary",
                         compact=True)
        yield Static("", id="run-notes")
        with Horizontal(id="run-top"):
            yield StageList(id="run-stages")
            yield RunCounters(id="run-counters")
        with Vertical(id="run-bars"):
            yield ProgressLine("Profiles read", "profiles", id="bar-read")
            yield ProgressLine("Contacts uploaded", "contacts", id="bar-upload")
            yield ProgressLine("Confirmed by SendGrid", "contacts", id="bar-confirm")
        with Vertical(id="run-pace"):
            yield ThroughputSparkline(id="run-throughput")
            yield RateLimitMeter(id="run-rate-limit")
        yield Static("Batches and SendGrid jobs", classes="section-title")
        yield Static("No batch uploaded yet.", id="batches-empty", classes="empty")
        yield BatchTable(id="run-batches")
        yield Static(f"Rows {SET_ASIDE} or {REFUSED}", classes="section-title")
        yield Static(f"No row {SET_ASIDE} or {REFUSED}.", id="rejected-empty", classes="empty")
        yield RejectedRowsTable(id="run-rejected")
        yield WrappedText(id="rejected-csv")

    def on_mount(self) -> None:
        self._layout_for(self.size.width or self.app.size.width)  # no size before layout
        self.query_one("#run-summary").display = False
        self.query_one("#run-actions").display = False
        self.redraw()
        self.set_interval(REDRAW_INTERVAL, self._tick, name="progress-redraw")

    def on_resize(self) -> None:
        self._layout_for(self.size.width)

    def _layout_for(self, width: int) -> None:
        self.set_class(0 < width < WIDE, "-narrow")

    def _tick(self) -> None:
        if self._final_drawn:
            return
        self.state.sample()
        self.redraw()

    def redraw(self) -> None:
        """Refresh every part from the state (each part skips work when nothing changed)."""
        state = self.state
        self._draw_status()
        self.query_one(StageList).show(state)
        self.query_one(RunCounters).show(state)
        self.query_one("#bar-read", ProgressLine).show(state.read_progress)
        self.query_one("#bar-upload", ProgressLine).show(state.upload_progress)
        self.query_one("#bar-confirm", ProgressLine).show(state.confirm_progress)
        self.query_one(ThroughputSparkline).show(state)
        self.query_one(RateLimitMeter).show(state)
        if state.version != self._drawn_version:
            self._drawn_version = state.version
            self._draw_notes()
            self.query_one(BatchTable).show(state)
            self.query_one("#batches-empty").display = not state.batches
            self.query_one(BatchTable).display = bool(state.batches)
            self.query_one(RejectedRowsTable).show(state)
            self._draw_rejected()
        if state.finished:
            self._draw_summary()
            self._final_drawn = True

    def _draw_status(self) -> None:
        state = self.state
        status = state.status
        text = Content.styled(f"{status.value.upper()}", STATUS_STYLES[status])
        text += Content("  ") + Content.styled(state.export or "(export)", "bold")
        if state.run_id is not None:
            text += Content.styled(f"  run #{state.run_id}", "dim")
        if state.dry_run:
            text += Content.styled("  dry run: nothing is sent", "$warning")
        took = format_duration(state.elapsed)
        text += Content(f"  ·  took {took}" if state.finished else f"  ·  {took} elapsed")
        if state.cancel_requested and not state.finished:
            text += Content.styled("  ·  cancelling…", "$warning")
        self.query_one("#run-status", Static).update(text)

    def _draw_summary(self) -> None:
        summary = self.query_one("#run-summary", Static)
        line = self.state.summary_line()
        csv = self.state.rejected_csv
        if csv and csv in line:  # the whole path is under the rejected rows, broken at /
            line = line.replace(csv, shortened_path(csv))
        summary.display = bool(line)
        summary.update(Content(line))
        summary.set_classes(f"-{self.state.status.value}")
        self._draw_actions()

    def _draw_actions(self) -> None:
        """What the finished run offers next: allow its removals, or a full run."""
        state = self.state
        count = state.removals_to_allow if self.offers else None
        allow = self.query_one("#run-allow-removals", Button)
        allow.display = bool(count)
        if count:
            allow.label = f"Remove {count:,} {'person' if count == 1 else 'people'} from the list"
        full = self.query_one("#run-full", Button)
        full.display = self.offers and state.offers_full_run
        self.query_one("#run-actions").display = allow.display or full.display

    def _draw_notes(self) -> None:
        state = self.state
        notes = [f"⚠ {warning}" for warning in state.warnings[-3:]]
        if state.retrying is not None and not state.finished:
            retry = state.retrying
            notes.append(f"Retrying (attempt {retry.attempt}) in {retry.delay:.0f} s: "
                         f"{retry.reason}")
        notes_widget = self.query_one("#run-notes", Static)
        notes_widget.display = bool(notes)
        notes_widget.update(Content("\n".join(notes)))

    def _draw_rejected(self) -> None:
        state = self.state
        table = self.query_one(RejectedRowsTable)
        table.display = bool(state.rejected)
        self.query_one("#rejected-empty").display = not state.rejected
        csv = self.query_one("#rejected-csv", WrappedText)
        lines = []
        if state.rejected_total > len(state.rejected):
            lines.append(f"Showing {len(state.rejected):,} of {state.rejected_total:,} "
                         "rejected rows.")
        if state.rejected_csv:
            lines.append(f"All rejected rows with reasons: {state.rejected_csv}")
        csv.display = bool(lines)
        csv.update("\n".join(lines))
