"""Step 4: data privacy and compliance. Nothing is sent to SendGrid before "I agree"."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.widgets.plain_marks import Checkbox
from sgtui.workspace.config import now_utc
from sgtui.workspace.model import Consent

CONSENT_TEXT = (
    "Enabling this connection means:\n"
    "• Profile data from this workspace leaves this computer for SendGrid (Twilio) and is "
    "stored in your SendGrid account. It may include personal data, such as email "
    "addresses, names and locations.\n"
    "• Your organisation is responsible for having consent (or another legal basis) to "
    "send this data and to email these people, and for meeting SendGrid's terms and the "
    "privacy laws that apply to you.\n"
    "• An administrator can remove this connection at any time. Contacts already sent stay "
    "in SendGrid until they are removed there.\n"
    "Nothing is sent to SendGrid until you agree."
)


def describe_consent(consent: Consent) -> str:
    """``accepted by alice on 2026-11-28 10:00 UTC``."""
    return f"accepted by {consent.accepted_by} on {consent.accepted_at:%Y-%m-%d %H:%M} UTC"


class ConsentStep(SetupStep):
    """The terms, and an "I agree" checkbox whose ticking is recorded (who, when)."""

    STEP_TITLE = "Consent"
    HEADING = "Data privacy and compliance"

    def compose_body(self) -> ComposeResult:
        yield Static(Content(CONSENT_TEXT))
        yield Checkbox("I agree", value=self.draft.consent is not None, id="consent-agree",
                       classes="tight")
        recorded = self.draft.consent
        yield Static(Content(f"Consent {describe_consent(recorded)}.") if recorded else "",
                     id="consent-record", classes="help")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#consent-agree", Checkbox).focus()

    @on(Checkbox.Changed, "#consent-agree")
    def _agree_changed(self) -> None:
        self.show_problem(None)

    def store(self) -> None:
        agreed = self.query_one("#consent-agree", Checkbox).value
        if not agreed:
            self.draft.consent = None
        elif self.draft.consent is None:
            self.draft.consent = Consent(accepted_by=self.app.workspace.user,
                                         accepted_at=now_utc())

    def problem(self) -> str | None:
        if self.draft.consent is None:
            return "Tick “I agree” to go on; nothing is sent to SendGrid before you do."
        return None
