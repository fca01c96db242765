"""The Textual app and the one factory that builds it, for the CLI and the tests alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from sgtui.workspace.secrets import KeyringSecrets, SecretStore

if TYPE_CHECKING:
    import httpx

    from sgtui.sendgrid import SendGridClient
    from sgtui.source.base import CustomerSource
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.model import ConnectionConfig
    from sgtui.workspace.secrets import ApiKey


@dataclass(frozen=True, slots=True)
class DemoInfo:
    """What the demo banner tells a new user: the sandbox address and the key to paste."""

    sandbox_url: str | None
    api_key: str | None
    profiles: int


NAVIGATION_ACTIONS = frozenset({
    "open_connections", "open_exports", "open_history", "open_schedule", "open_progress",
    "import_csv", "quit",
})
"""App keys that leave the current screen; screens with ``holds_app_keys = True`` turn them off."""


class SgtuiApp(App[None]):
    """sgtui: export customer segments into SendGrid lists."""

    TITLE = "sgtui"
    SUB_TITLE = "segments into SendGrid"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("c", "open_connections", "Connections", id="app.connections"),
        Binding("e", "open_exports", "Exports", id="app.exports"),
        Binding("h", "open_history", "History", id="app.history"),
        Binding("s", "open_schedule", "Schedule", id="app.schedule"),
        Binding("p", "open_progress", "Run progress", id="app.progress"),
        Binding("i", "import_csv", "Import", id="app.import", show=False),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        secrets: SecretStore,
        transport: httpx.AsyncBaseTransport | None = None,
        demo: DemoInfo | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.secrets = secrets
        self.transport = transport
        self.demo = demo

    def on_resize(self, event: events.Resize) -> None:
        """Cover the screens with a short notice while the terminal is below 80x24."""
        from sgtui.tui.screens.too_small import TooSmallScreen, too_small

        showing = any(isinstance(screen, TooSmallScreen) for screen in self.screen_stack)
        small = too_small(event.size.width, event.size.height)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    def get_default_screen(self):  # type: ignore[no-untyped-def]
        from sgtui.tui.screens.home import HomeScreen

        return HomeScreen()

    def get_system_commands(self, screen):  # type: ignore[no-untyped-def]
        yield from super().get_system_commands(screen)
        from textual.app import SystemCommand

        yield SystemCommand("Connections", "Set up and test SendGrid connections",
                            self.action_open_connections)
        yield SystemCommand("Exports", "Define, edit and run exports", self.action_open_exports)
        yield SystemCommand("History", "Every run, with its outcome", self.action_open_history)
        yield SystemCommand("Schedule", "Run scheduled exports from cron or systemd",
                            self.action_open_schedule)
        yield SystemCommand("Import CSV", "Load profiles from a CSV file",
                            self.action_import_csv)

    # -- navigation ------------------------------------------------------------------------
    def action_open_connections(self) -> None:
        """Show the connections screen."""
        from sgtui.tui.screens.connections import ConnectionsScreen

        self.push_screen(ConnectionsScreen())

    def action_open_exports(self) -> None:
        """Show the exports screen."""
        from sgtui.tui.screens.exports import ExportsScreen

        self.push_screen(ExportsScreen())

    def action_open_history(self) -> None:
        """Show the run history."""
        from sgtui.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen())

    def action_open_schedule(self) -> None:
        """Show the crontab line and systemd units that run ``sgtui refresh``."""
        from sgtui.tui.screens.schedule import ScheduleScreen

        self.push_screen(ScheduleScreen())

    def action_import_csv(self) -> None:
        """Load profiles from a CSV file into the workspace's SQLite source."""
        from sgtui.tui.screens.csv_import import CsvImportScreen

        self.push_screen(CsvImportScreen())

    def action_open_progress(self) -> None:
        """Reopen the progress panel of the running (or latest) run."""
        from sgtui.tui.runs import open_progress

        if not open_progress(self):
            self.notify("No export has run in this session yet.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from sgtui.tui.screens.too_small import TooSmallScreen

        if action in NAVIGATION_ACTIONS and action != "quit" and isinstance(
                self.screen, TooSmallScreen):
            return False  # nothing opens under the notice
        if action in NAVIGATION_ACTIONS and getattr(self.screen, "holds_app_keys", False):
            return False  # a half-done flow is left with Escape, not by jumping elsewhere
        if action == "open_progress":
            return len(getattr(self, "_sgtui_runs", ())) > 0
        return True

    def format_title(self, title: str, sub_title: str):  # type: ignore[no-untyped-def]
        """The header's title, plus the running run on every screen (see tui/runs.py)."""
        content = super().format_title(title, sub_title)
        indicator = getattr(self, "run_indicator", "")
        if indicator:
            from textual.content import Content

            content = Content.assemble(content, ("   ", ""), (indicator, "bold $accent"))
        return content

    def action_quit(self) -> None:  # type: ignore[override]
        """Quit; while a run is going, ask first (the next run picks up where it stopped)."""
        from sgtui.tui.runs import quit_or_ask

        quit_or_ask(self)

    def start_run(self, export: str, *, full: bool = False) -> None:
        """Run ``export`` now and show its live progress panel."""
        from sgtui.tui.runs import start_run

        start_run(self, export, full=full)

    # -- services for screens --------------------------------------------------------------
    def open_source(self) -> CustomerSource:
        """The workspace's customer data (blocking: call from a thread worker)."""
        from sgtui.source import open_source

        return open_source(self.workspace)

    def sendgrid_for(self, connection: ConnectionConfig | str, key: ApiKey) -> SendGridClient:
        """A SendGrid client for ``connection`` (a config, or a base URL) with ``key``."""
        from sgtui.sendgrid import SendGridClient

        base_url = connection if isinstance(connection, str) else connection.base_url
        return SendGridClient(key, base_url=base_url, transport=self.transport)


def make_app(
    workspace: Workspace,
    *,
    secrets: SecretStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    demo: DemoInfo | None = None,
) -> SgtuiApp:
    """The app on ``workspace``; tests pass an in-memory secret store and a transport."""
    return SgtuiApp(
        workspace,
        secrets=secrets if secrets is not None else KeyringSecrets(),
        transport=transport,
        demo=demo,
    )
