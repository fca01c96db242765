"""Step 3: the SendGrid API key (masked, with show/hide) and, under Advanced, the region."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Collapsible, Input, Label, Static

from sgtui.sendgrid.errors import SendGridError
from sgtui.sendgrid.security import check_base_url
from sgtui.tui.keys import bound_key
from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.screens.connection_setup.draft import Region, SetupMode
from sgtui.tui.widgets.plain_marks import Button, RadioButton, RadioSet
from sgtui.workspace.secrets import ApiKey

HOW_TO_GET_A_KEY = (
    "Create a key in SendGrid under Settings > API Keys, with Marketing read and write "
    "access (Full Access works too). Paste it below with your terminal's paste "
    "(Ctrl+Shift+V, Shift+Insert or right-click)."
)
NOT_A_KEY_HINT = (
    "This does not look like a SendGrid API key (those start with SG. and have two dots). "
    "Check that you copied all of it; you can go on if you are sure."
)


class ApiKeyStep(SetupStep):
    """The key, never shown unless asked, and where it is sent."""

    STEP_TITLE = "API key"
    HEADING = "Enter the SendGrid API key"

    DEFAULT_CSS = """
    ApiKeyStep #key-row { height: auto; }
    ApiKeyStep #api-key { width: 1fr; }
    ApiKeyStep #toggle-key { width: 8; min-width: 8; margin-left: 1; }
    ApiKeyStep #advanced { padding: 0; }
    ApiKeyStep #custom-url { margin-top: 1; }
    """

    BINDINGS = [
        Binding("f2", "toggle_key", "Show/hide key", id="setup.toggle-key"),
        Binding("f3", "use_demo_key", "Use the demo key", id="setup.demo-key"),
    ]

    def compose_body(self) -> ComposeResult:
        draft = self.draft
        yield Static(Content(HOW_TO_GET_A_KEY), classes="help")
        if self._demo_key():
            yield Static(Content("Demo: the sandbox's key is on the home screen; "
                                 f"{bound_key(self, 'setup.demo-key')} fills it in."),
                         classes="help")
        yield Label("API key", classes="tight")
        placeholder = "SG.…"
        if draft.mode is SetupMode.EDIT:
            placeholder = "leave empty to keep using the key stored for you"
        with Horizontal(id="key-row", classes="tight"):
            yield Input(draft.key.reveal() if draft.key else "", placeholder=placeholder,
                        password=True, id="api-key")
            yield Button("Show", id="toggle-key")
        yield Static("", id="key-hint", classes="help")
        if draft.mode is SetupMode.ADD_ME:
            yield Static(Content(f"The key is sent to {draft.base_url}."), classes="help")
            return
        with Collapsible(title="Advanced: region or custom base URL", id="advanced",
                         collapsed=draft.region is Region.GLOBAL):
            with RadioSet(id="region"):
                for region in Region:
                    yield RadioButton(region.label, value=region is draft.region,
                                      id=f"region-{region.value}")
            yield Input(draft.custom_url, placeholder="https://… or http://127.0.0.1:PORT",
                        id="custom-url", disabled=draft.region is not Region.CUSTOM)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#api-key", Input).focus()
        self._show_hint(self.query_one("#api-key", Input).value)

    # -- the key ---------------------------------------------------------------------------
    def _demo_key(self) -> str | None:
        demo = getattr(self.app, "demo", None)
        return demo.api_key if demo is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_demo_key":
            return self._demo_key() is not None
        return super().check_action(action, parameters)

    def action_use_demo_key(self) -> None:
        """In ``sgtui demo``: fill in the sandbox's key, as pasting it would."""
        key = self._demo_key()
        if key:
            self.query_one("#api-key", Input).value = key

    def action_toggle_key(self) -> None:
        """Show or hide the key's characters."""
        field = self.query_one("#api-key", Input)
        field.password = not field.password
        self.query_one("#toggle-key", Button).label = "Show" if field.password else "Hide"

    @on(Button.Pressed, "#toggle-key")
    def _toggle_pressed(self) -> None:
        self.action_toggle_key()

    @on(Input.Changed, "#api-key")
    def _key_changed(self, event: Input.Changed) -> None:
        cleaned = "".join(event.value.split())
        if cleaned != event.value:  # a paste often brings a newline or spaces along
            event.input.value = cleaned
            return
        self._show_hint(cleaned)
        self.show_problem(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_next()

    def _show_hint(self, value: str) -> None:
        hint = self.query_one("#key-hint", Static)
        if not value:
            hint.update("")
        elif ApiKey(value).looks_like_sendgrid_key:
            hint.update(Content.styled("✓ This looks like a SendGrid API key.", "$text-success"))
        else:
            hint.update(Content.styled(NOT_A_KEY_HINT, "$text-warning"))

    # -- the region ------------------------------------------------------------------------
    @on(RadioSet.Changed, "#region")
    def _region_changed(self, event: RadioSet.Changed) -> None:
        region = list(Region)[event.index]
        custom = self.query_one("#custom-url", Input)
        custom.disabled = region is not Region.CUSTOM
        if region is Region.CUSTOM:
            custom.focus()
        self.show_problem(None)

    # -- the draft -------------------------------------------------------------------------
    def store(self) -> None:
        value = self.query_one("#api-key", Input).value.strip()
        self.draft.key = ApiKey(value) if value else None
        if self.draft.mode is SetupMode.ADD_ME:
            return
        pressed = self.query_one("#region", RadioSet).pressed_index
        self.draft.region = list(Region)[pressed] if pressed >= 0 else Region.GLOBAL
        self.draft.custom_url = self.query_one("#custom-url", Input).value.strip()

    def problem(self) -> str | None:
        draft = self.draft
        if draft.key is None and draft.mode is not SetupMode.EDIT:
            return "Enter the API key (paste it from SendGrid)."
        if draft.key is not None and (because := draft.key.unusable_because) is not None:
            return (f"The key you entered {because}, which no SendGrid API key contains. "
                    "Copy it again from SendGrid (Settings > API Keys) and paste it here.")
        if draft.region is Region.CUSTOM:
            if not draft.custom_url:
                return "Enter the custom base URL, or pick Global or EU under Advanced."

            try:
                check_base_url(draft.base_url)
            except SendGridError as error:
                return error.sentence
        return None
