"""What every set-up step screen shares: the step indicator, Back/Next, Escape."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static

from sgtui.tui.keys import bound_key
from sgtui.tui.screens.connection_setup.draft import SetupMode
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import Button
from sgtui.tui.widgets.step_indicator import StepIndicator
from sgtui.tui.wizard_keys import wizard_bindings

if TYPE_CHECKING:
    from sgtui.tui.screens.connection_setup.flow import SetupFlow


class SetupStep(OfSgtuiApp, Screen[None]):
    """One step of the connection set-up flow.

    Subclasses give ``STEP_TITLE`` and ``HEADING``, compose their fields in
    :meth:`compose_body`, copy them into the draft in :meth:`store` and say what is wrong
    in :meth:`problem` (None when Next may go on).
    """

    HELP_TITLE = "Set up a connection"
    HELP = ('Setting up a SendGrid connection, one step at a time: its name, who may use it, the '
            'API key, the consent, a check of the key against SendGrid, and you as export user. '
            'Nothing is saved before the last step; when editing, Save goes straight to it from '
            'any step. Cancel leaves the flow, asking first when something would be lost.')
    """What the screen is for, as its help (? or F1) says."""

    STEP_TITLE: ClassVar[str] = ""
    HEADING: ClassVar[str] = ""

    DEFAULT_CSS = """
    SetupStep #setup-heading { text-style: bold; padding: 0 1; height: 1; }
    SetupStep #setup-body { height: 1fr; padding: 0 2; }
    SetupStep #setup-body > * { margin-bottom: 1; }
    SetupStep #setup-body > .tight { margin-bottom: 0; }
    SetupStep #setup-problem { color: $text-error; padding: 0 2; height: auto; }
    SetupStep #setup-problem.-empty { display: none; }
    SetupStep #setup-nav { height: auto; padding: 0 2; align-horizontal: right;
                      border-top: hkey $panel; }
    SetupStep #setup-nav Button { margin-left: 2; }
    SetupStep .help { color: $text-muted; }
    SetupStep .ok { color: $text-success; }
    SetupStep .bad { color: $text-error; }
    SetupStep .warn { color: $text-warning; }
    """

    BINDINGS = wizard_bindings("setup", cancel="cancel", back="back", forward="next",
                               save="save")
    holds_app_keys = True
    """The app's own keys would leave the flow half-done: Escape first."""

    def __init__(self, flow: SetupFlow) -> None:
        super().__init__()
        self.flow = flow
        self.draft = flow.draft

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield StepIndicator(self.flow.titles, self.flow.index, id="setup-steps")
        yield Static(Content(self.HEADING), id="setup-heading")
        with VerticalScroll(id="setup-body"):
            yield from self.compose_body()
        yield Static("", id="setup-problem", classes="-empty")
        with Horizontal(id="setup-nav"):
            yield Button("Cancel" if self.flow.index == 0 else "Back", id="setup-back")
            yield Button(self.next_label(), variant="primary", id="setup-next")
        yield FooterWithHelp()

    def compose_body(self) -> ComposeResult:
        """The step's own fields."""
        yield from ()

    def on_mount(self) -> None:
        draft = self.draft
        if draft.mode is SetupMode.ADD:
            self.title, self.sub_title = "New SendGrid connection", ""
        elif draft.mode is SetupMode.EDIT:
            self.title, self.sub_title = "Edit connection", draft.display_name
        else:
            self.title, self.sub_title = "Add me as export user", draft.display_name

    def next_label(self) -> str:
        """The label of the Next button."""
        return "Next"

    def refresh_next(self) -> None:
        """Relabel the Next button after the step's state changed."""
        self.query_one("#setup-next", Button).label = self.next_label()

    # -- what subclasses fill in -----------------------------------------------------------
    def store(self) -> None:
        """Copy the fields into the draft (on Next and on Back)."""

    def problem(self) -> str | None:
        """Why Next may not go on yet, in one sentence; None when it may."""
        return None

    def advance(self) -> None:
        """Go on after a successful Next (the last step overrides this)."""
        self.flow.next()

    # -- showing problems ------------------------------------------------------------------
    def show_problem(self, sentence: str | None) -> None:
        """Show ``sentence`` above the buttons (or hide the line when None)."""
        line = self.query_one("#setup-problem", Static)
        line.update(Content(sentence or ""))
        line.set_class(not sentence, "-empty")

    # -- navigation ------------------------------------------------------------------------
    @on(Button.Pressed, "#setup-next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#setup-back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_next(self) -> None:
        """Check the step, store it and go on."""
        self.store()
        sentence = self.problem()
        self.show_problem(sentence)
        if sentence is None:
            self.advance()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":  # on the last step; when editing, from any step
            return not self.draft.saved and (self.flow.is_last
                                             or self.draft.mode is SetupMode.EDIT)
        return True

    def action_save(self) -> None:
        """Save: on the last step the same as Next; when editing, go to the Save step from any
        step, unless a new key or address still has to be checked on the way."""
        if self.flow.is_last:
            self.action_next()
            return
        self.store()
        sentence = self.problem() or self.why_not_straight_to_save()
        self.show_problem(sentence)
        if sentence is None:
            self.flow.go(len(self.flow.steps) - 1)

    def why_not_straight_to_save(self) -> str | None:
        """Why the steps before Save must be walked (one sentence), or None when they need not:
        a new key or SendGrid address is checked, and a new key stored, on the way."""
        draft, original = self.draft, self.draft.original
        go_on = f"press {bound_key(self, 'setup.next')} to go on"
        if draft.key is not None:
            return f"A new API key is checked and stored before saving: {go_on}."
        if original is not None and draft.base_url != original.base_url:
            return f"The new SendGrid address is checked before saving: {go_on}."
        if draft.consent is None:
            return f"The consent step has to be ticked before saving: {go_on}."
        return None

    def action_back(self) -> None:
        """The step before; on the first step, the same as Cancel."""
        if self.flow.index == 0:
            self.action_cancel()
            return
        self.store()
        self.flow.back()

    def action_cancel(self) -> None:
        """Leave the flow, asking first when something would be lost."""
        self.store()
        if not self.draft.dirty:
            self.flow.close()
            return

        what = "this new connection" if self.draft.is_new else "your changes"
        body = (f"You have not saved {what}. Discard it and go back? Nothing has been "
                "written to sgtui.toml.")
        if self.draft.key_stored_in and self.draft.is_new:
            body += " The key stored in the last steps will be forgotten."

        def answered(discard: bool | None) -> None:
            if discard:
                self.flow.close()

        self.app.push_screen(
            ConfirmModal(f"Discard {what}?", body, "Discard", cancel_label="Keep editing",
                         destructive=True),
            answered,
        )
