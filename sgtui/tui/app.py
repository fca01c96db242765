"""The Textual app and the one factory that builds it, for the CLI and the tests alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.timer import Timer

from sgtui.tui.keys import HELP_BINDING
from sgtui.tui.runs import (
    HEADER_INTERVAL,
    RunEnded,
    RunRegistry,
    notify_run_ended,
    run_indicator,
)
from sgtui.workspace.secrets import KeyringSecrets, SecretStore
from sgtui.workspace.user_config import UserConfig, UserConfigError, load_user_config

if TYPE_CHECKING:
    import httpx
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.theme import Theme

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


INTERACTIVE_RETRIES = 1
"""How often a screen's SendGrid call is retried: someone is waiting at the screen."""
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
        HELP_BINDING,
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        secrets: SecretStore,
        transport: httpx.AsyncBaseTransport | None = None,
        demo: DemoInfo | None = None,
        user_config: UserConfig | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.secrets = secrets
        self.transport = transport
        self.demo = demo
        self.runs = RunRegistry()
        """The runs started in this session (see tui/runs.py)."""
        self.run_indicator = ""
        """What the header says about the running run(s); empty when none runs."""
        self._run_indicator_timer: Timer | None = None
        self.user_config = user_config or UserConfig()
        self.user_keymap: dict[str, str] = {}
        """The keymap in use: binding id -> normalised keys (see tui/keys.py)."""
        self._reported_clashes: set[frozenset[str]] = set()

    # -- the user's settings (config.toml) -----------------------------------------------
    def on_mount(self) -> None:
        self._apply_user_config()

    def _apply_user_config(self) -> None:
        """Apply the user's keymap and theme; say what is wrong with the file, if anything."""
        from sgtui.tui.keys import check_keys

        config = self.user_config
        where = str(config.path or "config.toml")
        keymap, problems = check_keys(config.keymap, where)
        problems = [*config.problems, *problems]
        if keymap:
            self.user_keymap = keymap
            self.set_keymap(keymap)
            self._check_binding_ids(tuple(keymap), where)
        if config.theme is not None:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                problems.append(f'{where}: there is no theme called "{config.theme}"; pick one '
                                "in the command palette (ctrl+p, Theme).")
        for problem in problems:
            self._settings_problem(problem)
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _settings_problem(self, sentence: str) -> None:
        self.notify(sentence, title="Your settings", severity="warning", timeout=20,
                    markup=False)

    @work(thread=True, group="user-config", exit_on_error=False)
    def _check_binding_ids(self, binding_ids: tuple[str, ...], where: str) -> None:
        """Name keymap entries for bindings sgtui does not have, and keys it puts on two
        bindings of one screen (this imports every screen, so it runs off the UI thread)."""
        from sgtui.tui.keys import clashes, unknown_ids

        for problem in [*unknown_ids(binding_ids, where), *clashes(self.user_keymap, where)]:
            self.call_from_thread(self._settings_problem, problem)

    def _remember_theme(self, theme: Theme) -> None:
        self._save_theme(theme.name)

    @work(thread=True, exclusive=True, group="user-config-theme", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        """Write the chosen theme to config.toml (blocking: a thread worker)."""
        from sgtui.workspace.user_config import save_theme

        try:
            save_theme(name, self.user_config.path)
        except UserConfigError as error:
            self.call_from_thread(self.notify, error.sentence, severity="error",
                                  markup=False)

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """Say once which bindings the user's keymap put on a key another binding had
        (Textual reports the ones without an id, a widget's own keys; sgtui's own are
        checked at start, see ``_check_binding_ids``)."""
        names = frozenset(binding.description or binding.action for binding in clashed_bindings)
        if names in self._reported_clashes:
            return
        self._reported_clashes.add(names)
        where = self.user_config.path or "config.toml"
        self._settings_problem(f"Your keymap put another binding on the key of "
                               f"{', '.join(sorted(names))}, which no longer has a key here. "
                               f"Change one of them in {where}.")

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
        """The palette: the sections first (all of them fit at 80x24 without typing), then
        this screen's help in place of Textual's key panel, then Textual's own commands."""
        from textual.app import SystemCommand

        yield SystemCommand("Connections", "Set up and test SendGrid connections",
                            self.action_open_connections)
        yield SystemCommand("Exports", "Define, edit and run exports", self.action_open_exports)
        yield SystemCommand("History", "Every run, with its outcome", self.action_open_history)
        yield SystemCommand("Schedule", "Run scheduled exports from cron or systemd",
                            self.action_open_schedule)
        yield SystemCommand("Import CSV", "Load profiles from a CSV file",
                            self.action_import_csv)
        yield SystemCommand("Help", "What this screen is for, and its keys",
                            lambda: self.open_help(screen))
        for command in super().get_system_commands(screen):
            if command.title == "Keys":  # its panel ignores Escape; Help replaces it
                continue
            # Listed before typing: the sections, Help and Theme; the rest when searched for.
            yield command if command.title == "Theme" else command._replace(discover=False)

    def action_help(self) -> None:
        """Open help for the screen you are on (close it when it is what you are on)."""
        from sgtui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.open_help(self.screen)

    def open_help(self, screen: Screen[Any]) -> None:
        """Show what ``screen`` is for, and its keys as the user has them."""
        from sgtui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(screen))

    # -- navigation ------------------------------------------------------------------------
    # The app is a tree: Home > the sections; Exports > the wizard and the run panel;
    # Connections > the set-up flow and access. A section's key from anywhere replaces the
    # stack above home, so Escape always goes one level up, never back through history.
    def open_section(self, screen: Screen[Any]) -> None:
        """Show ``screen`` as the only screen above home."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    def action_open_connections(self) -> None:
        """Show the connections screen."""
        from sgtui.tui.screens.connections import ConnectionsScreen

        self.open_section(ConnectionsScreen())

    def action_open_exports(self) -> None:
        """Show the exports screen."""
        from sgtui.tui.screens.exports import ExportsScreen

        self.open_section(ExportsScreen())

    def action_open_history(self) -> None:
        """Show the run history."""
        from sgtui.tui.screens.history import HistoryScreen

        self.open_section(HistoryScreen())

    def action_open_schedule(self) -> None:
        """Show the crontab line and systemd units that run ``sgtui refresh``."""
        from sgtui.tui.screens.schedule import ScheduleScreen

        self.open_section(ScheduleScreen())

    def action_import_csv(self) -> None:
        """Load profiles from a CSV file into the workspace's SQLite source."""
        from sgtui.tui.screens.csv_import import CsvImportScreen

        self.open_section(CsvImportScreen())

    def action_open_progress(self) -> None:
        """Reopen the progress panel of the running (or latest) run, under Exports."""
        from sgtui.tui.runs import open_progress
        from sgtui.tui.screens.exports import ExportsScreen
        from sgtui.tui.screens.progress import RunProgressScreen

        latest = self.runs.latest()
        if latest is None:
            self.notify("No export has run in this session yet.")
            return
        screen = self.screen
        if isinstance(screen, RunProgressScreen) and screen.handle is latest:
            return
        if not isinstance(screen, ExportsScreen):
            self.action_open_exports()
        open_progress(self, latest)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from sgtui.tui.screens.too_small import TooSmallScreen

        if action in NAVIGATION_ACTIONS and action != "quit" and isinstance(
                self.screen, TooSmallScreen):
            return False  # nothing opens under the notice
        if action in NAVIGATION_ACTIONS and getattr(self.screen, "holds_app_keys", False):
            return False  # a half-done flow is left with Escape, not by jumping elsewhere
        if action == "open_progress":
            return len(self.runs) > 0
        return True

    def format_title(self, title: str, sub_title: str):  # type: ignore[no-untyped-def]
        """The header's title, plus the running run on every screen (see tui/runs.py)."""
        content = super().format_title(title, sub_title)
        if self.run_indicator:
            from textual.content import Content

            content = Content.assemble(content, ("   ", ""), (self.run_indicator, "bold $accent"))
        return content

    # -- runs ------------------------------------------------------------------------------
    def keep_run_indicator_current(self) -> None:
        """Update the header's run indicator now and every HEADER_INTERVAL seconds."""
        if self._run_indicator_timer is None:
            self._run_indicator_timer = self.set_interval(
                HEADER_INTERVAL, self._update_run_indicator, name="run-header")
        self._update_run_indicator()

    def _update_run_indicator(self) -> None:
        indicator = run_indicator(self.runs)
        if indicator != self.run_indicator:
            self.run_indicator = indicator
            # Every screen's Header asks format_title again when the title changes.
            self.mutate_reactive(App.title)

    def on_run_ended(self, event: RunEnded) -> None:
        """Tell every screen; say how the run ended unless its panel is in view."""
        from textual.screen import ModalScreen

        from sgtui.tui.screens.progress import RunProgressScreen

        self._update_run_indicator()
        for screen in self.screen_stack:
            screen.post_message(RunEnded(event.handle))
        for screen in reversed(self.screen_stack):  # the top screen, and those under dialogs
            if isinstance(screen, RunProgressScreen) and screen.handle is event.handle:
                return  # its panel shows how it ended
            if not isinstance(screen, ModalScreen):
                break
        notify_run_ended(self, event.handle)

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
        """A SendGrid client for ``connection`` (a config, or a base URL) with ``key``, for
        a screen: someone is waiting, so it retries a failed call
        :data:`INTERACTIVE_RETRIES` times, not with a run's patience."""
        from sgtui.sendgrid import SendGridClient

        base_url = connection if isinstance(connection, str) else connection.base_url
        client = SendGridClient(key, base_url=base_url, transport=self.transport)
        client.max_retries = INTERACTIVE_RETRIES
        return client


def make_app(
    workspace: Workspace,
    *,
    secrets: SecretStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    demo: DemoInfo | None = None,
    user_config: UserConfig | None = None,
) -> SgtuiApp:
    """The app on ``workspace``; tests pass an in-memory secret store and a transport.

    ``user_config`` is the user's ``config.toml`` (keymap, theme), read when not given."""
    return SgtuiApp(
        workspace,
        secrets=secrets if secrets is not None else KeyringSecrets(),
        transport=transport,
        demo=demo,
        user_config=user_config if user_config is not None else load_user_config(),
    )
