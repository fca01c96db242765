"""Step 5: check the key against ``GET /v3/scopes`` in a worker and say what it may do."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from sgtui.errors import sentence_for
from sgtui.sendgrid import REQUIRED_SCOPES, describe_scopes, missing_scopes
from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.screens.connection_setup.keys import stored_key
from sgtui.tui.widgets.plain_marks import Button
from sgtui.workspace.secrets import ApiKey

NO_KEY = (
    "Nothing was checked: no key was entered and none is stored for you on this computer. "
    "Go Back to enter the key, or go on to save the other changes."
)


class ConnectStep(SetupStep):
    """Connect: the screen stays live while the worker asks SendGrid about the key."""

    STEP_TITLE = "Connect"
    HEADING = "Connect to SendGrid"

    DEFAULT_CSS = """
    ConnectStep #check-again { margin-top: 0; }
    """

    class KeyChecked(Message):
        """SendGrid answered (``scopes``), or ``problem`` says why it could not be asked."""

        def __init__(self, base_url: str, key: ApiKey | None, scopes: frozenset[str] | None,
                     problem: str | None) -> None:
            super().__init__()
            self.base_url, self.key, self.scopes, self.problem = base_url, key, scopes, problem

    def compose_body(self) -> ComposeResult:
        yield Static(Content(f"sgtui asks SendGrid at {self.draft.base_url} what this key may "
                             "do (GET /v3/scopes); nothing else is sent."), classes="help")
        yield Static("", id="connect-result")
        yield Button("Check again", id="check-again")

    def on_mount(self) -> None:
        super().on_mount()
        self.no_key = False
        self.problem_sentence: str | None = None
        if self.draft.check_is_current:
            self._show_scopes(self.draft.scopes or frozenset())
        else:
            self.start_check()

    def start_check(self) -> None:
        """Ask SendGrid again (the result arrives as :class:`KeyChecked`)."""
        self.problem_sentence = None
        self.no_key = False
        self.draft.scopes = None
        self._result("Checking the key with SendGrid…", "help")
        self.query_one("#check-again", Button).disabled = True
        self.check_key(self.draft.base_url, self.draft.key)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def check_key(self, base_url: str, key: ApiKey | None) -> None:
        """Fetch the key's scopes; every failure becomes a sentence."""
        try:
            used = key if key is not None else await asyncio.to_thread(self._stored_key)
            if used is None:
                self.post_message(self.KeyChecked(base_url, key, None, None))
                return
            async with self.app.sendgrid_for(base_url, used) as client:
                scopes = await client.scopes()
        except Exception as error:  # nothing unexpected may end the app or show a traceback
            self.post_message(self.KeyChecked(base_url, key, None, sentence_for(
                error, "The check failed unexpectedly ({cause}). Try again; if it "
                "keeps failing, check the base URL.")))
        else:
            self.post_message(self.KeyChecked(base_url, key, scopes, None))

    def _stored_key(self) -> ApiKey | None:
        """The current user's stored key for this connection, else ``$SGTUI_API_KEY``."""
        return stored_key(self.app, self.draft.name)

    @on(KeyChecked)
    def _key_checked(self, event: KeyChecked) -> None:
        self.query_one("#check-again", Button).disabled = False
        if event.problem:
            self.problem_sentence = event.problem
            self._result(f"✗ {event.problem}", "bad")
        elif event.scopes is None:
            self.no_key = True
            self._result(NO_KEY, "warn")
        else:
            self.draft.scopes = event.scopes
            self.draft.checked = (event.base_url, event.key)
            self._show_scopes(event.scopes)
        self.show_problem(None)
        passed = self.no_key or (event.scopes is not None and self.problem() is None)
        self.query_one("#setup-next" if passed else "#check-again", Button).focus()

    def _show_scopes(self, scopes: frozenset[str]) -> None:
        missing = missing_scopes(scopes)
        if missing:
            self._result(
                f"✗ SendGrid accepted the key, but it may not {describe_scopes(missing)}. "
                "Create a key with Marketing read and write access in SendGrid (Settings > "
                "API Keys), go Back and enter it.", "bad")
        else:
            may = describe_scopes(REQUIRED_SCOPES, joiner="and")
            self._result(f"✓ Connected. This key may {may}.", "ok")

    def _result(self, text: str, style: str) -> None:
        result = self.query_one("#connect-result", Static)
        result.update(Content(text))
        result.set_classes(style)

    @on(Button.Pressed, "#check-again")
    def _check_again(self) -> None:
        self.start_check()

    def problem(self) -> str | None:
        if self.no_key:
            return None
        if self.draft.scopes is None:
            if self.problem_sentence:
                return ("The check has to pass first: go Back to fix what it names above "
                        "(the key, or the SendGrid address under Advanced), then check again.")
            return "Wait for SendGrid to answer."
        if missing_scopes(self.draft.scopes):
            return "This key lacks a permission sgtui needs: go Back and enter another key."
        return None
