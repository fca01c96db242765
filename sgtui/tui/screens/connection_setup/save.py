"""Step 7: write ``sgtui.toml`` (atomically, in a thread) and show what was saved."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from sgtui.sendgrid import REQUIRED_SCOPES, describe_scopes, missing_scopes
from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.screens.connection_setup.consent import describe_consent
from sgtui.tui.screens.connection_setup.keys import keyring_words
from sgtui.workspace.config import WorkspaceError, now_utc


class SaveStep(SetupStep):
    """A summary, Save, and Done."""

    STEP_TITLE = "Save"
    HEADING = "Save the connection"

    class ConnectionSaved(Message):
        """``sgtui.toml`` was written, or ``problem`` says why not."""

        def __init__(self, problem: str | None) -> None:
            super().__init__()
            self.problem = problem

    def compose_body(self) -> ComposeResult:
        yield Static(self.summary(), id="save-summary")
        yield Static(Content("The API key is never written to sgtui.toml."), id="save-result",
                     classes="help")

    def on_mount(self) -> None:
        super().on_mount()
        self.saving = False
        self.query_one("#setup-next").focus()

    def summary(self) -> Content:
        """What will be (or was) saved, one fact a line."""
        draft = self.draft
        if draft.scopes is None:
            permissions = "not checked"
        elif missing_scopes(draft.scopes):
            permissions = f"may not {describe_scopes(missing_scopes(draft.scopes))}"
        else:
            permissions = f"may {describe_scopes(REQUIRED_SCOPES, joiner='and')}"
        users = ", ".join(draft.export_users) or "none yet"
        if draft.key_stored_in == "keyring":
            users += f" (your key is in {keyring_words(self.app)})"
        elif draft.key_stored_in == "file":
            users += " (your key is in the unencrypted key file)"
        facts = [
            ("Display name", draft.display_name),
            ("In sgtui.toml", f"[connections.{draft.name}]"),
            ("Usable by", draft.usable_by.label),
            ("Base URL", draft.base_url),
            ("Key", permissions),
            ("Consent", describe_consent(draft.consent) if draft.consent else "not given"),
            ("Export users", users),
        ]
        content = Content("")
        for label, value in facts:
            content += Content.styled(f"{label:<14}", "bold") + Content(value) + Content("\n")
        return content.rstrip()

    def next_label(self) -> str:
        return "Done" if self.draft.saved else "Save"

    def advance(self) -> None:
        if self.draft.saved:
            self.flow.close()
        elif not self.saving:
            self.saving = True
            self.query_one("#setup-next").disabled = True
            self.save_connection()

    @work(thread=True, exclusive=True, group="save-connection", exit_on_error=False)
    def save_connection(self) -> None:
        """Write the connection into ``sgtui.toml`` (atomic, comment-preserving)."""
        draft, workspace = self.draft, self.app.workspace
        if draft.created_at is None:
            draft.created_at = now_utc()
        connection = draft.to_connection()
        try:
            workspace.apply_and_save(lambda workspace: workspace.put_connection(connection))
        except WorkspaceError as error:
            self.post_message(self.ConnectionSaved(error.sentence))
        else:
            self.post_message(self.ConnectionSaved(None))

    @on(ConnectionSaved)
    def _saved(self, event: ConnectionSaved) -> None:
        self.saving = False
        next_button = self.query_one("#setup-next")
        next_button.disabled = False
        if event.problem:
            self.show_problem(event.problem)
            return
        self.draft.saved = True
        self.query_one("#setup-back").disabled = True
        result = self.query_one("#save-result", Static)
        result.update(Content(f"✓ Saved to sgtui.toml. “{self.draft.display_name}” is ready "
                              "for exports. The API key is not in the file."))
        result.set_classes("ok")
        self.refresh_next()
        next_button.focus()
