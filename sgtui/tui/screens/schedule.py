"""The Schedule screen: how to run ``sgtui refresh`` from cron or a systemd timer, and how
the last refresh went.

The crontab line and the units come from :mod:`sgtui.export.schedule_units`; the screen
shows them, copies them to the clipboard (OSC 52, so it works over SSH) and reads the last
refresh's outcome and each export's last run in a thread worker.
"""

from __future__ import annotations

from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from sgtui.errors import sentence_for
from sgtui.export.events import RunSummary
from sgtui.export.schedule_units import (
    DEFAULT_CRON_SCHEDULE,
    ENV_FILE,
    ENV_VARIABLE,
    LastRefresh,
    RefreshCommand,
    crontab_line,
    env_file_commands,
    refresh_command,
    service_unit,
    systemd_commands,
    timer_unit,
)
from sgtui.tui.keys import bound_key
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.alerts_panel import AlertsPanel
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.workspace.model import Schedule

STATUS_STYLES = {
    "succeeded": "green",
    "partial": "yellow",
    "failed": "bold red",
    "cancelled": "yellow",
    "interrupted": "yellow",
    "running": "bold cyan",
}


def _time(moment: datetime | None) -> str:
    """A moment in the machine's local time, to the minute."""
    if moment is None:
        return "at an unknown time"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


DEMO_NOTE = ("This is a throwaway demo workspace: its sandbox SendGrid and in-memory keys end "
             "with the demo, so a schedule installed from here would have nothing to send to. "
             "Set up a schedule from your real workspace.")

class ScheduleScreen(OfSgtuiApp, Screen[None]):
    """The crontab line and systemd units that run ``sgtui refresh``, and its last outcome."""

    HELP = ('How to run every scheduled export from cron or a systemd timer (sgtui refresh): the '
            'texts to install, ready to copy, and how the last refresh went.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    ScheduleScreen #schedule-body { padding: 0 1; }
    ScheduleScreen .schedule-heading { height: auto; margin-top: 1; text-style: bold;
                                       color: $accent; }
    ScheduleScreen .schedule-note { height: auto; color: $text-muted; }
    ScheduleScreen .schedule-code { height: auto; padding: 0 1; border: round $primary 40%;
                                    border-title-color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="schedule.back"),
        # Numbers, not c and s: those open Connections and Schedule on every screen.
        Binding("1", "copy('crontab')", "Copy cron line", id="schedule.copy-crontab"),
        Binding("2", "copy('service')", "Copy service", id="schedule.copy-service"),
        Binding("3", "copy('timer')", "Copy timer", id="schedule.copy-timer"),
        Binding("a", "test_alert", "Test alert", id="schedule.test-alert"),
        Binding("ctrl+r", "reload", "Reload", id="schedule.reload", show=False),
    ]

    class OutcomeLoaded(Message):
        """The last refresh and each export's last run were read (or could not be)."""

        def __init__(self, last: LastRefresh | None, last_runs: dict[str, RunSummary],
                     problem: str | None) -> None:
            super().__init__()
            self.last, self.last_runs, self.problem = last, last_runs, problem

    def __init__(self, command: RefreshCommand | None = None) -> None:
        """``command``: what the scheduler runs; by default the running sgtui on the app's
        workspace (tests pass a fixed one so paths stay the same on every machine)."""
        super().__init__()
        self._command = command
        self.texts: dict[str, tuple[str, str]] = {}
        """What each copy action copies, by name: (text, what it is, for people)."""

    @property
    def command(self) -> RefreshCommand:
        """The refresh command the texts run."""
        if self._command is None:
            self._command = refresh_command(self.app.workspace.folder)
        return self._command

    def compose(self) -> ComposeResult:
        command = self.command
        cron = crontab_line(command)
        service, timer = service_unit(command), timer_unit()
        self.texts = {
            "crontab": (cron, "crontab line"),
            "service": (service, "service unit"),
            "timer": (timer, "timer unit"),
        }
        yield Header()
        yield Static("Schedule", classes="screen-title")
        with VerticalScroll(id="schedule-body"):
            if self.app.demo is not None:
                yield Static(Content(DEMO_NOTE), id="schedule-demo", classes="banner")
            yield Static(self._intro(command, self._copy_keys()), id="schedule-intro")
            yield Static(Content.styled("Last refresh", "bold"), classes="schedule-heading")
            yield Static(Content("Reading the last refresh…"), id="last-refresh",
                         classes="schedule-note")
            yield Static(Content.styled("Exports", "bold"), classes="schedule-heading")
            yield Static(Content("…"), id="scheduled-exports")
            yield Static(Content.styled("Alerts", "bold"), classes="schedule-heading")
            yield AlertsPanel(id="alerts")
            yield Static(Content.styled("The API key", "bold"), classes="schedule-heading")
            yield Static(self._key_help(), id="key-help")
            yield self._code(env_file_commands(), "key-file-commands", "create the key file")
            yield Static(Content.styled("cron", "bold"), classes="schedule-heading")
            yield self._code(cron, "crontab-line",
                             f"crontab line · {bound_key(self, 'schedule.copy-crontab')} copies")
            yield Static(self._cron_note(command), classes="schedule-note")
            yield Static(Content.styled("systemd (user units)", "bold"),
                         classes="schedule-heading")
            yield self._code(service.rstrip("\n"), "service-unit",
                             f"service · {bound_key(self, 'schedule.copy-service')} copies")
            yield self._code(timer.rstrip("\n"), "timer-unit",
                             f"timer · {bound_key(self, 'schedule.copy-timer')} copies")
            yield self._code(systemd_commands(), "systemd-commands", "then run")
            yield Static(self._systemd_note(), classes="schedule-note")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        self.query_one("#schedule-body", VerticalScroll).focus()

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown. Paint first, read after.
        self.call_after_refresh(self.load_outcome)
        self.call_after_refresh(self.query_one(AlertsPanel).load)

    def action_test_alert(self) -> None:
        """Send a test alert to every [notify] target."""
        self.query_one(AlertsPanel).send_test()

    # -- texts -------------------------------------------------------------------------------
    @staticmethod
    def _code(text: str, widget_id: str, title: str) -> Static:
        block = Static(Content(text), id=widget_id, classes="schedule-code")
        block.border_title = Content(title)
        return block

    def _copy_keys(self) -> str:
        """``1, 2 and 3``: the keys that copy the texts, as the user has them."""
        keys = [bound_key(self, f"schedule.copy-{name}")
                for name in ("crontab", "service", "timer")]
        return f"{', '.join(keys[:-1])} and {keys[-1]}"

    @staticmethod
    def _intro(command: RefreshCommand, copy_keys: str) -> Content:
        return Content.assemble(
            "sgtui refresh runs every export scheduled with the refresh, one after another. "
            "Let cron or a systemd timer start it; both run this command:\n",
            (" ".join(command.argv), "bold"),
            f"\n{copy_keys} copy the texts below through your terminal (OSC 52: works over "
            "SSH; in tmux it needs set-clipboard on).",
        )

    @staticmethod
    def _key_help() -> Content:
        return Content(
            "A run needs the SendGrid key of one of its connection's export users, in the "
            "process that runs it: install the schedule as that user. cron and systemd have "
            "no keyring, so put one line, "
            f"{ENV_VARIABLE}=<the key>, in {ENV_FILE} and keep that file yours alone "
            "(mode 0600: create it with the command below, then add the line with an "
            "editor). The crontab line and the service read it; no text on this screen "
            "holds the key, and sgtui never writes it anywhere."
        )

    @staticmethod
    def _cron_note(command: RefreshCommand) -> Content:
        return Content(
            f"Add it with crontab -e. It runs at minute 17 of every hour ({DEFAULT_CRON_SCHEDULE}"
            "); for every 15 minutes write */15 * * * *, for 06:17 every day 17 6 * * *. "
            f"Output is appended to {command.log_path}."
        )

    @staticmethod
    def _systemd_note() -> Content:
        return Content(
            "OnCalendar=hourly starts a refresh at the top of every hour; Persistent=true "
            "catches up one missed while the machine was off. For every 15 minutes write "
            "OnCalendar=*:0/15. Output goes to the journal. Use cron or systemd, not both."
        )

    # -- the outcome ---------------------------------------------------------------------
    def action_reload(self) -> None:
        """Read the last refresh again."""
        self.load_outcome()

    @work(thread=True, exclusive=True, group="schedule-outcome", exit_on_error=False)
    def load_outcome(self) -> None:
        """Read ``last-refresh.json`` and each export's last run, off the UI thread."""
        from sgtui.export.schedule_units import LastRefreshUnreadable, load_last_refresh
        from sgtui.workspace.state import StateStore

        workspace = self.app.workspace
        last: LastRefresh | None = None
        last_runs: dict[str, RunSummary] = {}
        problem: str | None = None
        try:
            # The crontab line appends to runs/refresh.log: the folder must exist.
            runs = workspace.runs_folder
        except OSError:
            runs = workspace.folder / "runs"
        try:
            last = load_last_refresh(runs)
        except LastRefreshUnreadable as error:
            problem = error.sentence
        try:
            if workspace.state_path.exists():
                store = StateStore(workspace.state_path)
                for name in workspace.exports:
                    run = store.last_run(name)
                    if run is not None:
                        last_runs[name] = run
        except Exception as error:  # an unreadable database must not end the app
            problem = problem or sentence_for(error, "The run history could not be read ({cause}).")
        self.post_message(self.OutcomeLoaded(last, last_runs, problem))

    def on_schedule_screen_outcome_loaded(self, event: OutcomeLoaded) -> None:
        self.query_one("#last-refresh", Static).update(self._outcome(event.last, event.problem))
        self.query_one("#scheduled-exports", Static).update(self._exports(event.last_runs))

    @staticmethod
    def _outcome(last: LastRefresh | None, problem: str | None) -> Content:
        if problem and last is None:
            return Content.styled(problem, "$error")
        if last is None:
            return Content(
                "Nothing has run yet: no refresh has finished in this workspace. Install the "
                "crontab line or the systemd timer below (or run sgtui refresh once by hand); "
                "each refresh's outcome shows here."
            )
        when = _time(last.finished_at)
        if last.sentence:
            head = Content.styled(f"Finished {when}: the refresh could not run. "
                                  f"{last.sentence}", "bold $error")
        elif not last.exports:
            head = Content(f"Finished {when}: no export was scheduled, so nothing ran.")
        elif last.ok:
            head = Content.styled(
                f"Finished {when}: {'the' if len(last.exports) == 1 else 'all'} "
                f"{_plural(len(last.exports), 'export')} succeeded.", "green")
        else:
            head = Content.styled(
                f"Finished {when}: {last.failed} of {_plural(len(last.exports), 'export')} "
                "failed.", "bold $error")
        width = max(len(outcome.export) for outcome in last.exports) if last.exports else 0
        lines = [head]
        for outcome in last.exports:
            lines.append(Content.assemble(
                f"\n  {outcome.export:<{width}}  ",
                (f"{outcome.status:<11}", STATUS_STYLES.get(outcome.status, "")),
                outcome.sentence,
            ))
        if problem:
            lines.append(Content.styled(f"\n{problem}", "$error"))
        return Content("").join(lines)

    def _exports(self, last_runs: dict[str, RunSummary]) -> Content:
        exports = self.app.workspace.exports
        if not exports:
            return Content("No export is defined yet: a refresh has nothing to run.")
        scheduled = sorted(n for n, e in exports.items() if e.schedule is Schedule.REFRESH)
        manual = sorted(n for n, e in exports.items() if e.schedule is not Schedule.REFRESH)
        width = max(len(name) for name in exports)
        lines: list[Content] = []
        if not scheduled:
            lines.append(Content.styled(
                "No export runs with the refresh yet, so a refresh does nothing: set an "
                "export's schedule to with every refresh (Exports).\n", "$warning"))
        for name in scheduled + manual:
            schedule = "with the refresh" if name in scheduled else "manual only"
            run = last_runs.get(name)
            if run is None:
                last = Content.styled("never run", "dim")
            else:
                last = Content.assemble(
                    "last run ", (run.status.value, STATUS_STYLES.get(run.status.value, "")),
                    f" {_time(run.finished_at)}",
                )
            lines.append(Content.assemble(
                f"  {name:<{width}}  ",
                (f"{schedule:<17}", "bold" if name in scheduled else "dim"),
                last, "\n",
            ))
        return Content("").join(lines).rstrip()

    # -- copying -------------------------------------------------------------------------
    def action_copy(self, what: str) -> None:
        """Put the crontab line, the service or the timer on the clipboard."""
        text, label = self.texts[what]
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the {label} to the clipboard.", title="Copied", timeout=4)
