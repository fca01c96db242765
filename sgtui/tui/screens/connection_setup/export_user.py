"""Step 6: store the key in this user's keyring and make them an export user."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from sgtui.errors import sentence_for
from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.screens.connection_setup.draft import SetupMode
from sgtui.tui.screens.connection_setup.keys import keyring_words
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.plain_marks import Button
from sgtui.workspace.secrets import (
    ENV_API_KEY,
    KEY_FILE_NAME,
    KeyringUnavailable,
    SecretsError,
    account_name,
    user_key_file,
)


class ExportUserStep(SetupStep):
    """Add me as export user: the key goes into *this* user's keyring, never a file."""

    STEP_TITLE = "Export user"
    HEADING = "Add me as export user"

    DEFAULT_CSS = """
    ExportUserStep #store-buttons { height: auto; }
    ExportUserStep #store-buttons Button { margin-right: 2; }
    ExportUserStep #fallback-buttons { height: auto; display: none; }
    ExportUserStep #fallback-buttons Button { margin-right: 2; }
    ExportUserStep.-no-keyring #fallback-buttons { display: block; }
    ExportUserStep.-no-keyring #store-buttons { display: none; }
    """

    class KeyStored(Message):
        """The key was stored (``where`` is ``"keyring"`` or ``"file"``), or ``problem``."""

        def __init__(self, where: str | None, problem: str | None, *,
                     no_keyring: bool = False) -> None:
            super().__init__()
            self.where, self.problem, self.no_keyring = where, problem, no_keyring

    def compose_body(self) -> ComposeResult:
        where = keyring_words(self.app)
        yield Static(Content(
            "Exports run with the API key of one of the connection's export users. Adding you "
            f"stores the key in {where} (never in sgtui.toml) and lists you as an export "
            "user."), classes="help")
        if self.draft.key is None:
            users = ", ".join(self.draft.export_users) or "none yet"
            yield Static(Content(f"No new key was entered, so there is nothing to store. "
                                 f"Export users: {users}."), id="store-result")
            return
        with Horizontal(id="store-buttons"):
            yield Button("Add me as export user", variant="success", id="add-me")
        yield Static("", id="store-result")
        with Horizontal(id="fallback-buttons"):
            yield Button("Continue without storing", id="no-store")
            yield Button("Use an unencrypted key file", variant="warning", id="key-file")

    def on_mount(self) -> None:
        super().on_mount()
        if self.draft.key is None:
            return
        if self.draft.key_stored_in:
            self._show_stored(self.draft.key_stored_in)
        else:
            self.query_one("#add-me", Button).focus()

    def next_label(self) -> str:
        if self.draft.key is None or self.draft.key_stored_in:
            return "Next"
        if getattr(self, "declined", False):
            return "Next"
        return "Skip" if self.draft.mode is not SetupMode.ADD_ME else "Next"

    # -- storing ---------------------------------------------------------------------------
    @on(Button.Pressed, "#add-me")
    def _add_me(self) -> None:
        self.query_one("#add-me", Button).disabled = True
        self._result("Storing the key…", "help")
        self.store_key(use_file=False)

    @on(Button.Pressed, "#key-file")
    def _use_key_file(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.query_one("#key-file", Button).disabled = True
                self.store_key(use_file=True)

        self.app.push_screen(ConfirmModal(
            "Keep the key in an unencrypted file?",
            f"The key will be written in plain text to {user_key_file().path}, readable only "
            "by your user (0600). Anyone who can act as your user, and any backup of that "
            "folder, can read it. A keyring is safer.",
            "Use the key file", destructive=True), answered)

    @on(Button.Pressed, "#no-store")
    def _no_store(self) -> None:
        self.declined = True
        self.remove_class("-no-keyring")
        self._result(
            "The key was not stored and you are not an export user. Runs of this connection "
            f"need {ENV_API_KEY} set to the key in the environment of the process that runs "
            "them (or another export user).", "warn")
        self.refresh_next()
        self.query_one("#setup-next", Button).focus()

    @work(thread=True, exclusive=True, group="store-key", exit_on_error=False)
    def store_key(self, use_file: bool) -> None:
        """Store the key (blocking keyring or file I/O, so in a thread)."""
        workspace, key = self.app.workspace, self.draft.key
        assert key is not None
        store = user_key_file() if use_file else self.app.secrets
        try:
            store.set(account_name(workspace.id, self.draft.name), key)
        except KeyringUnavailable as error:
            self.post_message(self.KeyStored(None, error.sentence, no_keyring=True))
        except (SecretsError, OSError) as error:
            self.post_message(self.KeyStored(None, sentence_for(
                error, "sgtui could not write the key file ({cause}). Check the "
                "permissions of your sgtui config folder.")))
        else:
            self.post_message(self.KeyStored("file" if use_file else "keyring", None))

    @on(KeyStored)
    def _key_stored(self, event: KeyStored) -> None:
        if event.where:
            self.draft.key_stored_in = event.where
            user = self.app.workspace.user
            if user not in self.draft.export_users:
                self.draft.export_users = (*self.draft.export_users, user)
            self._show_stored(event.where)
            self.query_one("#setup-next", Button).focus()
            return
        self.query_one("#add-me", Button).disabled = False
        self.query_one("#key-file", Button).disabled = False
        self._result(f"✗ {event.problem}", "bad")
        if event.no_keyring:
            self.add_class("-no-keyring")
            self.query_one("#no-store", Button).focus()

    def _show_stored(self, where: str) -> None:
        self.remove_class("-no-keyring")
        self.query_one("#store-buttons").display = False
        if where == "file":
            text = (f"✓ The key is in your unencrypted, owner-only file {KEY_FILE_NAME}, and "
                    "you are an export user of this connection.")
        else:
            text = (f"✓ The key is in {keyring_words(self.app)}, and you are an export user "
                    "of this connection.")
        self._result(text, "ok")
        self.refresh_next()

    def _result(self, text: str, style: str) -> None:
        result = self.query_one("#store-result", Static)
        result.update(Content(text))
        result.set_classes(style)

    def problem(self) -> str | None:
        if (self.draft.mode is SetupMode.ADD_ME and self.draft.key is not None
                and not self.draft.key_stored_in and not getattr(self, "declined", False)):
            return "Press “Add me as export user” to store the key."
        return None
