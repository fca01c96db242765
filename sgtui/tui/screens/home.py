"""The home screen: whose workspace this is, and the way to connections, exports and history."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.widgets.option_list import Option

from sgtui.errors import sentence_for
from sgtui.export.wording import counted
from sgtui.tui.keys import bound_key
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import OptionList
from sgtui.workspace.roles import Role

if TYPE_CHECKING:
    from sgtui.tui.app import DemoInfo


@dataclass(frozen=True, slots=True)
class DataSummary:
    """What the customer data holds, or why it cannot be read."""

    profiles: int | None = None
    segments: int | None = None
    problem: str | None = None


class HomeScreen(OfSgtuiApp, Screen[None]):
    """Where every session starts."""

    HELP = ('Where every session starts: this workspace, your role in it, and the way to its '
            "sections. Press a section's key, or pick it with the arrow keys and Enter; from any "
            "screen, a section's key goes straight there and Escape comes back here.")
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    HomeScreen #home-body { padding: 1 2; }
    HomeScreen #demo-banner { margin-bottom: 1; }
    HomeScreen #workspace-facts { height: auto; margin-bottom: 1; }
    HomeScreen #home-menu { height: auto; max-height: 12; border: round $primary 50%;
                            background: $surface; }
    HomeScreen #home-menu:focus { border: round $primary; }
    HomeScreen #data-summary { height: auto; margin-top: 1; }
    """

    class RunsCounted(Message):
        """The run history was counted (in a thread worker)."""

        def __init__(self, runs: int) -> None:
            super().__init__()
            self.runs = runs

    class DataSummarised(Message):
        """The customer data was counted (in a thread worker)."""

        def __init__(self, summary: DataSummary) -> None:
            super().__init__()
            self.summary = summary

    _runs: int | None = None
    """Runs in the history; None until the worker has counted them."""
    _resumed = False
    """Whether the first ScreenResume (the first show) has passed."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home-body"):
            if self.app.demo is not None:
                yield Static(self._demo_banner(self.app.demo), id="demo-banner",
                             classes="banner")
            yield Static(self._facts(), id="workspace-facts")
            yield OptionList(*self._menu(), id="home-menu")
            with Vertical(id="data-summary"):
                yield Static(Content("Customer data: counting…"), id="data-line", classes="muted")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        self.query_one("#home-menu", OptionList).focus()
        self.summarise_data()

    def on_screen_resume(self) -> None:
        """On coming back (a run or an import may have changed the counts): paint first,
        count after. The first show counts from on_mount."""
        if not self._resumed:
            self._resumed = True
            return
        self._refresh_menu()
        self.query_one("#workspace-facts", Static).update(self._facts())
        if self.app.demo is not None:
            self.query_one("#demo-banner", Static).update(self._demo_banner(self.app.demo))
        self.call_after_refresh(self.summarise_data)

    def _demo_banner(self, demo: DemoInfo) -> Content:
        lines = [f"Demo workspace with {demo.profiles:,} made-up profiles. Keys are kept in "
                 "memory only, for this session."]
        if demo.sandbox_url and demo.api_key:
            lines.append(f"Sandbox SendGrid: {demo.sandbox_url}   API key to paste: {demo.api_key}")
            if not self.app.workspace.connections:
                from sgtui.tui.screens.connections import ConnectionsScreen

                lines.append(f"Start here: press {bound_key(self, 'app.connections')}, then "
                             f"{bound_key(self, 'connections.add', ConnectionsScreen)}, to "
                             "connect sgtui to the sandbox.")
            elif not self.app.workspace.exports:
                from sgtui.tui.screens.exports import ExportsScreen

                lines.append(f"Next: press {bound_key(self, 'app.exports')}, then "
                             f"{bound_key(self, 'exports.new', ExportsScreen)}, to define an "
                             "export.")
            elif waiting := [export for export in self.app.workspace.exports.values()
                             if export.is_detached]:
                from sgtui.tui.screens.exports import ExportsScreen

                lines.append(f"Next: press {bound_key(self, 'app.exports')}: the export "
                             f"{waiting[0].label} has no connection yet; "
                             f"{bound_key(self, 'exports.edit', ExportsScreen)} (Edit) "
                             f"attaches yours, or "
                             f"{bound_key(self, 'exports.new', ExportsScreen)} defines a new "
                             "export.")
        else:
            lines.append("No sandbox SendGrid is running in this demo yet.")
        return Content("\n".join(lines))

    def _facts(self) -> Content:
        workspace = self.app.workspace
        role = workspace.role
        lines = [
            ("Workspace  ", str(workspace.folder)),
            ("You        ", f"{workspace.user} ({role.label})"),
        ]
        content = Content("")
        for label, value in lines:
            content += Content.styled(label, "bold") + Content(value) + Content("\n")
        if role is Role.VIEWER:
            content += Content("You can look at everything here; an administrator can make you a "
                               "contributor to define exports.")
        return content

    def _refresh_menu(self) -> None:
        menu = self.query_one("#home-menu", OptionList)
        highlighted = menu.highlighted
        menu.clear_options()
        menu.add_options(self._menu())
        menu.highlighted = highlighted

    def _menu(self) -> list[Option]:
        workspace = self.app.workspace
        connections = len(workspace.connections)
        exports = len(workspace.exports)
        runs = self._runs
        is_admin = workspace.role is Role.ADMIN

        def key(binding_id: str) -> str:
            return bound_key(self, binding_id)

        return [
            Option(self._entry("Connections", key("app.connections"),
                               counted(connections, "connection"),
                               ("set up SendGrid here" if is_admin
                                else "an administrator sets up SendGrid")
                               if not connections else None), id="connections"),
            Option(self._entry("Exports", key("app.exports"), counted(exports, "export"),
                               "which segments go to which list" if not exports else None),
                   id="exports"),
            Option(self._entry("History", key("app.history"),
                               "counting runs…" if runs is None else counted(runs, "run"),
                               "nothing has run yet" if runs == 0 else None), id="history"),
            Option(self._entry("Schedule", key("app.schedule"),
                               "run scheduled exports from cron or systemd", None),
                   id="schedule"),
            Option(self._entry("Import CSV", key("app.import"), "load profiles from a file", None),
                   id="import"),
        ]

    @staticmethod
    def _entry(title: str, key: str, count: str, empty: str | None) -> Content:
        content = Content.styled(f"{title:<12}", "bold") + Content.styled(f"[{key}]  ", "dim")
        content += Content(count)
        if empty:
            content += Content.styled(f" · {empty}", "italic dim")
        return content

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        actions = {
            "connections": self.app.action_open_connections,
            "exports": self.app.action_open_exports,
            "history": self.app.action_open_history,
            "schedule": self.app.action_open_schedule,
            "import": self.app.action_import_csv,
        }
        actions[event.option.id or ""]()

    @work(thread=True, exclusive=True, group="home-data", exit_on_error=False)
    def summarise_data(self) -> None:
        """Count runs, profiles and segments off the UI thread."""

        self.post_message(self.RunsCounted(_count_runs(self.app.workspace.state_path)))
        try:
            source = self.app.open_source()
            try:
                segments = source.segments()
                profiles = source.totals([s.id for s in segments], None).profiles if segments else 0
            finally:
                source.close()
        except Exception as error:  # an unreadable file must not end the app
            problem = sentence_for(error, "The customer data could not be read ({cause}).")
            self.post_message(self.DataSummarised(DataSummary(problem=problem)))
        else:
            self.post_message(self.DataSummarised(DataSummary(profiles, len(segments))))

    def on_home_screen_runs_counted(self, event: RunsCounted) -> None:
        self._runs = event.runs
        self._refresh_menu()

    def on_home_screen_data_summarised(self, event: DataSummarised) -> None:
        line = self.query_one("#data-line", Static)
        summary = event.summary
        if summary.problem:
            line.update(Content(f"Customer data: {summary.problem}"))
        else:
            line.update(Content(
                f"Customer data: {summary.profiles:,} profiles in segments, "
                f"{summary.segments} segments ({self.app.workspace.source.type})."
            ))


def _count_runs(state_path: Path) -> int:
    """How many runs the state database records (0 before the first run); blocking."""
    if not state_path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)) as db:
            return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0
